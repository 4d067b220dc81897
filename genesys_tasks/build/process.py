"""Running an installer's command: streamed through the build log in --debug, kept for the error otherwise.

Installers (pip, uv, npm) are chatty when they work and terse in the last lines
when they fail, so without --debug their output is captured and only its tail
goes into the ``BuildError``; with --debug every line is shown as it comes.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import BuildError

TAIL_LINES = 25
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


@dataclass(frozen=True)
class Finished:
    """A command that ran: its exit code and its output (stdout and stderr interleaved)."""

    code: int
    output: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def tail(self, lines: int = TAIL_LINES) -> str:
        return "\n".join(self.output.rstrip().splitlines()[-lines:])


def run(cmd: list[str], *, cwd: Path, env: dict | None = None, debug: bool = False,
        log: Callable[[str], None] = print) -> Finished:
    """Run ``cmd``; BuildError only when the program itself cannot be started."""
    try:
        if not debug:
            proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, text=True, errors="replace")
            return Finished(proc.returncode, proc.stdout)
        # Index URLs from the user's configuration may carry a password.
        log(_URL_CREDENTIALS.sub(r"\1***@", f"$ {shlex.join(cmd)}"))
        kept: deque[str] = deque(maxlen=2000)
        with subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, text=True, errors="replace") as proc:
            for line in proc.stdout:
                line = line.rstrip("\n")
                kept.append(line)
                log(line)
        return Finished(proc.returncode, "\n".join(kept))
    except FileNotFoundError:
        raise BuildError(f"`{cmd[0]}` is not installed (or not on PATH)",
                         hint=f"install {Path(cmd[0]).name}, or build in a container with "
                              f'build_method = "podman"') from None
