"""The files detection looks at: a bounded, sorted walk of the source folder, and cheap reads.

Owns what counts as a function's own file: dependency, build and dot folders are
skipped (``languages.SKIP_DIRS``), test files and tool configuration scripts are not
sources, and only the start of each file is read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from ...languages import SKIP_DIRS

TEST_DIRS = frozenset({"test", "tests", "__tests__", "testing", "spec"})
MAX_DEPTH = 10  # src/main/java/com/example/app/Handler.java is depth 6
MAX_FILES = 5000  # a source_path pointing at a whole repo stays fast
READ_LIMIT = 512 * 1024  # handlers live near the top of small files


class Rel(NamedTuple):
    """A file's path relative to the source folder, as strings: detection makes thousands of these."""

    posix: str  # "src/app.py"
    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.parts[-1])[1]

    @property
    def stem(self) -> str:
        return os.path.splitext(self.parts[-1])[0]

    @property
    def folder(self) -> str:
        return "/".join(self.parts[:-1]) or "."

    def without_suffix(self) -> str:
        return os.path.splitext(self.posix)[0]


def walk(source: Path) -> list[Rel]:
    """Files below ``source``, sorted, skipping build/dependency folders and dot folders."""
    found: list[Rel] = []
    top = os.fspath(source)
    for folder, dirs, files in os.walk(top):
        prefix = tuple(os.path.relpath(folder, top).split(os.sep)) if folder != top else ()
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
                         and len(prefix) < MAX_DEPTH)
        for name in sorted(files):
            parts = prefix + (name,)
            found.append(Rel("/".join(parts), parts))
        if len(found) >= MAX_FILES:
            break
    return found


def is_tooling(name: str) -> bool:
    """Config scripts of tools (``jest.config.js``, ``.eslintrc.js``) are not function sources."""
    return name.startswith(".") or ".config." in name or name.endswith((".d.ts",))


def in_tests(rel: Rel) -> bool:
    if any(part in TEST_DIRS for part in rel.parts[:-1]):
        return True
    name = rel.name
    return (name.startswith("test_") or name == "conftest.py" or name.endswith(("_test.py", "_test.go"))
            or re.search(r"\.(test|spec)\.[cm]?[jt]s$", name) is not None)


def read(path: Path | str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(READ_LIMIT)
    except OSError:
        return ""


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line of the first ``needle`` in ``text``, for messages about a pin."""
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
