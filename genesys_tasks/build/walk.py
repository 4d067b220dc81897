"""Walking a folder for the files a zip may carry: regular files only, links only inside it, never a hang.

Both zips use it: the function zip walks the source folder, a layer zip walks the
folder its installer filled. What it finds falls into four lists (``Listing``):

- ``entries``: regular, readable files (a link counts when it resolves to one inside
  the folder; a linked folder inside the folder is walked too, as if it were there).
- ``dropped``: what the caller wants reported of what its rules left out (the walk
  leaves this list to the caller: the function zip lists its default excludes here).
- ``skipped``: things that are no files at all, each with why: a dangling link (an
  editor's lock file such as ``.#app.py`` is one), a link loop, a FIFO, a socket, a
  device. They are left out with a note: reading a FIFO would hang the build for ever.
- ``problems``: files the zip would need but cannot carry as they are, each with the
  fix: a link that leaves the folder (it would ship a file from elsewhere on this
  machine, such as ``/etc/passwd``), a file that cannot be read, a name that is not
  valid UTF-8 (zip names are UTF-8). The build stops on these (``Listing.check``).

The caller's rules see the path in the folder (``rel``) and whether it is a folder;
a link is judged both by its own name and by the path it leads to, so a link cannot
carry in a file the rules would leave out. Nothing here opens a file: listing is a
``stat`` per entry, cheap enough to run when doit loads its tasks.

What that ``stat`` saw of each folder listed and file kept is kept too (``stamps``), so
that a caller holding a listing can ask whether walking again would find the same
(``Listing.still_holds``) for a ``stat`` a file, without listing or judging anything.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from ..errors import BuildError

# rel (posix path inside the folder), is_folder -> True to leave it out
Rule = Callable[[str, bool], bool]
SOURCE_HINT = ("copy a linked file into the folder instead of linking to it, fix the file's permissions or name, "
               "or leave it out with [build] exclude")
SHOWN = 20  # names listed in one message before "and N more"
# a change this close before a walk may share its timestamp with one after it (a timestamp is coarser
# than an edit; git calls such a file "racily clean"): a listing that saw one is not taken again
RACY_NS = 1_000_000_000

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _keep_all(rel: str, is_folder: bool) -> bool:
    return False


def names_line(names: list[str]) -> str:
    """``a, b, c and 4 more``: a list of names for one line of output."""
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


@dataclass
class Listing:
    """What a walk found; see the module docstring for each list."""

    root: Path
    entries: list[tuple[str, Path]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # every folder listed, the root first (the spec cache stats them)
    # (path, what its stat said) of each folder listed and file kept, as the walk saw them (``still_holds``)
    stamps: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    started: int = 0  # time.time_ns() when the walk began

    def check(self, what: str, hint: str = SOURCE_HINT) -> "Listing":
        """Raise BuildError listing every problem (``what`` names the zip); else return self."""
        if self.problems:
            raise BuildError(
                f"{what}: {len(self.problems)} file(s) in {self.root} cannot be zipped as they are:\n  "
                + "\n  ".join(map(printable, self.problems)), hint=hint)
        return self

    def still_holds(self) -> bool:
        """Whether a walk now would find what this one did: no problem was found, and every folder listed
        and file kept is the same (device, inode, mode and change time: an entry added, removed or renamed
        changes its folder's; a chmod or a write, the file's) and had not changed within ``RACY_NS``
        before the walk."""
        if self.problems or not self.stamps:
            return False
        recent = self.started - RACY_NS
        for path, seen in self.stamps:
            if seen[3] >= recent or stamp_of(path) != seen:
                return False
        return True

    def skipped_note(self) -> str | None:
        """One line naming what was skipped, or None."""
        return f"skipped (not regular files): {printable(names_line(self.skipped))}" if self.skipped else None


def _stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_mode, info.st_ctime_ns


def stamp_of(path: str) -> tuple[int, int, int, int] | None:
    """What any change to ``path`` moves (device, inode, mode, change time: a write, a chmod, a rename
    over it); None when it cannot be stat'ed."""
    try:
        return _stamp(os.stat(path))
    except OSError:
        return None


