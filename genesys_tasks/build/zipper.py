"""Deterministic zips, and the list of source files that go into a function zip.

Same inputs, same bytes: entries sorted by name, every timestamp 1980-01-01,
modes 0644 (0755 when executable), no directory entries, fixed deflate level,
no ``__pycache__`` or ``.pyc``. The path and mtime of the inputs never matter.
Which folders a function zip leaves out comes from the language table.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
import zipfile
from pathlib import Path
from typing import Iterable

from ..languages import skipped_dirs

EPOCH = (1980, 1, 1, 0, 0, 0)
ALWAYS_EXCLUDED_FILES = {".DS_Store"}
ALWAYS_EXCLUDED_SUFFIXES = (".pyc", ".pyo")
CHUNK = 1 << 20


def _mode(path: Path) -> int:
    executable = os.stat(path).st_mode & stat.S_IXUSR
    return (0o100755 if executable else 0o100644) << 16


def write_zip(entries: Iterable[tuple[str, Path]], dest: Path) -> str:
    """Write ``(name in zip, file on disk)`` pairs to ``dest`` atomically; return its sha256 hex."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for arcname, path in sorted(entries, key=lambda e: e[0]):
                info = zipfile.ZipInfo(arcname, EPOCH)
                info.external_attr = _mode(path)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so the modes are honoured
                with open(path, "rb") as src, archive.open(info, "w") as out:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return sha256_file(dest)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def tree_entries(root: Path, prefix: str = "") -> list[tuple[str, Path]]:
    """Every file below ``root`` as zip entries under ``prefix``, caches and bytecode left out."""
    entries = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = Path(folder).relative_to(root)
        for name in files:
            if name.endswith(ALWAYS_EXCLUDED_SUFFIXES):
                continue
            entries.append(((Path(prefix) / rel / name).as_posix(), Path(folder) / name))
    return entries


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(Path(rel).name, pattern):
            return True
        if pattern.endswith("/**") and (rel + "/").startswith(pattern[:-2]):
            return True
    return False


def source_files(source: Path, language: str, exclude: tuple[str, ...] = (),
                 extra_dirs: set[str] = frozenset()) -> list[tuple[str, Path]]:
    """The files a function zip carries: the source tree less excludes, ignored and dependency folders.

    The folders come from the language table: the ones no function ships (``.git``,
    virtualenvs, caches) and ``language``'s dependency folders, which its layer carries.
    """
    skip_dirs = skipped_dirs(language) | set(extra_dirs)
    entries = []
    for folder, dirs, files in os.walk(source):
        rel_folder = os.path.relpath(folder, source)
        rel_folder = "" if rel_folder == "." else rel_folder.replace(os.sep, "/") + "/"
        dirs[:] = sorted(d for d in dirs if d not in skip_dirs and not _excluded(rel_folder + d, exclude))
        for name in files:
            rel = rel_folder + name
            if (name in ALWAYS_EXCLUDED_FILES or name.endswith(ALWAYS_EXCLUDED_SUFFIXES)
                    or _excluded(rel, exclude)):
                continue
            entries.append((rel, Path(folder) / name))
    entries.sort()
    return entries
