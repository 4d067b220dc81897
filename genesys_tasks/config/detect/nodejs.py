"""Node.js detection: the ``engines.node`` pin, exported functions as handlers, and named handlers.

A handler is any function a .js/.mjs/.cjs file exports, or a TypeScript one (.ts/.mts/
.cts, which the build bundles, unless its compiled .js is beside it), in any CommonJS
or ES module form (read from its syntax tree, ``javascript.exports``); the handler string keeps the
subfolder (``src/index.lambdaHandler``). Exports named like a handler win over
functions taking an event, which win over any other exported function, which
wins over a value a call made (``hello: serverless(app)``); several of the best
kind are listed, never guessed. ``find_node_handlers`` reads one file,
TypeScript included.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from ...errors import ConfigError, Where
from ...runtimes import Registry, Runtime
from . import versions
from .evidence import Candidate
from .files import Rel, in_tests, is_tooling, line_of, read
from .syntax import parse_file
from .versions import Pin

JS_EXTENSIONS = (".js", ".mjs", ".cjs")
# TypeScript handlers are bundled by the build (esbuild) unless their compiled JavaScript is beside them.
HANDLER_EXTENSIONS = JS_EXTENSIONS + (".ts", ".mts", ".cts")


def runtime_for(source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    return versions.choose("nodejs", _pin(source), registry, today)


def _pin(source: Path) -> Pin | None:
    package = source / "package.json"
    if not package.is_file():
        return None
    text = read(package)
    try:
        data = json.loads(text)
    except ValueError:
        return None
    engines = data.get("engines") if isinstance(data, dict) else None
    spec = engines.get("node") if isinstance(engines, dict) else None
    if not isinstance(spec, str) or not spec.strip():
        return None
    line = line_of(text, '"node"')
    try:
        return Pin(package, line, f'engines.node = "{spec}"', versions.semver_accepts(spec))
    except ValueError:
        raise ConfigError(f'cannot read engines.node = "{spec}"', hint='write a range, e.g. ">=20"',
                          where=Where(package, line, "engines.node")) from None


def _strip_js_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"^[ \t]*//.*$", "", text, flags=re.M)


def _js_exports(name: str) -> re.Pattern:
    """A quick test for the common export forms of ``name``: a named handler that passes it needs no
    parser, so loading a TOML that names its handler never loads the grammars."""
    n = re.escape(name)
    return re.compile(
        rf"\b(?:module\.)?exports\.{n}\s*=(?!=)"
        rf"|\bexport\s+(?:const|let|var)\s+{n}\b"
        rf"|\bexport\s+(?:async\s+)?function\s*\*?\s*{n}\s*\("
    )


def exported(path: Path) -> list:
    """What the JavaScript or TypeScript file at ``path`` exports (its suffix picks the grammar), as
    ``javascript.Export``s."""
    from .javascript import exports

    root = parse_file(path)
    return exports(root) if root is not None else []


def _rank(export) -> int | None:
    """0: named or typed like a handler (``export const create: Handler``); 1: a function taking
    (event[, context]); 2: any other exported function; 3: a value made by a call (``serverless(app)``,
    ``middy(fn)``), which may be a wrapped handler."""
    if "handler" in export.name.lower() or re.search(r"Handler\b", export.typed):
        return 0
    if export.kind == "call":
        return 3
    if export.kind not in ("function", "unknown"):
        return None
    params = export.params
    if (params[:1] and _EVENT.fullmatch(params[0])) or (params[1:2] and _CONTEXT.fullmatch(params[1])):
        return 1
    return 2


_EVENT = re.compile(r"_?(?:event|evt|e|req|request)")
_CONTEXT = re.compile(r"_?(?:context|ctx)")


def _ranked(path: Path, stem: str) -> list[tuple[int, Candidate]]:
    """(rank, candidate) for every export of one file that may be a handler (see ``_rank``)."""
    found = []
    for export in exported(path):
        rank = _rank(export)
        if rank is not None:
            found.append((rank, Candidate(None, f"{stem}.{export.name}",
                                          f"{path.name}:{export.line} exports {export.name}")))
    return found


def _best(ranked: list[tuple[int, Candidate]]) -> list[Candidate]:
    best = min((rank for rank, _ in ranked), default=None)
    return [candidate for rank, candidate in ranked if rank == best]


def find_node_handlers(path: Path, handler_stem: str | None = None) -> list[Candidate]:
    """The likeliest handlers one .js/.mjs/.cjs/.ts/.tsx file exports (``runtime`` left None).
    ``handler_stem`` is the file part of the handler string (default: the file name without its suffix)."""
    path = Path(path)
    return _best(_ranked(path, handler_stem if handler_stem is not None else path.stem))


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """The likeliest handlers among the exports of all the sources: those named like a handler, else
    functions taking an event, else any exported function, else values a call made."""
    ranked = []
    compiled = {rel.without_suffix() for rel in files if rel.suffix in JS_EXTENSIONS}
    for rel in files:
        if rel.suffix not in JS_EXTENSIONS and rel.without_suffix() in compiled:
            continue  # TypeScript with its compiled JavaScript beside it: the .js is the handler
        if rel.suffix in HANDLER_EXTENSIONS and not is_tooling(rel.name) and not in_tests(rel):
            for rank, candidate in _ranked(source / rel.posix, rel.without_suffix()):
                evidence = rel.folder + "/" + candidate.evidence if rel.folder != "." else candidate.evidence
                ranked.append((rank, Candidate(runtime.id, candidate.handler, evidence, rel.posix)))
    return _best(ranked)


def check(source: Path, handler: str) -> str | None:
    """What is wrong with the named ``file.function`` handler, or None."""
    stem, _, function = handler.rpartition(".")
    if not stem or not function:
        return f"handler {handler!r} must be file.function, e.g. index.handler"
    for extension in HANDLER_EXTENSIONS:
        path = source / (stem + extension)
        if path.is_file():
            if _js_exports(function).search(_strip_js_comments(read(path))):
                return None
            names = [e.name for e in exported(path)]
            if function in names:
                return None
            listing = f" (it exports {', '.join(names)})" if names else ""
            return f"handler {handler!r}: {path.relative_to(source).as_posix()} does not export {function!r}{listing}"
    return f"handler {handler!r}: no {stem}.js, {stem}.mjs, {stem}.cjs or {stem}.ts in {source}"
