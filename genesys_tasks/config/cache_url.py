"""Where the layer cache is shared across machines: ``GENESYS_CACHE_URL``, else ``[cache] url``.

The repo's ``genesys-runtimes.toml`` may hold::

    [cache]
    url = "s3://my-build-cache/genesys"

The environment variable wins (a CI job can point at its own bucket); an empty one turns
sharing off. Only ``s3://bucket[/prefix]`` is understood. Reading this does no network:
the store itself is made by ``tasks`` (``aws.cache_store``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, Where
from .runtimes_file import PROJECT_FILE

ENV = "GENESYS_CACHE_URL"
FORM = "write it as s3://<bucket>/<prefix>, e.g. s3://my-build-cache/genesys"


@dataclass(frozen=True)
class CacheUrl:
    """An ``s3://bucket/prefix`` URL taken apart; ``prefix`` is empty or ends with ``/``."""

    bucket: str
    prefix: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parse(url: str, where: Where) -> CacheUrl:
    """``url`` as a ``CacheUrl``; anything else is a ConfigError at ``where``."""
    scheme, sep, rest = url.partition("://")
    bucket, _, prefix = rest.partition("/")
    if scheme != "s3" or not sep:
        raise ConfigError(f"{url!r} is not an S3 location for the shared layer cache", hint=FORM, where=where)
    from .aws_limits import bucket_problem

    problem = bucket_problem(bucket)
    if problem:
        raise ConfigError(f"{url!r}: {problem}", hint=FORM, where=where)
    prefix = prefix.strip("/")
    return CacheUrl(bucket, f"{prefix}/" if prefix else "")


def cache_url(root: Path) -> CacheUrl | None:
    """The shared cache of the repo at ``root``, or None when there is none."""
    if ENV in os.environ:
        value = os.environ[ENV].strip()
        return parse(value, Where(key=ENV)) if value else None
    path = Path(root) / PROJECT_FILE
    if not path.is_file():
        return None
    from .loader import read_toml
    from .locate import where_in

    text, data = read_toml(path)
    section = data.get("cache", {})
    if not isinstance(section, dict) or set(section) - {"url"} or not isinstance(section.get("url", ""), str):
        raise ConfigError("[cache] holds one key, url, a string",
                          hint='write [cache] then url = "s3://<bucket>/<prefix>"',
                          where=where_in(path, "cache", text=text))
    return parse(section["url"], where_in(path, "cache", "url", text=text)) if section.get("url") else None
