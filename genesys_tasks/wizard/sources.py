"""Where the wizard's code comes from, made a local folder: a folder, a git clone, or a zip extracted safely.

``classify`` tells what a location is (a URL is git, a ``.zip`` file is a zip, anything
else a folder); ``materialize`` makes the answer's ``folder`` hold the code. A folder
that already holds files is used as it is (a replay of an earlier clone), never
overwritten. Zips are extracted with every entry checked first: no absolute paths or
``..``, no links, no devices, no two entries for one path and no file where another entry
needs a folder, at most ``MAX_FILES`` entries and ``MAX_BYTES`` (Lambda's 250 MB) in all,
and no absurd ratio of unpacked to packed size, so a hostile archive can neither write
outside the folder nor fill the disk. The extraction goes into a temp folder beside the
target, renamed into place only once complete: a failed one leaves nothing to reuse.

What the user names never reaches git as an option: a source or ref starting with ``-`` is
refused, a ref must pass ``git check-ref-format`` (or be a commit id), and the URL follows
``--`` (git 2.39's checkout counts ``--end-of-options`` as a second ref, so the ref is
followed by ``--`` instead: a commit, never a path).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import BuildError, UsageError
from .answers import Source

MAX_FILES = 10_000
MAX_BYTES = 250 * 1024 * 1024  # Lambda's own limit for code and layers unzipped
MAX_RATIO = 200  # unpacked / packed: source code compresses 5-20 times; more is a zip bomb
RATIO_FROM = 1024 * 1024  # below this many unpacked bytes the ratio says nothing
COMMIT = re.compile(r"^[0-9a-fA-F]{4,64}$")
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
            raise UsageError(f"{source.location} is not a folder (read from {base.resolve()}, where the TOML goes)",
                             hint="pass the function's source folder")
        return folder, f"using the folder {folder}"
    if _holds_files(folder):
        return folder, f"using {folder} as it is (it already holds files)"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder", hint="choose another folder for the code")
    if source.location.startswith("-"):
        raise UsageError(f"the source {source.location!r} starts with '-'",
                         hint="name a URL, a folder or a zip (./-name for a local path)")
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
    if url.startswith("-"):
        raise UsageError(f"the repository {url!r} starts with '-'", hint="name the repository's URL")
    if ref:
        check_ref(ref, env)
    _git(["clone", "--quiet", "--", url, str(folder)], env, f"git clone {url}")
    if ref:
        try:
            # ``ref --``: a commit to check out, never a path; the ref cannot start with '-' (check_ref)
            _git(["-C", str(folder), "checkout", "--quiet", ref, "--"], env, f"git checkout {ref}")
        except BuildError:
            shutil.rmtree(folder)  # the clone was just made by genesys: nothing of the user's goes with it
            raise


def check_ref(ref: str, env: dict | None = None) -> None:
    """A branch, tag or commit id, as git itself judges ref names; UsageError (exit 2) otherwise."""
    hint = "name a branch, a tag or a commit, e.g. --ref main or --ref v1.2.0"
    if ref.startswith("-"):
        raise UsageError(f"the ref {ref!r} starts with '-'", hint=hint)
    if COMMIT.match(ref):
        return
    try:
        proc = subprocess.run(["git", "check-ref-format", "--allow-onelevel", ref], env=env, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise BuildError("git is not installed", hint="install git, or pass a folder or a zip instead") from None
    if proc.returncode:
        raise UsageError(f"the ref {ref!r} is not a valid branch or tag name", hint=hint)


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


def _check_layout(archive: Path, members) -> None:
    """No two entries for one path, and no file where another entry needs a folder."""
    files: set = set()
    folders: set = set()
    for info, rel in members:
        name = rel if rel is not None else PurePosixPath(info.filename)
        if rel is not None:
            if rel in files:
                raise UsageError(f"{archive} holds {info.filename!r} twice",
                                 hint="repack the archive with each file once")
            files.add(rel)
        else:
            folders.add(name)
        folders.update(name.parents)
    clash = sorted(str(f) for f in files & folders)
    if clash:
        raise UsageError(f"{archive} holds {clash[0]!r} both as a file and as a folder",
                         hint="repack the archive; one of them is not what it should be")


def _check_sizes(archive: Path, files) -> None:
    if len(files) > MAX_FILES:
        raise UsageError(f"{archive} holds {len(files)} files, over {MAX_FILES}",
                         hint="a function's source is far smaller; pass the folder it lives in")
    total = sum(info.file_size for info, _ in files)
    if total > MAX_BYTES:
        raise UsageError(f"{archive} unpacks to {total} bytes, over {MAX_BYTES} (Lambda's limit)",
                         hint="a function's source is far smaller; pass the folder it lives in")
    packed = sum(info.compress_size for info, _ in files)
    if total > RATIO_FROM and total > MAX_RATIO * max(packed, 1):
        raise UsageError(f"{archive} unpacks {packed} bytes to {total}, {total // max(packed, 1)} times as much: "
                         "not source code", hint="the archive looks like a zip bomb; repack the source")


def extract_zip(archive: Path, folder: Path) -> int:
    """Extract ``archive`` into the new ``folder`` after checking every entry; the number of files.
    The files go to a temp folder beside it first: ``folder`` appears whole or not at all."""
    try:
        handle = zipfile.ZipFile(archive)
    except FileNotFoundError:
        raise UsageError(f"{archive}: no such file", hint="pass the path of the zip") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise UsageError(f"{archive}: not a readable zip ({err})", hint="pass a zip file") from None
    with handle:
        members = [(info, _checked_member(info)) for info in handle.infolist()]
        _check_layout(archive, members)
        files = [(info, rel) for info, rel in members if rel is not None]
        _check_sizes(archive, files)
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.part-", dir=folder.parent))
        umask = os.umask(0o022)
        os.umask(umask)
        partial.chmod(0o777 & ~umask)  # mkdtemp's 0700 is for the temp name, not for the user's folder
        try:
            for info, rel in files:
                _extract_one(handle, info, partial / Path(*rel.parts), budget=info.file_size)
            os.replace(partial, folder)  # onto nothing, or onto the empty folder materialize allows
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            raise UsageError(f"{archive}: an entry cannot be read ({err})",
                             hint="the archive is corrupt; download or pack it again") from None
        finally:
            shutil.rmtree(partial, ignore_errors=True)
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
