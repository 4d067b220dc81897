"""The JSON documents of an OCI image: config, manifest and index, written canonically.

Canonical JSON (sorted keys, no spaces, UTF-8) makes the same image the same digest. The image
config keeps the base's ``Env`` and ``Entrypoint`` (a Go function's is its ``bootstrap``, as AWS's
Go images have it), sets ``Cmd`` to the handler and the working
folder to ``/var/task``, lists the base's layers then genesys's, and has no creation time
(``created`` is left out, here and in the history genesys adds).
"""

from __future__ import annotations

import json

from .layers import Layer

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
# Docker's media types for the same bytes, as OCI names them (an OCI manifest lists OCI types)
AS_OCI = {DOCKER_CONFIG: CONFIG, DOCKER_MANIFEST: MANIFEST, DOCKER_LIST: INDEX,
          "application/vnd.docker.image.rootfs.diff.tar.gzip": "application/vnd.oci.image.layer.v1.tar+gzip"}
MANIFEST_TYPES = (MANIFEST, DOCKER_MANIFEST)
INDEX_TYPES = (INDEX, DOCKER_LIST)
PLATFORM = {"x86_64": "amd64", "arm64": "arm64"}  # Lambda's architectures → OCI's


def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def image_config(base: dict, layers: list[tuple[Layer, str]], arch: str, cmd: list[str],
                 entrypoint: list[str] | None = None) -> dict:
    """The config of ``base`` (a base image's config document) with ``layers`` ((layer, what it holds)) on top;
    ``entrypoint`` replaces the base's (a Go function's ``bootstrap`` is its own runtime)."""
    inner = dict(base.get("config") or {})
    kept = {k: inner[k] for k in ("Env", "Entrypoint", "User", "ExposedPorts", "Labels") if inner.get(k)}
    if entrypoint:
        kept["Entrypoint"] = entrypoint
    history = [{k: v for k, v in entry.items() if k != "created"} for entry in base.get("history") or []]
    history += [{"created_by": f"genesys: {what}", "comment": "genesys"} for _, what in layers]
    return {
        "architecture": PLATFORM[arch],
        "os": "linux",
        "config": {**kept, "Cmd": cmd, "WorkingDir": "/var/task"},
        "rootfs": {"type": "layers",
                   "diff_ids": list((base.get("rootfs") or {}).get("diff_ids") or []) + [l.diff_id for l, _ in layers]},
        "history": history,
    }


def manifest(config_digest: str, config_size: int, layers: list[dict]) -> dict:
    """An OCI image manifest; ``layers`` are descriptors (the base's, converted to OCI types, then genesys's)."""
    return {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": {"mediaType": CONFIG, "digest": config_digest, "size": config_size},
        "layers": [{**layer, "mediaType": AS_OCI.get(layer["mediaType"], layer["mediaType"])} for layer in layers],
    }


def index(manifests: list[tuple[str, int, str]]) -> dict:
    """An OCI index of (manifest digest, size, Lambda architecture)."""
    return {
        "schemaVersion": 2,
        "mediaType": INDEX,
        "manifests": [{"mediaType": MANIFEST, "digest": digest, "size": size,
                       "platform": {"architecture": PLATFORM[arch], "os": "linux"}}
                      for digest, size, arch in manifests],
    }
