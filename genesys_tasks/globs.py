"""The one glob matcher for every pattern a user writes: ``[build] include``/``exclude``, the
discovery pattern (``GENESYS_PATTERN``) and what ``genesys changed`` counts as a function file.

Patterns have git's semantics (a ``.gitignore`` line, pathspec's ``gitignore`` patterns), matched
against a path relative to the folder they are written for, with ``/`` separators:

- ``*`` and ``?`` never cross ``/``; ``**`` spans folders (``a/**/b``, ``dir/**``);
- a pattern without a ``/`` (other than a trailing one) matches a name at any depth:
  ``*.pem`` takes ``x.pem`` and ``certs/sub/x.pem``;
- a pattern with a ``/`` is anchored at the folder: ``certs/*.pem`` takes ``certs/x.pem``,
  never ``certs/sub/x.pem`` nor ``other/certs/x.pem``;
- a pattern naming a folder (``dir``, ``dir/``, ``dir/**``) takes everything in it.

Pure: no I/O. Compiled pattern sets are kept per tuple of patterns (they repeat for every file).
"""

from __future__ import annotations

from functools import lru_cache

import pathspec


@lru_cache(maxsize=512)
def _compiled(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.PathSpec.from_lines("gitignore", patterns)


def matches(rel: str, patterns, *, folder: bool = False) -> bool:
    """Whether one of ``patterns`` takes ``rel`` (a ``/``-separated relative path; ``folder``: it is a folder)."""
    if not patterns:
        return False
    return _compiled(tuple(patterns)).match_file(rel + "/" if folder else rel)
