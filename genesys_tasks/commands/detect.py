"""``genesys detect DIR``: the runtime and handler genesys finds in a folder, for people or as JSON.

Detects with the project's own runtimes (``genesys-runtimes.toml`` at the repo root)
and ``GENESYS_TODAY``, then reports: text on stderr, or JSON on stdout. Exits 0 when
exactly one runtime and one handler fit, 2 when nothing or more than one does.
"""

from __future__ import annotations

from pathlib import Path

from .. import languages, ui
from ..config import today_default
from ..config.detect import Detection, detect
from ..config.runtimes_file import project_registry
from ..errors import EXIT_BAD_INPUT, EXIT_OK, UsageError
from ..runtimes import Registry


def run(args) -> int:
    return detect_and_report(Path(args.directory), json_output=args.output == "json")


def detect_and_report(directory: Path, *, json_output: bool) -> int:
    """Detect the function in ``directory`` and report it; the exit code."""
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder", hint="pass the function's source folder")
    registry = project_registry(directory)
    found = detect(directory, registry=registry, today=today_default())
    if json_output:
        return _report_json(found)
    return _report_text(found, directory, registry)


def _fits(found: Detection) -> bool:
    return found.runtime is not None and found.handler is not None


def _report_json(found: Detection) -> int:
    ui.emit_json({
        "runtime": found.runtime,
        "handler": found.handler,
        "candidates": [{"runtime": c.runtime, "handler": c.handler, "evidence": c.evidence}
                       for c in found.candidates],
    })
    return EXIT_OK if _fits(found) else EXIT_BAD_INPUT


def _handler_fix(found: Detection, registry: Registry) -> str:
    if found.elsewhere:
        return "detect the folder named above (genesys detect FOLDER), and give it as the source " \
               "(genesys init --source FOLDER, or [build] source_path)"
    row = registry.lookup(found.runtime).language_row
    return row.handler_fix or f'name it under [metadata], e.g. handler = "{row.handler_example}"'


def _report_text(found: Detection, directory: Path, registry: Registry) -> int:
    if _fits(found):
        ui.success(f"runtime {found.runtime}")
        ui.success(f"handler {found.handler}")
        for candidate in found.candidates:
            ui.info(f"  evidence: {candidate.evidence}")
        return EXIT_OK
    listing = "\n".join(f"  {c.runtime or '?'}  {c.handler or '(no handler)'}  ({c.evidence})"
                        for c in found.candidates)
    if found.runtime is None and found.candidates:
        ui.error(f"more than one runtime fits {directory}:\n{listing}\n"
                 f'  fix: name one under [metadata], e.g. runtime = "{found.candidates[0].runtime}"')
    elif found.runtime is None:
        ui.error(f"no {languages.detected_labels()} function found in {directory}\n"
                 "  fix: check the folder, or name runtime and handler under [metadata]")
    elif len(found.candidates) > 1:
        ui.error(f"more than one {found.runtime} handler fits in {directory}:\n{listing}\n"
                 f'  fix: name one under [metadata], e.g. handler = "{found.candidates[0].handler}"')
    else:
        ui.error(f"runtime {found.runtime}, but no handler found in {directory}\n{listing}\n"
                 f"  fix: {_handler_fix(found, registry)}")
    return EXIT_BAD_INPUT
