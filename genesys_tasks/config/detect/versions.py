"""Version pins: reading a project's version requirement, and the runtime it picks.

A range picks the *lowest* runtime that satisfies it and is not deprecated today
(the version the project declares it needs, not one it may never have been tried
on); if only deprecated ones satisfy it, the lowest of those, and the loader warns.
Without a pin: the newest runtime of the language that can be created today. A pin
that no creatable runtime satisfies is a ``ConfigError`` naming the pin file and
line: running the code on another version than the one it pins would be a silent
guess. The language modules find the pins; this module owns the matching.
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


def pep440_accepts(spec: str):
    """A check for ``requires-python`` (``>=3.10,<3.13``, ``~=3.11``, ``==3.12.*``) on (major, minor)."""
    clauses = []
    for raw in spec.split(","):
        raw = raw.strip()
        if not raw:
            continue
        match = re.fullmatch(r"(~=|===|==|!=|<=|>=|<|>)?\s*v?([\d.]+)(\.\*)?", raw)
        if not match:
            raise ValueError(raw)
        clauses.append((match.group(1) or "==", version_tuple(match.group(2)), bool(match.group(3))))

    def clause_ok(op, want, wildcard, have):
        padded = want + (0,) * (3 - len(want))
        if op in ("==", "===", "!=") and (wildcard or len(want) < 3):
            equal = have[: len(want)] == want
            return equal if op != "!=" else not equal
        if op == "~=":
            prefix = want[:-1]
            return have >= padded and have[: len(prefix)] == prefix
        return {"==": have == padded, "===": have == padded, "!=": have != padded, "<=": have <= padded,
                ">=": have >= padded, "<": have < padded, ">": have > padded}[op]

    def accepts(version: tuple[int, ...]) -> bool:
        # Lambda ships the latest patch of a minor version: any patch satisfying every clause will do.
        return any(all(clause_ok(op, want, wild, version[:2] + (patch,)) for op, want, wild in clauses)
                   for patch in range(0, 100))

    return accepts


def semver_accepts(spec: str):
    """A check for ``engines.node`` (``>=18``, ``20.x``, ``^20.10``, ``18 || 20``, ``18 - 20``) on the major."""
    alternatives = []
    for alternative in spec.split("||"):
        alternative = alternative.strip()
        hyphen = re.fullmatch(r"([\d.xX*]+)\s+-\s+([\d.xX*]+)", alternative)
        comparators = []
        if hyphen:
            comparators = [(">=", hyphen.group(1)), ("<=~", hyphen.group(2))]
        else:
            for token in re.findall(r"(\^|~|>=|<=|>|<|=)?\s*v?([\dxX*][\d.xX*]*)", alternative):
                comparators.append((token[0] or "=", token[1]))
        if not comparators and alternative not in ("", "*", "x", "latest"):
            raise ValueError(alternative)
        alternatives.append(comparators)

    def one(op: str, text: str, have: tuple[int, int, int]) -> bool:
        parts = [p for p in text.split(".") if p not in ("x", "X", "*")]
        want = tuple(int(p) for p in parts if p.isdigit())[:3]
        if not want:
            return True
        padded = want + (0,) * (3 - len(want))
        if op in ("=", "<=~"):
            if len(want) < 3:  # "20", "20.x": any 20.*
                return have[: len(want)] == want if op == "=" else have[: len(want)] <= want
            return have == padded if op == "=" else have <= padded
        if op == "^":
            return have >= padded and have[0] == want[0]
        if op == "~":
            return have >= padded and have[: min(2, len(want))] == want[:2]
        return {">=": have >= padded, "<=": have <= padded, ">": have > padded, "<": have < padded}[op]

    def accepts(version: tuple[int, ...]) -> bool:
        major = version[0]
        for comparators in alternatives:
            tries = {(major, 0, 0), (major, 99, 99)}
            tries |= {(major,) + (version_tuple(t) + (0, 0))[1:3] for _, t in comparators
                      if version_tuple(t)[:1] == (major,)}
            if any(all(one(op, text, have) for op, text in comparators) for have in tries):
                return True
        return False

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
    offered = ", ".join(r.id for r in sorted(creatable, key=lambda r: version_tuple(r.version)))
    raise ConfigError(
        f"{pin.file.name} pins {pin.text}, and no {lang} runtime Lambda can create today fits it",
        hint=f"change the pin to a version Lambda runs ({offered}), or name the runtime under [metadata]",
        where=Where(pin.file, pin.line),
    )
