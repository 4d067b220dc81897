"""Find the line of a key in TOML source text, since tomllib does not report positions.

Good enough for messages: it follows ``[table]`` and ``[[array]]`` headers (and
sub-tables of array items), skips the bodies of multi-line strings, and matches
``key =`` (bare or quoted, dotted keys included) under the right header. A key it
cannot place falls back to the inline table holding it, then to the deepest header
on its path; None when the table is not in the text at all. ``where_in`` turns a key
path into the ``Where`` every config error carries.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Where

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- "']+?)\s*=""")


def _norm(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', dotted)
    return tuple(next(p for p in groups if p) if any(groups) else "" for groups in parts)


def _opens_multiline_string(line: str) -> str | None:
    """The delimiter of a multi-line string this line leaves open, if any."""
    for delimiter in ('"""', "'''"):
        if line.count(delimiter) % 2 == 1:
            return delimiter
    return None


def find_line(text: str, path: tuple) -> int | None:
    """The 1-based line of ``path`` (e.g. ("function", "memory_mb") or ("triggers", 1, "path")).

    When the key itself is not written, the line of the inline table holding it, else
    the deepest table header on its path (in the right ``[[array]]`` item), else None.
    """
    want = tuple(p for p in path if not isinstance(p, int))
    want_index = next((p for p in path if isinstance(p, int)), None)
    table: tuple[str, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    current_index: int | None = None
    header: tuple[int, int] | None = None  # (depth, line) of the deepest header on the way to ``want``
    inline_line: int | None = None
    open_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_string:
            if open_string in line:
                open_string = None
            continue
        match = _HEADER.match(line)
        if match:
            table = _norm(match.group(2))
            if match.group(1) == "[[":
                current_index = array_counts.get(table, -1) + 1
                array_counts[table] = current_index
            else:  # [triggers.filter] belongs to the latest [[triggers]] item
                current_index = next((array_counts[table[:n]] for n in range(len(table) - 1, 0, -1)
                                      if table[:n] in array_counts), None)
            on_the_way = want[: len(table)] == table and (want_index is None or current_index == want_index)
            if on_the_way and (header is None or len(table) > header[0]):
                header = (len(table), number)
            continue
        key = _KEY.match(line)
        if key and (want_index is None or current_index == want_index):
            full = table + _norm(key.group(1))
            if full == want:
                return number
            if len(full) < len(want) and want[: len(full)] == full and inline_line is None:
                inline_line = number  # an inline table holding the key
        open_string = _opens_multiline_string(line)
    return inline_line or (header[1] if header else None)


def key_name(key_path: tuple) -> str | None:
    """A key path as people read it: ``function.layers``, ``triggers[1].queue``; None for no key."""
    dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in key_path)
    return dotted.replace(".[", "[") or None


def where_in(path, *key_path, text: str | None = None) -> Where:
    """The ``Where`` of ``key_path`` in the TOML file at ``path``: its file, line and key name.

    The one way config errors find their place. ``text`` is the file's contents when the
    caller has them already (the loader does); otherwise the file is read, and a file
    that cannot be read gives no line.
    """
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
    line = find_line(text, tuple(key_path)) if key_path else None
    return Where(path, line, key_name(key_path))
