"""TOML files → validated, frozen ``FunctionSpec``s; discovery of every function in a repo.

No network, no subprocess, no heavy imports: ``doit list`` over hundreds of
functions stays instant and works offline. ``load`` is imported on first use (with the
loader come the checks, detection and the TOML parser), so a run that reads no TOML, a
no-op ``doit build`` whose specs the spec cache keeps, imports none of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ConfigError, UsageError
from ..languages import SKIP_DIRS
from .spec import FunctionSpec
from .today import today_default

DEFAULT_PATTERN = "lambda_*.toml"
PATTERN_ENV = "GENESYS_PATTERN"

__all__ = ["FunctionSpec", "check_together", "discover", "discover_files", "discovery_pattern", "load", "load_all",
           "today_default"]


def __getattr__(name: str):
    """``load``, imported from the loader when first asked for (PEP 562)."""
    if name == "load":
        from .loader import load

        return load
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def discovery_pattern() -> str:
    """The file name pattern of function TOMLs: ``GENESYS_PATTERN``, else ``lambda_*.toml``; UsageError
    for a glob git cannot read."""
    return _checked(os.environ.get(PATTERN_ENV) or DEFAULT_PATTERN)


def _checked(pattern: str) -> str:
    from ..globs import problem

    bad = problem((pattern,))
    if bad:
        from . import checks

        raise UsageError(f"the discovery pattern ({PATTERN_ENV}): {bad}", hint=checks.PATTERN_HINT)
    return pattern


def _virtualenv(folder: str, files: list[str]) -> bool:
    """Whether ``folder`` (whose files are ``files``) is a virtualenv: it has a ``pyvenv.cfg``."""
    return "pyvenv.cfg" in files and os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def _listing(folder: str) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str]]]:
    """(name, path, whether it is a symbolic link) of each subfolder and (name, path) of each file of
    ``folder``, as ``os.walk`` sorts them (a link to a folder is a folder, never entered); nothing when
    it cannot be listed."""
    dirs, files = [], []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    try:
                        link = entry.is_symlink()
                    except OSError:  # as os.walk's islink: not a link (the folder's own listing fails, if it does)
                        link = False
                    dirs.append((entry.name, entry.path, link))
                else:
                    files.append((entry.name, entry.path))
    except OSError:
        return [], []
    return dirs, files


def discover_files(root: str | Path, pattern: str = DEFAULT_PATTERN, skip: frozenset[str] = SKIP_DIRS) -> list[str]:
    """``discover`` as strings: the no-op ``doit build`` keys its cache on them, and a Path a file is slow
    to make. One ``scandir`` a folder, each folder's entries told apart by what the listing says (no
    stat a folder); the same walk, order and result as ``os.walk`` top-down."""
    from ..globs import matcher

    match = matcher((_checked(pattern),))
    found = []
    stack = [(os.fspath(root), "")]
    while stack:
        folder, below = stack.pop()
        dirs, files = _listing(folder)
        if below and _virtualenv(folder, [name for name, _ in files]):  # seen in its own listing: no stat a folder
            continue
        prefix = below + "/" if below else ""
        found.extend(path for name, path in sorted(files) if match(prefix + name))
        stack.extend((path, prefix + name) for name, path, link in sorted(dirs, reverse=True)
                     if not link and name not in skip and not name.startswith("."))
    return found


def discover(root: Path, pattern: str = DEFAULT_PATTERN, skip: frozenset[str] = SKIP_DIRS) -> list[Path]:
    """Every file matching ``pattern`` (a glob with git's semantics, ``globs.py``, relative to ``root``)
    below ``root``, skipping dot-folders, build output, dependency folders, virtualenvs and links to
    folders: those hold no TOML of the repo's own (other tools copy TOMLs into theirs: SAM's
    ``.aws-sam/build``)."""
    return [Path(found) for found in discover_files(root, pattern, skip)]


def load_all(paths: list[Path], **kwargs) -> list[FunctionSpec]:
    """Load every file; two files naming the same function, or with S3 triggers S3 would refuse
    together (overlapping on one bucket), are a config error."""
    from .loader import load

    specs = [load(path, **kwargs) for path in paths]
    check_together(specs)
    return specs


def clash_key(spec: FunctionSpec) -> tuple[str, bool]:
    """What ``check_together`` compares of a spec with the others', as plain values (its name, and whether
    it has S3 triggers): the spec cache keeps it beside each spec, so that only the specs that
    ``may_clash`` are unpickled to be checked."""
    return spec.name, any(trigger.type == "s3" for trigger in spec.triggers)


def may_clash(keys: list[tuple[str, bool]]) -> list[int]:
    """Which of the specs with these ``clash_key``s ``check_together`` must see: every one when a name repeats,
    else those with S3 triggers. A new rule in ``check_together`` changes this and ``clash_key`` with it."""
    names = [name for name, _ in keys]
    if len(set(names)) != len(names):
        return list(range(len(keys)))
    return [index for index, (_, s3) in enumerate(keys) if s3]


def check_together(specs: list[FunctionSpec]) -> None:
    """What no single file can show: a function name used twice, S3 triggers that overlap (the spec cache
    passes only the specs that ``may_clash``)."""
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.name in seen:
            from .locate import where_in

            raise ConfigError(
                f"function name {spec.name!r} is also used by {seen[spec.name]}",
                hint="give each TOML its own [metadata] name",
                where=where_in(spec.path, "metadata", "name"),
            )
        seen[spec.name] = spec.path
    _check_s3_across(specs)


def _check_s3_across(specs: list[FunctionSpec]) -> None:
    s3 = [(spec, t) for spec in specs for t in spec.triggers if t.type == "s3"]
    if not s3:
        return
    from .checks import S3_OVERLAP_HINT, overlap_key, s3_triggers_overlap
    from .locate import where_in

    for index, (spec, later) in enumerate(s3):
        for other, earlier in s3[:index]:
            if other is not spec and s3_triggers_overlap(earlier, later):
                raise ConfigError(
                    f"triggers [{later.index}] of {spec.name} and [{earlier.index}] of {other.name} ({other.path}) "
                    f"overlap on bucket {later.get('bucket')!r}: one object key and event can match both, and S3 "
                    "refuses overlapping notifications",
                    hint=S3_OVERLAP_HINT, where=where_in(spec.path, "triggers", later.index, overlap_key(later)))
