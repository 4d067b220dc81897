"""Python detection: the version pin, handler functions in modules and packages, and named handlers.

Pin: ``python_pins`` (``.python-version``, Pipfile, ``requires-python``, poetry). A handler is a top-level
``def`` (or ``async def``) with exactly two positional parameters, the first named
``event``/``evt`` and the second ``context``/``ctx`` (a leading underscore and type
annotations allowed), in top-level modules and packages (folders with
``__init__.py``), not in tests.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ...runtimes import Registry, Runtime
from . import versions
from .evidence import Candidate
from .files import Rel, in_tests, read
from .python_pins import python_pin
from .versions import Pin


def runtime_for(source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    return versions.choose("python", _pin(source), registry, today)


def _pin(source: Path) -> Pin | None:
    return python_pin(source)


def _split_params(text: str) -> list[str]:
    params, depth, current = [], 0, ""
    for char in text:
        if char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        if char == "," and depth == 0:
            params.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        params.append(current.strip())
    return params


_PY_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", re.M)
_EVENT = re.compile(r"_?(?:event|evt)")
_CONTEXT = re.compile(r"_?(?:context|ctx)")


def _handler_names(text: str) -> list[str]:
    names = []
    for match in _PY_DEF.finditer(text):
        params = _split_params(match.group(2))
        if len(params) != 2 or any("=" in p or p.startswith("*") or p == "/" for p in params):
            continue
        first, second = (p.split(":", 1)[0].strip() for p in params)
        if _EVENT.fullmatch(first) and _CONTEXT.fullmatch(second):
            names.append(match.group(1))
    return names


def _modules(files: list[Rel]) -> list[Rel]:
    """Top-level modules and modules inside packages (every folder on the way has __init__.py)."""
    present = {f.posix for f in files}
    modules = []
    for rel in files:
        if rel.suffix != ".py" or in_tests(rel) or rel.name == "setup.py":
            continue
        folders = rel.parts[:-1]
        if all(f"{'/'.join(folders[: i + 1])}/__init__.py" in present for i in range(len(folders))):
            modules.append(rel)
    return modules


def _module_name(rel: Rel) -> str:
    return rel.without_suffix().replace("/", ".")


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """Every handler function in the modules of ``source``."""
    found = []
    for rel in _modules(files):
        for name in _handler_names(read(source / rel.posix)):
            found.append(Candidate(runtime.id, f"{_module_name(rel)}.{name}",
                                   f"{rel.posix}: def {name}(event, context)"))
    return found


def check(source: Path, handler: str) -> str | None:
    """What is wrong with the named ``module.function`` handler, or None."""
    module, _, function = handler.rpartition(".")
    if not module or not function:
        return f"handler {handler!r} must be module.function, e.g. app.lambda_handler"
    base = source.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            text = read(path)
            name = re.escape(function)
            if re.search(rf"^(?:async[ \t]+)?def[ \t]+{name}\b|^{name}[ \t]*(?::[^=\n]*)?=(?!=)"
                         rf"|^(?:from[ \t]+\S+[ \t]+)?import[ \t]+.*\b(?:as[ \t]+)?{name}\b", text, re.M):
                return None
            return f"handler {handler!r}: {path.relative_to(source).as_posix()} has no top-level function {function!r}"
    return f"handler {handler!r}: no {module.replace('.', '/')}.py in {source}"

