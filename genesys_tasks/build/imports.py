"""The import check: every package a handler loads is shipped, found before deploy instead of as
``Runtime.ImportModuleError`` on the first invoke.

Runs after both zips exist and reads only them (what ships, after hooks, excludes and
the layer build): the handler's module, and the modules it imports from the function
zip in turn, are parsed without running anything (Python's ``ast``; the tree-sitter
JavaScript/TypeScript grammars for Node.js). Each import of a package must be in the
function zip, the layer, the standard library (Node's built-ins) or what the runtime
itself provides (boto3 and its dependencies on Python; the AWS SDK v3 on Node.js).
Imports guarded by ``try`` (optional dependencies) and type-only imports are not
checked. Python and Node.js only; other languages compile their dependencies in.
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from . import ziplist

# Python modules every Lambda Python runtime has on its path besides the standard library.
PYTHON_RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"})
# The standard library of the runtime, not of the Python running genesys: what later versions removed
# (PEP 594, distutils) fails there, and what they added is there.
PYTHON_REMOVED = ((3, 12), frozenset({"distutils", "imp", "asynchat", "asyncore", "smtpd"})), ((3, 13), frozenset({
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib",
    "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib", "lib2to3"}))
PYTHON_ADDED = ((3, 14), frozenset({"annotationlib", "compression"})),
PYTHON_LAYER_DIRS = ("python/", "python/lib/python{version}/site-packages/")
PYTHON_SUFFIXES = (".py", ".pyc", ".so", ".pyd")
NODE_BUILTINS = frozenset({
    "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram",
    "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector", "module",
    "net", "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream",
    "string_decoder", "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi",
    "worker_threads", "zlib"})
NODE_RUNTIME_SCOPES = ("@aws-sdk/", "@smithy/")  # the AWS SDK for JavaScript v3, in every nodejs18.x and later
NODE_SUFFIXES = (".js", ".mjs", ".cjs")


@dataclass(frozen=True)
class Missing:
    """An import nothing ships: the file (its path in the function zip), the line and the module."""

    file: str
    line: int
    module: str


class Shipped:
    """The entries of the function zip and the layer zips, read once."""

    def __init__(self, function_zip: Path, layer_zips: list[Path]):
        self._zip = ziplist.opened(function_zip)  # its directory kept for the limits' check
        self.names = set(self._zip.namelist())
        # a shared layer's names are one set, made once (``ziplist.name_set``), that every function is given
        layers = [ziplist.name_set(layer) for layer in layer_zips if layer.is_file()]
        self.layer_names: frozenset[str] = layers[0] if len(layers) == 1 else frozenset().union(*layers)

    def read(self, name: str) -> bytes:
        return self._zip.read(name)

    def close(self) -> None:
        self._zip.close()


def _top_modules(names: set[str] | frozenset[str], prefix: str) -> set[str]:
    """Top-level Python module names under ``prefix`` of a zip: packages, namespace folders, modules."""
    found = set()
    for name in names:
        if not name.startswith(prefix):
            continue
        first, slash, _ = name[len(prefix):].partition("/")
        if slash:
            found.add(first)
        elif first.endswith(PYTHON_SUFFIXES):
            found.add(first.split(".", 1)[0])
    return found


def _python_imports(tree, package: str):
    """(absolute module, imported names, line) of the imports a module runs when loaded: top-level ones,
    and those under top-level ``if``/``with``, not under ``try`` or ``if TYPE_CHECKING``."""
    import ast

    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts):
                    continue
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(p for p in parts + [node.module or ""] if p)
            yield base, tuple(a.name for a in node.names), node.lineno
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            pending[:0] = node.body + node.orelse
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            pending[:0] = node.body


@cache
def python_stdlib(version: str) -> frozenset[str]:
    """Top-level standard library modules of Python ``version`` ("3.13")."""
    have = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    names = set(sys.stdlib_module_names)
    for since, removed in PYTHON_REMOVED:
        if have >= since:
            names -= removed
    for since, added in PYTHON_ADDED:
        if have >= since:
            names |= added
    return frozenset(names)


@lru_cache(maxsize=16)
def _provided(layer_names: frozenset[str], python_version: str) -> frozenset[str]:
    """The top-level modules a handler may import besides its own: the layers', the standard library's and
    the runtime's. Worked out once per layer: functions sharing one are handed the same set of names."""
    layer = set()
    for prefix in PYTHON_LAYER_DIRS:
        layer |= _top_modules(layer_names, prefix.format(version=python_version))
    return frozenset(layer | python_stdlib(python_version) | PYTHON_RUNTIME)


def _installed(shipped: Shipped) -> set[str]:
    """Top-level names pip installed into the function zip (``[build] layer_auto = false``), from the
    RECORD of each ``.dist-info``: their imports are the installer's business, not the user's."""
    found = set()
    for name in shipped.names:
        if name.count("/") == 1 and name.endswith(".dist-info/RECORD"):
            for line in shipped.read(name).decode("utf-8", "replace").splitlines():
                found.add(line.split(",", 1)[0].split("/", 1)[0].split(".", 1)[0])
    return found


