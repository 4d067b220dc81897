"""Go detection: Go always runs on provided.al2023, and a ``main`` package is the handler ``bootstrap``.

The build compiles the source folder itself (``go build .``), so only a main package there is a
handler; one in a subfolder (``cmd/fn``, ``function``) is reported with the source to use instead.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ...runtimes import Registry, Runtime
from .evidence import Candidate
from .files import Rel, in_tests, read, walk

RUNTIME = "provided.al2023"


def runtime_for(source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    """provided.al2023, with what go.mod says about the Go version for the evidence."""
    note = "Go runs on provided.al2023 as a bootstrap binary"
    mod = source / "go.mod"
    if mod.is_file():
        match = re.search(r"^go\s+(\S+)", read(mod), re.M)
        if match:
            note = f"go.mod says go {match.group(1)}; {note}"
    return registry.lookup(RUNTIME), note


def _main_dirs(source: Path, files: list[Rel]) -> dict[str, str]:
    """Folder (posix, "." for the top) → first file declaring ``package main``."""
    mains: dict[str, str] = {}
    for rel in files:
        if rel.suffix != ".go" or in_tests(rel):
            continue
        if rel.folder in mains:
            continue
        if re.search(r"^package\s+main\b", read(source / rel.posix), re.M):
            mains[rel.folder] = rel.posix
    return mains


def _elsewhere(mains: dict[str, str]) -> str:
    one = "that folder" if len(mains) == 1 else "one of them"
    return (f"package main only in {', '.join(mains)}: Go builds the source folder itself (go build .), "
            f"so use {one} as the source")


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """``bootstrap`` when the source folder holds a main package; a candidate with no handler
    saying which subfolders hold one (the source to use instead) when only they do."""
    mains = _main_dirs(source, files)
    if "." in mains:
        return [Candidate(runtime.id, "bootstrap", f"{mains['.']}: package main")]
    return [Candidate(runtime.id, None, _elsewhere(mains), folders=tuple(mains))] if mains else []


def check(source: Path, handler: str) -> str | None:
    """None when ``source`` holds a main package (one only in a subfolder is the build's error, at
    ``[build] source_path``)."""
    if _main_dirs(source, walk(source)):
        return None
    return f"handler {handler!r}: no Go main package in {source}; a Go function is a main package built as bootstrap"
