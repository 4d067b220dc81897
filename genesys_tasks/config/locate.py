"""Find the line of a key in TOML source text, since tomllib does not report positions.

Good enough for messages: it follows ``[table]`` and ``[[array]]`` headers and
matches ``key =`` (bare or quoted, dotted keys included) under the right header.
Anything it cannot place falls back to the header's line, then to line 1.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- "']+?)\s*=""")


def _norm(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', dotted)
    return tuple(next(p for p in groups if p) if any(groups) else "" for groups in parts)


def find_line(text: str, path: tuple) -> int | None:
    """The 1-based line of ``path`` (e.g. ("function", "memory_mb") or ("triggers", 1, "path"))."""
    want = tuple(p for p in path if not isinstance(p, int))
    want_index = next((p for p in path if isinstance(p, int)), None)
    table: tuple[str, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    current_index: int | None = None
    header_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _norm(header.group(2))
            current_index = None
            if header.group(1) == "[[":
                current_index = array_counts.get(table, -1) + 1
                array_counts[table] = current_index
            if table == want and (want_index is None or current_index == want_index):
                header_line = header_line or number
            continue
        key = _KEY.match(line)
        if not key:
            continue
        full = table + _norm(key.group(1))
        if want_index is not None and current_index != want_index:
            continue
        if full == want:
            return number
        if len(full) < len(want) and want[: len(full)] == full and header_line is None:
            header_line = number  # an inline table holding the key
    return header_line
