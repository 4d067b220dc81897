"""The layer installer for runtimes that say how to build themselves: their ``build_commands``.

A runtime row (built in, shipped in a runtime file, or the project's own) may list
shell commands; they run in order, in the manifest's folder, with placeholders
filled in and shell-quoted: ``{source}``, ``{manifest}``, ``{target}`` (the layer
root), ``{layer}`` (``{target}/<layer_path>``) and ``{scratch}`` (an empty folder
removed afterwards). Ruby's Bundler build is one such row.
"""

from __future__ import annotations

import hashlib
import shlex
import tempfile
from pathlib import Path

from ..errors import BuildError
from . import toolrun


def _fill(command: str, values: dict[str, str]) -> str:
    try:
        return command.format(**{k: shlex.quote(v) for k, v in values.items()})
    except (KeyError, IndexError, ValueError) as err:
        raise BuildError(f"runtime {values['runtime']}: bad placeholder in build command {command!r} ({err})",
                         hint="use only {source}, {manifest}, {target}, {layer} and {scratch}; "
                              "double other braces ({{ }})") from None


def _program(command: str) -> str:
    """The program a shell command runs, past any leading VAR=value assignments."""
    words = command.split()
    return next((w for w in words if "=" not in w), words[0] if words else "?")


def version(job) -> str:
    """The commands themselves: changing them changes every layer built with them.

    (The ``commands:`` prefix predates this module's name; it stays, so cached layers stay valid.)
    """
    return "commands:" + hashlib.sha256("\n".join(job.runtime.build_commands).encode()).hexdigest()[:16]


def install(job) -> None:
    with tempfile.TemporaryDirectory(prefix="genesys-commands-") as scratch:
        values = {"source": str(job.source), "manifest": str(job.manifest), "target": str(job.target),
                  "layer": str(Path(job.target, job.runtime.layer_path)), "scratch": scratch,
                  "runtime": job.runtime.id}
        for number, command in enumerate(job.runtime.build_commands, start=1):
            toolrun.run_tool(["sh", "-c", _fill(command, values)], cwd=job.manifest.parent,
                        what=f"{job.runtime.id} build command {number} ({_program(command)} ...)",
                        hint=f"the build_commands of runtime {job.runtime.id} failed; run them by hand "
                             "in the source folder to see why")
