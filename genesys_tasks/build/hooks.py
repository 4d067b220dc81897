"""pre_build and post_build hooks: shell commands run in the function's source folder.

What people see: one line per hook that worked (its command and how long it took),
the hook's whole output when it fails, and every line as it comes with ``--debug``.
Commands run through ``toolrun.run_command`` (``/bin/sh -c``), so hooks and tools
share one way of capturing and streaming output.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from ..errors import BuildError
from .toolrun import run_command

SHELL = "/bin/sh"


def run_hooks(stage: str, commands: tuple[str, ...], cwd: Path, *, debug: bool = False,
              log: Callable[[str], None] = print) -> None:
    """Run each command with the shell; the first that fails stops the build (BuildError, exit 1)."""
    for command in commands:
        started = time.monotonic()
        finished = run_command([SHELL, "-c", command], cwd=cwd, debug=debug, log=log)
        took = time.monotonic() - started
        if not finished.ok:
            output = finished.output.rstrip()
            raise BuildError(
                f"{stage} hook `{command}` exited with code {finished.code} after {took:.1f}s"
                + (f"; its output:\n{output}" if output and not debug else ""),
                hint=f"fix the command or the code it checks, or remove it from [build] {stage}",
            )
        log(f"{stage}: `{command}` ok in {took:.1f}s")
