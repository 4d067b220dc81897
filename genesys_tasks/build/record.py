"""The artifact record: the one contract between the build and the deploy.

The build writes ``.genesys/build/<fn>/artifact-<arch>.json`` (a target of the ``build`` task,
after the limits are checked and the post_build hooks ran); the deployer reads it and never
looks for a zip by its path convention. A record is typed by its ``kind``:

- ``zip``    ``{"kind": "zip", "path", "sha256", "arch", "size", "layer"}``: the function zip
             (``path`` relative to the record's folder, so a moved checkout or a CI cache still
             matches), its hex sha256 and size, and the dependency layer zip beside it
             (``{"path", "sha256", "size"}``, or null when the function ships no layer);
- ``image``  ``{"kind": "image", "digest", "repository", "arch", "base", "layers"}``: a container
             image (``sha256:...`` of its manifest, in genesys's image cache, ``build/image``) to push to
             ``repository`` (``host/path``, or an ECR repository name the deploy completes with the
             account and region); ``base`` is the digest of the base image's manifest it was built on,
             ``layers`` its layers (``{"digest", "size", "from"}``), the base's first.

Writing is atomic; reading a missing, unreadable or unknown record is a ``BuildError`` that
says to build again. Nothing here imports boto3, doit or ui.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Union

from .. import paths
from ..errors import BuildError


@dataclass(frozen=True)
class LayerZip:
    """A dependency layer zip a zip record names."""

    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class ZipRecord:
    """A function built as a zip (and, when it has dependencies to ship, a layer zip)."""

    kind: ClassVar[str] = "zip"
    path: Path
    sha256: str
    arch: str
    size: int
    layer: LayerZip | None = None

    def as_dict(self, folder: Path | None = None) -> dict:
        """The JSON form: paths relative to ``folder`` (the record's), or absolute without one."""
        def shown(path: Path) -> str:
            return str(path.relative_to(folder)) if folder is not None else str(path)

        layer = None if self.layer is None else {"path": shown(self.layer.path), "sha256": self.layer.sha256,
                                                 "size": self.layer.size}
        return {"kind": self.kind, "path": shown(self.path), "sha256": self.sha256, "arch": self.arch,
                "size": self.size, "layer": layer}

    @classmethod
    def from_dict(cls, data: dict, folder: Path) -> ZipRecord:
        layer = data.get("layer")
        return cls(folder / data["path"], str(data["sha256"]), str(data["arch"]), int(data["size"]),
                   None if layer is None else LayerZip(folder / layer["path"], str(layer["sha256"]),
                                                       int(layer["size"])))


@dataclass(frozen=True)
class ImageRecord:
    """A function built as a container image, pushed to ``repository`` as ``digest``; ``index`` is the OCI index
    of every architecture's image when the function is built for two (what is pushed and tagged for people)."""

    kind: ClassVar[str] = "image"
    digest: str
    repository: str
    arch: str
    base: str = ""
    layers: tuple = ()
    index: str = ""

    def as_dict(self, folder: Path | None = None) -> dict:
        return {"kind": self.kind, "digest": self.digest, "repository": self.repository, "arch": self.arch,
                "base": self.base, "layers": list(self.layers), **({"index": self.index} if self.index else {})}

    @classmethod
    def from_dict(cls, data: dict, folder: Path) -> ImageRecord:
        return cls(str(data["digest"]), str(data["repository"]), str(data["arch"]), str(data.get("base", "")),
                   tuple(data.get("layers") or ()), str(data.get("index", "")))


Record = Union[ZipRecord, ImageRecord]
KINDS = {record.kind: record for record in (ZipRecord, ImageRecord)}


def record_path(root: Path, name: str, arch: str) -> Path:
    return Path(paths.record_file(root, name, arch))


def write_record(path: Path, record: Record) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    paths.write_text_atomic(path, json.dumps(record.as_dict(path.parent), indent=2, sort_keys=True) + "\n")


def read_record(path: Path, *, hint: str) -> Record:
    """The record at ``path``; a BuildError (with ``hint``, how to build again) when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(f"{path} does not exist: the build has not recorded this function's artifact",
                         hint=hint) from None
    except (OSError, ValueError) as err:
        raise BuildError(f"{path} is not a readable artifact record ({err})", hint=hint) from None
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in KINDS:
        raise BuildError(f"{path}: unknown artifact kind {kind!r} (known: {', '.join(KINDS)})", hint=hint)
    try:
        return KINDS[kind].from_dict(data, path.parent)
    except (KeyError, TypeError, ValueError) as err:
        raise BuildError(f"{path}: a {kind} record without a valid {err}", hint=hint) from None


def zip_record(root: Path, name: str, arch: str, with_layer: bool) -> ZipRecord:
    """The record of the zips the build left for ``name`` on ``arch`` (hashing each once)."""
    from .cache import sha256_once
    from .layer import ships_nothing
    from .zipper import sha256_file

    code = paths.function_zip(root, name, arch)
    layer = paths.layer_zip(root, name, arch) if with_layer else None
    shipped = None
    if layer is not None and not ships_nothing(layer):  # an empty layer is only the build's record: never published
        shipped = LayerZip(layer, sha256_once(layer), layer.stat().st_size)  # a shared layer: hashed once
    return ZipRecord(code, sha256_file(code), arch, code.stat().st_size, shipped)


def record_build(root: Path, name: str, architectures, with_layer: bool) -> list[Record]:
    """Write the record of each architecture's build; return them."""
    records = []
    for arch in architectures:
        record = zip_record(root, name, arch, with_layer)
        write_record(record_path(root, name, arch), record)
        records.append(record)
    return records
