"""Node.js detection: the ``engines.node`` pin, files exporting ``handler``, and named handlers.

A handler is a .js/.mjs/.cjs file, or a TypeScript one (.ts/.mts/.cts, which the build
bundles with esbuild, unless a compiled .js of it is beside it), exporting it
through ``exports.handler``, ``module.exports.handler``, ``module.exports = { handler }``,
``export const handler``, ``export [async] function handler`` or ``export { handler }``;
the handler string keeps the subfolder (``src/index.handler``).
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
from .versions import Pin

JS_EXTENSIONS = (".js", ".mjs", ".cjs")
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
    n = re.escape(name)
    return re.compile(
        rf"\b(?:module\.)?exports\.{n}\s*=(?!=)"
        rf"|\bexports\[\s*['\"]{n}['\"]\s*\]\s*="
        rf"|\bexport\s+(?:const|let|var)\s+{n}\b"
        rf"|\bexport\s+(?:async\s+)?function\s*\*?\s*{n}\s*\("
        rf"|\bmodule\.exports\s*=\s*\{{(?:[^}}]*?,)?\s*{n}\s*[,:}}(]"
        rf"|\bexport\s*\{{(?:[^}}]*?,)?\s*(?:[\w$]+\s+as\s+)?{n}\s*[,}}]"
    )


_JS_HANDLER = _js_exports("handler")


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """Every source file exporting ``handler``."""
    found = []
    compiled = {rel.without_suffix() for rel in files if rel.suffix in JS_EXTENSIONS}
    for rel in files:
        if rel.suffix not in JS_EXTENSIONS and rel.without_suffix() in compiled:
            continue  # TypeScript with its compiled JavaScript beside it: the .js is the handler
        if rel.suffix in HANDLER_EXTENSIONS and not is_tooling(rel.name) and not in_tests(rel):
            if _JS_HANDLER.search(_strip_js_comments(read(source / rel.posix))):
                found.append(Candidate(runtime.id, f"{rel.without_suffix()}.handler",
                                       f"{rel.posix} exports handler"))
    return found


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
            return f"handler {handler!r}: {path.relative_to(source).as_posix()} does not export {function!r}"
    return f"handler {handler!r}: no {stem}.js, {stem}.mjs, {stem}.cjs or {stem}.ts in {source}"

