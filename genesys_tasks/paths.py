"""Where genesys keeps things (the project's .genesys folder, the user cache folder), written atomically."""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = ".genesys"


def build_dir(root: Path, name: str) -> Path:
    """``<root>/.genesys/build/<name>``: a function's artifacts."""
    return root / STATE_DIR / "build" / name


def layer_zip(root: Path, name: str, arch: str) -> Path:
    return build_dir(root, name) / f"layer-{arch}.zip"


def function_zip(root: Path, name: str, arch: str) -> Path:
    return build_dir(root, name) / f"function-{arch}.zip"


def dep_file(root: Path) -> Path:
    """doit's dependency database: a cache, never the truth."""
    return root / STATE_DIR / "doit.db"


def cache_dir() -> Path:
    """The user cache folder shared by every repo; ``GENESYS_CACHE_DIR`` overrides it."""
    override = os.environ.get("GENESYS_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("genesys", appauthor=False))


def find_root(start: Path) -> Path:
    """The project root for a TOML file: the nearest folder up with dodo.py, .genesys or .git."""
    start = start if start.is_dir() else start.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ("dodo.py", STATE_DIR, ".git")):
            return folder
    return start


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary sibling, so readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def copy_file_atomic(source: Path, dest: Path) -> None:
    """Copy ``source`` to ``dest`` through a temporary sibling, so ``dest`` is never half written."""
    import shutil

    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
