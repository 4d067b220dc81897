"""Container images genesys writes itself, without a container engine.

``blobs`` is the content-addressed store (genesys's cache folder, shared by every function and
repo); ``layers`` turns a built zip into a deterministic tar+gzip layer; ``oci`` writes the image
config, manifest and index; ``registry`` speaks the OCI distribution API (pull a base, push only
what is missing); ``assemble`` puts a base and the function's zips together into one image per
architecture. Nothing here imports boto3, doit or ui: ECR credentials come in as a callable.
"""
