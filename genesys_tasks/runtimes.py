"""The Lambda runtime registry, as data: one row per runtime id, nothing else.

Each row says what a build needs to know (language, version, layer folder,
dependency files, source extensions, the glibc of the Lambda OS, the build image)
and the runtime's lifecycle dates; what every version of a language shares (files,
layer folder, image repository) comes from the ``languages`` table. Rows are plain
dicts so that a project file can add or override them without code; ``get`` checks
the lifecycle against an injectable ``today``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from . import languages
from .errors import ConfigError, Where, close_matches


def _row(language: str, version: str, glibc: str, dates: tuple[str, str, str], replacement: str) -> dict:
    """A built-in runtime row; its layer folder and build image come from the language table."""
    row = languages.BY_NAME[language]
    return {
        "language": language, "version": version, "layer_path": row.layer_path_for(version), "glibc": glibc,
        "image": f"{row.image_repo}:{version}",
        "deprecation": dates[0], "block_create": dates[1], "block_update": dates[2],
        "replacement": replacement,
    }


def _py(version, glibc, dates, replacement):
    return _row("python", version, glibc, dates, replacement)


def _node(major, glibc, dates, replacement):
    return _row("nodejs", major, glibc, dates, replacement)


def _java(major, glibc, dates, replacement):
    return _row("java", major, glibc, dates, replacement)


# Dates from the AWS Lambda runtimes page (deprecation, block function create,
# block function update). Newest first within a language: detection picks the
# newest supported version when a project pins none.
RUNTIME_TABLE: dict[str, dict] = {
    "python3.14": _py("3.14", "2.34", ("2029-06-30", "2029-07-31", "2029-08-31"), ""),
    "python3.13": _py("3.13", "2.34", ("2029-06-30", "2029-07-31", "2029-08-31"), "python3.14"),
    "python3.12": _py("3.12", "2.34", ("2028-10-31", "2028-11-30", "2029-01-10"), "python3.14"),
    "python3.11": _py("3.11", "2.26", ("2027-06-30", "2027-07-31", "2027-08-31"), "python3.14"),
    "python3.10": _py("3.10", "2.26", ("2026-10-31", "2026-11-30", "2027-01-15"), "python3.14"),
    "python3.9": _py("3.9", "2.26", ("2025-12-15", "2026-08-31", "2026-09-30"), "python3.14"),
    "nodejs24.x": _node("24", "2.34", ("2028-04-30", "2028-06-01", "2028-07-01"), ""),
    "nodejs22.x": _node("22", "2.34", ("2027-04-30", "2027-06-01", "2027-07-01"), "nodejs24.x"),
    "nodejs20.x": _node("20", "2.34", ("2026-04-30", "2026-08-31", "2026-09-30"), "nodejs24.x"),
    "nodejs18.x": _node("18", "2.26", ("2025-09-01", "2026-02-03", "2026-03-09"), "nodejs24.x"),
    "java25": _java("25", "2.34", ("2029-06-30", "2029-07-31", "2029-08-31"), ""),
    "java21": _java("21", "2.34", ("2029-06-30", "2029-07-31", "2029-08-31"), "java25"),
    "java17": _java("17", "2.26", ("2027-06-30", "2027-07-31", "2027-08-31"), "java25"),
    "java11": _java("11", "2.26", ("2027-06-30", "2027-07-31", "2027-08-31"), "java25"),
    "provided.al2023": _row("go", "al2023", "2.34", ("2029-06-30", "2029-07-31", "2029-08-31"), ""),
}

# Runtime ids AWS retired that users still write; each maps to its successor with a note.
ALIASES: dict[str, tuple[str, str]] = {
    "go1.x": ("provided.al2023", "go1.x is retired; Go functions run on provided.al2023 as a `bootstrap` binary"),
}

ARCHITECTURES = ("x86_64", "arm64")


@dataclass(frozen=True)
class Runtime:
    """One runtime row, typed. ``glibc`` decides which manylinux wheels fit."""

    id: str
    language: str
    version: str
    layer_path: str
    glibc: str
    image: str
    deprecation: _dt.date | None
    block_create: _dt.date | None
    block_update: _dt.date | None
    replacement: str = ""
    dependency_files: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    build_commands: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def language_row(self) -> languages.Language:
        """The language table's row; for a language only runtime files know, one made from this runtime."""
        return languages.get(self.language) or languages.generic(self.language, self.dependency_files,
                                                                 self.extensions)

    @property
    def python_tag(self) -> str:
        """``311`` for python3.11: the cp/abi tag pip wants."""
        return self.version.replace(".", "")

    def status(self, today: _dt.date) -> str:
        """``supported``, ``deprecated``, ``create blocked`` or ``update blocked`` on ``today``."""
        if self.block_update and today >= self.block_update:
            return "update blocked"
        if self.block_create and today >= self.block_create:
            return "create blocked"
        if self.deprecation and today >= self.deprecation:
            return "deprecated"
        return "supported"


