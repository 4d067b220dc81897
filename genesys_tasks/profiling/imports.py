"""Import timings: ``-X importtime`` lines read into a tree, and what each top-level package cost.

Python writes one line a module when its import finishes (post-order), its nesting as two
spaces a level: ``import time:  self [us] | cumulative | name``. The Node hook
(``local/shims/import_timer.cjs``) writes the same lines for each CommonJS module it loads,
the name being the file's path. Lines of the function's own logs in between are skipped.

A cold start's roots (the imports nobody else imported) come in two parts: those before the
first root that is the function's own (its code, its layer, the runtime's SDK) are the
runtime starting (interpreter and runtime client); from it on, the function's. A package's
cumulative time is the sum over the places it was entered from outside itself (what
importing it cost, with what it imported first); its self time is its own modules only.
Where a name comes from is asked of ``where`` (a ``Placer``), so this module reads no files.
"""

from __future__ import annotations

import os
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

_LINE = re.compile(r"import time:\s*(\d+) \|\s*(\d+) \| ( *)(\S.*?)\s*$")
FUNCTION_ORIGINS = ("function", "layer", "runtime SDK")  # what the function brings: the runtime does not
RUNTIME_START = "(runtime start)"


@dataclass(frozen=True)
class ImportNode:
    """One module's import: its own time, the time with what it imported first, and those imports."""

    name: str
    self_us: int
    cumulative_us: int
    children: tuple["ImportNode", ...] = ()


@dataclass(frozen=True)
class Place:
    """Where a module comes from: its top-level ``package``, the ``origin`` (FUNCTION_ORIGINS, "runtime
    client" or "interpreter") and the ``label`` people read (a Node file's path from its package)."""

    package: str
    origin: str
    label: str


Placer = Callable[[str], Place]


@dataclass(frozen=True)
class PackageTime:
    """The import time of one package, summed over its modules."""

    package: str
    origin: str
    cumulative_us: int
    self_us: int
    modules: int


@dataclass(frozen=True)
class Breakdown:
    """One cold start's imports: the runtime's part, the function's, and the function's packages."""

    runtime_us: int
    function_us: int
    packages: tuple[PackageTime, ...]  # the function's part, slowest (cumulative) first
    roots: tuple[ImportNode, ...]


def parse(text: str) -> tuple[ImportNode, ...]:
    """The import tree's roots, in the order they finished; other lines are skipped."""
    pending: dict[int, list[ImportNode]] = {}
    for line in text.splitlines():
        found = _LINE.search(line)
        if not found:
            continue
        own, cumulative, indent, name = found.groups()
        depth = len(indent) // 2
        children = tuple(pending.pop(depth + 1, ()))
        pending.setdefault(depth, []).append(ImportNode(name, int(own), int(cumulative), children))
    return tuple(pending.get(0, ()))


def breakdown(roots: tuple[ImportNode, ...], where: Placer) -> Breakdown:
    """Split ``roots`` into the runtime's start and the function's imports, and total the function's packages."""
    first = _first_own(roots, where)
    runtime, own = roots[:first], roots[first:]
    totals: dict[str, list] = {}

    def visit(node: ImportNode, outer: str | None) -> None:
        place = where(node.name)
        row = totals.setdefault(place.package, [place.origin, 0, 0, 0])
        if place.package != outer:
            row[1] += node.cumulative_us
        row[2] += node.self_us
        row[3] += 1
        for child in node.children:
            visit(child, place.package)

    for root in own:
        visit(root, None)
    packages = tuple(PackageTime(name, origin, cumulative, own_us, modules)
                     for name, (origin, cumulative, own_us, modules) in totals.items())
    return Breakdown(sum(r.cumulative_us for r in runtime), sum(r.cumulative_us for r in own),
                     _slowest_first(packages), roots)


