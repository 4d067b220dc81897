"""Go detection: Go always runs on provided.al2023, and a ``main`` package is the handler ``bootstrap``."""

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


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """One ``bootstrap`` candidate per folder holding a main package."""
    return [Candidate(runtime.id, "bootstrap", f"{rel}: package main") for rel in _main_dirs(source, files).values()]


def check(source: Path, handler: str) -> str | None:
    """None when ``source`` holds a main package to build as ``bootstrap``."""
    if _main_dirs(source, walk(source)):
        return None
    return f"handler {handler!r}: no Go main package in {source}; a Go function is a main package built as bootstrap"
