"""ECR, and the image registry an image function is pushed to.

The repository calls are declarative operations. ``image_pushed`` and ``push_image`` speak the
OCI distribution API (``build/image/registry``) to the repository's registry: for an ECR host
with the token ``GetAuthorizationToken`` gives the deploy's credentials, for any other registry
with the standard auth file's credentials. ``push_image`` sends only the blobs the registry
lacks, puts the manifest (or the index of both architectures' images) by its digest, and tags it (what the
lifecycle policy never expires; an index's images get the tag plus ``-<arch>``); an image
is "pushed" when its tag names it, so a redeploy of an older digest moves the tag back.
"""

from __future__ import annotations

import base64
import json

from ..config.image_ref import is_ecr_host
from .base import Adapter, operation


class EcrAdapter(Adapter):
    service = "ecr"

    describe_repositories = operation("describe_repositories", "repositoryNames", missing_ok=True)
    create_repository = operation("create_repository", "repositoryName")
    delete_repository = operation("delete_repository", "repositoryName")
    get_lifecycle_policy = operation("get_lifecycle_policy", "repositoryName", missing_ok=True)
    put_lifecycle_policy = operation("put_lifecycle_policy", "repositoryName")
    get_repository_policy = operation("get_repository_policy", "repositoryName", missing_ok=True)
    set_repository_policy = operation("set_repository_policy", "repositoryName")
    list_tags_for_resource = operation("list_tags_for_resource", "resourceArn")
    get_authorization_token = operation("get_authorization_token", "registryIds")

    def list_images(self, repositoryName: str) -> list[dict]:
        return self.collect("list_images", repositoryName, "imageIds", repositoryName=repositoryName)

    def _credentials(self, host: str):
        if not is_ecr_host(host):
            from ..build.image.registry import auth_file_credentials

            return auth_file_credentials(host)
        data = self.get_authorization_token(registryIds=[host.split(".", 1)[0]])["authorizationData"][0]
        user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
        return user, password

    def _registry(self, repository: str):
        """``repository``'s reference and its host's client, one per host for the adapter: a deploy's reads (the
        tag, each layer) and its push log in once, not once a call (each an ECR GetAuthorizationToken)."""
        from ..build.image.registry import Registry
        from ..config.image_ref import parse

        ref = parse(repository)
        registries = self.__dict__.setdefault("_registries", {})
        if ref.host not in registries:
            registries[ref.host] = Registry.for_ref(ref, credentials=self._credentials)
        return ref, registries[ref.host]

    def image_pushed(self, Repository: str, Digest: str, Tag: str) -> bool:
        """The repository (``host/path``) holds the image ``Digest`` and ``Tag`` names it."""
        self.log.calls.append(("registry:HeadManifest", False))
        ref, registry = self._registry(Repository)
        return registry.tagged(ref, Tag) == Digest

    def blob_pushed(self, Repository: str, Digest: str) -> bool:
        """The repository holds the layer (or config) blob ``Digest``."""
        self.log.calls.append(("registry:HeadBlob", False))
        ref, registry = self._registry(Repository)
        return registry.has_blob(ref, Digest)

    def push_image(self, Repository: str, Digest: str, Tag: str) -> dict:
        """Push image ``Digest`` from genesys's image cache; return the bytes sent."""
        from ..build.image.blobs import image_store
        from ..build.image.oci import PLATFORM

        self.log.calls.append(("registry:PushImage", True))
        ref, registry = self._registry(Repository)
        store = image_store()
        sent = registry.push(ref, Digest, store)
        body = store.read(Digest)
        document = json.loads(body)
        for entry in document.get("manifests", []):  # an index: each architecture's image tagged too
            arch = next(lambda_arch for lambda_arch, oci in PLATFORM.items() if oci == entry["platform"]["architecture"])
            registry.put_manifest(ref, store.read(entry["digest"]), entry["mediaType"], f"{Tag}-{arch}")
        registry.put_manifest(ref, body, document["mediaType"], Tag)
        return {"BytesSent": sent}
