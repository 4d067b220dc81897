"""The loaded specs and source listings of a repo, kept between runs so a no-op ``doit build`` reads no TOML.

What doit needs before it can skip anything is every function's tasks, made from its
``FunctionSpec``, and the list of its source files. Both depend only on files, so the spec
and the sources are kept, per TOML, with the ``stat`` (mtime and change time in ns, size, inode) of every file and
folder they were made from: the TOML, the files its zip carries, every folder the source walk listed (a file
added, removed or renamed changes its folder), every file directly in the source folder
(version pins and manifests the zip leaves out), and the requirements file. (What the
layer is built from, the manifest's lock files and the files it names, is not kept:
it is worked out on each run, once per manifest.) The next run takes an entry only when every one of those stats is unchanged;
anything else loads that TOML again. The warnings a load gave are kept and said again.

A spec is kept pickled (and compressed) on its own, beside its ``facts``: the plain values
making its tasks reads (``tasks.build.facts_of``). A run gets each function as a
``function.Function``, whose spec is unpickled only when something asks for it (an action
that runs, a deploy step, the layer inputs of its manifest: ``build.LayerInputs``): a no-op
unpickles the facts, and one spec a manifest. Only the specs that can clash with
another (``config.may_clash``) are unpickled for ``check_together``.

The cache is an optimisation and never the truth:

- a cache written by another genesys (any of its files differs), under another
  stage, discovery pattern, day (runtime lifecycle checks) or Python is not read;
- a file changed less than ``build.walk.RACY_NS`` before it was stat'ed is not trusted
  (a timestamp is coarser than an edit; git calls this "racily clean");
- a file edited in place and given its old mtime back (``cp -p``, ``rsync -t``, ``touch -r``)
  is seen by its change time, which no tool can set;
- a cache file that cannot be read whole (truncated, corrupt, foreign: its checksum,
  over everything after it, differs) is ignored and written again.

It lives in the user's cache folder, not the repo: a pickle is trusted only as far as
the place it is read from, and a repo's files are anyone's.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import time
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Callable

from .. import paths
from ..config import FunctionSpec, check_together, clash_key, may_clash
from .function import Function

if TYPE_CHECKING:
    from .build import Facts

FORMAT = 7  # 7: an entry keeps its listing's problems; 6: a stat holds the change time; 5: shared folders
CHECKSUM_SIZE = 4  # a cache file is the CRC-32 of what follows it, then the pickle it covers
PACKAGE = Path(__file__).resolve().parent.parent  # genesys_tasks/

Stat = tuple[int, int, int, int]  # mtime_ns, size, inode, ctime_ns
Stamp = tuple[str, Stat | None]  # (path, its Stat) or None when missing


@dataclass(frozen=True)
class Entry:
    """One TOML's spec (``blob``: ``_pack``), facts and source files, and the stats they were made from.
    ``clash``: its ``config.clash_key`` (the function's name first), to know whether ``check_together`` must see it."""

    stamps: tuple[Stamp, ...]
    blob: bytes
    facts: Facts
    clash: tuple[str, bool]
    sources: tuple[str, ...]
    warnings: tuple[str, ...]
    problems: tuple[str, ...]  # the listing's (``Function.problems``)

    @property
    def name(self) -> str:
        return self.clash[0]


def _stat(path: str) -> Stat | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns


def _fresh(stamps: tuple[Stamp, ...], stats: dict[str, Stat | None]) -> bool:
    """Whether every stamp still holds; ``stats``: those taken this run (a requirements file that every
    function names is stat'ed once)."""
    for path, seen in stamps:
        now = stats[path] if path in stats else stats.setdefault(path, _stat(path))
        if now != seen:
            return False
    return True


def _genesys_files() -> list[str]:
    """genesys's own modules and data: a change to any of them may change what a load gives."""
    found = []
    for folder, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found.extend(os.path.join(folder, name) for name in files)
    return sorted(found)


def context(root: Path, pattern: str, stage: str | None, today: str) -> str:
    """What every entry also depends on: genesys itself, the project's runtimes file, the run's settings."""
    from ..config.runtimes_file import PROJECT_FILE

    digest = hashlib.sha256(repr((FORMAT, sys.version, str(root), pattern, stage, today,
                                  os.environ.get("HOME", ""))).encode())
    for path in [*_genesys_files(), str(root / PROJECT_FILE)]:
        digest.update(repr((path, _stat(path))).encode())
    return digest.hexdigest()


def cache_file(root: Path, stage: str | None) -> Path:
    """Where the cache of the repo at ``root`` (under ``stage``) is kept."""
    key = hashlib.sha256(f"{root}\0{stage or ''}".encode()).hexdigest()[:24]
    return paths.cache_dir() / "specs" / f"{key}.pickle"


def _checksum(payload: bytes) -> bytes:
    return zlib.crc32(payload).to_bytes(CHECKSUM_SIZE, "big")


def _read(path: Path, expected: str) -> dict[str, Entry]:
    """The entries of a cache written under the same context; {} for anything else, corrupt included
    (the checksum covers the pickled specs too, which are unpickled only later)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        payload = memoryview(data)[CHECKSUM_SIZE:]
        if _checksum(payload) != data[:CHECKSUM_SIZE]:
            return {}
        written, entries = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: the cache is rebuilt, never trusted
        return {}
    if written != expected or not isinstance(entries, dict):
        return {}
    return {key: entry for key, entry in entries.items() if isinstance(entry, Entry)}


class _Pickler(pickle.Pickler):
    """Pickles a path as its one string: pathlib's own form, a tuple of its parts, is parsed part by
    part again when read, and a spec holds three paths."""

    def reducer_override(self, obj):
        if isinstance(obj, PurePath):
            return type(obj), (str(obj),)
        return NotImplemented


def _pack(spec: FunctionSpec) -> bytes:
    """``spec`` pickled, its paths as strings (``_Pickler``), and compressed: a pickled spec is mostly its
    field names, and a smaller cache file is read and checked faster."""
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(spec)
    return zlib.compress(out.getvalue(), 1)


def _unpack(blob: bytes) -> FunctionSpec:
    return pickle.loads(zlib.decompress(blob))


def _write(path: Path, context_key: str, entries: dict[str, Entry]) -> None:
    payload = pickle.dumps((context_key, entries), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.replace_atomic(path, lambda tmp: tmp.write_bytes(_checksum(payload) + payload))
    except OSError:
        pass  # a read-only cache folder costs speed, never a build


def _top_files(folder: Path) -> list[str]:
    """The files directly in the source folder, those the zip leaves out included: detection reads
    version pins and manifests there (``.python-version``, ``Gemfile``, ``package.json``)."""
    try:
        with os.scandir(folder) as found:
            return [entry.path for entry in found if entry.is_file()]
    except OSError:
        return []


def _stamps(toml: str, spec: FunctionSpec, listing) -> tuple[Stamp, ...] | None:
    """The stats the entry of ``spec`` stands on; None when one is too recent to be trusted."""
    from ..build.walk import RACY_NS  # the rule the source listing of a clean build follows too

    names = [toml, *listing.folders, *(str(path) for _, path in listing.entries), *_top_files(spec.source_path)]
    if spec.build.requirements_file is not None:  # its lock files and the files it names are read each run
        names.append(str(spec.build.requirements_file))
    recent = time.time_ns() - RACY_NS
    stamps = []
    for name in dict.fromkeys(names):
        seen = _stat(name)
        if seen is not None and seen[0] >= recent:
            return None
        stamps.append((name, seen))
    return tuple(stamps)


def _check_together(entries: list[Entry], functions: list[Function]) -> None:
    """``check_together`` over the specs that ``may_clash``: a repo without repeated names or S3 triggers
    unpickles no spec for it."""
    check_together([functions[index].spec for index in may_clash([entry.clash for entry in entries])])


def load(root: Path, tomls: list[str] | list[Path], pattern: str, stage: str | None, today: str,
         load_one: Callable[[Path, Callable[[str], None]], FunctionSpec],
         warn: Callable[[str], None]) -> list[Function]:
    """Every TOML's ``Function``, from the cache where it is fresh, else from ``load_one(path, warn)``.

    Raises what ``load_one`` raises, and ``ConfigError`` when the specs clash (``check_together``).
    """
    from ..build.package import function_listing
    from .build import facts_of  # a pure function of the spec: genesys's own files are in the context

    key = context(root, pattern, stage, today)
    where = cache_file(root, stage)
    cached = _read(where, key)
    entries: dict[str, Entry] = {}
    functions: dict[str, Function] = {}
    changed = False
    stats: dict[str, Stat | None] = {}
    for toml in map(str, tomls):
        entry = cached.get(toml)
        spec = None
        if entry is not None and _fresh(entry.stamps, stats):
            for line in entry.warnings:
                warn(line)
        else:
            said: list[str] = []
            spec = load_one(Path(toml), lambda line: (said.append(line), warn(line)))
            listing = function_listing(spec, pattern)
            entry = Entry(_stamps(toml, spec, listing) or (), _pack(spec), facts_of(spec), clash_key(spec),
                          tuple(str(path) for _, path in listing.entries), tuple(said), tuple(listing.problems))
            changed = True
        entries[toml] = entry
        functions[toml] = Function(entry.name, entry.facts, list(entry.sources), spec, partial(_unpack, entry.blob),
                                   entry.problems)
    _check_together(list(entries.values()), list(functions.values()))
    # Entries of TOMLs this run did not ask for stay (a run over one file evicts none); gone files go.
    kept = {name: entry for name, entry in cached.items() if name not in entries and os.path.exists(name)}
    kept.update((name, entry) for name, entry in entries.items() if entry.stamps)
    if changed or kept.keys() != cached.keys():
        _write(where, key, kept)
    return list(functions.values())
