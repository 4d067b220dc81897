"""Ruby detection: the Gemfile's or ``.ruby-version``'s pin, handler methods, and named handlers.

Pin: ``.ruby-version``, else the Gemfile's ``ruby "~> 3.3"`` line (RubyGems operators:
``~>``, ``>=``, ``>``, ``<=``, ``<``, ``=``, ``!=``). A handler is a method taking the
keyword arguments ``event:`` and ``context:``, read from the syntax tree (tree-sitter's
Ruby grammar): a top-level ``def run(event:, context:)`` in ``src/handler.rb`` is
``src/handler.run``, a ``def self.run(event:, context:)`` in ``module Shop; class Api``
is ``src/handler.Shop::Api.run``, as Lambda's Ruby runtime names them.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ...errors import ConfigError, Where
from ...runtimes import Registry, Runtime
from . import versions
from .evidence import Candidate
from .files import Rel, in_tests, is_tooling, read
from .syntax import line_of, parse_file, text_of
from .versions import Pin

_GEMFILE_RUBY = re.compile(r"""^\s*ruby\s*\(?\s*['"]([^'"]+)['"]""", re.M)
_GEM_CLAUSE = re.compile(r"\s*(~>|>=|<=|!=|>|<|=)?\s*(\d+(?:\.\d+)*)\s*")


def runtime_for(source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    return versions.choose("ruby", _pin(source), registry, today)


def gem_accepts(spec: str):
    """A check for a RubyGems requirement (``~> 3.3``, ``>= 3.2, < 3.4``) on a runtime's (major, minor)."""
    clauses = []
    for raw in spec.split(","):
        match = _GEM_CLAUSE.fullmatch(raw)
        if not match:
            raise ValueError(raw)
        clauses.append((match.group(1) or "=", versions.version_tuple(match.group(2))))

    def one(op: str, want: tuple[int, ...], have: tuple[int, ...]) -> bool:
        if op == "~>":  # ~> 3.3 is >= 3.3, < 4; ~> 3.3.1 is >= 3.3.1, < 3.4
            return have[: len(want) - 1] == want[:-1] and have[:2] >= want[:2]
        if op in ("=", "!="):
            return (have[: len(want[:2])] == want[:2]) == (op == "=")
        padded = have[:2] + (99,) if op in (">", ">=") else have[:2] + (0,)
        return {">": padded > want, ">=": padded >= want, "<": padded < want, "<=": padded <= want}[op]

    return lambda version: all(one(op, want, version) for op, want in clauses)


def _pin(source: Path) -> Pin | None:
    pinned = source / ".ruby-version"
    if pinned.is_file():
        for number, line in enumerate(read(pinned).splitlines(), start=1):
            version = versions.version_tuple(line.strip().removeprefix("ruby-"))[:2]
            if len(version) == 2:
                return Pin(pinned, number, line.strip(), lambda v, want=version: v[:2] == want)
    gemfile = source / "Gemfile"
    text = read(gemfile) if gemfile.is_file() else ""
    match = _GEMFILE_RUBY.search(text)
    if not match:
        return None
    line = text.count("\n", 0, match.start(1)) + 1
    try:
        return Pin(gemfile, line, f'ruby "{match.group(1)}"', gem_accepts(match.group(1)))
    except ValueError:
        raise ConfigError(f'cannot read ruby "{match.group(1)}"', hint='write a version, e.g. ruby "~> 3.3"',
                          where=Where(gemfile, line)) from None


def _methods(node, scope: str = ""):
    """(handler name, method node) of every method at the top level and in classes and modules:
    ``run`` for a top-level method, ``Shop::Api.run`` for ``def self.run`` in ``Shop::Api``."""
    for child in node.named_children:
        if child.type == "method" and not scope:
            yield text_of(child.child_by_field_name("name")), child
        elif child.type == "singleton_method" and scope:
            yield f"{scope}.{text_of(child.child_by_field_name('name'))}", child
        elif child.type in ("class", "module"):
            name = text_of(child.child_by_field_name("name"))
            body = child.child_by_field_name("body")
            if body is not None:
                yield from _methods(body, f"{scope}::{name}" if scope else name)


def _is_handler(method) -> bool:
    params = method.child_by_field_name("parameters")
    keywords = {text_of(p.child_by_field_name("name")).lstrip("_") for p in params.named_children
                if p.type == "keyword_parameter"} if params is not None else set()
    return {"event", "context"} <= keywords


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """Every method taking ``event:`` and ``context:`` in the Ruby sources."""
    found = []
    for rel in files:
        if rel.suffix != ".rb" or is_tooling(rel.name) or in_tests(rel) or rel.name == "Gemfile":
            continue
        root = parse_file(source / rel.posix)
        for name, method in _methods(root) if root is not None else ():
            if _is_handler(method):
                found.append(Candidate(runtime.id, f"{rel.without_suffix()}.{name}",
                                       f"{rel.posix}:{line_of(method)}: def {name.rsplit('.', 1)[-1]}"
                                       "(event:, context:)", rel.posix))
    return found


def check(source: Path, handler: str) -> str | None:
    """What is wrong with the named ``file.method`` or ``file.Module::Class.method`` handler, or None."""
    folder, slash, tail = handler.rpartition("/")
    stem, _, name = tail.partition(".")
    if not stem or not name:
        return f"handler {handler!r} must be file.method, e.g. app.lambda_handler"
    path = source / f"{folder}{slash}{stem}.rb"
    if not path.is_file():
        return f"handler {handler!r}: no {folder}{slash}{stem}.rb in {source}"
    method = name.rsplit(".", 1)[-1]
    if re.search(rf"^\s*def\s+(?:self\.)?{re.escape(method)}\b", read(path), re.M):
        return None  # the common case, without loading the grammar
    root = parse_file(path)
    if root is not None and name in {found for found, _ in _methods(root)}:
        return None
    return f"handler {handler!r}: {path.relative_to(source).as_posix()} defines no method {name!r}"
