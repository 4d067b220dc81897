"""The function zip: which source files it carries, and which packager builds it.

A language's row in the language table names its packager; by default the function
is its source files, zipped deterministically. The layer-only files (manifests and
lock files that feed the layer), the function's own TOML, every file matching the
discovery pattern (``GENESYS_PATTERN``, default ``lambda_*.toml``) and the
dependency folders stay out, so editing requirements or writing a role ARN back into
a TOML never changes the function zip. Compiled languages name their own packager
(``module:function`` in this package), built per architecture when the code is native.
"""

from __future__ import annotations

import fnmatch
import importlib
from pathlib import Path
from typing import Callable

from ..config import discovery_pattern
from ..config.spec import FunctionSpec
from ..paths import copy_file_atomic
from .zipper import source_files, write_zip

Packager = Callable[[FunctionSpec, str, Path], None]


def function_sources(spec: FunctionSpec, pattern: str | None = None) -> list[tuple[str, Path]]:
    """(name in zip, path) for every file the function zip carries; ``pattern`` defaults to the discovery one."""
    pattern = pattern or discovery_pattern()
    language = spec.runtime.language_row
    # A Python requirements file may have any name; Node's manifest (package.json) stays.
    requirements = spec.build.requirements_file if spec.runtime.language == "python" else None
    entries = []
    for arcname, path in source_files(spec.source_path, spec.runtime.language, spec.build.exclude):
        if path == spec.path or fnmatch.fnmatch(path.name, pattern) or path == requirements:
            continue
        if "/" not in arcname and arcname in language.layer_only_files:
            continue
        entries.append((arcname, path))
    return entries


def zip_sources(spec: FunctionSpec, arch: str, dest: Path) -> None:
    write_zip(function_sources(spec), dest)


def packager_for(spec: FunctionSpec) -> Packager:
    """The packager the language table names for the function's language (the sources zipped by default)."""
    named = spec.runtime.language_row.packager
    if not named:
        return zip_sources
    module, _, function = named.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), function)


def package_function(spec: FunctionSpec, dest_by_arch: dict[str, Path]) -> None:
    """Write the function zip for every architecture; a zip of no native code is built once, then copied."""
    packager = packager_for(spec)
    per_arch = spec.runtime.language_row.zip_per_arch
    first: Path | None = None
    for arch, dest in dest_by_arch.items():
        if not per_arch and first is not None:
            copy_file_atomic(first, dest)
            continue
        packager(spec, arch, dest)
        first = dest
