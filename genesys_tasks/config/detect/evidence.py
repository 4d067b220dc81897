"""Which language a source folder is, from file names alone, and the result types of detection.

Dependency files (every language's ``dependency_files`` in the language table) come
first; source extensions count only when no language has a dependency file. When
several languages have dependency files, the ones that also have source files win,
and when none of them has a source file the sources decide: a Python function with
a package.json kept for tooling and no JavaScript sources is Python. Whatever is
still tied is returned as a tie; nothing is guessed.

The languages are those with a detector in the language table, then every language
the registry's runtimes add as data (``genesys-runtimes.toml``, the packaged Ruby
file), by the dependency files and extensions their runtime rows name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import languages
from ...runtimes import Registry
from .files import Rel, in_tests, is_tooling


@dataclass(frozen=True)
class Candidate:
    """One runtime/handler pair that fits, and the evidence for it."""

    runtime: str | None
    handler: str | None
    evidence: str
    file: str = field(default="", compare=False)  # the handler's source file, relative ("src/app.py")
    # with no handler: the subfolders that are functions of their own, to use as the source instead
    folders: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Detection:
    """What was found: ``runtime``/``handler`` are None unless exactly one fits."""

    runtime: str | None
    handler: str | None
    candidates: tuple[Candidate, ...]
    # a version pin no runtime fits, kept (not raised) when the caller lets a named runtime win
    pin_problem: Exception | None = field(default=None, compare=False)
    # the handlers found belong to these subfolders, each to be the source instead (the candidate says why)
    elsewhere: tuple[str, ...] = field(default=(), compare=False)


Found = dict[str, list[str]]  # language -> relative paths


def known_languages(registry: Registry | None = None) -> tuple[languages.Language, ...]:
    """The languages detection recognises, in the order ties are listed: the table's that ``registry``
    has runtimes for, then those only its runtime rows describe (their dependency files and extensions,
    merged over versions)."""
    if registry is None:
        return languages.detected()
    present = {runtime.language for runtime in registry.all()}
    rows = [row for row in languages.detected() if row.name in present]
    data: dict[str, tuple[dict, dict]] = {}
    for runtime in registry.all():
        if not any(row.name == runtime.language for row in rows):
            deps, exts = data.setdefault(runtime.language, ({}, {}))
            deps.update(dict.fromkeys(runtime.dependency_files))
            exts.update(dict.fromkeys(runtime.extensions))
    rows += [languages.generic(name, tuple(deps), tuple(exts)) for name, (deps, exts) in data.items()
             if deps or exts]
    return tuple(rows)


def language_evidence(files: list[Rel], rows: tuple[languages.Language, ...] | None = None) -> tuple[Found, Found]:
    """(dependency files, source files) per language, as relative paths; tests and tool configs are not sources."""
    rows = rows if rows is not None else languages.detected()
    top = {f.name for f in files if len(f.parts) == 1}
    deps = {row.name: [n for n in row.dependency_files if n in top] for row in rows}
    sources: Found = {row.name: [] for row in rows}
    for rel in files:
        if is_tooling(rel.name) or in_tests(rel):
            continue
        for row in rows:
            if rel.suffix in row.source_extensions:
                sources[row.name].append(rel.posix)
    return ({k: v for k, v in deps.items() if v}, {k: v for k, v in sources.items() if v})


def choose_languages(deps: Found, sources: Found, rows: tuple[languages.Language, ...] | None = None) -> list[str]:
    """The languages the evidence points at: one, several (a tie) or none."""
    order = [row.name for row in (rows if rows is not None else languages.detected())]
    pool = [lang for lang in order if lang in deps] or [lang for lang in order if lang in sources]
    with_sources = [lang for lang in pool if lang in sources]
    if len(pool) > 1 and len(with_sources) == 1:
        return with_sources
    if not with_sources and sources:
        # Dependency files of a language without one source file (a package.json for deploy tooling
        # beside Python code) say less than the sources that are there.
        return [lang for lang in order if lang in sources]
    return pool


def evidence_text(lang: str, deps: Found, sources: Found) -> str:
    parts = []
    if deps.get(lang):
        parts.append(", ".join(deps[lang]))
    if sources.get(lang):
        shown = sources[lang][:3]
        more = len(sources[lang]) - len(shown)
        parts.append(", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    return "; ".join(parts)