def typical(breakdowns: list[Breakdown]) -> tuple[PackageTime, ...]:
    """Each package's median over several cold starts (a run that did not import it counts 0)."""
    seen: dict[str, PackageTime] = {}
    for one in breakdowns:
        for package in one.packages:
            seen.setdefault(package.package, package)

    def median(name: str, field: str) -> int:
        values = [next((getattr(p, field) for p in one.packages if p.package == name), 0) for one in breakdowns]
        return int(statistics.median(values))

    return _slowest_first(tuple(PackageTime(name, first.origin, median(name, "cumulative_us"),
                                            median(name, "self_us"), first.modules)
                                for name, first in seen.items()))


def _slowest_first(packages) -> tuple[PackageTime, ...]:
    return tuple(sorted(packages, key=lambda p: (-p.cumulative_us, p.package)))


def tree(one: Breakdown, where: Placer, smallest_share: float = 0.002) -> dict:
    """The cold start's imports as nested ``{"name", "origin", "ms", "children"}`` for an icicle chart:
    the runtime's roots under one node, the function's roots beside it; imports under
    ``smallest_share`` of the total are summed into one "(N smaller)" node per parent."""
    total = max(one.runtime_us + one.function_us, 1)
    cut = total * smallest_share
    first = _first_own(one.roots, where)

    def node(item: ImportNode) -> dict:
        place = where(item.name)
        return {"name": place.label, "package": place.package, "origin": place.origin,
                "ms": _ms(item.cumulative_us), "children": kids(item.children)}

    def kids(items) -> list[dict]:
        kept = [node(item) for item in items if item.cumulative_us >= cut]
        small = [item for item in items if item.cumulative_us < cut]
        if small:
            kept.append({"name": f"({len(small)} smaller)", "package": "", "origin": "",
                         "ms": _ms(sum(i.cumulative_us for i in small)), "children": []})
        return kept

    children = []
    if first:
        children.append({"name": RUNTIME_START, "package": "", "origin": "runtime client",
                         "ms": _ms(one.runtime_us), "children": kids(one.roots[:first])})
    children += kids(one.roots[first:])
    return {"name": "imports", "package": "", "origin": "", "ms": _ms(total), "children": children}


def _first_own(roots: tuple[ImportNode, ...], where: Placer) -> int:
    """The index of the first root that is the function's (its code, its layer, the runtime's SDK)."""
    return next((i for i, root in enumerate(roots) if where(root.name).origin in FUNCTION_ORIGINS), len(roots))


def _ms(us: int) -> float:
    return round(us / 1000, 3)


def python_placer(folders: list[tuple[str, str]]) -> Placer:
    """Where a Python module comes from: the first of ``folders`` ((path, origin), the import path's
    order) holding its top-level package or module; else the interpreter's own (the standard library)."""
    cache: dict[str, Place] = {}

    def where(name: str) -> Place:
        top = name.split(".")[0]
        if top not in cache:
            origin = next((origin for folder, origin in folders if _holds(Path(folder), top)), "interpreter")
            cache[top] = Place(top, origin, top)
        found = cache[top]
        return Place(found.package, found.origin, name)

    return where


def _holds(folder: Path, top: str) -> bool:
    if (folder / top).is_dir() or (folder / f"{top}.py").is_file():
        return True
    return any(folder.glob(f"{top}.*.so")) or (folder / f"{top}.so").is_file()


def node_placer(folders: list[tuple[str, str]]) -> Placer:
    """Where a Node module (a file path) comes from: the folder of ``folders`` it is in; its package is
    the one after the last ``node_modules/`` (``@scope/name``), else its first path part there."""

    def where(name: str) -> Place:
        origin, rest = "interpreter", name
        for folder, folder_origin in folders:
            prefix = folder.rstrip(os.sep) + os.sep
            if name.startswith(prefix):
                origin, rest = folder_origin, name[len(prefix):]
                break
        _, marker, inside = rest.rpartition("node_modules/")
        parts = (inside if marker else rest).split("/")
        depth = 2 if marker and parts[0].startswith("@") and len(parts) > 1 else 1
        package = "/".join(parts[:depth])
        return Place(package, origin, inside if marker else rest)

    return where
