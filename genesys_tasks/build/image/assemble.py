"""One image per architecture from a base image and the function's built zips.

The base's manifest and config are pulled (blobs cached by digest in genesys's cache folder, so a
pinned base is read from the network once); its layers are pulled too, for the push and for local
runs; what each base layer unpacks to is measured once per digest (``BlobStore.unpacked_size``). On
top go genesys's layers (``layers.layer_from_zip``): the dependency layer zip unpacked
under ``/opt`` (where Lambda's images take layers: ``/opt/python``, ``/opt/nodejs/node_modules``),
or a Java function's jars under ``/var/task/lib`` (``layers.Placement``), and the function zip under ``/var/task``. The dependency layer changes only when the dependencies
do, so a handler edit gives one new small layer. Lambda's 10 GB limit (uncompressed, the base's layers
included) is checked here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ...config.image_ref import ImageRef
from ...errors import BuildError
from . import oci
from .blobs import BlobStore
from .layers import CODE, OPT, Layer, Placement, layer_from_zip
from .registry import Registry

IMAGE_LIMIT = 10 * 1024 ** 3  # bytes, uncompressed, the base included


@dataclass(frozen=True)
class BuiltImage:
    """An image manifest genesys wrote: its digest, size, base and layers."""

    digest: str  # the manifest's
    size: int  # the manifest's bytes
    base: str  # the base image's manifest digest for this architecture
    layers: tuple[dict, ...]  # {"digest", "size", "from"}: every layer, the base's first
    entrypoint: tuple[str, ...] = ()  # the image config's Entrypoint: the base's, or the one given


def pull_base(base: ImageRef, arch: str, store: BlobStore, registry: Registry) -> tuple[str, dict, dict]:
    """(manifest digest, manifest, config) of the base for ``arch``, its blobs in ``store``."""
    if base.digest and store.has(base.digest):
        body = store.read(base.digest)
        document = json.loads(body)
        if document.get("mediaType") in oci.MANIFEST_TYPES or "layers" in document:
            return base.digest, document, json.loads(store.read(document["config"]["digest"]))
    body, document = registry.manifest(base, arch)
    digest = store.put(body)
    for blob in [document["config"]] + document["layers"]:
        registry.fetch_blob(base, blob["digest"], store)
    for layer in document["layers"]:
        store.unpacked_size(layer["digest"])  # measured as it arrives, kept for every later build
    return digest, document, json.loads(store.read(document["config"]["digest"]))


def build_image(base: ImageRef, arch: str, code_zip: Path, deps_zip: Path | None, cmd: list[str],
                store: BlobStore, registry: Registry, limit: int = IMAGE_LIMIT,
                entrypoint: list[str] | None = None, dependencies_at: Placement = OPT) -> BuiltImage:
    base_digest, base_manifest, base_config = pull_base(base, arch, store, registry)
    ours: list[tuple[Layer, str]] = []
    if deps_zip is not None:
        ours.append((layer_from_zip(deps_zip, dependencies_at.folder, store, dependencies_at.zip_folder),
                     dependencies_at.label))
    ours.append((layer_from_zip(code_zip, "var/task", store), CODE))
    unpacked = sum(store.unpacked_size(layer["digest"]) for layer in base_manifest["layers"]) \
        + sum(layer.unpacked for layer, _ in ours)
    if unpacked > limit:
        raise BuildError(f"the image for {arch} unpacks to {_size(unpacked)} (its base {base} included); Lambda "
                         f"takes at most {_size(limit)} uncompressed",
                         hint="leave files out with [build] exclude, trim the dependencies, or pick a smaller base")
    document = oci.image_config(base_config, ours, arch, cmd, entrypoint)
    config = oci.canonical(document)
    config_digest = store.put(config)
    descriptors = list(base_manifest["layers"]) + [layer.descriptor() for layer, _ in ours]
    manifest = oci.canonical(oci.manifest(config_digest, len(config), descriptors))
    digest = store.put(manifest)
    shown = [{"digest": l["digest"], "size": l["size"], "from": "base"} for l in base_manifest["layers"]]
    shown += [{"digest": l.digest, "size": l.size, "from": what} for l, what in ours]
    return BuiltImage(digest, len(manifest), base_digest, tuple(shown),
                      tuple(document.get("config", {}).get("Entrypoint") or ()))


def _size(count: int) -> str:
    return f"{count / 1e9:.2f} GB" if count >= 1e8 else f"{count:,} bytes"


def build_index(images: dict[str, BuiltImage], store: BlobStore) -> str:
    """The index of the images built per architecture, stored; its digest."""
    return store.put(oci.canonical(oci.index([(image.digest, image.size, arch) for arch, image in images.items()])))
