"""One dependency layer for one function and architecture: from the cache, or built and cached.

The cache key is the sha256 of everything that decides the layer's contents; two
functions (in any repo) with the same manifest, runtime, architecture and method
share one build, and its bytes: a function's ``layer-<arch>.zip`` is a hard link to
the cache entry (a copy only where the file system cannot link), so N functions
sharing a layer keep one copy of it on disk. Nothing writes into a layer zip in
place; a rebuild renames a new file over the old name.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from ..paths import link_file_atomic
from .cache import LayerCache
from .installers import InstallJob, installer_for
from .zipper import sha256_file, tree_entries, write_zip

KEY_VERSION = "1"
_SHA256: dict[tuple, str] = {}  # (device, inode, size, mtime): sha256, for files this process has hashed


def lock_files(job: InstallJob) -> list[Path]:
    """The manifest and the lock files beside it that the installer reads."""
    folder = job.manifest.parent
    found = [job.manifest]
    for name in job.runtime.dependency_files:
        candidate = folder / name
        if candidate != job.manifest and candidate.is_file() and name not in ("pyproject.toml",):
            found.append(candidate)
    return found


def cache_key(job: InstallJob, installer_version: str) -> str:
    digest = hashlib.sha256()
    for path in lock_files(job):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps({
        "v": KEY_VERSION, "runtime": job.runtime.id, "arch": job.arch, "method": job.method,
        "installer": installer_version, "image": job.image or "",
        "env": list(job.container_env), "layer_path": job.runtime.layer_path,
    }, sort_keys=True).encode())
    return digest.hexdigest()


def build_layer(job: InstallJob, dest: Path, cache: LayerCache) -> tuple[str, bool]:
    """Make ``dest`` the layer zip for ``job``; return (sha256, came from cache)."""
    installer = installer_for(job)
    key = cache_key(job, installer.version(job))
    cached = cache.get(key)
    if cached is None:
        with tempfile.TemporaryDirectory(prefix="genesys-layer-") as tmp:
            target = Path(tmp, "layer")
            target.mkdir()
            work = replace(job, target=target)
            if job.runtime.language == "python":  # lock files reach the installers as requirements
                from .lockfiles import requirements_for

                work = replace(work, manifest=requirements_for(job.manifest, Path(tmp, "requirements")))
            installer.install(work)
            built = Path(tmp, "layer.zip")
            write_zip(tree_entries(target), built)
            cached = cache.put(key, built, {"runtime": job.runtime.id, "arch": job.arch, "method": job.method,
                                            "manifest": str(job.manifest)})
        from_cache = False
    else:
        from_cache = True
    dest.parent.mkdir(parents=True, exist_ok=True)
    link_file_atomic(cached, dest)
    return _sha256_once(cached), from_cache


def _sha256_once(path: Path) -> str:
    """sha256 of ``path``, read once per file: the functions sharing a layer share its hash too."""
    stat = path.stat()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _SHA256:
        _SHA256[key] = sha256_file(path)
    return _SHA256[key]
