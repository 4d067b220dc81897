"""Where a Python project pins its version, in order: the first pin found decides.

1. ``.python-version`` (pyenv, uv): ``3.12`` or ``3.12.4``;
2. ``Pipfile`` ``[requires] python_version`` / ``python_full_version``;
3. ``pyproject.toml`` ``[project] requires-python`` (PEP 440);
4. ``pyproject.toml`` ``[tool.poetry.dependencies] python`` (poetry's ``^3.9``, ``~3.9``).

A pin that cannot be read is a ConfigError naming the file, line and key; a broken
TOML file is no pin (the build reports it).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ...errors import ConfigError, Where
from . import versions
from .files import read
from .versions import Pin

VERSION_HINT = 'write the version, e.g. "3.12"'


def _key_line(text: str, key: str) -> int | None:
    """The line where ``key = ...`` is set (not merely mentioned, as in ``name = "my-python-app"``)."""
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _minor_pin(path: Path, line: int | None, text: str, shown: str, key: str | None = None) -> Pin:
    version = versions.version_tuple(text)[:2]
    if len(version) < 2:
        raise ConfigError(f"{path.name} says {text!r}, not a Python version", hint=VERSION_HINT,
                          where=Where(path, line, key))
    return Pin(path, line, shown, lambda v, want=version: tuple(v[:2]) == want)


def _python_version_file(source: Path) -> Pin | None:
    pinned = source / ".python-version"
    if not pinned.is_file():
        return None
    for number, line in enumerate(read(pinned).splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            return _minor_pin(pinned, number, line, line)
    return None


def _toml(path: Path) -> tuple[str, dict] | None:
    if not path.is_file():
        return None
    text = read(path)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _pipfile(source: Path) -> Pin | None:
    found = _toml(source / "Pipfile")
    requires = found[1].get("requires", {}) if found else {}
    for key in ("python_version", "python_full_version"):
        value = requires.get(key) if isinstance(requires, dict) else None
        if isinstance(value, str) and value.strip() and value.strip() != "*":
            line = _key_line(found[0], key)
            return _minor_pin(source / "Pipfile", line, value, f"{key} = {value!r}", f"requires.{key}")
    return None


def _ranged(path: Path, text: str, key: str, spec, reader, example: str) -> Pin | None:
    if not isinstance(spec, str) or not spec.strip():
        return None
    line = _key_line(text, key.rsplit(".", 1)[-1])
    try:
        return Pin(path, line, f"{key.rsplit('.', 1)[-1]} = {spec!r}", reader(spec))
    except ValueError:
        raise ConfigError(f"cannot read {key.rsplit('.', 1)[-1]} = {spec!r}",
                          hint=f"write it as a version range, e.g. {example}", where=Where(path, line, key)) from None


def _pyproject(source: Path) -> Pin | None:
    path = source / "pyproject.toml"
    found = _toml(path)
    if not found:
        return None
    text, data = found
    pin = _ranged(path, text, "project.requires-python", data.get("project", {}).get("requires-python"),
                  versions.pep440_accepts, '">=3.11"')
    if pin:
        return pin
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    spec = poetry.get("python") if isinstance(poetry, dict) else None
    return _ranged(path, text, "tool.poetry.dependencies.python", spec, versions.poetry_accepts, '"^3.11"')


def python_pin(source: Path) -> Pin | None:
    """The first version pin of the project in ``source``, or None."""
    for reader in (_python_version_file, _pipfile, _pyproject):
        pin = reader(source)
        if pin is not None:
            return pin
    return None
