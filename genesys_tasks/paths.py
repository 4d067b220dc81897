"""Where genesys keeps things (the project's .genesys folder, the user cache folder), and how it writes them.

Every write here goes through a temporary sibling renamed over the destination:
nothing is ever half written, and a file that is a hard link (a function's layer
zip and the cache entry it shares bytes with) is replaced, never written through.
A temporary a killed run left behind is removed by the next build (``remove_stale_temps``).
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
from pathlib import Path

STATE_DIR = ".genesys"
_TEMP = re.compile(r"^\..+\.(\d+)\.tmp$")  # what replace_atomic names its temporary sibling
STALE_AFTER = 86400  # seconds: a temporary this old is a leftover, whoever made it


# Remembered: loading doit's tasks asks for each function's paths several times, and a Path is
# slow to make; these are pure functions of their arguments.
@functools.lru_cache(maxsize=8192)
def build_dir(root: Path, name: str) -> Path:
    """``<root>/.genesys/build/<name>``: a function's artifacts."""
    return Path(root, STATE_DIR, "build", name)


@functools.lru_cache(maxsize=64)
def _build_root(root: str | Path) -> str:
    return os.path.join(root, STATE_DIR, "build")


def _build_file(root: str | Path, name: str, filename: str) -> str:
    return f"{_build_root(root)}{os.sep}{name}{os.sep}{filename}"  # a function's name has no separator


def layer_zip_file(root: str | Path, name: str, arch: str) -> str:
    """``layer_zip`` as a string: the task graph names one a function, and a string costs far less to make."""
    return _build_file(root, name, f"layer-{arch}.zip")


def function_zip_file(root: str | Path, name: str, arch: str) -> str:
    """``function_zip`` as a string (see ``layer_zip_file``)."""
    return _build_file(root, name, f"function-{arch}.zip")


def record_file(root: str | Path, name: str, arch: str) -> str:
    """A function's artifact record for ``arch`` (``build/record.py``), as a string (see ``layer_zip_file``)."""
    return _build_file(root, name, f"artifact-{arch}.json")


@functools.lru_cache(maxsize=8192)
def layer_zip(root: Path, name: str, arch: str) -> Path:
    return Path(layer_zip_file(root, name, arch))


@functools.lru_cache(maxsize=8192)
def function_zip(root: Path, name: str, arch: str) -> Path:
    return Path(function_zip_file(root, name, arch))


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


def replace_atomic(dest: Path, fill):
    """Give ``dest`` new contents made by ``fill(tmp)`` in a temporary sibling, then renamed over it;
    return what ``fill`` returned.

    ``dest`` is replaced, never written through: a reader never sees half a file, and
    when ``dest`` is a hard link (a layer shared with the cache) the other names keep
    their bytes. A temporary left by a killed run is removed first, so ``fill`` never
    writes through it either.
    """
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        made = fill(tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)  # renamed, it is gone: only a failure leaves one to remove
        raise
    return made


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary sibling, so readers never see half a file.

    The text is written as it is (no newline translation). A file that exists keeps its
    permissions, and a symbolic link is written at its target (the link stays a link).
    """
    mode = _mode(path, follow=False)  # one stat says whether it is a link, and else whether it exists
    if mode is not None and stat.S_ISLNK(mode):
        path = Path(os.path.realpath(path))
        mode = _mode(path)

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))  # what shutil.copymode does, from the stat already taken

    replace_atomic(path, fill)


def _mode(path: Path, follow: bool = True) -> int | None:
    """``st_mode`` of ``path`` (of a link itself unless ``follow``), None when there is none."""
    try:
        return os.stat(path, follow_symlinks=follow).st_mode
    except OSError:
        return None


def copy_file_atomic(source: Path, dest: Path) -> None:
    """Copy ``source`` to ``dest`` through a temporary sibling, so ``dest`` is never half written."""
    import shutil

    replace_atomic(dest, lambda tmp: shutil.copyfile(source, tmp))


def link_file_atomic(source: Path, dest: Path) -> None:
    """Make ``dest`` a hard link to ``source`` (one set of bytes on disk for both), else a copy.

    A copy is made where the file system cannot link the two (another file system or
    device, or one without hard links). Either way ``dest`` is replaced through a
    temporary sibling, never written through, so neither name can change the other's bytes;
    where nothing is there yet, the link is made under its name at once (it appears whole).
    """
    import shutil

    try:
        os.link(source, dest)
        return
    except OSError:
        pass  # something is there (replaced below, unless it is this file), or no link can be made
    if dest.is_file() and os.path.samefile(source, dest):
        return

    def fill(tmp: Path) -> None:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)

    replace_atomic(dest, fill)


def process_running(pid: int) -> bool:
    """Whether a process with this id runs (on this machine, in this pid namespace)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temporaries ``replace_atomic`` left in ``folder`` when a build was killed; return them.

    A temporary is a leftover when the process that made it is gone (or it is a day old).
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMP.match(name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        path = folder / name
        try:
            stale = not process_running(int(match.group(1))) or time.time() - path.lstat().st_mtime > STALE_AFTER
            if stale:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
