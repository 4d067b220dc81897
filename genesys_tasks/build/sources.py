"""Which files of a source folder a function zip carries: what the user meant to ship, nothing else.

Always left out (``[build] include`` cannot bring them back): the folders no function
ships and the language's dependency folders (``languages.skipped_dirs``), bytecode,
``.DS_Store``, and the files the caller names as its own (function TOMLs, files that
feed the layer), so that genesys writing into a TOML never changes a zip.

Left out by default, each put back by a matching ``[build] include`` pattern:

- files that may hold credentials (``CREDENTIAL_FILES``: ``.env*``, keys, ``.npmrc`` ...)
  and every dot-folder (``.aws/``, ``.ssh/``, ``.github/`` ...). These are reported:
  the build warns once, one line naming them (``Listing.dropped``).
- other tools' files (``TOOL_FILES``: ``dodo.py``, ``.gitignore``, genesys's runtime
  file), quietly: every repo has them and no function reads them.

``[build] exclude`` patterns leave out more. Patterns are globs with git's semantics
(``globs.py``), matched against the path relative to the source folder: ``*.pem`` takes
a name at any depth, ``certs/*.pem`` only the files directly in ``certs/``; ``dir/**``
is the folder and everything in it. Links, loops, FIFOs and unreadable files: ``walk``.
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache
from pathlib import Path

from ..globs import matches
from ..languages import skipped_dirs
from .walk import Listing, walk

ALWAYS_EXCLUDED_FILES = frozenset({".DS_Store"})
ALWAYS_EXCLUDED_SUFFIXES = (".pyc", ".pyo")
CREDENTIAL_FILES = (".env*", "id_rsa*", "id_ed25519*", "*.pem", "*.key", ".npmrc", ".pypirc", ".netrc")
TOOL_FILES = ("dodo.py", ".gitignore", "genesys-runtimes.toml")
WARNED, QUIET = "warned", "quiet"


@cache
def _credential_name() -> re.Pattern:
    """``CREDENTIAL_FILES`` as one expression (fnmatch's own translation of each): a name is tested once,
    not once a pattern; compiled at the first walk, not when a no-op imports this module."""
    return re.compile("|".join(map(fnmatch.translate, CREDENTIAL_FILES)))


def default_exclude(rel: str, is_folder: bool) -> str | None:
    """``WARNED`` or ``QUIET`` when a default exclude leaves ``rel`` out (it or a folder it is in), else None."""
    parts = rel.split("/")
    for index, part in enumerate(parts):
        if index < len(parts) - 1 or is_folder:
            if part.startswith("."):
                return WARNED
        elif _credential_name().match(part):
            return WARNED
        elif part in TOOL_FILES:
            return QUIET
    return None


def _may_include_below(folder: str, include: tuple[str, ...]) -> bool:
    """Whether an include pattern could match something inside ``folder`` (so the walk goes in)."""
    depth = folder.count("/") + 1
    for pattern in include:
        segments = pattern.split("/")
        if len(segments) == 1 or "**" in segments[:depth]:
            return True
        if len(segments) > depth and all(fnmatch.fnmatch(part, seg)
                                         for part, seg in zip(folder.split("/"), segments)):
            return True
    return False


class SourceRules:
    """The ``leave_out`` rule of a function's source walk; remembers the reported default excludes."""

    def __init__(self, language: str, exclude: tuple[str, ...] = (), include: tuple[str, ...] = (),
                 own: frozenset[str] = frozenset(), own_pattern: str | None = None, defaults: bool = True):
        self.skip_dirs = skipped_dirs(language)
        self.exclude, self.include, self.defaults = tuple(exclude), tuple(include), defaults
        self.own, self.own_pattern = own, own_pattern
        self.dropped: list[str] = []

    def _always(self, rel: str, is_folder: bool) -> bool:
        *folders, name = rel.split("/")
        if any(part in self.skip_dirs for part in folders) or (is_folder and name in self.skip_dirs):
            return True
        if is_folder:
            return False
        return (name in ALWAYS_EXCLUDED_FILES or name.endswith(ALWAYS_EXCLUDED_SUFFIXES) or rel in self.own
                or bool(self.own_pattern and matches(rel, (self.own_pattern,))))

    def __call__(self, rel: str, is_folder: bool) -> bool:
        if self._always(rel, is_folder) or matches(rel, self.exclude, folder=is_folder):
            return True
        kind = default_exclude(rel, is_folder) if self.defaults else None
        if kind is None:
            return False
        if is_folder and _may_include_below(rel, self.include):
            return False  # walk in: each file inside is judged on its own
        if not is_folder and matches(rel, self.include):
            return False
        if kind == WARNED:
            self.dropped.append(rel + "/" * is_folder)
        return True


def source_listing(source: Path, rules: SourceRules) -> Listing:
    """The walk of ``source`` under ``rules``, with the reported default excludes in ``dropped``."""
    listing = walk(source, leave_out=rules)
    listing.dropped = sorted(set(rules.dropped))
    return listing


def source_files(source: Path, language: str, exclude: tuple[str, ...] = (), *,
                 defaults: bool = True) -> list[tuple[str, Path]]:
    """The files a zip of ``source`` carries (BuildError when one cannot be zipped as it is).

    ``defaults=False`` keeps the default excludes in (a compiler's scratch copy, which ships nothing itself).
    """
    listing = source_listing(source, SourceRules(language, exclude, defaults=defaults))
    return listing.check(f"the sources in {source}").entries
