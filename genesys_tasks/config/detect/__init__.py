"""Runtime and handler detection from a source folder: file names and source text only.

Runs at load time for every function whose TOML names no runtime or handler, so it
reads only what it needs (file names, the project's version pins, the sources of
the detected language) and never runs a subprocess or the user's code.

The package is split by concern, and every language it knows is a row of the
language table (``genesys_tasks.languages``) naming its detector module here:

- ``files``: the bounded walk of the source folder, and what is a test or a tool file;
- ``evidence``: which language the file names point at (``Candidate``, ``Detection``);
- ``versions``: version pins and the runtime a pin picks;
- ``python``, ``nodejs``, ``go``, ``java``, ``ruby``: one module per language, each with
  ``runtime_for`` (its pin), ``find`` (its handlers) and ``check`` (a named handler);
- ``syntax`` (tree-sitter parsers, made on first use) and ``javascript`` (what a
  JavaScript/TypeScript module exports and imports): the syntax trees the finders read.
  Python sources are read with ``ast``. A named handler's common forms are confirmed
  from the text first, so loading TOMLs that name their handlers parses nothing.

This module ties them together: ``detect``, ``find_handlers``, ``check_handler`` and
``manifest_names`` and ``single_handler`` are what the rest of genesys calls. ``evidence`` and ``versions`` are imported
when a runtime is detected (``Candidate`` and ``Detection`` on first use), so a TOML that names
its runtime and handler loads without them.
"""

from __future__ import annotations

import datetime as _dt
import functools
from pathlib import Path
from types import ModuleType

from ... import languages
from ...errors import ConfigError
from typing import TYPE_CHECKING

from ...runtimes import DEFAULT, Registry, Runtime
from .files import Rel, walk

if TYPE_CHECKING:
    from .evidence import Candidate, Detection, Found

__all__ = ["Candidate", "Detection", "check_handler", "detect", "find_handlers", "manifest_names", "single_handler"]


