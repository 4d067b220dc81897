"""A content-addressed blob store: ``<folder>/sha256/<hex>``, written atomically, read by digest.

Blobs are immutable, so a blob present is a blob complete (each is renamed into place after it
was written and, when it came from elsewhere, checked against its digest). What a layer blob
unpacks to (its tar's bytes: a gzip is streamed through a decompressor and counted) is measured
once per digest and kept beside it, in ``<folder>/unpacked/<hex>``.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from ... import paths
from ...errors import BuildError
from ..zipper import sha256_file


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    return "sha256:" + sha256_file(path)


class BlobStore:
    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, digest: str) -> Path:
        algorithm, _, hex_ = digest.partition(":")
        if algorithm != "sha256" or len(hex_) != 64:
            raise BuildError(f"{digest!r} is not a sha256 digest", hint="only sha256 content is supported")
        return self.folder / "sha256" / hex_

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data``; return its digest."""
        digest = digest_of(data)
        if not self.has(digest):
            dest = self.path(digest)
            dest.parent.mkdir(parents=True, exist_ok=True)
            paths.replace_atomic(dest, lambda tmp: tmp.write_bytes(data))
        return digest

    def put_file(self, source: Path, digest: str) -> None:
        """Move ``source`` (a finished temporary file whose sha256 is ``digest``) into the store."""
        dest = self.path(digest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            source.unlink()
        else:
            source.replace(dest)

    def read(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            raise BuildError(f"blob {digest} is not in genesys's image cache ({self.folder})",
                             hint="build the function again (the cache may have been cleaned)") from None

    def size(self, digest: str) -> int:
        return self.path(digest).stat().st_size

    def unpacked_size(self, digest: str) -> int:
        """The bytes layer ``digest`` unpacks to (its tar), measured on first use and kept beside the blob."""
        kept = self.folder / "unpacked" / self.path(digest).name
        try:
            return int(kept.read_text(encoding="ascii"))
        except (OSError, ValueError):
            pass
        size = _tar_bytes(self.path(digest))
        kept.parent.mkdir(parents=True, exist_ok=True)
        paths.write_text_atomic(kept, str(size))
        return size


def _tar_bytes(blob: Path) -> int:
    """The size of the tar in ``blob``: counted through gzip when it is gzipped, else the blob's own size."""
    with open(blob, "rb") as source:
        if source.read(2) != b"\x1f\x8b":
            return blob.stat().st_size
        source.seek(0)
        count = 0
        try:
            with gzip.GzipFile(fileobj=source) as unzipped:
                for chunk in iter(lambda: unzipped.read(1 << 20), b""):
                    count += len(chunk)
        except (OSError, EOFError, zlib.error) as err:
            raise BuildError(f"layer {blob.name[:12]} in genesys's image cache is not a readable gzip ({err})",
                             hint=f"delete {blob} and build again (it is pulled again)") from None
        return count


def image_store() -> BlobStore:
    """The store in genesys's cache folder."""
    return BlobStore(paths.cache_dir() / "oci" / "blobs")
