"""One dependency layer for one function and architecture: from the cache, or built and cached.

The cache key is the sha256 of everything that decides the layer's contents: the
manifest and lock files' bytes, the bytes of every local file or folder they name
(``references``: a wheel in ``./libs``, a ``-e ./pkg``, a ``file:`` dependency), the
runtime, architecture, method, installer version, image, and ``RECIPE_VERSION``.
Two functions (in any repo) with the same inputs share one build, and its bytes: a
function's ``layer-<arch>.zip`` is a hard link to the cache entry (a copy only where
the file system cannot link), so N functions sharing a layer keep one copy of it on
disk. Nothing writes into a layer zip in place; a rebuild renames a new file over
the old name.

What an installer leaves that depends on this machine rather than on the inputs is
removed before zipping (``strip_host_paths``): pip's ``direct_url.json`` records the
absolute path a local package was installed from, uv's ``uv_cache.json`` a time, and
RECORD lists scripts outside the layer whose hashes cover the interpreter's path; without
this the bytes of a layer would depend on where the checkout and the Python are.

No dependencies to ship means no layer: when the installer leaves nothing (a Pipfile
with only dev-packages, a pom without runtime dependencies, a requirements file
whose lines all fall out by marker), the layer zip has no entries. That empty zip
is only the build's record that there is nothing to ship (``ships_nothing``): it is
never published, the limits do not count it, and the function deploys without it
(Lambda itself refuses an empty layer). A manifest that names no dependency at all
(``declares_nothing``) runs no installer: a container build then pulls no image.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError
from ..paths import link_file_atomic
from .cache import LayerCache, sha256_once
from .installers import InstallJob, installer_for
from .references import input_files, referenced
from .zipper import tree_entries, write_zip

# Change this whenever genesys changes how it builds a layer (what it installs, strips or
# zips), so no layer a previous genesys built is reused from the cache.
RECIPE_VERSION = "4"


def ships_nothing(layer_zip: Path) -> bool:
    """Whether a built layer zip carries no files, i.e. the function has no dependencies to ship."""
    from .ziplist import entries

    return not entries(layer_zip)


NODE_DEPENDENCY_KEYS = ("dependencies", "optionalDependencies", "bundleDependencies", "bundledDependencies")


def declares_nothing(job: InstallJob) -> bool:
    """Whether the manifest names no dependency (a package.json without dependencies, a requirements
    file of comments): nothing to install, so no installer runs, and no image is pulled for it."""
    try:
        text = job.manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if job.manifest.name == "package.json":
        try:
            data = json.loads(text)
        except ValueError:
            return False
        return isinstance(data, dict) and not any(data.get(key) for key in NODE_DEPENDENCY_KEYS)
    if job.runtime.language == "python" and job.manifest.suffix == ".txt":
        return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
    if job.runtime.language == "python" and job.manifest.name == "pyproject.toml":
        from .lockfiles import project_dependencies

        try:
            return not project_dependencies(job.manifest)
        except ConfigError:
            return False  # the build says why
    return False


def lock_files(job: InstallJob) -> list[Path]:
    """The manifest and the lock files beside it that the installer reads."""
    folder = job.manifest.parent
    found = [job.manifest]
    for name in job.runtime.dependency_files:
        candidate = folder / name
        if candidate != job.manifest and candidate.is_file() and name not in ("pyproject.toml",):
            found.append(candidate)
    return found


def layer_inputs(job: InstallJob) -> list[Path]:
    """Every file the layer is built from: the manifest, its lock files, and the local files they name; and
    the pyproject.toml a uv.lock or poetry.lock is checked against (``lockfiles.check_current``), which is
    no part of the cache key."""
    manifests = lock_files(job)
    pyproject = job.manifest.with_name("pyproject.toml")
    checked = [pyproject] if job.manifest.name in ("uv.lock", "poetry.lock") and pyproject.is_file() else []
    return manifests + [path for path in input_files(referenced(manifests, job.runtime.language))
                        if path not in manifests] + checked


def _hash_references(digest, job: InstallJob, manifests: list[Path]) -> None:
    """Each named file's bytes, under a name that does not depend on where the checkout is."""
    base = job.manifest.parent
    for ref in referenced(manifests, job.runtime.language):
        digest.update(b"ref\0" + os.path.relpath(ref, base).encode() + b"\0")
        if not ref.exists():
            digest.update(b"missing\0")
        for path in input_files([ref]):
            name = os.path.relpath(path, ref) if ref.is_dir() else ""
            digest.update(name.encode() + b"\0" + bytes.fromhex(sha256_once(path)))


