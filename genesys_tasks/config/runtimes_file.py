"""Runtime files: TOML tables that add runtimes to the registry, or change built-in ones.

genesys ships some rows this way (``genesys_tasks/data/runtimes-*.toml``: Ruby), and a
project can keep its own in ``genesys-runtimes.toml`` at the repo root::

    [runtimes."ruby3.2"]
    language = "ruby"
    version = "3.2"
    layer_path = "ruby/gems/3.2.0"
    image = "public.ecr.aws/lambda/ruby:3.2"
    dependency_files = ["Gemfile", "Gemfile.lock"]
    build_commands = ["bundle install ..."]

A new id needs ``language``, ``version`` and ``layer_path``; a built-in id may name
only the fields it changes. Every problem is a ConfigError with file:line.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError, close_matches
from ..runtimes import RUNTIME_TABLE, Registry

PROJECT_FILE = "genesys-runtimes.toml"
PACKAGED_DIR = Path(__file__).resolve().parent.parent / "data"

# field → (kind, documentation); kinds: str, list (of str), date (TOML date or "YYYY-MM-DD").
FIELDS: dict[str, tuple[str, str]] = {
    "language": ("str", "Language family: python, nodejs, java, go, or a new one such as ruby."),
    "version": ("str", "Language version, e.g. 3.3."),
    "layer_path": ("str", "Folder inside the layer zip the dependencies go to; empty for no layer."),
    "image": ("str", "Build image for podman/docker builds."),
    "glibc": ("str", "glibc version of the Lambda OS, e.g. 2.34."),
    "dependency_files": ("list", "Dependency manifest and lock files, manifest first."),
    "extensions": ("list", "Source file extensions, e.g. [\".rb\"]."),
    "build_commands": ("list", "Shell commands that fill the layer; placeholders {source}, {manifest}, "
                               "{target} (layer root), {layer} (target/layer_path), {scratch}."),
    "deprecation": ("date", "Date AWS deprecates the runtime."),
    "block_create": ("date", "Date AWS stops creating functions with it."),
    "block_update": ("date", "Date AWS stops updating functions with it."),
    "replacement": ("str", "Runtime id to move to when this one retires."),
}
REQUIRED = ("language", "version", "layer_path")


def _fail(path: Path, text: str, key_path: tuple, message: str, hint: str | None = None) -> ConfigError:
    from .locate import where_in

    where = where_in(path, *key_path, text=text)
    return ConfigError(message, hint=hint, where=replace(where, line=where.line or 1))


def _value(path: Path, text: str, key_path: tuple, kind: str, value):
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "list" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if kind == "date":
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
    wanted, example = {"str": ("a string", '"..."'), "list": ("a list of strings", '["..."]'),
                       "date": ("a date", "2027-06-30")}[kind]
    raise _fail(path, text, key_path, f"must be {wanted}, not {value!r}", hint=f"write it as {key_path[-1]} = {example}")


def read_rows(path: Path, known: dict[str, dict]) -> dict[str, dict]:
    """The rows ``path`` defines, merged over the ``known`` rows they override."""
    from .loader import read_toml

    text, data = read_toml(path)
    for top in data:
        if top not in ("runtimes", "cache"):  # [cache]: the shared layer cache (config/cache_url.py)
            raise _fail(path, text, (top,), f"unknown section [{top}]",
                        hint='put each runtime under [runtimes."<id>"]')
    if not isinstance(data.get("runtimes", {}), dict):
        raise _fail(path, text, ("runtimes",), "runtimes must be a table of runtime tables",
                    hint='write each runtime as [runtimes."<id>"]')
    rows: dict[str, dict] = {}
    for runtime_id, fields in data.get("runtimes", {}).items():
        where = ("runtimes", runtime_id)
        if not isinstance(fields, dict):
            raise _fail(path, text, where, f"runtime {runtime_id!r} must be a table",
                        hint=f'write it as [runtimes."{runtime_id}"]')
        row = dict(known.get(runtime_id, {}))
        for key, value in fields.items():
            if key not in FIELDS:
                close = close_matches(key, FIELDS)
                raise _fail(path, text, where + (key,), f"unknown field {key!r} in runtime {runtime_id!r}",
                            hint=f"did you mean {close[0]!r}?" if close else "fields: " + ", ".join(FIELDS))
            row[key] = _value(path, text, where + (key,), FIELDS[key][0], value)
        for key in REQUIRED:
            if key not in row:
                raise _fail(path, text, where, f"runtime {runtime_id!r} is missing the field {key!r}",
                            hint=f"add {key} = ... under [runtimes.\"{runtime_id}\"] ({FIELDS[key][1]})")
        rows[runtime_id] = row
    return rows


def packaged_files() -> list[Path]:
    return sorted(PACKAGED_DIR.glob("runtimes-*.toml"))


def load_rows(root: Path | None = None) -> dict[str, dict]:
    """Built-in rows, then the packaged runtime files, then the project's own file."""
    rows = dict(RUNTIME_TABLE)
    files = packaged_files()
    if root is not None and (Path(root) / PROJECT_FILE).is_file():
        files.append(Path(root) / PROJECT_FILE)
    for path in files:
        rows.update(read_rows(path, rows))
    return rows


def load_registry(root: Path | None = None) -> Registry:
    """The registry for the project at ``root`` (built-in, packaged and project rows)."""
    return Registry(load_rows(root))


def project_registry(start: Path | None = None) -> Registry:
    """The runtimes of the project holding ``start`` (default: the current folder)."""
    from ..paths import find_root

    return load_registry(find_root(Path(start or Path.cwd()).absolute()))
