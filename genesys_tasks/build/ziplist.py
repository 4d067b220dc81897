"""A zip's table of contents, read once per version of the file.

The build reads the directory of a layer zip for its limits (unzipped size), its
import check (the names it ships) and whether it ships anything; a layer that a
hundred functions share was read three hundred times. ``entries`` keeps what it read
by path and ``stat`` (size, mtime in ns, inode): a zip replaced or rewritten since is
read again, so the memo never answers for bytes it did not see.
"""

from __future__ import annotations

import functools
import os
import zipfile
from pathlib import Path

from .zipper import REBUILD_HINT, open_zip


@functools.lru_cache(maxsize=256)
def _read(path: str, size: int, mtime_ns: int, inode: int, hint: str) -> tuple[zipfile.ZipInfo, ...]:
    with open_zip(Path(path), hint) as archive:
        return tuple(archive.infolist())


def entries(path: Path, hint: str = REBUILD_HINT) -> tuple[zipfile.ZipInfo, ...]:
    """Every entry of the zip at ``path``; BuildError naming it when it is missing or no zip."""
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is None:
        with open_zip(Path(path), hint):  # raises, naming the file
            pass
    return _read(os.fspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ino, hint)


def names(path: Path) -> list[str]:
    """The entry names of the zip at ``path``, in its order."""
    return [info.filename for info in entries(path)]