def cache_key(job: InstallJob, installer_version: str) -> str:
    digest = hashlib.sha256()
    manifests = lock_files(job)
    for path in manifests:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    _hash_references(digest, job, manifests)
    digest.update(json.dumps({
        "v": RECIPE_VERSION, "runtime": job.runtime.id, "arch": job.arch, "method": job.method,
        "installer": installer_version, "image": job.image or "",
        "env": list(job.container_env), "layer_path": job.runtime.layer_path,
    }, sort_keys=True).encode())
    return digest.hexdigest()


# Installer records that say where or when, not what: pip's direct_url.json (the absolute path a
# local package came from) and uv's uv_cache.json (a timestamp).
HOST_RECORDS = ("direct_url.json", "uv_cache.json")


def _record_path(line: str) -> str | None:
    """The path a RECORD line names (its first CSV field), or None when the line cannot be read."""
    if '"' not in line and "\0" not in line:  # no quoting: the field ends at the first comma, as csv reads it
        return line.rstrip("\r\n").split(",", 1)[0]
    import csv

    try:
        return next(csv.reader([line]))[0]
    except (csv.Error, IndexError, StopIteration):
        return None


def _shipped(line: str, site: str, layer: str) -> bool:
    """Whether the file a RECORD line names is in the layer (pip's ``../../bin/*`` lines are not)."""
    path = _record_path(line)
    if path is None:
        return True
    where = os.path.normpath(os.path.join(site, path))
    return where.startswith(layer) and os.path.isfile(where)


def strip_host_paths(layer: Path) -> None:
    """Make every ``.dist-info`` in ``layer`` say only what ships, whatever machine installed it.

    The installer records in ``HOST_RECORDS`` go, and each RECORD keeps only the lines of files
    in the layer: pip lists the ``bin/`` scripts it wrote outside it, with hashes over a shebang
    naming the interpreter's absolute path, so two Pythons at two paths would give two layers.
    """
    inside = os.path.join(os.path.normpath(layer), "")  # a path in the layer starts with this
    for info in sorted(layer.rglob("*.dist-info")):
        for name in HOST_RECORDS:
            (info / name).unlink(missing_ok=True)
        record = info / "RECORD"
        if not record.is_file():
            continue
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        site = str(info.parent)
        kept = [line for line in lines if not line.strip() or _shipped(line, site, inside)]
        if kept != lines:
            record.write_text("".join(kept), encoding="utf-8")


def drop_if_nothing_installed(target: Path, layer_path: str) -> None:
    """Empty ``target`` when the installer made the dependency folder but put no file in it.

    What sits beside that folder (Node's package.json and lock file) is no dependency:
    without one, the layer ships nothing. A folder the installer never made is left
    alone, since a runtime defined as data may install elsewhere.
    """
    import shutil

    folder = target / layer_path
    if layer_path and folder.is_dir() and not any(path.is_file() for path in folder.rglob("*")):
        for child in list(target.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def build_layer(job: InstallJob, dest: Path, cache: LayerCache) -> tuple[str, str]:
    """Make ``dest`` the layer zip for ``job``; return (sha256, where it came from): ``"cache"``,
    ``"shared cache"`` (another machine built it), or ``""`` when it was built here."""
    installer = installer_for(job)
    if job.runtime.language == "python":
        from .lockfiles import check_current

        check_current(job.manifest)
    nothing = declares_nothing(job)
    key = cache_key(job, "nothing to install" if nothing else installer.version(job))
    cached, origin = cache.get(key), "cache"
    if cached is None:
        cached, origin = cache.fetch(key), "shared cache"
    if cached is None:
        origin = ""
        with cache.work_dir(remove_on_a_thread=True) as tmp:
            target = Path(tmp, "layer")
            target.mkdir()
            work = replace(job, target=target)
            if job.runtime.language == "python":  # lock files reach the installers as requirements
                from .lockfiles import requirements_for

                work = replace(work, manifest=requirements_for(job.manifest, Path(tmp, "requirements")))
            if not nothing:
                installer.install(work)
            strip_host_paths(target)
            drop_if_nothing_installed(target, job.runtime.layer_path)
            built = Path(tmp, "layer.zip")
            write_zip(tree_entries(target, log=job.log), built)
            cached = cache.put(key, built, {"runtime": job.runtime.id, "arch": job.arch, "method": job.method,
                                            "manifest": str(job.manifest)})
        cache.share(key)
    dest.parent.mkdir(parents=True, exist_ok=True)
    link_file_atomic(cached, dest)
    return sha256_once(cached), origin
