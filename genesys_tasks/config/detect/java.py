"""Java detection: the release pin of pom.xml or Gradle, handler methods, named handlers.

Pin: pom.xml ``maven.compiler.release``/``source``/``<release>`` (or Gradle's
toolchain/sourceCompatibility). A pin with no runtime of its own (8, 19) picks the
next runtime up, which runs that bytecode. Handlers are read from the syntax tree
(tree-sitter's Java grammar): a public ``handleRequest`` (the method of
``RequestHandler``/``RequestStreamHandler``), and any public method whose last
parameter is a ``Context`` (``(input, Context)``, ``(in, out, Context)``), whatever
its name, each as ``pkg.Class::method``.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ...runtimes import Registry, Runtime
from . import versions
from .evidence import Candidate
from .files import Rel, in_tests, read, walk
from .syntax import parse_file, text_of
from .versions import Pin


def runtime_for(source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    return versions.choose("java", _pin(source), registry, today)


_MAVEN_RELEASE = re.compile(
    r"<(maven\.compiler\.release|release|maven\.compiler\.source|source|java\.version)>\s*([\d.]+)\s*<")
_GRADLE_RELEASE = re.compile(
    r"(JavaLanguageVersion\.of\(\s*|JavaVersion\.VERSION_|sourceCompatibility\s*=\s*['\"]?)(1[._]8|\d+)")


def _pin(source: Path) -> Pin | None:
    for name, pattern in (("pom.xml", _MAVEN_RELEASE), ("build.gradle.kts", _GRADLE_RELEASE),
                          ("build.gradle", _GRADLE_RELEASE)):
        path = source / name
        if not path.is_file():
            continue
        text = read(path)
        found = sorted(pattern.finditer(text),
                       key=lambda m: 0 if m.group(1).startswith(("maven.compiler.release", "release")) else 1)
        if found:
            match = found[0]
            written = match.group(2).replace("_", ".")
            major = int(written.split(".")[1]) if written.startswith("1.") else int(written.split(".")[0])
            line = text.count("\n", 0, match.start()) + 1
            # Bytecode for N runs on any newer JVM, so the next runtime up also fits.
            setting = re.sub(r"[\s=('\"]+$", "", match.group(1))
            written_as = f"{setting}{match.group(2)}" if setting.endswith("_") else f"{setting} {match.group(2)}"
            return Pin(path, line, written_as, lambda v, want=major: v[0] >= want)
    return None


_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)


def _declares(text: str, method: str) -> bool:
    """True when ``text`` declares (not just calls) ``method``: ``name(...) [throws ...] {``."""
    pattern = rf"[\w>\]]\s+{re.escape(method)}\s*\([^;{{}}]*\)\s*(?:throws\s+[\w.,\s]+)?\{{"
    return re.search(pattern, text) is not None


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _class(source: Path, rel: Rel) -> tuple[str, str]:
    """(fully qualified class name, source text without comments) for one .java file."""
    text = _strip_comments(read(source / rel.posix))
    package = _PACKAGE.search(text)
    return (f"{package.group(1)}.{rel.stem}" if package else rel.stem), text


def _sources(files: list[Rel]) -> list[Rel]:
    return [rel for rel in files if rel.suffix == ".java" and not in_tests(rel)
            and "src/test/" not in rel.posix]


HANDLER_INTERFACES = frozenset({"RequestHandler", "RequestStreamHandler"})


def _simple(type_text: str) -> str:
    """``RequestHandler`` for ``com.amazonaws...RequestHandler<A, B>``."""
    return type_text.split("<", 1)[0].rsplit(".", 1)[-1].strip()


def _methods(body) -> list:
    return [node for node in body.named_children if node.type == "method_declaration"] if body else []


def _modifiers(node) -> set[str]:
    mods = next((c for c in node.children if c.type == "modifiers"), None)
    return {c.type for c in mods.children} if mods is not None else set()


def _takes_context(method) -> bool:
    """``(Context)``, ``(input, Context)`` or ``(InputStream, OutputStream, Context)``: a Context last."""
    params = [p for p in method.child_by_field_name("parameters").named_children if p.type == "formal_parameter"]
    last = text_of(params[-1].child_by_field_name("type")) if params else ""
    # Lambda's Context takes no type arguments; CRaC's Context<? extends Resource> is another one.
    return len(params) in (1, 2, 3) and "<" not in last and _simple(last) == "Context"


def _classes(root):
    """(class name, class node) of every top-level class in a compilation unit, and its package."""
    package = next((c for c in root.named_children if c.type == "package_declaration"), None)
    prefix = text_of(package.named_children[0]) + "." if package is not None and package.named_children else ""
    return [(prefix + text_of(node.child_by_field_name("name")), node)
            for node in root.named_children if node.type == "class_declaration"]


def _handler_methods(node) -> list[tuple[str, str]]:
    """(method, why) for the handler methods of one class: a public ``handleRequest`` (Lambda's default
    name, usually from RequestHandler/RequestStreamHandler), and every public method taking a Context last."""
    if "abstract" in _modifiers(node):
        return []
    interfaces = node.child_by_field_name("interfaces")
    implemented = {_simple(text_of(t)) for t in interfaces.named_children[0].named_children} \
        if interfaces is not None and interfaces.named_children else set()
    found: dict[str, str] = {}
    for method in _methods(node.child_by_field_name("body")):
        name = text_of(method.child_by_field_name("name"))
        if "public" not in _modifiers(method):
            continue
        handles = implemented & HANDLER_INTERFACES
        if name == "handleRequest":  # Lambda's default method name, with or without the interface
            found.setdefault(name, f"implements {sorted(handles)[0]}" if handles else "handleRequest")
        elif _takes_context(method):
            found.setdefault(name, "takes a Context")
    return list(found.items())


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """Every handler method: ``handleRequest`` of a RequestHandler or RequestStreamHandler, and any public
    method whose last parameter is a Context, whatever its name."""
    found = []
    for rel in _sources(files):
        root = parse_file(source / rel.posix)
        for qualified, node in _classes(root) if root is not None else ():
            for method, why in _handler_methods(node):
                found.append(Candidate(runtime.id, f"{qualified}::{method}", f"{rel.posix}: {method} ({why})",
                                       rel.posix))
    return found


def check(source: Path, handler: str) -> str | None:
    """What is wrong with the named ``package.Class::method`` handler, or None."""
    qualified, _, method = handler.partition("::")
    method = method or "handleRequest"
    if not re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", qualified):
        return f"handler {handler!r} must be package.Class::method, e.g. example.Handler::handleRequest"
    class_name = qualified.rsplit(".", 1)[-1]
    for rel in _sources(walk(source)):
        if rel.stem != class_name:
            continue
        found, text = _class(source, rel)
        if found != qualified:
            continue
        if _declares(text, method):
            return None
        root = parse_file(source / rel.posix)
        for name, node in _classes(root) if root is not None else ():
            methods = {text_of(m.child_by_field_name("name")) for m in _methods(node.child_by_field_name("body"))}
            if name == qualified and method in methods:
                return None
        return f"handler {handler!r}: {rel.posix} declares no method {method!r}"
    return f"handler {handler!r}: no class {qualified} (file {class_name}.java) in {source}"
