"""Image layers from built zips: the same bytes from the same zip, on any machine.

A layer is a tar of the zip's files under a folder of the image (``var/task`` for the function's
code, ``opt`` for the dependency layer, as Lambda's own images lay them out): entries sorted by
name, each folder listed once before what it holds, every mtime 0, uid/gid 0 without names,
modes 0644/0755 (as the zip says), GNU format; compressed with gzip at a fixed level, without a
file name or timestamp. The tar's sha256 is the layer's ``diff_id`` (the image config lists it),
the gzip's is its ``digest`` (the manifest lists it). Written into the blob store, once per zip content,
folder and format: what a zip made is kept in ``<store>/from-zip/<key>``, so a handler edit does not
compress the unchanged dependency layer again.
``unpack_layer`` reads one back: the files under one of its folders, for local runs of the image.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ... import paths
from ..zipper import sha256_file
from .blobs import BlobStore

GZIP_LEVEL = 6
LAYER_FORMAT = "1"  # in the key of a kept layer: raised when the tar or gzip written changes
MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
# what each of genesys's layers holds, as the image record lists it (``from``) and local runs find them
CODE = "function code in /var/task"
DEPENDENCIES = "dependencies in /opt"
JAVA_DEPENDENCIES = "dependencies in /var/task/lib"


@dataclass(frozen=True)
class Placement:
    """Where the dependency layer zip's files go in the image: what is under ``zip_folder`` of the zip goes
    under ``folder`` of the image (Lambda's layers go under /opt; AWS's Java base image takes the jars in
    ${LAMBDA_TASK_ROOT}/lib, beside the classes, so the layer zip's ``java/lib`` goes to ``var/task/lib``)."""

    folder: str
    zip_folder: str
    label: str  # ``from`` in the image record


OPT = Placement("opt", "", DEPENDENCIES)
JAVA_LIB = Placement("var/task/lib", "java/lib", JAVA_DEPENDENCIES)
PLACEMENTS = (OPT, JAVA_LIB)


def dependency_placement(language: str) -> Placement:
    return JAVA_LIB if language == "java" else OPT


@dataclass(frozen=True)
class Layer:
    """One image layer: the digests the manifest and the config name it by, and its sizes."""

    digest: str  # of the gzip: what the manifest names
    diff_id: str  # of the tar: what the image config names
    size: int  # compressed bytes
    unpacked: int  # bytes of the files it holds
    media_type: str = MEDIA_TYPE

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what goes through it to ``sink``."""

    def __init__(self, sink):
        self.sink, self.hash, self.count = sink, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.hash.update(data)
        self.count += len(data)
        self.sink.write(data)
        return len(data)


def _info(name: str, mode: int, size: int = 0, kind=tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size = kind, mode, size
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
    return info


def _entries(archive: zipfile.ZipFile, prefix: str, strip: str) -> list[tuple[str, zipfile.ZipInfo | None]]:
    """(tar name, the zip entry or None for a folder), sorted; every parent folder once. A zip name under
    ``strip`` loses it (``java/lib/a.jar`` → ``<prefix>/a.jar``)."""
    strip = strip.strip("/") + "/" if strip.strip("/") else ""
    files = {f"{prefix}/{info.filename.removeprefix(strip)}": info
             for info in archive.infolist() if not info.is_dir()}
    folders = {prefix}
    for name in files:
        parts = name.split("/")[:-1]
        folders.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted([(name, None) for name in folders] + list(files.items()), key=lambda e: e[0])


def layer_from_zip(zip_path: Path, prefix: str, store: BlobStore, strip: str = "") -> Layer:
    """The layer holding ``zip_path``'s files under ``prefix`` (e.g. ``var/task``), stored in ``store``;
    ``strip``: a folder of the zip whose files go straight under ``prefix``. The layer an earlier build made
    of the same zip content is read back while its blob is in the store."""
    key = "\0".join((LAYER_FORMAT, str(GZIP_LEVEL), sha256_file(zip_path), prefix.strip("/"), strip.strip("/")))
    kept = store.folder / "from-zip" / hashlib.sha256(key.encode()).hexdigest()
    try:
        layer = Layer(**json.loads(kept.read_text(encoding="utf-8")))
        if store.has(layer.digest):
            return layer
    except (OSError, ValueError, TypeError):
        pass  # not made yet, or unreadable: made again
    layer = _write_layer(zip_path, prefix, store, strip)
    kept.parent.mkdir(parents=True, exist_ok=True)
    paths.write_text_atomic(kept, json.dumps(asdict(layer), sort_keys=True))
    return layer


def _write_layer(zip_path: Path, prefix: str, store: BlobStore, strip: str) -> Layer:
    folder = store.folder / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"layer.{os.getpid()}.gz"
    unpacked = 0
    with open(tmp, "wb") as out:
        gz_hash = _Hashing(out)
        with gzip.GzipFile(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=gz_hash, mtime=0) as gz:
            tar_hash = _Hashing(gz)
            with zipfile.ZipFile(zip_path) as archive, \
                    tarfile.open(fileobj=tar_hash, mode="w|", format=tarfile.GNU_FORMAT) as tar:
                for name, info in _entries(archive, prefix.strip("/"), strip):
                    if info is None:
                        tar.addfile(_info(name, 0o755, kind=tarfile.DIRTYPE))
                        continue
                    executable = (info.external_attr >> 16) & 0o100
                    with archive.open(info) as data:
                        tar.addfile(_info(name, 0o755 if executable else 0o644, info.file_size), data)
                    unpacked += info.file_size
    digest = "sha256:" + gz_hash.hash.hexdigest()
    store.put_file(tmp, digest)
    return Layer(digest, "sha256:" + tar_hash.hash.hexdigest(), gz_hash.count, unpacked)


def unpack_layer(blob: Path, prefix: str, into: Path) -> None:
    """Write the regular files and folders under ``prefix`` (e.g. ``var/task``) of layer ``blob`` into ``into``,
    with their modes; anything else (links, devices, a name leaving the folder) is not written."""
    prefix = prefix.strip("/") + "/"
    with tarfile.open(blob, mode="r|gz") as tar:
        for member in tar:
            name = member.name.lstrip("./")
            if not name.startswith(prefix) or ".." in name.split("/"):
                continue
            target = into / name[len(prefix):]
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as data, open(target, "wb") as out:
                    shutil.copyfileobj(data, out)
                target.chmod(member.mode & 0o755)
