"""Where the wizard's code comes from, made a local folder: a folder, a git clone, or a zip extracted safely.

``classify`` tells what a location is (a URL is git, a ``.zip`` file is a zip, anything
else a folder); ``materialize`` makes the answer's ``folder`` hold the code. A folder
that already holds files is used as it is (a replay of an earlier clone), never
overwritten. Zips are extracted with every entry checked first: no absolute paths or
``..``, no links, no devices, at most ``MAX_FILES`` entries and ``MAX_BYTES`` in all, so
a hostile archive can neither write outside the folder nor fill the disk.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import BuildError, UsageError
from .answers import Source

MAX_FILES = 10_000
MAX_BYTES = 512 * 1024 * 1024  # Lambda's own limit for code and layers unzipped is 250 MB
GIT_TIMEOUT = 600
URL = re.compile(r"^(https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:")


def classify(location: str) -> str:
    """``git`` for a URL, ``zip`` for a .zip file, else ``folder``."""
    if URL.match(location):
        return "git"
    return "zip" if location.lower().endswith(".zip") else "folder"


def default_folder(location: str, kind: str) -> str:
    """Where a clone or an extraction goes by default: a folder named after the repository or zip."""
    if kind == "folder":
        return location
    stem = re.split(r"[/:]", location.rstrip("/"))[-1]
    stem = stem[:-4] if stem.lower().endswith((".git", ".zip")) else stem
    return re.sub(r"[^\w.-]", "-", stem) or "function"


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def materialize(source: Source, base: Path) -> tuple[Path, str]:
    """Make ``source.folder`` (relative to ``base``) hold the code; (the folder, a sentence saying what was done)."""
    folder = (base / source.folder).resolve()
    if source.kind == "folder":
        if not folder.is_dir():
            raise UsageError(f"{source.location} is not a folder", hint="pass the function's source folder")
        return folder, f"using the folder {folder}"
    if _holds_files(folder):
        return folder, f"using {folder} as it is (it already holds files)"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder", hint="choose another folder for the code")
    if source.kind == "git":
        clone(source.location, source.ref, folder)
        return folder, f"cloned {source.location}{'@' + source.ref if source.ref else ''} into {folder}"
    if source.kind == "zip":
        count = extract_zip((base / source.location).resolve(), folder)
        return folder, f"extracted {count} files from {source.location} into {folder}"
    raise UsageError(f"unknown source kind {source.kind!r}", hint="use folder, git or zip")


def clone(url: str, ref: str, folder: Path) -> None:
    """``git clone`` ``url`` into ``folder`` (at ``ref`` when given: a branch, tag or commit)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # never ask for a password: there may be no terminal
    _git(["clone", "--quiet", url, str(folder)], env, f"git clone {url}")
    if ref:
        try:
            _git(["-C", str(folder), "checkout", "--quiet", ref], env, f"git checkout {ref}")
        except BuildError:
            shutil.rmtree(folder)  # the clone was just made by genesys: nothing of the user's goes with it
            raise


def _git(args: list[str], env: dict, what: str) -> None:
    try:
        proc = subprocess.run(["git", *args], env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BuildError("git is not installed", hint="install git, or pass a folder or a zip instead") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what} took over {GIT_TIMEOUT} s", hint="check the URL and the network") from None
    if proc.returncode:
        raise BuildError(f"{what} failed: {proc.stderr.strip()}",
                         hint="check the repository URL and the ref (a branch, tag or commit)")


def _checked_member(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The entry's relative path, None for a folder entry; UsageError for anything unsafe."""
    name = PurePosixPath(info.filename)
    if name.is_absolute() or ".." in name.parts or "\\" in info.filename or ":" in name.parts[0]:
        raise UsageError(f"the zip entry {info.filename!r} points outside the folder",
                         hint="extract only archives whose entries stay inside; repack it")
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver recorded no Unix type: a plain file
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UsageError(f"the zip entry {info.filename!r} is a link or a special file",
                         hint="repack the archive with the files themselves")
    return None if info.is_dir() else name


def extract_zip(archive: Path, folder: Path) -> int:
    """Extract ``archive`` into the new ``folder`` after checking every entry; the number of files."""
    try:
        handle = zipfile.ZipFile(archive)
    except FileNotFoundError:
        raise UsageError(f"{archive}: no such file", hint="pass the path of the zip") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise UsageError(f"{archive}: not a readable zip ({err})", hint="pass a zip file") from None
    with handle:
        members = [(info, _checked_member(info)) for info in handle.infolist()]
        files = [(info, rel) for info, rel in members if rel is not None]
        if len(files) > MAX_FILES:
            raise UsageError(f"{archive} holds {len(files)} files, over {MAX_FILES}",
                             hint="a function's source is far smaller; pass the folder it lives in")
        total = sum(info.file_size for info, _ in files)
        if total > MAX_BYTES:
            raise UsageError(f"{archive} unpacks to {total} bytes, over {MAX_BYTES}",
                             hint="a function's source is far smaller; pass the folder it lives in")
        folder.mkdir(parents=True, exist_ok=True)
        for info, rel in files:
            _extract_one(handle, info, folder / Path(*rel.parts), budget=info.file_size)
    return len(files)


def _extract_one(handle: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, budget: int) -> None:
    """Copy one entry, stopping at its declared size: a header that lies about it cannot fill the disk."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with handle.open(info) as src, open(dest, "xb") as out:
        while chunk := src.read(1 << 16):
            written += len(chunk)
            if written > budget:
                raise UsageError(f"the zip entry {info.filename!r} is larger than its header says",
                                 hint="the archive is corrupt or hostile; repack it")
            out.write(chunk)
    if (info.external_attr >> 16) & 0o111:
        dest.chmod(0o755)
