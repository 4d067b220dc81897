"""pre_build and post_build hooks: shell commands run in the function's source folder."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable

from ..errors import BuildError

TAIL_LINES = 20


def run_hooks(stage: str, commands: tuple[str, ...], cwd: Path, *, debug: bool = False,
              log: Callable[[str], None] = print) -> None:
    """Run each command with the shell; the first that fails stops the build (BuildError, exit 1)."""
    for command in commands:
        log(f"{stage}: {command}")
        proc = subprocess.run(command, shell=True, cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace")
        if debug and proc.stdout:
            log(proc.stdout.rstrip())
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.rstrip().splitlines()[-TAIL_LINES:])
            raise BuildError(
                f"{stage} hook `{command}` exited with code {proc.returncode}"
                + (f"; its last output:\n{tail}" if tail else ""),
                hint=f"fix the command or the code it checks, or remove it from [build] {stage}",
            )