def _python_missing(shipped: Shipped, handler: str, python_version: str) -> list[Missing]:
    import ast

    local = _top_modules(shipped.names, "")
    installed = _installed(shipped)
    provided = _provided(shipped.layer_names, python_version)
    missing, seen = [], set()
    queue = [handler.rpartition(".")[0].replace("/", ".")]  # Lambda takes src/app.handler for src.app
    while queue:
        module = queue.pop(0)
        base = module.replace(".", "/")
        file = next((f for f in (f"{base}.py", f"{base}/__init__.py") if f in shipped.names), None)
        if file is None or file in seen:
            continue
        seen.add(file)
        try:
            tree = ast.parse(shipped.read(file))
        except (SyntaxError, ValueError, RecursionError):
            continue  # syntax newer than the host Python: not checked
        package = module if file.endswith("__init__.py") else module.rpartition(".")[0]
        for name, imported, line in _python_imports(tree, package):
            top = name.split(".")[0]
            if top and top not in local and top not in provided:
                missing.append(Missing(file, line, top))
            elif top in local and top not in installed:
                queue.extend([name] + [f"{name}.{sub}" for sub in imported if name])
    return missing


def _node_package(specifier: str) -> str:
    parts = specifier.split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]


def _node_resolve(names: set[str], importer: str, specifier: str) -> str | None:
    """The zip entry a relative specifier loads, as Node resolves files and folders."""
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    tries = [base] + [base + s for s in NODE_SUFFIXES + (".json",)] + [f"{base}/index{s}" for s in NODE_SUFFIXES]
    return next((t for t in tries if t in names), None)


def _node_packages(names: set[str]) -> set[str]:
    """Package names installed in any node_modules folder of the zips (``lodash``, ``@scope/name``)."""
    found = set()
    for name in names:
        _, marker, rest = name.rpartition("node_modules/")
        if marker and "/" in rest:
            found.add(_node_package(rest))
    return found


def _node_missing(shipped: Shipped, handler: str) -> list[Missing]:
    from ..config.detect.javascript import imports
    from ..config.detect.syntax import GRAMMARS, parse_text

    stem = handler.rpartition(".")[0]
    queue = [stem + s for s in NODE_SUFFIXES if stem + s in shipped.names][:1]
    missing, seen = [], set()
    packages = _node_packages(shipped.names | shipped.layer_names)
    while queue:
        file = queue.pop(0)
        if file in seen:
            continue
        seen.add(file)
        root = parse_text(shipped.read(file), GRAMMARS[posixpath.splitext(file)[1]])
        for specifier, line in imports(root):
            if specifier.startswith((".", "/")):
                target = _node_resolve(shipped.names, file, specifier)
                if target is None:
                    missing.append(Missing(file, line, specifier))
                elif target.endswith(NODE_SUFFIXES):
                    queue.append(target)
                continue
            package = _node_package(specifier)
            if (specifier.startswith(("node:", "#")) or package in NODE_BUILTINS
                    or specifier.startswith(NODE_RUNTIME_SCOPES) or package in packages):
                continue
            missing.append(Missing(file, line, package))
    return missing


def missing_imports(language: str, handler: str, function_zip: Path, layer_zips: list[Path],
                    version: str = "") -> list[Missing]:
    """The imports of the handler (and the modules it loads from the function zip) that nothing ships."""
    if language not in ("python", "nodejs") or not function_zip.is_file():
        return []
    shipped = Shipped(function_zip, layer_zips)
    try:
        if language == "python":
            return _python_missing(shipped, handler, version)
        return _node_missing(shipped, handler)
    finally:
        shipped.close()


def check_function(spec, function_zip: Path, layer_zips: list[Path]) -> list[str]:
    """Warnings for the imports of ``spec``'s handler that nothing ships (file:line and the module);
    a ConfigError instead when ``[build] strict_imports`` is set and no extra layer could provide them."""
    from ..errors import ConfigError, Where

    runtime = spec.runtime
    found = missing_imports(runtime.language, spec.handler, function_zip, layer_zips, runtime.version)
    if not found:
        return []
    manifest = spec.build.requirements_file.name if spec.build.requirements_file else \
        runtime.language_row.manifests[0]
    extra = ", unless one of the layers under [function] layers has it" if spec.function.layers else ""
    said = []
    for item in found:
        where = spec.build.source_path / item.file
        what = "file" if item.module.startswith((".", "/")) else "module"
        said.append((f"{where if where.is_file() else item.file}:{item.line}",
                     f"imports the {what} {item.module!r}, which nothing in the function zip, the layer or the "
                     f"{runtime.id} runtime provides{extra}"))
    if spec.build.strict_imports and not spec.function.layers:
        first = found[0]
        message = "\n".join([said[0][1]] + [f"{place}: {sentence}" for place, sentence in said[1:]])
        raise ConfigError(message, where=Where(spec.build.source_path / first.file, first.line),
                          hint=f"add the package that provides {first.module!r} to {manifest} (or ship the file), "
                               "or set strict_imports = false under [build] to only warn")
    return [f"{place}: {sentence}" for place, sentence in said]
