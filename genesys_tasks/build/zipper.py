"""Deterministic zips.

Same inputs, same bytes: entries sorted by name, every timestamp 1980-01-01,
modes 0644 (0755 when the owner may execute the file), no directory entries, fixed
deflate level. The path and mtime of the inputs never matter. Which files go in is
the caller's (``sources`` for a function, ``tree_entries`` for a folder an installer
or compiler filled). A zip is written through a temporary sibling and renamed into
place, so a killed build leaves no half zip under the real name.

A zip of more than a little data is compressed on several threads (one file an item,
in a bounded window, so memory holds the compressed bytes of a few files) and laid out by
``zipformat``, whose bytes are ``zipfile``'s for the same entries; its sha256 is taken as
it is written. A zip that needs zip64 records goes through ``zipfile`` itself.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from . import zipformat
from ..errors import BuildError
from ..paths import replace_atomic
from .sources import ALWAYS_EXCLUDED_SUFFIXES
from .walk import walk

EPOCH = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20
PARALLEL_FROM = 256 * 1024  # bytes in all: below this, threads cost more than they save
MAX_THREADS = 4
WINDOW = 32 * 1024 * 1024  # bytes read and compressed ahead of the writer, two windows at most
BUILT_HINT = ("a package the installer or compiler put there links to files outside the folder, which a zip "
              'cannot carry: vendor those files into the package, or build in a container (build_method = "podman")')
REBUILD_HINT = ("build it again (`doit build`, or `genesys lambda build <toml>`): genesys rebuilds a zip whose "
                "bytes changed")


def _open_regular(path: Path) -> tuple[int, int]:
    """An open descriptor of ``path`` and its zip mode; BuildError unless it is a readable regular file.

    Opened without blocking, so a file that turned into a FIFO since it was listed cannot hang the build.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise BuildError(f"cannot read {path} ({err.strerror})",
                         hint="fix its permissions, or leave it out with [build] exclude") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise BuildError(f"{path} is not a regular file", hint="leave it out with [build] exclude")
    return fd, (0o100755 if mode & stat.S_IXUSR else 0o100644) << 16


def _fill_with_zipfile(ordered: list[tuple[str, Path]], tmp: Path) -> None:
    """``ordered`` written by ``zipfile``, one file after the other (the layout ``zipformat`` matches)."""
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=zipformat.LEVEL) as archive:
        for arcname, path in ordered:
            fd, mode = _open_regular(path)
            with os.fdopen(fd, "rb") as src:
                info = zipfile.ZipInfo(arcname, EPOCH)
                info.external_attr = mode
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so the modes are honoured
                with archive.open(info, "w") as out:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)


def _deflated(arcname: str, path: Path) -> zipformat.Deflated:
    fd, mode = _open_regular(path)
    with os.fdopen(fd, "rb") as src:  # read a chunk at a time: only the compressed bytes are kept
        return zipformat.deflate(arcname, mode, iter(lambda: src.read(CHUNK), b""))


def _threads() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_THREADS)


def _windows(ordered: list[tuple[str, Path, int]], budget: int) -> Iterator[list[tuple[str, Path, int]]]:
    """``ordered`` cut into runs of consecutive entries of about ``budget`` bytes."""
    window, size = [], 0
    for entry in ordered:
        if window and size + entry[2] > budget:
            yield window
            window, size = [], 0
        window.append(entry)
        size += entry[2]
    if window:
        yield window


def _all_deflated(ordered: list[tuple[str, Path, int]], threads: int) -> Iterator[zipformat.Deflated]:
    """Each entry compressed, in order; on ``threads`` threads, a window of ``WINDOW`` bytes at a time
    (two in flight), the largest files of a window first so that a big file does not finish alone."""
    if threads < 2:
        yield from (_deflated(arcname, path) for arcname, path, _ in ordered)
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(threads, thread_name_prefix="genesys-zip")
    try:
        in_flight: deque[list] = deque()
        for window in _windows(ordered, WINDOW):
            started = {arcname: pool.submit(_deflated, arcname, path)
                       for arcname, path, _ in sorted(window, key=lambda entry: -entry[2])}
            in_flight.append([started[arcname] for arcname, _, _ in window])
            if len(in_flight) > 1:
                yield from (future.result() for future in in_flight.popleft())
        while in_flight:
            yield from (future.result() for future in in_flight.popleft())
    finally:
        pool.shutdown(cancel_futures=True)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # said when it is opened


class _Hashed:
    """A file being written, hashed as it goes."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)


def _fill(entries: Iterable[tuple[str, Path]], tmp: Path) -> str | None:
    """Write the zip of ``entries`` to ``tmp``; its sha256 hex when it was taken while writing."""
    ordered = [(arcname, path, _size(path)) for arcname, path in sorted(entries, key=lambda e: e[0])]
    total = sum(size for _, _, size in ordered)
    if not zipformat.fits(len(ordered), total):
        _fill_with_zipfile([(arcname, path) for arcname, path, _ in ordered], tmp)
        return None
    threads = _threads() if total >= PARALLEL_FROM and len(ordered) > 1 else 1
    with open(tmp, "wb") as handle:
        out = _Hashed(handle)
        zipformat.write_archive(out, _all_deflated(ordered, threads), EPOCH)
    return out.digest.hexdigest()


def write_zip(entries: Iterable[tuple[str, Path]], dest: Path) -> str:
    """Write ``(name in zip, file on disk)`` pairs to ``dest`` atomically; return its sha256 hex."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    return replace_atomic(dest, lambda tmp: _fill(entries, tmp)) or sha256_file(dest)


@contextmanager
def open_zip(path: Path, hint: str = REBUILD_HINT):
    """``path`` opened as a zip; BuildError naming it when it is not one (truncated, corrupt, not there)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        reason = getattr(err, "strerror", None) or err
        raise BuildError(f"{path} is not a valid zip ({reason}): it is truncated or corrupt", hint=hint) from None
    with archive:
        yield archive


def check_zip(path: Path, hint: str = REBUILD_HINT) -> None:
    """BuildError unless ``path`` is a zip whose table of contents can be read."""
    with open_zip(path, hint):
        pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _cache_or_bytecode(rel: str, is_folder: bool) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name == "__pycache__" if is_folder else name.endswith(ALWAYS_EXCLUDED_SUFFIXES)


def tree_entries(root: Path, prefix: str = "", *, log=None) -> list[tuple[str, Path]]:
    """Every file below ``root`` as zip entries under ``prefix``, caches and bytecode left out.

    A link leaving ``root`` is a BuildError (a layer never picks up a file from elsewhere
    on this machine); dangling links, FIFOs and the like are skipped, with a note to ``log``.
    """
    listing = walk(root, prefix, _cache_or_bytecode).check(f"the files built into {root.name}/", hint=BUILT_HINT)
    note = listing.skipped_note()
    if note and log:
        log(f"{root.name}/: {note}")
    return listing.entries