def printable(text: str) -> str:
    """``text`` with the bytes of a name that is not UTF-8 shown as ``\\xe9``, so it can be printed."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _name_problem(rel: str) -> str | None:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return f"{rel}: the name is not valid UTF-8 (zip entry names are UTF-8): rename it"
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _Walk:
    def __init__(self, root: Path, prefix: str, leave_out: Rule):
        self.listing = Listing(root)
        self.prefix = prefix.rstrip("/") + "/" if prefix else ""
        self.leave_out = leave_out

    @cached_property
    def real_root(self) -> str:
        """The folder's real path, worked out at the first link (a ``stat`` of each part of the path)."""
        return os.path.realpath(self.listing.root)

    def folder(self, path: str, rel: str, seen: frozenset) -> None:
        self.listing.folders.append(path)
        try:
            with os.scandir(path) as found:
                children = sorted(found, key=lambda e: e.name)
        except OSError as err:
            self.listing.problems.append(f"{rel or '.'}/: cannot be listed ({err.strerror})")
            return
        for child in children:
            self.entry(child, rel + child.name, seen)

    def entry(self, child: os.DirEntry, rel: str, seen: frozenset) -> None:
        try:
            is_link = child.is_symlink()
            info = os.stat(child.path)  # follows a link
        except OSError as err:
            if not self.leave_out(rel, False):
                self._unreachable(child, rel, err)
            return
        is_folder = stat.S_ISDIR(info.st_mode)
        if self.leave_out(rel, is_folder):
            return
        problem = _name_problem(rel)
        if problem:  # reported once, for a folder too: nothing below it could be named in the zip
            self.listing.problems.append(problem)
            return
        if is_link and not self._link_allowed(child, rel, is_folder):
            return
        if is_folder:
            key = (info.st_dev, info.st_ino)
            if key in seen:
                self.listing.skipped.append(f"{rel} (a link to a folder that contains it)")
            else:
                self.listing.stamps.append((child.path, _stamp(info)))
                self.folder(child.path, rel + "/", seen | {key})
        elif stat.S_ISREG(info.st_mode):
            if os.access(child.path, os.R_OK):
                self.listing.entries.append((self.prefix + rel, Path(child.path)))
                self.listing.stamps.append((child.path, _stamp(info)))
            else:
                self.listing.problems.append(f"{rel}: cannot be read (permission denied)")
        else:
            kind = next((text for test, text in _KINDS if test(info.st_mode)), "not a regular file")
            self.listing.skipped.append(f"{rel} ({kind})")

    def _unreachable(self, child: os.DirEntry, rel: str, err: OSError) -> None:
        if child.is_symlink():
            why = "a link loop" if err.errno == errno.ELOOP else f"a dangling link to {os.readlink(child.path)}"
            self.listing.skipped.append(f"{rel} ({why})")
        else:
            self.listing.problems.append(f"{rel}: cannot be read ({err.strerror})")

    def _link_allowed(self, child: os.DirEntry, rel: str, is_folder: bool) -> bool:
        """Whether a link that resolves may be followed: it stays inside, to something the rules keep."""
        real = os.path.realpath(child.path)
        if not _inside(real, self.real_root):
            self.listing.problems.append(f"{rel} is a link to {os.readlink(child.path)} ({real}), outside "
                                         f"{self.listing.root}: genesys ships no file from outside the folder")
            return False
        target = os.path.relpath(real, self.real_root).replace(os.sep, "/")
        if target != "." and self.leave_out(target, is_folder):
            return False
        return True


def walk(root: Path, prefix: str = "", leave_out: Rule = _keep_all) -> Listing:
    """Every file below ``root`` a zip may carry, as ``(prefix/rel, path)`` sorted by name."""
    run = _Walk(Path(root), prefix, leave_out)
    run.listing.started = time.time_ns()
    try:
        top = os.stat(root)
    except OSError as err:
        run.listing.problems.append(f"{root}: cannot be read ({err.strerror})")
        return run.listing
    run.listing.stamps.append((str(root), _stamp(top)))
    run.folder(str(root), "", frozenset({(top.st_dev, top.st_ino)}))
    run.listing.entries.sort()
    return run.listing
