"""A zip's table of contents, read once per version of the file.

The build reads the directory of a layer zip for its limits (unzipped size), its
import check (the names it ships) and whether it ships anything; a layer that a
hundred functions share was read three hundred times. ``entries`` keeps what it read
by the file's ``stat`` (device, inode, size, mtime in ns): a zip replaced or rewritten
since is read again, so the memo never answers for bytes it did not see.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .zipper import REBUILD_HINT, open_zip


_SEEN: dict[tuple[int, int, int, int], tuple[zipfile.ZipInfo, ...]] = {}
_KEPT = 256  # versions remembered; the oldest goes first


def entries(path: Path, hint: str = REBUILD_HINT) -> tuple[zipfile.ZipInfo, ...]:
    """Every entry of the zip at ``path``; BuildError naming it when it is missing or no zip.

    Kept by the file's identity (device, inode, size, mtime), not its name: every function's
    ``layer-<arch>.zip`` of a shared layer is a link to the same file, read once.
    """
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is None:
        with open_zip(Path(path), hint):  # raises, naming the file
            pass
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _SEEN:
        with open_zip(Path(path), hint) as archive:
            _SEEN[key] = tuple(archive.infolist())
        while len(_SEEN) > _KEPT:
            del _SEEN[next(iter(_SEEN))]
    return _SEEN[key]


def names(path: Path) -> list[str]:
    """The entry names of the zip at ``path``, in its order."""
    return [info.filename for info in entries(path)]
