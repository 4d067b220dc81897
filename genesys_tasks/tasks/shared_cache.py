"""The layer cache's store shared across machines, for the layer tasks' actions.

``config.cache_url`` says where (``GENESYS_CACHE_URL`` or ``[cache] url``); this makes the
``aws.cache_store.S3Store`` the action hands to ``build.steps.build_layers``: build never
imports aws, and the store makes no client until a layer misses the local cache.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from ..config.cache_url import ENV, cache_url


def remote_store(root: Path):
    """The shared store of the repo at ``root``, or None; a bad URL is a ConfigError."""
    return _store(Path(root), os.environ.get(ENV))


@cache
def _store(root: Path, env_value: str | None):  # the repo file is read once per process and URL
    url = cache_url(root)
    if url is None:
        return None
    from ..aws.cache_store import S3Store

    return S3Store(url.bucket, url.prefix)
