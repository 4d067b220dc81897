"""The function zip: which source files it carries, and how each language packages them.

Python and Node functions are their source files, zipped deterministically. The
dependency manifests that feed the layer, the function's own TOML and the build
folders stay out, so editing requirements or writing a role ARN back into the
TOML never changes the function zip. Compiled languages add their packager to
``PACKAGERS``.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from ..config.spec import FunctionSpec
from ..paths import copy_file_atomic
from .golang import package_go
from .java import package_java
from .zipper import source_files, write_zip

# Manifests and lock files that belong to the layer, not the function (package.json stays:
# Node reads its "type" field to load .js files as ES modules).
LAYER_ONLY_FILES = {
    "python": {"requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock"},
    "nodejs": {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"},
    "go": set(),
    "java": set(),
}
TOML_PATTERN = "lambda_*.toml"


def function_sources(spec: FunctionSpec) -> list[tuple[str, Path]]:
    """(name in zip, path) for every file the function zip carries."""
    leave_out = set(LAYER_ONLY_FILES.get(spec.runtime.language, spec.runtime.dependency_files))
    # A Python requirements file may have any name; Node's manifest (package.json) stays.
    requirements = spec.build.requirements_file if spec.runtime.language == "python" else None
    entries = []
    for arcname, path in source_files(spec.source_path, spec.runtime.language, spec.build.exclude):
        if path == spec.path or fnmatch.fnmatch(path.name, TOML_PATTERN) or path == requirements:
            continue
        if "/" not in arcname and arcname in leave_out:
            continue
        entries.append((arcname, path))
    return entries


def zip_sources(spec: FunctionSpec, arch: str, dest: Path) -> None:
    write_zip(function_sources(spec), dest)


PACKAGERS = {"python": zip_sources, "nodejs": zip_sources, "go": package_go, "java": package_java}
# Packagers whose zip is the same for every architecture: built once, then copied.
ARCH_INDEPENDENT = {zip_sources, package_java}


def package_function(spec: FunctionSpec, dest_by_arch: dict[str, Path]) -> None:
    """Write the function zip for every architecture; arch-independent zips are built once."""
    # Languages added by runtime files (ruby, ...) ship their sources as they are.
    packager = PACKAGERS.get(spec.runtime.language, zip_sources)
    first: Path | None = None
    for arch, dest in dest_by_arch.items():
        if packager in ARCH_INDEPENDENT and first is not None:
            copy_file_atomic(first, dest)
            continue
        packager(spec, arch, dest)
        first = dest
