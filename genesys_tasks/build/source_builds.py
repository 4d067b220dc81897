"""Requirements that ship only a source distribution, in a local Python layer build.

When pip or uv finds no wheel for a requirement, its line (the one that applies to
the target, found in the target-resolved requirements) is built here with
``pip wheel --no-deps`` and accepted only if the result is pure Python
(``py3-none-any``, read with ``packaging``): compiled code must be built for Amazon
Linux, in a container. A hashed line is built through a one-line requirements file
carrying its hashes, so pip checks the source archive against the lock; the wheel
built from it is then trusted by its own sha256, which the caller adds to the line.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import BuildError
from . import toolrun
from .installers import InstallJob
from .requirements import Requirement, machine

PURE_PYTHON_HINT = 'set [build] build_method = "podman" to build it in the Lambda build image'

_NO_WHEEL = {
    "pip": (re.compile(r"No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)"),),
    "uv": (re.compile(r"Wheels are required for `([A-Za-z0-9][A-Za-z0-9._-]*)"),
           re.compile(r"Because (?:only )?([A-Za-z0-9][A-Za-z0-9._-]*)\S* has no (?:usable )?wheels")),
}
# pip's complaints about index folders without the package: noise that would hide the real message.
_NOISE = re.compile(r"^WARNING: Location '.*' is ignored", re.M)


def wheelless_name(installer: str, output: str) -> str | None:
    """The project the installer found no wheel for, from its output."""
    for pattern in _NO_WHEEL[installer]:
        match = pattern.search(output)
        if match:
            return match.group(1).rstrip(".")
    return None


def is_pure_python(wheel: Path) -> bool:
    """Whether a wheel's tags say it runs on any Python 3 and any platform (``py3-none-any``)."""
    from packaging.utils import parse_wheel_filename

    tags = parse_wheel_filename(wheel.name)[3]
    return any(t.abi == "none" and t.platform == "any" and t.interpreter.startswith("py3") for t in tags)


def install_failed(job: InstallJob, installer: str, failure: toolrun.Finished) -> BuildError:
    output = toolrun.Finished(failure.code, "\n".join(
        line for line in failure.output.splitlines() if not _NOISE.match(line)))
    return BuildError(
        f"{installer} could not install {job.manifest} for {job.runtime.id} {job.arch}; its output ends:\n"
        f"{output.tail()}",
        hint=f"check that each requirement exists on your package index with a wheel for "
             f"cp{job.runtime.python_tag} manylinux {machine(job.arch)}; or {PURE_PYTHON_HINT}",
    )


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def build_pure_wheel(job: InstallJob, requirement: Requirement, wheel_dir: Path, cwd: Path,
                     failure: toolrun.Finished, installer: str) -> str:
    """Build ``requirement`` from source into ``wheel_dir``; the wheel's hash. BuildError unless pure Python."""
    from packaging.utils import canonicalize_name

    shown = requirement.spec
    job.log(f"{shown}: no wheel for {job.runtime.id} {job.arch}; building it from source "
            "(accepted only if it is pure Python)")
    built_dir = Path(tempfile.mkdtemp(dir=wheel_dir.parent))
    one_line = built_dir.with_suffix(".txt")
    one_line.write_text(requirement.line() + "\n", encoding="utf-8")
    done = toolrun.run_command([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                                "--no-input", "--wheel-dir", str(built_dir), "-r", str(one_line)],
                               cwd=cwd, env=dict(os.environ, PIP_ROOT_USER_ACTION="ignore"),
                               debug=job.debug, log=job.log)
    if not done.ok:
        if "No matching distribution found" in done.output:
            raise install_failed(job, installer, failure)
        raise BuildError(f"{shown} ships no wheel for {job.runtime.id} on {job.arch}, and building "
                         f"it from source failed:\n{done.tail()}", hint=PURE_PYTHON_HINT)
    wheels = [w for w in built_dir.glob("*.whl") if canonicalize_name(w.name.split("-")[0]) == requirement.name]
    if not wheels:
        raise BuildError(f"building {shown} from source gave no wheel:\n{done.tail()}", hint=PURE_PYTHON_HINT)
    wheel = wheels[0]
    if not is_pure_python(wheel):
        raise BuildError(f"{shown} ships no wheel for {job.runtime.id} on {job.arch} (manylinux, "
                         f"glibc {job.runtime.glibc}), and its source builds native code ({wheel.name}) "
                         "that must be compiled for Lambda's Amazon Linux", hint=PURE_PYTHON_HINT)
    moved = Path(shutil.move(str(wheel), wheel_dir / wheel.name))
    shutil.rmtree(built_dir, ignore_errors=True)
    return _sha256(moved)

