"""Version pins: reading a project's version requirement, and the runtime it picks.

A range picks the *lowest* runtime that satisfies it and is not deprecated today
(the version the project declares it needs, not one it may never have been tried
on); if only deprecated ones satisfy it, the lowest of those, and the loader warns.
Without a pin: the newest runtime of the language that can be created today. A pin
that no creatable runtime satisfies is a ``ConfigError`` naming the pin file and
line: running the code on another version than the one it pins would be a silent
guess; it names the pinned runtimes Lambda no longer accepts for new functions and
the nearest runtime that fits. The language modules find the pins; this module owns
the matching, with the ecosystems' own readers: ``packaging`` for PEP 440
(``requires-python``), ``poetry-core`` for poetry's ``^``/``~`` constraints and
``node-semver`` for ``engines.node``, imported only when a pin is read.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ...errors import ConfigError, Where
from ...runtimes import Registry, Runtime


@dataclass(frozen=True)
class Pin:
    """A version requirement found in a project file."""

    file: Path
    line: int | None
    text: str  # as written, for messages
    accepts: Callable[[tuple[int, ...]], bool]  # does a runtime's (major, minor) version fit?


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _any_patch(contains: Callable[[str], bool]):
    """A check on a runtime's (major, minor): Lambda ships the latest patch, so any patch that fits will do."""
    def accepts(version: tuple[int, ...]) -> bool:
        major, minor = (version + (0, 0))[:2]
        return any(contains(f"{major}.{minor}.{patch}") for patch in range(0, 100))

    return accepts


def pep440_accepts(spec: str):
    """A check for ``requires-python`` (``>=3.10,<3.13``, ``~=3.11``, ``==3.12.*``) on (major, minor).

    ValueError when ``spec`` is no PEP 440 specifier set.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier as err:
        raise ValueError(str(err)) from None
    return _any_patch(lambda version: specifiers.contains(version, prereleases=True))


def poetry_accepts(spec: str):
    """A check for poetry's ``python = "^3.9"`` (``~3.9``, ``>=3.8 <3.12``, ``3.12.*``, ``||``) on (major, minor).

    ValueError when poetry would not read ``spec``.
    """
    from poetry.core.constraints.version import Version, parse_constraint

    try:
        constraint = parse_constraint(spec)
    except Exception as err:  # poetry-core raises its own ParseConstraintError (a ValueError) or others
        raise ValueError(str(err)) from None
    return _any_patch(lambda version: constraint.allows(Version.parse(version)))


def semver_accepts(spec: str):
    """A check for ``engines.node`` (``>=18``, ``20.x``, ``^20.10``, ``18 || 20``, ``18 - 20``) on the major.

    Read by node-semver as npm reads it; ValueError when npm would not read ``spec``.
    """
    import nodesemver

    text = "*" if spec.strip() == "latest" else spec
    node_range = nodesemver.make_range(text, loose=True)  # ValueError for what npm cannot read

    def accepts(version: tuple[int, ...]) -> bool:
        major = version[0]
        # Every minor's first and a late patch, and each version the range names within this major.
        tries = {f"{major}.{minor}.{patch}" for minor in range(0, 100) for patch in (0, 99)}
        for comparators in node_range.set:
            tries |= {str(c.semver) for c in comparators
                      if getattr(c.semver, "major", None) == major}
        return any(node_range.test(nodesemver.make_semver(t, loose=True)) for t in sorted(tries))

    return accepts


def choose(lang: str, pin: Pin | None, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    """The runtime ``pin`` picks for ``lang`` and a sentence saying why; ConfigError when none fits."""
    if pin is None:
        newest = registry.newest(lang, today)
        return newest, f"no version pin; the newest {lang} runtime"
    runtimes = [r for r in registry.all() if r.language == lang]
    creatable = [r for r in runtimes if r.status(today) in ("supported", "deprecated")]
    fits = sorted((r for r in creatable if pin.accepts(version_tuple(r.version))),
                  key=lambda r: version_tuple(r.version))
    preferred = [r for r in fits if r.status(today) == "supported"] or fits
    if preferred:
        chosen = preferred[0]
        return chosen, f"{pin.file.name} pins {pin.text}"
    raise _no_fit(lang, pin, runtimes, creatable, today)


def _distance(runtime: Runtime, reference: tuple[int, ...]) -> tuple[int, int]:
    have = (version_tuple(runtime.version) + (0, 0))[:2]
    want = (reference + (0, 0))[:2]
    # nearest first; between two as near, the newer one
    return abs(have[0] - want[0]) * 1000 + abs(have[1] - want[1]), -(have[0] * 1000 + have[1])


def _no_fit(lang: str, pin: Pin, runtimes: list[Runtime], creatable: list[Runtime], today: _dt.date) -> ConfigError:
    """The error for a pin no creatable runtime fits: the runtimes it names that Lambda refuses, and the nearest."""
    refused = sorted((r for r in runtimes if pin.accepts(version_tuple(r.version))),
                     key=lambda r: version_tuple(r.version))
    reference = version_tuple(refused[-1].version) if refused else version_tuple(pin.text)
    where = Where(pin.file, pin.line)
    if not creatable:
        return ConfigError(f"{pin.file.name} pins {pin.text}, and Lambda creates no {lang} function today",
                           hint="name the runtime under [metadata]", where=where)
    nearest = min(creatable, key=lambda r: _distance(r, reference))
    if refused:
        since = "; ".join(f"{r.id} since {r.block_create}" if r.block_create else r.id for r in refused)
        message = f"{pin.file.name} pins {pin.text}, which Lambda no longer accepts for new functions ({since})"
    else:
        message = f"{pin.file.name} pins {pin.text}, and no {lang} runtime Lambda can create today fits it"
    offered = ", ".join(r.id for r in sorted(creatable, key=lambda r: version_tuple(r.version)))
    return ConfigError(
        message,
        hint=f"the nearest runtime that fits is {nearest.id}: change the pin to its version {nearest.version}, "
             f"or name the runtime under [metadata] (runtime = \"{nearest.id}\"); Lambda creates {offered}",
        where=where,
    )
