"""``genesys profile``: where a function's cold start and bytes go, measured on this machine.

``imports`` reads import timings (Python's ``-X importtime`` lines, and the same lines the
Node hook ``local/shims/import_timer.cjs`` writes) into a tree and a per-package breakdown;
``sizes`` reads the built zips into unzipped sizes per package, the biggest files and what
could go; ``runs`` drives cold and warm runs through the local runtime (``local/``);
``report`` turns a profile into its stable JSON shape and the lines people read; ``page``
writes the self-contained HTML page. ``imports``, ``sizes`` and ``report`` are pure: no
subprocess, no AWS, nothing printed.
"""
