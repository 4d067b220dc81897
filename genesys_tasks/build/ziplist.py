"""A zip's table of contents, read once per version of the file.

The build reads the directory of a layer zip for its limits (unzipped size), its
import check (the names it ships) and whether it ships anything; a layer that a
hundred functions share was read three hundred times. ``entries`` keeps what it read
by the file's ``stat`` (device, inode, size, mtime in ns): a zip replaced or rewritten
since is read again, so the memo never answers for bytes it did not see. A function
zip the import check opens (``opened``) is kept too, for the limits' check after it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .zipper import REBUILD_HINT, open_zip


class _Directory:
    """What was read of one version of a zip: its entries; their names as a set and their unzipped size,
    worked out when first asked for."""

    __slots__ = ("infos", "_names", "_unzipped")

    def __init__(self, infos: tuple[zipfile.ZipInfo, ...]):
        self.infos, self._names, self._unzipped = infos, None, None

    @property
    def name_set(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset(info.filename for info in self.infos)
        return self._names

    @property
    def unzipped_size(self) -> int:
        if self._unzipped is None:
            self._unzipped = sum(info.file_size for info in self.infos)
        return self._unzipped


_SEEN: dict[tuple[int, int, int, int], _Directory] = {}
_KEPT = 256  # versions remembered; the one asked for longest ago goes first


def _key(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _keep(key: tuple[int, int, int, int], infos: tuple[zipfile.ZipInfo, ...]) -> _Directory:
    _SEEN[key] = directory = _Directory(infos)
    while len(_SEEN) > _KEPT:
        del _SEEN[next(iter(_SEEN))]
    return directory


def _directory(path: Path, hint: str = REBUILD_HINT) -> _Directory:
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is None:
        with open_zip(Path(path), hint):  # raises, naming the file
            pass
    key = _key(stat)
    if key not in _SEEN:
        with open_zip(Path(path), hint) as archive:
            return _keep(key, tuple(archive.infolist()))
    _SEEN[key] = directory = _SEEN.pop(key)  # the last one asked for goes last: a shared layer stays
    return directory


def entries(path: Path, hint: str = REBUILD_HINT) -> tuple[zipfile.ZipInfo, ...]:
    """Every entry of the zip at ``path``; BuildError naming it when it is missing or no zip.

    Kept by the file's identity (device, inode, size, mtime), not its name: every function's
    ``layer-<arch>.zip`` of a shared layer is a link to the same file, read once.
    """
    return _directory(path, hint).infos


def name_set(path: Path) -> frozenset[str]:
    """The entry names of the zip at ``path`` as a set, made once per version of the file (as ``entries``)."""
    return _directory(path).name_set


def unzipped_size(path: Path) -> int:
    """The bytes the zip at ``path`` holds once extracted (its entries' sizes), worked out once per version."""
    return _directory(path).unzipped_size


def opened(path: Path) -> zipfile.ZipFile:
    """``path`` opened with ``zipfile`` (its errors as they are), its entries kept as ``entries`` keeps them:
    the import check opens the function zip it reads, and the limits' check reads its directory right after.
    Kept under the identity of the file that was opened (``fstat``), so a zip replaced meanwhile is never
    answered for by what this one held."""
    archive = zipfile.ZipFile(path)
    try:
        _keep(_key(os.fstat(archive.fp.fileno())), tuple(archive.infolist()))
    except BaseException:
        archive.close()
        raise
    return archive
