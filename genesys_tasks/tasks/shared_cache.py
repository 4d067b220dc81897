"""The layer cache's store shared across machines, for the layer tasks' actions.

``config.cache_url`` says where (``GENESYS_CACHE_URL`` or ``[cache] url``); ``GENESYS_CACHE_KEY``
is the secret the entries' records are signed with, read here once, where the environment
enters. This makes the ``build.cache.SignedStore`` over an ``aws.cache_store.S3Store`` that the
action hands to ``build.steps.build_layers``: build never imports aws, and the store makes no
client until a layer misses the local cache. Without the secret nothing a bucket holds can be
verified, so the shared cache is not used (the layer action says so once) and layers are built here.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from ..config.cache_url import ENV, cache_url
from ..errors import ConfigError, Where

KEY_ENV = "GENESYS_CACHE_KEY"
MIN_KEY = 32  # characters: `openssl rand -hex 32` gives 64


def remote_store(root: Path):
    """The shared store of the repo at ``root``, or None; a bad URL or key is a ConfigError."""
    return _store(Path(root), os.environ.get(ENV), os.environ.get(KEY_ENV))


@cache
def _store(root: Path, env_value: str | None, secret: str | None):  # read once per process, URL and key
    url = cache_url(root)
    if url is None:
        return None
    if secret and len(secret) < MIN_KEY:
        raise ConfigError(f"{KEY_ENV} has {len(secret)} characters; a key to sign the shared cache with needs at "
                          f"least {MIN_KEY}", hint="e.g. the output of `openssl rand -hex 32`, kept as a CI secret",
                          where=Where(key=KEY_ENV))
    from ..aws.cache_store import S3Store
    from ..build.cache import SignedStore

    return SignedStore(S3Store(url.bucket, url.prefix), secret.encode() if secret else None,
                       f"shared layer cache {url}")
