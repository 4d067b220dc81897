"""Which installer builds a layer: the module the language table names for the build method.

An installer is a module with two functions (``contracts.Installer``, checked when it is found):

- ``install(job: InstallJob) -> None`` fills the empty folder ``job.target`` with
  the layer tree (``python/...``, ``nodejs/node_modules/...``, ``java/lib/...``);
  raises ``BuildError`` with the installer's own message when it fails.
- ``version(job: InstallJob) -> str`` names the installer and its version (and the
  image digest for containers); it is part of the layer cache key.

Both may run subprocesses: they are only called from inside task actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config.spec import FunctionSpec
from ..errors import BuildError
from ..runtimes import Runtime
from .toolrun import debug_enabled, show

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class InstallJob:
    """Everything one layer build needs; built by ``layer`` from a FunctionSpec."""

    runtime: Runtime
    arch: str
    manifest: Path  # the dependency manifest (requirements.txt, package.json, pom.xml, ...)
    source: Path  # the function's source folder
    target: Path  # empty folder the installer fills with the layer tree
    method: str = "local"  # local | podman | docker
    installer: str = "auto"  # python: auto | pip | uv
    image: str | None = None
    container_env: Pairs = ()
    container_volumes: tuple[str, ...] = ()
    ca_bundle: str | None = None
    debug: bool = False
    log: Callable[[str], None] = field(default=print, compare=False, repr=False)


def install_job(spec: FunctionSpec, arch: str) -> InstallJob:
    """The layer build request for one function and architecture."""
    return InstallJob(
        runtime=spec.runtime, arch=arch, manifest=spec.build.requirements_file, source=spec.source_path,
        target=Path(), method=spec.build.build_method, installer=spec.build.installer,
        image=spec.build.image, container_env=spec.build.container_env,
        container_volumes=spec.build.container_volumes, ca_bundle=spec.build.ca_bundle,
        debug=debug_enabled(), log=show,
    )


def installer_for(job: InstallJob):
    """The installer module for a job, as the language table names it; BuildError when there is none.

    ``container`` covers podman and docker.
    """
    method = "local" if job.method == "local" else "container"
    name = job.runtime.language_row.installers.get(method)
    if method == "local" and job.runtime.build_commands:
        name = "build_commands"  # a runtime that says how to build itself is taken at its word
    if name is None:
        raise BuildError(f"no {job.method} layer build for {job.runtime.language} ({job.runtime.id})",
                         hint='set [build] layer_auto = false, or build_method = "podman"')
    from ..contracts import Installer, named

    return named(__package__, name, Installer)


def manifest_root(job: InstallJob) -> Path:
    return job.manifest.parent
