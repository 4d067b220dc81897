"""Java detection: the release pin of pom.xml or Gradle, classes declaring ``handleRequest``, named handlers.

Pin: pom.xml ``maven.compiler.release``/``source``/``<release>`` (or Gradle's
toolchain/sourceCompatibility). A pin with no runtime of its own (8, 19) picks the
next runtime up, which runs that bytecode. A class declaring a ``handleRequest``
method gives ``pkg.Class::handleRequest``.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ...runtimes import Registry, Runtime
from . import versions
from .evidence import Candidate
from .files import Rel, in_tests, read, walk
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


def find(runtime: Runtime, source: Path, files: list[Rel]) -> list[Candidate]:
    """Every class declaring ``handleRequest``."""
    found = []
    for rel in _sources(files):
        qualified, text = _class(source, rel)
        if _declares(text, "handleRequest"):
            found.append(Candidate(runtime.id, f"{qualified}::handleRequest", f"{rel.posix}: handleRequest"))
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
        return f"handler {handler!r}: {rel.posix} declares no method {method!r}"
    return f"handler {handler!r}: no class {qualified} (file {class_name}.java) in {source}"

