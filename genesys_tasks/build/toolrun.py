"""Running a compiler or build tool (go, mvn, gradle, bundle) as one build step.

On top of ``process.run``: a missing tool is a ``BuildError`` saying how to install
it (``require``), and a failing one a ``BuildError`` naming the step, with the last
lines of the tool's own output (colour codes removed) and a fix.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .. import ui
from ..errors import BuildError
from .process import run as run_process

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def require(tool: str, install_hint: str) -> str:
    """The absolute path of ``tool`` on PATH, or a BuildError saying how to install it."""
    found = shutil.which(tool)
    if found is None:
        raise BuildError(f"`{tool}` is not installed (not found on PATH)", hint=install_hint)
    return found


def run(cmd: list[str], *, cwd: Path, what: str, env: dict | None = None, hint: str | None = None) -> str:
    """Run ``cmd`` in ``cwd`` with ``env`` added; return its output, or raise BuildError naming ``what``."""
    from .steps import debug_enabled

    finished = run_process(cmd, cwd=cwd, env=dict(os.environ, **(env or {})), debug=debug_enabled(), log=ui.info)
    if not finished.ok:
        tail = _ANSI.sub("", finished.tail())
        raise BuildError(f"{what} failed (exit {finished.code}):\n{tail}", hint=hint)
    return _ANSI.sub("", finished.output)
