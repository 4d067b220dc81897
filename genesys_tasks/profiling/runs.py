"""Cold and warm runs of a built function through the local runtime, as ``genesys invoke`` runs it.

``measure`` starts ``cold`` fresh runtime processes one after the other (each a cold start: its
init duration is the time until the runtime first asks the Runtime API for work, as
``local.process`` measures it), with import timing on (``PYTHONPROFILEIMPORTTIME=1``; for Node the
``import_timer.cjs`` preload), and then invokes the last one ``warm`` more times. The function's
output and the import lines go to a temporary file per process, never to the terminal; an
invocation that fails stops the profile with the error and the end of that output.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import GenesysError
from ..local.clients import SHIMS
from . import imports

NODE_TIMER = SHIMS / "import_timer.cjs"
LOG_LINES_SHOWN = 20


class FunctionFailed(GenesysError):
    """The function failed on the profile's event: nothing to measure."""


@dataclass(frozen=True)
class ColdStart:
    """One cold start: init time, first invocation, and its imports."""

    init_ms: float
    first_invoke_ms: float
    imports: imports.Breakdown | None  # None: nothing was timed (a provided runtime)


@dataclass(frozen=True)
class Runs:
    """The invocations a profile made: cold starts, warm durations and peak memory."""

    cold: tuple[ColdStart, ...]
    warm_ms: tuple[float, ...]
    max_memory_mb: int
    placer: imports.Placer | None


def measure(process, language: str, event: bytes, cold: int, warm: int) -> Runs:
    """``cold`` cold starts of ``process`` (a ``local.process.RuntimeProcess``, not started), then
    ``warm`` invocations of the last one; the process is closed after. What a start reads is set on
    it before each one: ``env`` (import timing on) and ``log_fd`` (that process's temporary file)."""
    timed = _time_imports(process, language)
    placer = _placer(process.env, language) if timed else None
    starts, warm_ms, peak = [], [], 0
    try:
        for number in range(cold):
            process.close()
            with tempfile.TemporaryFile() as log:
                process.log_fd = log.fileno()
                result = process.invoke(event)
                _check(result, log)
                peak = max(peak, result.max_memory_mb)
                if number == cold - 1:
                    for _ in range(warm):
                        again = process.invoke(event)
                        _check(again, log)
                        warm_ms.append(again.duration_ms)
                        peak = max(peak, again.max_memory_mb)
                process.close()
                breakdown = imports.breakdown(imports.parse(_read(log)), placer) if timed else None
            starts.append(ColdStart(result.init_ms or 0.0, result.duration_ms, breakdown))
    finally:
        process.close()
    return Runs(tuple(starts), tuple(warm_ms), peak, placer)


def _time_imports(process, language: str) -> bool:
    """Turn import timing on in the runtime's environment; False where nothing can be timed."""
    if language == "python":
        process.env["PYTHONPROFILEIMPORTTIME"] = "1"
        return True
    if language == "nodejs":
        preload = f"--require {json.dumps(str(NODE_TIMER))}"  # quoted: NODE_OPTIONS splits at spaces
        process.env["NODE_OPTIONS"] = f"{process.env['NODE_OPTIONS']} {preload}" if process.env.get("NODE_OPTIONS") \
            else preload
        return True
    return False


def _placer(env: dict[str, str], language: str) -> imports.Placer:
    """Where the runtime's modules come from, from its import path and genesys's cache folders."""
    task = env["LAMBDA_TASK_ROOT"]
    cache = paths.cache_dir()
    places = [(task, "function"), (str(Path(task).parent / "opt"), "layer"),
              (str(cache / "runtime-sdks"), "runtime SDK"), (str(cache / "runtime-clients"), "runtime client"),
              (str(SHIMS), "runtime client")]
    if language == "nodejs":
        return imports.node_placer(places)

    def origin(folder: str) -> str:
        return next((o for prefix, o in places if (folder + os.sep).startswith(prefix.rstrip(os.sep) + os.sep)),
                    "runtime SDK")

    path = [folder for folder in env.get("PYTHONPATH", "").split(os.pathsep) if folder]
    return imports.python_placer([(folder, origin(folder)) for folder in path])


def _read(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


def _check(result, log) -> None:
    if not result.failed:
        return
    error = result.error()
    said = [line for line in _read(log).splitlines() if not line.startswith("import time:")][-LOG_LINES_SHOWN:]
    output = ("\nthe function's last output:\n  " + "\n  ".join(said)) if said else ""
    at_init = result.kind == "init_error"
    hint = ("it failed as it started, before it got an event: fix what its module does when imported (a "
            "missing module goes in its dependencies); " if at_init
            else "profile with an event the function handles (--event FILE); ")
    raise FunctionFailed(f"the function failed{' during init' if at_init else ''}: {error.get('errorType', 'Error')}: "
                         f"{error.get('errorMessage', '')}{output}",
                         hint=hint + "`genesys invoke` shows one run in full")