def __getattr__(name: str):
    """``Candidate`` and ``Detection``, from ``evidence`` when first asked for (PEP 562)."""
    if name in ("Candidate", "Detection"):
        from . import evidence

        return getattr(evidence, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def manifest_names(runtime: Runtime) -> tuple[str, ...]:
    """Dependency manifests a layer is built from, in order of preference."""
    return runtime.language_row.manifests


@functools.cache
def _detector(language: str) -> ModuleType | None:
    """The detector module the language table names for ``language``, or None (a language only
    runtime files describe is detected by its files, and its handler is named in the TOML)."""
    from ...contracts import Detector, named

    row = languages.get(language)
    return named(__name__, row.detector, Detector) if row and row.detector else None


def find_handlers(runtime: Runtime, source: Path) -> list[Candidate]:
    """Every handler of ``runtime``'s language found in ``source``, each with its evidence."""
    return _handlers(runtime, Path(source), walk(Path(source)))


def _handlers(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    module = _detector(runtime.language)
    return _own_projects(runtime, files, module.find(runtime, source, files) if module else [])


def _nearest(file: str, homes: dict[str, str]) -> str | None:
    parts = file.split("/")[:-1]
    return next(("/".join(parts[:depth]) for depth in range(len(parts), 0, -1) if "/".join(parts[:depth]) in homes),
                None)


def _own_projects(runtime: Runtime, files: list[Rel], found: list[Candidate]) -> list[Candidate]:
    """Handlers below a subfolder with the language's own dependency files (``src/package.json``,
    ``function/requirements.txt``, a Maven module), when the source folder has none, belong to that
    subfolder: built from here, their dependencies would never be installed. They become one
    candidate with no handler, naming the folders to use as the source instead."""
    marks = set(runtime.language_row.dependency_files)
    homes: dict[str, str] = {}
    for rel in files:
        if rel.name in marks:
            homes.setdefault(rel.folder, rel.posix)
    if not homes or "." in homes:
        return found
    from .evidence import Candidate

    kept: list[Candidate] = []
    moved: dict[str, None] = {}
    for candidate in found:
        home = _nearest(candidate.file, homes) if candidate.file else None
        if home is None:
            kept.append(candidate)
        else:
            moved[home] = None
    if moved:
        shown = [homes[home] for home in moved]
        listing = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
        one = "that folder" if len(shown) == 1 else "one of them"
        kept.append(Candidate(runtime.id, None, f"handlers in folders with their own dependency files ({listing}), "
                                                f"which install only from the source folder: use {one} as the source",
                              folders=tuple(moved)))
    return kept


def single_handler(candidates: list[Candidate] | tuple[Candidate, ...]) -> str | None:
    """The handler when exactly one candidate was found and it names one (the others are notes)."""
    return candidates[0].handler if len(candidates) == 1 else None


def check_handler(runtime: Runtime, source: Path, handler: str) -> str | None:
    """A problem with ``handler`` for ``runtime`` in ``source``, or None when it exists."""
    module = _detector(runtime.language)
    return module.check(source, handler) if module else None


def _runtime_for(lang: str, source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    """The runtime for one language and a sentence saying why; ConfigError for a pin nothing satisfies.
    A language with no detector module (one a runtime file adds) gets its newest runtime."""
    from . import versions

    module = _detector(lang)
    return module.runtime_for(source, registry, today) if module else versions.choose(lang, None, registry, today)


def _tie(languages_found: list[str], source: Path, files: list[Rel], evidence: tuple[Found, Found],
         registry: Registry, today: _dt.date) -> Detection:
    """Several languages fit: one candidate each, with its handler when exactly one is found."""
    from .evidence import Candidate, Detection, evidence_text

    candidates = []
    for lang in languages_found:
        try:
            runtime, _ = _runtime_for(lang, source, registry, today)
        except ConfigError:
            runtime = registry.newest(lang, today)
        handlers = _handlers(runtime, source, files)
        handler = handlers[0].handler if len(handlers) == 1 else None
        candidates.append(Candidate(runtime.id, handler, evidence_text(lang, *evidence)))
    return Detection(None, None, tuple(candidates))


def detect(source: Path, registry: Registry = DEFAULT, today: _dt.date | None = None, *,
           keep_pin_problem: bool = False) -> Detection:
    """The runtime and handler of the function in ``source``; candidates when not exactly one fits.

    A version pin no runtime fits raises its ConfigError, or with ``keep_pin_problem`` (the runtime
    may still be named: ``genesys init --runtime``) is returned as ``pin_problem`` with no runtime."""
    from .evidence import Candidate, Detection, choose_languages, evidence_text, known_languages, language_evidence

    today = today or _dt.date.today()
    source = Path(source)
    files = walk(source)
    rows = known_languages(registry)
    evidence = language_evidence(files, rows)
    found = choose_languages(*evidence, rows)
    if not found:
        return Detection(None, None, ())
    if len(found) > 1:
        return _tie(found, source, files, evidence, registry, today)
    lang = found[0]
    try:
        runtime, why = _runtime_for(lang, source, registry, today)
    except ConfigError as err:
        if not keep_pin_problem:
            raise
        return Detection(None, None, (Candidate(None, None, evidence_text(lang, *evidence)),), pin_problem=err)
    text = f"{evidence_text(lang, *evidence)} ({why})"
    handlers = _handlers(runtime, source, files)
    if not any(found.handler for found in handlers):  # none, or only notes on why none fits
        why_none = "".join(f"; {found.evidence}" for found in handlers)
        return Detection(runtime.id, None, (Candidate(runtime.id, None, text + why_none),),
                         elsewhere=tuple(folder for found in handlers for folder in found.folders))
    if single_handler(handlers):
        only = handlers[0]
        return Detection(runtime.id, only.handler, (Candidate(runtime.id, only.handler, f"{text}; {only.evidence}"),))
    return Detection(runtime.id, None, tuple(handlers))
