"""TOML files → validated, frozen ``FunctionSpec``s; discovery of every function in a repo.

No network, no subprocess, no heavy imports: ``doit list`` over hundreds of
functions stays instant and works offline.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ConfigError, Where
from .loader import load, today_default
from .spec import FunctionSpec

DEFAULT_PATTERN = "lambda_*.toml"
SKIP_DIRS = {".git", ".genesys", "node_modules", ".venv", "venv", "__pycache__", ".tox"}

__all__ = ["FunctionSpec", "discover", "load", "load_all", "today_default"]


def discover(root: Path, pattern: str = DEFAULT_PATTERN, skip: set[str] = SKIP_DIRS) -> list[Path]:
    """Every file matching ``pattern`` below ``root``, skipping build and dependency folders."""
    import fnmatch

    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        found.extend(Path(folder, f) for f in sorted(files) if fnmatch.fnmatch(f, pattern))
    return found


def _line(path: Path, key_path: tuple) -> int | None:
    from .locate import find_line

    try:
        return find_line(path.read_text(encoding="utf-8"), key_path)
    except OSError:
        return None


def load_all(paths: list[Path], **kwargs) -> list[FunctionSpec]:
    """Load every file; two files naming the same function are a config error."""
    specs: list[FunctionSpec] = []
    seen: dict[str, Path] = {}
    for path in paths:
        spec = load(path, **kwargs)
        if spec.name in seen:
            raise ConfigError(
                f"function name {spec.name!r} is also used by {seen[spec.name]}",
                hint="give each TOML its own [metadata] name",
                where=Where(spec.path, _line(spec.path, ("metadata", "name")), "metadata.name"),
            )
        seen[spec.name] = spec.path
        specs.append(spec)
    return specs
