"""Parsing one TOML file's text into data; every failure a ConfigError with its line.

A byte-order mark, a syntax error and values nested deeper than the parser can follow
(``tomllib`` recurses, so ``[[[[...]]]]`` would end in a RecursionError) each say what
is wrong and where, instead of a traceback.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import ConfigError, Where

BOM = "\ufeff"  # TOML is UTF-8 without one; tomllib rejects it as an "invalid statement"


def parse(path: Path, text: str) -> dict:
    """The data of ``text``, read from ``path`` (named in errors)."""
    if text.startswith(BOM):
        raise ConfigError("the file starts with a byte-order mark (BOM); TOML files are UTF-8 without one",
                          hint="save it as UTF-8 without BOM (in most editors: Save with Encoding > UTF-8)",
                          where=Where(path, 1))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise ConfigError(f"not valid TOML: {err}", hint="fix the syntax at that line",
                          where=Where(path, int(match.group(1)) if match else None)) from None
    except RecursionError:
        raise ConfigError("values are nested too deeply to read", hint="flatten the nested arrays or tables",
                          where=Where(path, deepest_line(text))) from None


def deepest_line(text: str) -> int | None:
    """The line where arrays and inline tables nest deepest (strings and comments skipped)."""
    depth, deepest, line_of_deepest, quote = 0, 0, None, None
    for number, line in enumerate(text.splitlines(), start=1):
        escaped = False
        for char in line:
            if quote:
                if escaped:
                    escaped = False
                elif char == "\\" and quote == '"':
                    escaped = True
                elif char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > deepest:
                    deepest, line_of_deepest = depth, number
            elif char in "]}":
                depth -= 1
        quote = None
    return line_of_deepest
