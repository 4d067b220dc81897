"""Validating one TOML file's values against the schema table, with every error at its file:line.

``Reader`` holds the file's path and text, so any check can fail with the line of
the key it is about (through ``locate.where_in``). ``check_value`` does type, range
and choice checks for one value; ``section`` checks a whole table against its keys
and fills defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError, Where, close_matches
from .schema import Key

_TYPE_NAMES = {"str": "a string", "int": "a whole number", "bool": "true or false",
               "list": "a list", "map": "a table of strings", "table": "a table"}


def example(key: Key) -> str:
    """A value of the right kind for ``key``, as TOML, for hints."""
    if key.choices:
        if key.kind == "int":
            return str(key.choices[0])
        return repr(key.choices[0]).replace("'", '"') if key.kind == "str" else f'["{key.choices[0]}"]'
    return {"str": '"..."', "int": str(key.minimum or 1), "bool": "true", "list": '["..."]',
            "map": '{ KEY = "value" }', "table": "[section.sub]"}[key.kind]


def shown(value: Any, limit: int = 60) -> str:
    """``value`` as people read it in a message: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind_ok(kind: str, value: Any) -> bool:
    return {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list),
        "map": isinstance(value, dict),
        "table": isinstance(value, dict),
    }[kind]


class Reader:
    """Validation state for one file: knows the text, so every error can carry a line."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text

    def where(self, *key_path) -> Where:
        from .locate import where_in  # finding the line is for errors: a valid file never pays for it

        return where_in(self.path, *key_path, text=self.text)

    def fail(self, key_path: tuple, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, hint=hint, where=self.where(*key_path))

    def check_value(self, key_path: tuple, key: Key, value: Any) -> Any:
        """Type, range and choice checks for one value; returns it normalised."""
        if not _kind_ok(key.kind, value):
            raise self.fail(key_path, f"must be {_TYPE_NAMES[key.kind]}, not {type(value).__name__} {shown(value)}",
                            hint=f"write it as {example(key)}")
        if key.kind == "int":
            if key.minimum is not None and value < key.minimum or key.maximum is not None and value > key.maximum:
                raise self.fail(key_path, f"{value} is out of range",
                                hint=f"use a value from {key.minimum} to {key.maximum}")
        if key.kind == "int" and key.choices and value not in key.choices:
            raise self.fail(key_path, f"{value} is not allowed",
                            hint="use one of: " + ", ".join(str(c) for c in key.choices))
        if key.kind == "list":
            self._check_list(key_path, key, value)
        if key.kind == "map":
            for k, v in value.items():
                if not isinstance(v, str):
                    raise self.fail(key_path + (k,), f"must be a string, not {shown(v)}",
                                    hint=f'quote it: {k} = "{shown(v, 40)}"')
        if key.kind == "str" and key.choices and value not in key.choices:
            close = close_matches(value, key.choices)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.fail(key_path, f"{shown(value)} is not allowed",
                            hint=hint + "use one of: " + ", ".join(repr(c) for c in key.choices))
        return value

    def _check_list(self, key_path: tuple, key: Key, value: list) -> None:
        for item in value:
            if not isinstance(item, str):
                raise self.fail(key_path, f"every item must be a string, not {shown(item)}")
        for item in value if key.choices else ():
            if item not in key.choices:
                raise self.fail(key_path, f"{shown(item)} is not allowed",
                                hint="use " + " or ".join(repr(c) for c in key.choices))

    def section(self, data: dict, name: str, keys: dict[str, Key], path: tuple) -> dict:
        """Validate one table against ``keys`` and return it with defaults filled."""
        if not isinstance(data, dict):
            raise self.fail(path, f"[{name}] must be a table")
        for key in data:
            if key not in keys:
                close = close_matches(key, keys)
                hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(keys)
                raise self.fail(path + (key,), f"unknown key {key!r} in [{name}]", hint=hint)
        values = {}
        for key, spec in keys.items():
            if key in data:
                values[key] = self.check_value(path + (key,), spec, data[key])
            elif spec.required:
                raise self.fail(path, f"missing required key {key!r} in [{name}]",
                                hint=f"add {key} = {example(spec)} under [{name}]")
            else:
                values[key] = spec.default
        return values