def _date(text: str | None) -> _dt.date | None:
    return _dt.date.fromisoformat(text) if text else None


def from_row(runtime_id: str, row: dict) -> Runtime:
    """Build a ``Runtime`` from a table row, filling omitted lists from the language table."""
    known = languages.get(row["language"])
    defaults = {"dependency_files": known.dependency_files, "extensions": known.source_extensions} if known else {}
    return Runtime(
        id=runtime_id,
        language=row["language"],
        version=str(row.get("version", "")),
        layer_path=row.get("layer_path", ""),
        glibc=row.get("glibc", "2.34"),
        image=row.get("image", ""),
        deprecation=_date(row.get("deprecation")),
        block_create=_date(row.get("block_create")),
        block_update=_date(row.get("block_update")),
        replacement=row.get("replacement", ""),
        dependency_files=tuple(row.get("dependency_files", defaults.get("dependency_files", ()))),
        extensions=tuple(row.get("extensions", defaults.get("extensions", ()))),
        build_commands=tuple(row.get("build_commands", ())),
    )


class Registry:
    """The runtimes known to one project: the built-in table plus the project's own rows."""

    def __init__(self, rows: dict[str, dict] | None = None):
        self._rows = dict(RUNTIME_TABLE if rows is None else rows)
        self._cache: dict[str, Runtime] = {}

    def ids(self) -> list[str]:
        return list(self._rows)

    def all(self) -> list[Runtime]:
        return [self.lookup(i) for i in self._rows]

    def lookup(self, runtime_id: str) -> Runtime:
        """The runtime for an id or alias, without lifecycle checks; ConfigError if unknown."""
        runtime_id = ALIASES.get(runtime_id, (runtime_id, ""))[0]
        if runtime_id not in self._rows:
            close = close_matches(runtime_id, self._rows)
            hint = f"did you mean {close[0]!r}?" if close else "one of: " + ", ".join(self._rows)
            raise ConfigError(f"unknown runtime {runtime_id!r}", hint=hint)
        if runtime_id not in self._cache:
            self._cache[runtime_id] = from_row(runtime_id, self._rows[runtime_id])
        return self._cache[runtime_id]

    def newest(self, language: str, today: _dt.date) -> Runtime:
        """The newest runtime of a language that can still be created on ``today``."""
        for runtime in self.all():
            if runtime.language == language and runtime.status(today) in ("supported", "deprecated"):
                return runtime
        raise ConfigError(f"no {language} runtime can be created today")

    def get(self, runtime_id: str, today: _dt.date, where: Where | None = None,
            warn=None) -> Runtime:
        """The runtime for ``runtime_id`` checked against its lifecycle on ``today``.

        Past block-create it is an error naming the replacement; past deprecation,
        ``warn(message)`` is called. Aliases such as ``go1.x`` resolve with a note.
        """
        try:
            runtime = self.lookup(runtime_id)
        except ConfigError as err:
            live = [r.id for r in self.all() if r.status(today) in ("supported", "deprecated")]
            close = close_matches(ALIASES.get(runtime_id, (runtime_id, ""))[0], live)
            hint = f"did you mean {close[0]!r}?" if close else "one of: " + ", ".join(live)
            raise ConfigError(err.message, hint=hint, where=where) from None  # only runtimes that can be created
        if runtime_id in ALIASES and warn:
            warn(ALIASES[runtime_id][1])
        status = runtime.status(today)
        if status in ("create blocked", "update blocked"):
            replacement = runtime.replacement or self.newest(runtime.language, today).id
            raise ConfigError(
                f"runtime {runtime.id!r} is retired: AWS blocks creating functions with it "
                f"since {runtime.block_create.isoformat()}",
                hint=f"use runtime = {replacement!r}",
                where=where,
            )
        if status == "deprecated" and warn:
            replacement = runtime.replacement or self.newest(runtime.language, today).id
            warn(f"runtime {runtime.id} is deprecated since {runtime.deprecation.isoformat()}; "
                 f"AWS blocks new functions on {runtime.block_create.isoformat()}; move to {replacement}")
        return runtime


DEFAULT = Registry()
