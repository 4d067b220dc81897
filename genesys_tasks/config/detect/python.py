"""Python detection: the version pin, handler functions in modules and packages, and named handlers.

Pin: ``python_pins`` (``.python-version``, Pipfile, ``requires-python``, poetry). A handler is a top-level
``def`` (or ``async def``) with exactly two positional parameters, the first named
``event``/``evt`` and the second ``context``/``ctx`` (a leading underscore, type
annotations and decorators allowed), read with ``ast`` (no execution), in any module
Lambda can import: top-level modules, packages and folders without ``__init__.py``
(namespace packages: ``src/app.py`` is ``src.app``), not tests. A file the host
Python cannot parse (syntax newer than the host) is read line by line instead.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ...runtimes import Registry, Runtime
from .files import Rel, in_tests, read

if TYPE_CHECKING:  # imported where a runtime or handler is detected: checking a named handler needs neither
    from .evidence import Candidate
    from .versions import Pin


def runtime_for(source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    from . import versions

    return versions.choose("python", _pin(source), registry, today)


def _pin(source: Path) -> Pin | None:
    from .python_pins import python_pin

    return python_pin(source)


# Patterns for finding handlers, kept as text: ``re`` compiles them when a TOML leaves its handler out
_EVENT = r"_?(?:event|evt)"
_CONTEXT = r"_?(?:context|ctx)"


def _is_handler(node) -> bool:
    """Exactly two positional parameters without defaults, named like (event, context)."""
    args = node.args
    positional = args.posonlyargs + args.args
    if len(positional) != 2 or args.defaults or args.vararg or args.kwonlyargs or args.kwarg:
        return False
    return bool(re.fullmatch(_EVENT, positional[0].arg) and re.fullmatch(_CONTEXT, positional[1].arg))


def _tree(text: str):
    """The module's syntax tree, or None when the host Python cannot read it (newer syntax, Python 2)."""
    import ast

    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _handler_names(text: str) -> list[str]:
    """Top-level handler functions, decorated or not, sync or async; a file the host Python cannot
    parse is read for ``def`` lines instead."""
    import ast

    if not re.search(_MAYBE_HANDLER, text):
        return []  # no def taking an event anywhere: not worth a parse
    tree = _tree(text)
    if tree is None:
        return [m.group(1) for m in re.finditer(_PY_DEF, text, re.M)
                if re.fullmatch(r"\s*_?(?:event|evt)\s*(?::[^,]*)?,\s*_?(?:context|ctx)\s*(?::[^,]*)?,?\s*",
                                m.group(2))]
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_handler(node)]


_MAYBE_HANDLER = r"\bdef\s+\w+\s*\(\s*_?(?:event|evt)\b"
_PY_DEF = r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(([^()]*)\)"  # with re.M


def _bound(body: list) -> set[str]:
    """Names a list of statements binds (functions, classes, assignments, imports), looking inside
    top-level ``if``/``try`` blocks as Python does."""
    import ast

    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.If):
            names |= _bound(node.body) | _bound(node.orelse)
        elif isinstance(node, ast.Try):
            names |= _bound(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                names |= _bound(handler.body)
    return names


def _modules(files: list[Rel]) -> list[Rel]:
    """Python files Lambda can import by name: top-level modules, modules in packages and in folders
    without ``__init__.py`` (namespace packages); not tests, not setup.py. Lambda imports with
    ``importlib.import_module``, which takes ``email-lambda`` as it is: only a dot in a name is in the way."""
    return [rel for rel in files
            if rel.suffix == ".py" and not in_tests(rel) and rel.name != "setup.py"
            and "." not in rel.stem and not any("." in part for part in rel.parts[:-1])]


def _module_name(rel: Rel) -> str:
    return rel.without_suffix().replace("/", ".")


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """Every handler function in the modules of ``source``."""
    from .evidence import Candidate

    found = []
    for rel in _modules(files):
        for name in _handler_names(read(source / rel.posix)):
            found.append(Candidate(runtime.id, f"{_module_name(rel)}.{name}",
                                   f"{rel.posix}: def {name}(event, context)", rel.posix))
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
            # A top-level def, assignment or import of the name, as text: the usual case, confirmed
            # without parsing, so loading many functions stays fast. Anything else is read with ast.
            if re.search(rf"^(?:async[ \t]+)?def[ \t]+{name}\b|^{name}[ \t]*(?::[^=\n]*)?=(?!=)"
                         rf"|^(?:from[ \t]+\S+[ \t]+)?import[ \t]+.*\b(?:as[ \t]+)?{name}\b", text, re.M):
                return None
            tree = _tree(text)
            if tree is not None and function in _bound(tree.body):
                return None
            return f"handler {handler!r}: {path.relative_to(source).as_posix()} has no top-level function {function!r}"
    return f"handler {handler!r}: no {module.replace('.', '/')}.py in {source}"
