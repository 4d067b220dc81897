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
Patterns that are a name with ``*`` and ``?`` only (the discovery pattern ``lambda_*.toml``, most
excludes) are matched by a regular expression with the same meaning, so the no-op ``doit build``
does not import pathspec (11 ms); every other pattern goes to pathspec. A pattern git cannot read
(one that ends in an escaping backslash) is refused where it is written: ``problem``.
"""

from __future__ import annotations

import re
from functools import lru_cache

NAME_ONLY = re.compile(r"[^/\\\[\]!#]+")  # no folder, class, escape, negation or comment: * and ? only


@lru_cache(maxsize=512)
def _compiled(patterns: tuple[str, ...]):
    """A ``match(rel) -> bool`` for ``patterns``."""
    if all(NAME_ONLY.fullmatch(p) and "**" not in p and p == p.strip() for p in patterns):
        # A slash-free pattern takes a name at any depth, and a folder it names takes what is inside.
        names = re.compile("|".join(re.escape(p).replace(r"\*", "[^/]*").replace(r"\?", "[^/]") for p in patterns))
        return lambda rel: any(names.fullmatch(part) for part in rel.rstrip("/").split("/"))
    import pathspec

    return pathspec.PathSpec.from_lines("gitignore", patterns).match_file


def matcher(patterns: tuple[str, ...]):
    """``matches`` for ``patterns`` as a ``match(rel) -> bool``: for one set matched against many paths."""
    return _compiled(patterns)


def matches(rel: str, patterns, *, folder: bool = False) -> bool:
    """Whether one of ``patterns`` takes ``rel`` (a ``/``-separated relative path; ``folder``: it is a folder)."""
    if not patterns:
        return False
    return _compiled(tuple(patterns))(rel + "/" if folder else rel)


def problem(patterns) -> str | None:
    """Why ``patterns`` cannot be matched (the first one git cannot read), or None."""
    try:
        _compiled(tuple(patterns))
    except ValueError:
        for pattern in patterns:
            try:
                _compiled((pattern,))
            except ValueError:
                return f"{pattern!r} is not a glob git can read"
    return None
