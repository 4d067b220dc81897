"""Container image references (``host[:port]/path[:tag][@sha256:hex]``), parsed and checked.

Pure: the ``[build] image`` base and the ``[deployment] image_repository`` are read with the same
rules as Docker's: the first path component is a registry host when it has a dot or a port or is
``localhost``; otherwise the reference names Docker Hub (``docker.io``, ``library/`` for one-part
names). ``loopback`` says whether plain HTTP may be used (127.0.0.1, ::1, localhost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATH = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
HOST = re.compile(r"^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$")
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into registry host, repository path, tag and digest."""

    host: str  # registry host[:port]
    path: str  # repository path in the registry
    tag: str | None = None
    digest: str | None = None

    @property
    def repository(self) -> str:
        """``host/path``: where blobs and manifests live."""
        return f"{self.host}/{self.path}"

    @property
    def reference(self) -> str:
        """What a manifest is fetched by: the digest when pinned, else the tag (default ``latest``)."""
        return self.digest or self.tag or "latest"

    @property
    def loopback(self) -> bool:
        return self.host.rsplit(":", 1)[0] in LOOPBACK if not self.host.startswith("[") \
            else self.host.split("]")[0] + "]" in LOOPBACK

    def __str__(self) -> str:
        return self.repository + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def parse(text: str) -> ImageRef:
    """The reference ``text`` names; ValueError saying what is wrong."""
    rest, _, digest = text.partition("@")
    if digest and not DIGEST.match(digest):
        raise ValueError(f"{digest!r} is not a sha256 digest (sha256: and 64 hex digits)")
    tag = None
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        rest, tag = rest.rsplit(":", 1)
        if not TAG.match(tag):
            raise ValueError(f"{tag!r} is not a valid tag")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first.startswith("[")):
        host, path = first, remainder
        if not HOST.match(host):
            raise ValueError(f"{host!r} is not a registry host")
    else:
        host, path = "docker.io", rest if slash else f"library/{rest}"
    if not PATH.match(path):
        raise ValueError(f"{path!r} is not a repository path (lower-case letters, digits, . _ - and /)")
    return ImageRef(host, path, tag, digest or None)


def problem(text: str) -> str | None:
    """What is wrong with ``text`` as an image reference, or None."""
    try:
        parse(text)
    except ValueError as err:
        return str(err)
    return None


def ecr_host(account: str, region: str) -> str:
    """The registry host of ECR in ``account`` and ``region``."""
    return f"{account}.dkr.ecr.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")


def is_ecr_host(host: str) -> bool:
    return ".dkr.ecr." in host and host.split(".", 1)[0].isdigit()


def has_registry(text: str) -> bool:
    """``text`` starts with a registry host (else it is an ECR repository name the deploy completes)."""
    first, slash, _ = text.partition("/")
    return bool(slash) and ("." in first or ":" in first or first == "localhost" or first.startswith("["))


def default_repository(name: str) -> str:
    """The ECR repository an image function is pushed to when ``[deployment] image_repository`` is unset."""
    return f"genesys/{name.lower()}"
