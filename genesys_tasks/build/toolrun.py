"""Running an external build tool (go, mvn, gradle, bundle) and translating its failures.

One seam for every compiler and package manager genesys drives: a missing tool is
a ``BuildError`` naming how to install it; a failing tool is a ``BuildError``
carrying the last lines of its own output. Full output goes to ``ui.debug``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .. import ui
from ..errors import BuildError

TAIL_LINES = 25
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def require(tool: str, install_hint: str) -> str:
    """The absolute path of ``tool`` on PATH, or a BuildError saying how to install it."""
    found = shutil.which(tool)
    if found is None:
        raise BuildError(f"`{tool}` is not installed (not found on PATH)", hint=install_hint)
    return found


def run(cmd: list[str], *, cwd: Path, what: str, env: dict | None = None, hint: str | None = None) -> str:
    """Run ``cmd`` in ``cwd``; return its combined output, or raise BuildError naming ``what`` failed."""
    ui.debug(f"$ (cd {cwd} && {' '.join(cmd)})")
    full_env = dict(os.environ, **(env or {}))
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace")
    except OSError as err:
        raise BuildError(f"{what}: cannot run {cmd[0]} ({err})", hint=hint) from None
    output = _ANSI.sub("", proc.stdout or "")
    if output.strip():
        ui.debug(output.rstrip())
    if proc.returncode != 0:
        tail = "\n".join(output.rstrip().splitlines()[-TAIL_LINES:])
        raise BuildError(f"{what} failed (exit {proc.returncode}):\n{tail}", hint=hint)
    return output
