"""Running a build tool or an installer command (pip, uv, npm, go, mvn, gradle, a runtime's shell commands).

This module owns every subprocess a build step starts for a tool, and the one
``--debug`` switch of the build (``debug_enabled``: the level of genesys's logger, which the
entry sets once, from ``--debug`` or, where doit enters, ``GENESYS_DEBUG``):

- ``run_command`` runs a command. Installers and tools are chatty when they work
  and terse in their last lines when they fail, so without --debug the output is
  captured (the caller puts its tail into the error); with --debug every line is
  shown as it comes. It raises only when the program cannot be started: what a
  non-zero exit means is the caller's to say (installers retry, or explain).
- ``run_tool`` is ``run_command`` for one build step: a failing tool is a
  ``BuildError`` naming the step, with the last lines of the tool's own output
  (colour codes removed) and a fix; ``require`` finds a tool on PATH or says how
  to install it.
- ``show``, ``warn`` and ``timed`` are where build messages reach people: the
  ``genesys.build`` logger, which the command or doit layer routes to ``ui`` (build/
  never imports it).
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import subprocess
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import BuildError, MissingTool

log = logging.getLogger("genesys.build")
TAIL_LINES = 25
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


def debug_enabled() -> bool:
    """True when the build runs with --debug: tools' output is streamed, hooks' output shown.

    The entry turns it on once, as the level of genesys's logger (``ui.show_logs(debug=...)``)."""
    return log.isEnabledFor(logging.DEBUG)


def show(message: str) -> None:
    """A build message for people (the ``genesys.build`` logger; shown on stderr by ``ui``)."""
    log.info(message)


@contextmanager
def timed(message: str):
    """Say ``message`` before a slow step and how long it took after it."""
    started = time.monotonic()
    log.info(message)
    yield
    log.info(f"  {message} done in {time.monotonic() - started:.1f}s")


def warn(message: str) -> None:
    """A build warning: something the user should know about what was built."""
    log.warning(message)


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


def run_command(cmd: list[str], *, cwd: Path, env: dict | None = None, debug: bool = False,
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
        raise MissingTool(Path(cmd[0]).name, f"install {Path(cmd[0]).name}, or build in a container with "
                                             f'build_method = "podman"') from None


def require(tool: str, install_hint: str) -> str:
    """The absolute path of ``tool`` on PATH, or a MissingTool error saying how to install it."""
    found = shutil.which(tool)
    if found is None:
        raise MissingTool(tool, install_hint)
    return found


def run_tool(cmd: list[str], *, cwd: Path, what: str, env: dict | None = None, hint: str | None = None) -> str:
    """Run ``cmd`` in ``cwd`` with ``env`` added; return its output, or raise BuildError naming ``what``."""
    finished = run_command(cmd, cwd=cwd, env=dict(os.environ, **(env or {})), debug=debug_enabled(), log=show)
    if not finished.ok:
        tail = _ANSI.sub("", finished.tail())
        raise BuildError(f"{what} failed (exit {finished.code}):\n{tail}", hint=hint)
    return _ANSI.sub("", finished.output)
