"""Runtime and handler detection from a source folder: file names and source text only.

(Minimal first cut: Python and Node. To be completed: Go, Java, version pins, ambiguity.)
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..runtimes import DEFAULT, Registry, Runtime

_MANIFESTS = {"python": ("requirements.txt",), "nodejs": ("package.json",), "go": ("go.mod",),
              "java": ("pom.xml", "build.gradle", "build.gradle.kts"), "ruby": ("Gemfile",)}


@dataclass(frozen=True)
class Candidate:
    runtime: str | None
    handler: str | None
    evidence: str


@dataclass(frozen=True)
class Detection:
    runtime: str | None
    handler: str | None
    candidates: tuple[Candidate, ...]


def manifest_names(runtime: Runtime) -> tuple[str, ...]:
    """Dependency manifests a layer is built from, in order of preference."""
    return _MANIFESTS.get(runtime.language, ())


def detect(source: Path, registry: Registry = DEFAULT, today: _dt.date | None = None) -> Detection:
    today = today or _dt.date.today()
    names = {p.name for p in source.iterdir()}
    langs = []
    if names & {"requirements.txt", "Pipfile", "pyproject.toml"} or any(n.endswith(".py") for n in names):
        langs.append("python")
    if names & {"package.json"} or any(n.endswith((".js", ".mjs", ".cjs")) for n in names):
        langs.append("nodejs")
    if len(langs) != 1:
        return Detection(None, None, tuple(Candidate(registry.newest(lang, today).id, None, lang) for lang in langs))
    runtime = registry.newest(langs[0], today)
    handlers = find_handlers(runtime, source)
    return Detection(runtime.id, handlers[0].handler if len(handlers) == 1 else None, tuple(handlers))


_PY_HANDLER = re.compile(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(\s*event\s*,\s*context\s*\)", re.M)
_JS_HANDLER = re.compile(r"(?:exports\.handler\s*=|module\.exports\.handler\s*=|export\s+const\s+handler\b|"
                         r"export\s+(?:async\s+)?function\s+handler\b)")


def find_handlers(runtime: Runtime, source: Path) -> list[Candidate]:
    found = []
    if runtime.language == "python":
        for path in sorted(source.glob("*.py")):
            for fn in _PY_HANDLER.findall(path.read_text(errors="replace")):
                found.append(Candidate(runtime.id, f"{path.stem}.{fn}", f"{path.name}: def {fn}(event, context)"))
    elif runtime.language == "nodejs":
        for path in sorted(p for ext in ("*.js", "*.mjs", "*.cjs") for p in source.glob(ext)):
            if _JS_HANDLER.search(path.read_text(errors="replace")):
                found.append(Candidate(runtime.id, f"{path.stem}.handler", f"{path.name} exports handler"))
    return found


def check_handler(runtime: Runtime, source: Path, handler: str) -> str | None:
    if runtime.language not in ("python", "nodejs"):
        return None
    if "." not in handler:
        return f"handler {handler!r} must be module.function"
    if handler in {c.handler for c in find_handlers(runtime, source)}:
        return None
    module, _, fn = handler.rpartition(".")
    for ext in runtime.extensions:
        path = source / (module.replace(".", "/") + ext)
        if path.is_file():
            text = path.read_text(errors="replace")
            if re.search(rf"\b(def|function|const|let|var)\s+{re.escape(fn)}\b|exports\.{re.escape(fn)}\b", text):
                return None
            return f"handler {handler!r}: {path.name} has no function {fn!r}"
    return f"handler {handler!r}: no file {module}{'|'.join(runtime.extensions)} in {source}"
