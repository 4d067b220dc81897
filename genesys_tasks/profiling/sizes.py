"""Where a function's bytes go: its built zips read into unzipped sizes per top-level package, the
biggest files, and what could go, each with its size.

What could go, each file counted once, under the first reason that fits:
- provided by the runtime: boto3 and the packages it brings (Python), ``@aws-sdk/*`` (Node 18+),
  which Lambda puts on the path after the function (a bundled copy wins, so it only costs bytes
  unless its version is needed);
- shadowed: a package the layer ships that the function zip ships too (the zip's copy is loaded);
- ``__pycache__`` and ``.pyc``, tests, docs and examples inside packages, type stubs (``.pyi``,
  ``.d.ts``) and source maps, and ``.dist-info`` files imports never read (all but METADATA and
  entry_points.txt, which ``importlib.metadata`` reads).

Only the zips are read (through ``build.ziplist``, which keeps their directories); nothing is unpacked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..build.limits import UNZIPPED_MAX, package_of
from ..build.ziplist import entries

PYTHON_RUNTIME_PROVIDES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
NODE_RUNTIME_PROVIDES = ("@aws-sdk/",)  # Node 18 and later
TEST_DIRS = {"tests", "test", "__tests__"}
DOC_DIRS = {"docs", "doc", "examples", "example"}
DOC_SUFFIXES = (".md", ".rst", ".markdown")
STUB_SUFFIXES = (".pyi", ".d.ts", ".d.mts", ".d.cts")
METADATA_READ = {"METADATA", "entry_points.txt"}
BIGGEST_SHOWN = 10
_LAYER_PREFIXES = ("python/", "nodejs/")


@dataclass(frozen=True)
class ZipSize:
    """One zip's size, packed and unpacked."""

    kind: str  # "function" or "layer"
    path: str
    zipped_bytes: int
    unzipped_bytes: int


@dataclass(frozen=True)
class PackageSize:
    """The bytes and files one package takes in a zip."""

    zip: str
    package: str
    bytes: int
    files: int


@dataclass(frozen=True)
class FileSize:
    """One file's size in a zip."""

    zip: str
    path: str
    bytes: int


@dataclass(frozen=True)
class Removable:
    """Files of a package that the function need not ship, and why."""

    reason: str
    zip: str
    package: str
    bytes: int
    files: int


@dataclass(frozen=True)
class Sizes:
    """What a function's zips hold: per zip, per package, the biggest files, what could go."""

    zips: tuple[ZipSize, ...]
    packages: tuple[PackageSize, ...]  # biggest first
    biggest_files: tuple[FileSize, ...]
    removable: tuple[Removable, ...]  # biggest first

    @property
    def unzipped_bytes(self) -> int:
        return sum(z.unzipped_bytes for z in self.zips)

    @property
    def share_of_limit(self) -> float:
        return self.unzipped_bytes / UNZIPPED_MAX

    @property
    def removable_bytes(self) -> int:
        return sum(r.bytes for r in self.removable)


def package_name(entry: str) -> str:
    """An entry's top-level package as people name it: ``requests``, ``@aws-sdk/client-s3``, ``app.py``
    (``build.limits.package_of`` without the layer's ``python/lib/pythonX.Y/site-packages/`` part)."""
    full = package_of(entry)
    _, marker, after = full.rpartition("node_modules/")
    if marker:
        return after
    parts = PurePosixPath(full).parts
    if full.startswith(_LAYER_PREFIXES) and len(parts) > 1:
        return parts[-1]
    return full


def measure(zips: list[tuple[str, Path]], node_sdk: bool = False) -> Sizes:
    """Sizes of ``zips`` ((kind, path): the function zip first, then its layers). ``node_sdk``: the
    runtime provides the AWS SDK for JavaScript v3 (Node 18 and later)."""
    read = [(kind, path, [info for info in entries(path) if not info.is_dir()]) for kind, path in zips]
    in_function = {package_name(i.filename) for kind, _, infos in read if kind == "function" for i in infos}
    per_package: dict[tuple[str, str], list[int]] = {}
    removable: dict[tuple[str, str, str], list[int]] = {}
    files: list[FileSize] = []
    for kind, path, infos in read:
        for info in infos:
            package = package_name(info.filename)
            row = per_package.setdefault((kind, package), [0, 0])
            row[0] += info.file_size
            row[1] += 1
            files.append(FileSize(kind, info.filename, info.file_size))
            reason = why_removable(info.filename, package, shadowed=kind != "function" and package in in_function,
                                   node_sdk=node_sdk)
            if reason:
                item = removable.setdefault((reason, kind, package), [0, 0])
                item[0] += info.file_size
                item[1] += 1
    return Sizes(
        tuple(ZipSize(kind, str(path), path.stat().st_size, sum(i.file_size for i in infos))
              for kind, path, infos in read),
        tuple(sorted((PackageSize(kind, name, size, count) for (kind, name), (size, count) in per_package.items()),
                     key=lambda p: (-p.bytes, p.zip, p.package))),
        tuple(sorted(files, key=lambda f: (-f.bytes, f.zip, f.path))[:BIGGEST_SHOWN]),
        tuple(sorted((Removable(reason, kind, name, size, count)
                      for (reason, kind, name), (size, count) in removable.items()),
                     key=lambda r: (-r.bytes, r.reason, r.zip, r.package))))


def why_removable(entry: str, package: str, *, shadowed: bool = False, node_sdk: bool = False) -> str | None:
    """The reason the file ``entry`` of ``package`` could go, or None when it is needed."""
    parts = PurePosixPath(entry).parts
    name = parts[-1]
    provided = re.split(r"[-.]", package)[0].replace("python_dateutil", "dateutil")
    if provided in PYTHON_RUNTIME_PROVIDES and not entry.startswith("nodejs/") and "node_modules" not in parts:
        return "provided by the runtime"
    if node_sdk and package.startswith(NODE_RUNTIME_PROVIDES):
        return "provided by the runtime"
    if shadowed:
        return "shadowed by the function zip's copy"
    folders = set(parts[:-1])
    if "__pycache__" in parts or name.endswith(".pyc"):
        return "__pycache__"
    if package.endswith(".dist-info"):
        return None if name in METADATA_READ else "dist-info extras"
    if TEST_DIRS & folders:
        return "tests"
    if DOC_DIRS & folders or name.lower().endswith(DOC_SUFFIXES):
        return "docs and examples"
    if name.endswith(STUB_SUFFIXES):
        return "type stubs"
    if name.endswith((".js.map", ".mjs.map", ".cjs.map")):
        return "source maps"
    return None

