"""What a TOML may leave to genesys: the source folder, runtime, handler and dependency manifest.

Each is taken as written and checked against the source folder (the handler must
exist, the manifest must be a file), or found there by ``detect``. Pure: it reads
file names and source text, nothing else. Problems are ConfigErrors at the key's line.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from ..errors import ConfigError
from ..runtimes import Registry, Runtime
from . import detect
from .aws_limits import handler_problem
from .reader import Reader


def _looked_up(r: Reader, key_path: tuple, path: Path, test) -> bool:
    """``test(path)`` (e.g. ``Path.is_file``); a path the system cannot look at (a name too long) fails
    at the key instead of raising."""
    try:
        return test(path)
    except OSError as err:
        raise r.fail(key_path, f"cannot use {str(path)[:80]}: {err.strerror or err}",
                     hint="fix the path (relative to the TOML file's folder)") from None


def _expanded(r: Reader, key_path: tuple, text: str) -> Path:
    """``text`` as a path with ``~`` expanded; ``~someone`` for a user this machine lacks fails at the key."""
    try:
        return Path(text).expanduser()
    except RuntimeError as err:
        raise r.fail(key_path, f"cannot expand {text[:80]!r}: {err}", hint="write the path without ~user") from None


def _source_path(r: Reader, build: dict) -> Path:
    source = _expanded(r, ("build", "source_path"), build["source_path"])
    source = (r.path.parent / source) if not source.is_absolute() else source
    return Path(os.path.normpath(source))


def source_folder(r: Reader, build: dict) -> Path:
    """``[build] source_path``, absolute and normalised; it must be an existing folder."""
    source = _source_path(r, build)
    if not _looked_up(r, ("build", "source_path"), source, Path.exists):
        raise r.fail(("build", "source_path"), f"source folder {source} does not exist",
                     hint="set source_path relative to the TOML file's folder")
    if not source.is_dir():
        raise r.fail(("build", "source_path"), f"{source} is a file, not a folder",
                     hint="point source_path at the folder that holds the handler")
    return source


def runtime(r: Reader, meta: dict, source: Path, registry: Registry, today: _dt.date, warn) -> Runtime:
    """The runtime named under [metadata], else the one detected in ``source``; lifecycle-checked."""
    if meta["runtime"]:
        return _checked_runtime(r, ("metadata", "runtime"), meta["runtime"], registry, today, warn)
    found = detect.detect(source, registry=registry, today=today)
    if found.runtime is None:
        if found.candidates:
            listing = "; ".join(f"{c.runtime} ({c.evidence})" for c in found.candidates)
            raise r.fail(("metadata",), f"more than one runtime fits {source}: {listing}",
                         hint=f'name one: runtime = "{found.candidates[0].runtime}" under [metadata]')
        raise r.fail(("metadata",), f"no runtime detected in {source}",
                     hint='name it: runtime = "python3.12" under [metadata], or check source_path')
    return _checked_runtime(r, ("metadata",), found.runtime, registry, today, warn)


def _checked_runtime(r: Reader, key_path: tuple, runtime_id: str, registry: Registry, today: _dt.date,
                     warn) -> Runtime:
    """The runtime checked against its lifecycle; the line is looked up only when it fails."""
    try:
        return registry.get(runtime_id, today, warn=warn)
    except ConfigError as err:
        raise r.fail(key_path, err.message, hint=err.hint) from None


def handler(r: Reader, meta: dict, runtime: Runtime, source: Path, build: dict | None = None) -> str:
    """The handler named under [metadata] (checked against the sources, never outside them), else the
    one found there.

    With ``pre_build`` hooks the named handler's file may be one they make (TypeScript
    compiled by tsc): its check waits for them (``build.steps.package`` runs it).
    """
    if meta["handler"]:
        problem = handler_problem(meta["handler"])
        if not problem and not (build and build["pre_build"]):
            problem = detect.check_handler(runtime, source, meta["handler"])
        if problem:
            raise r.fail(("metadata", "handler"), problem,
                         hint="fix the handler, or remove the key to let genesys detect it")
        return meta["handler"]
    found = detect.find_handlers(runtime, source)
    handlers = [c for c in found if c.handler]  # the rest say why they do not fit
    if detect.single_handler(found):
        return found[0].handler
    if not handlers:
        language = runtime.language_row
        fix = language.handler_fix or f'name it: handler = "{language.handler_example}" under [metadata]'
        why = "".join(f": {c.evidence}" for c in found)
        raise r.fail(("metadata",), f"no {runtime.language} handler found in {source}{why}", hint=fix)
    listing = "; ".join(f"{c.handler} ({c.evidence})" if c.handler else c.evidence for c in found)
    raise r.fail(("metadata",), f"more than one handler fits: {listing}",
                 hint=f'name one: handler = "{handlers[0].handler}" under [metadata]')


def requirements(r: Reader, build: dict, runtime: Runtime, source: Path) -> Path | None:
    """``[build] requirements_file`` (relative to the sources), else the language's first manifest there."""
    if build["requirements_file"]:
        candidate = _expanded(r, ("build", "requirements_file"), build["requirements_file"])
        candidate = candidate if candidate.is_absolute() else source / candidate
        if not _looked_up(r, ("build", "requirements_file"), candidate, Path.is_file):
            raise r.fail(("build", "requirements_file"), f"{candidate} does not exist",
                         hint="fix the path (relative to source_path) or remove the key")
        return Path(os.path.normpath(candidate))
    for name in detect.manifest_names(runtime):
        candidate = source / name
        if candidate.is_file():
            return candidate
    return None


def without_sources(r: Reader, meta: dict, build: dict, registry: Registry,
                    today: _dt.date) -> tuple[Path, Runtime, str, Path | None]:
    """Source folder, runtime, handler and manifest for a command that needs none of them (``delete``).

    The source folder may be gone and the runtime retired: the named runtime is taken
    without its lifecycle check, an unnamed one is detected when the sources are there,
    and otherwise the registry's first runtime stands in (such commands never read it).
    """
    source = _source_path(r, build)
    if meta["runtime"]:
        try:
            runtime_ = registry.lookup(meta["runtime"])
        except ConfigError as err:
            raise r.fail(("metadata", "runtime"), err.message, hint=err.hint) from None
    else:
        found = detect.detect(source, registry=registry, today=today).runtime if source.is_dir() else None
        runtime_ = registry.lookup(found or registry.ids()[0])
    return source, runtime_, meta["handler"] or "", None
