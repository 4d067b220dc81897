"""Runtime and handler detection from a source folder: file names and source text only.

Runs at load time for every function whose TOML names no runtime or handler, so it
reads only what it needs (file names, the project's version pins, the sources of
the detected language), never runs a subprocess and never imports anything heavy.

The rules, in the order they apply:

Language
    Dependency files first (requirements.txt, Pipfile, poetry.lock, pyproject.toml;
    package.json and its lock files; go.mod, go.sum; pom.xml, build.gradle(.kts)),
    then source extensions (.py; .js/.mjs/.cjs/.ts; .go; .java, searched in
    subfolders such as src/main/java). Extension evidence only counts when no
    language has a dependency file. When several languages have dependency files,
    the ones that also have source files win: a Python function with a package.json
    kept for tooling (prettier, husky) and no JavaScript sources is Python. Tool
    configuration scripts (``*.config.js``, dotfiles) are not sources. Whatever is
    still tied is reported as ambiguous with every candidate; nothing is guessed.

Version
    The project's own pin: ``.python-version``, else pyproject ``requires-python``;
    package.json ``engines.node``; pom.xml ``maven.compiler.release``/``source``/
    ``<release>`` (or Gradle's toolchain/sourceCompatibility). Go always runs on
    ``provided.al2023``. A range picks the *lowest* runtime that satisfies it and is
    not deprecated today (the version the project declares it needs, not one it may
    never have been tried on); if only deprecated ones satisfy it, the lowest of
    those, and the loader warns. A Java pin with no runtime of its own (8, 19) picks
    the next runtime up, which runs that bytecode. Without a pin: the newest runtime
    of the language that can be created today. A pin that no creatable runtime
    satisfies is a ``ConfigError`` naming the pin file and line: running the code on
    another version than the one it pins would be a silent guess.

Handler
    Python: a top-level ``def`` (or ``async def``) with exactly two positional
    parameters, the first named ``event``/``evt`` and the second ``context``/``ctx``
    (a leading underscore and type annotations allowed), in top-level modules and
    packages (folders with ``__init__.py``), not in tests. Node: a .js/.mjs/.cjs file
    (TypeScript must be compiled first) exporting ``handler`` through
    ``exports.handler``, ``module.exports.handler``, ``module.exports = { handler }``,
    ``export const handler``, ``export [async] function handler`` or
    ``export { handler }``; the handler string keeps the subfolder
    (``src/index.handler``). Go: a ``main`` package gives ``bootstrap``. Java: a class
    declaring a ``handleRequest`` method gives ``pkg.Class::handleRequest``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

from ..errors import ConfigError, Where
from ..runtimes import DEFAULT, Registry, Runtime

_MANIFESTS = {"python": ("requirements.txt", "Pipfile.lock", "poetry.lock", "uv.lock", "Pipfile"), "nodejs": ("package.json",), "go": ("go.mod",),
              "java": ("pom.xml", "build.gradle", "build.gradle.kts"), "ruby": ("Gemfile",)}

# Dependency files that say "this folder is a project of that language".
_DEPENDENCY_FILES = {
    "python": ("requirements.txt", "Pipfile", "poetry.lock", "pyproject.toml"),
    "nodejs": ("package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"),
    "go": ("go.mod", "go.sum"),
    "java": ("pom.xml", "build.gradle", "build.gradle.kts"),
}
_SOURCE_EXTENSIONS = {
    "python": (".py",),
    "nodejs": (".js", ".mjs", ".cjs", ".ts"),
    "go": (".go",),
    "java": (".java",),
}
LANGUAGES = tuple(_DEPENDENCY_FILES)

# Folders that never hold a function's own sources.
SKIP_DIRS = frozenset({
    "node_modules", ".git", ".genesys", "target", "build", "venv", ".venv",
    "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".idea", ".vscode", "vendor",
})
TEST_DIRS = frozenset({"test", "tests", "__tests__", "testing", "spec"})
_MAX_DEPTH = 10  # src/main/java/com/example/app/Handler.java is depth 6
_MAX_FILES = 5000  # a source_path pointing at a whole repo stays fast
_READ_LIMIT = 512 * 1024  # handlers live near the top of small files


@dataclass(frozen=True)
class Candidate:
    """One runtime/handler pair that fits, and the evidence for it."""

    runtime: str | None
    handler: str | None
    evidence: str


@dataclass(frozen=True)
class Detection:
    """What was found: ``runtime``/``handler`` are None unless exactly one fits."""

    runtime: str | None
    handler: str | None
    candidates: tuple[Candidate, ...]


def manifest_names(runtime: Runtime) -> tuple[str, ...]:
    """Dependency manifests a layer is built from, in order of preference."""
    return _MANIFESTS.get(runtime.language, runtime.dependency_files)


# --------------------------------------------------------------------------- files


class _Rel(NamedTuple):
    """A file's path relative to the source folder, as strings: detection makes thousands of these."""

    posix: str  # "src/app.py"
    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.parts[-1])[1]

    @property
    def stem(self) -> str:
        return os.path.splitext(self.parts[-1])[0]

    @property
    def folder(self) -> str:
        return "/".join(self.parts[:-1]) or "."

    def without_suffix(self) -> str:
        return os.path.splitext(self.posix)[0]


def _walk(source: Path) -> list[_Rel]:
    """Files below ``source``, sorted, skipping build/dependency folders and dot folders."""
    found: list[_Rel] = []
    top = os.fspath(source)
    for folder, dirs, files in os.walk(top):
        prefix = tuple(os.path.relpath(folder, top).split(os.sep)) if folder != top else ()
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
                         and len(prefix) < _MAX_DEPTH)
        for name in sorted(files):
            parts = prefix + (name,)
            found.append(_Rel("/".join(parts), parts))
        if len(found) >= _MAX_FILES:
            break
    return found


def _is_tooling(name: str) -> bool:
    """Config scripts of tools (``jest.config.js``, ``.eslintrc.js``) are not function sources."""
    return name.startswith(".") or ".config." in name or name.endswith((".d.ts",))


def _in_tests(rel: _Rel) -> bool:
    if any(part in TEST_DIRS for part in rel.parts[:-1]):
        return True
    name = rel.name
    return (name.startswith("test_") or name == "conftest.py" or name.endswith(("_test.py", "_test.go"))
            or re.search(r"\.(test|spec)\.[cm]?[jt]s$", name) is not None)


def _read(path: Path | str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(_READ_LIMIT)
    except OSError:
        return ""


# --------------------------------------------------------------------------- languages


def _language_evidence(files: list[_Rel]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(dependency files, source files) per language, as relative paths; tests and tool configs are not sources."""
    top = {f.name for f in files if len(f.parts) == 1}
    deps = {lang: [n for n in names if n in top] for lang, names in _DEPENDENCY_FILES.items()}
    sources: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for rel in files:
        if _is_tooling(rel.name) or _in_tests(rel):
            continue
        for lang, extensions in _SOURCE_EXTENSIONS.items():
            if rel.suffix in extensions:
                sources[lang].append(rel.posix)
    return ({k: v for k, v in deps.items() if v}, {k: v for k, v in sources.items() if v})


def _choose_languages(deps: dict[str, list[str]], sources: dict[str, list[str]]) -> list[str]:
    pool = [lang for lang in LANGUAGES if lang in deps] or [lang for lang in LANGUAGES if lang in sources]
    if len(pool) > 1:
        with_sources = [lang for lang in pool if lang in sources]
        if len(with_sources) == 1:
            return with_sources
    return pool


def _evidence_text(lang: str, deps: dict[str, list[str]], sources: dict[str, list[str]]) -> str:
    parts = []
    if deps.get(lang):
        parts.append(", ".join(deps[lang]))
    if sources.get(lang):
        shown = sources[lang][:3]
        more = len(sources[lang]) - len(shown)
        parts.append(", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    return "; ".join(parts)


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class _Pin:
    """A version requirement found in a project file."""

    file: Path
    line: int | None
    text: str  # as written, for messages
    accepts: Callable[[tuple[int, ...]], bool]  # does a runtime's (major, minor) version fit?


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _pep440_accepts(spec: str):
    """A check for ``requires-python`` (``>=3.10,<3.13``, ``~=3.11``, ``==3.12.*``) on (major, minor)."""
    clauses = []
    for raw in spec.split(","):
        raw = raw.strip()
        if not raw:
            continue
        match = re.fullmatch(r"(~=|===|==|!=|<=|>=|<|>)?\s*v?([\d.]+)(\.\*)?", raw)
        if not match:
            raise ValueError(raw)
        clauses.append((match.group(1) or "==", _version_tuple(match.group(2)), bool(match.group(3))))

    def clause_ok(op, want, wildcard, have):
        padded = want + (0,) * (3 - len(want))
        if op in ("==", "===", "!=") and (wildcard or len(want) < 3):
            equal = have[: len(want)] == want
            return equal if op != "!=" else not equal
        if op == "~=":
            prefix = want[:-1]
            return have >= padded and have[: len(prefix)] == prefix
        return {"==": have == padded, "===": have == padded, "!=": have != padded, "<=": have <= padded,
                ">=": have >= padded, "<": have < padded, ">": have > padded}[op]

    def accepts(version: tuple[int, ...]) -> bool:
        # Lambda ships the latest patch of a minor version: any patch satisfying every clause will do.
        return any(all(clause_ok(op, want, wild, version[:2] + (patch,)) for op, want, wild in clauses)
                   for patch in range(0, 100))

    return accepts


def _semver_accepts(spec: str):
    """A check for ``engines.node`` (``>=18``, ``20.x``, ``^20.10``, ``18 || 20``, ``18 - 20``) on the major."""
    alternatives = []
    for alternative in spec.split("||"):
        alternative = alternative.strip()
        hyphen = re.fullmatch(r"([\d.xX*]+)\s+-\s+([\d.xX*]+)", alternative)
        comparators = []
        if hyphen:
            comparators = [(">=", hyphen.group(1)), ("<=~", hyphen.group(2))]
        else:
            for token in re.findall(r"(\^|~|>=|<=|>|<|=)?\s*v?([\dxX*][\d.xX*]*)", alternative):
                comparators.append((token[0] or "=", token[1]))
        if not comparators and alternative not in ("", "*", "x", "latest"):
            raise ValueError(alternative)
        alternatives.append(comparators)

    def one(op: str, text: str, have: tuple[int, int, int]) -> bool:
        parts = [p for p in text.split(".") if p not in ("x", "X", "*")]
        want = tuple(int(p) for p in parts if p.isdigit())[:3]
        if not want:
            return True
        padded = want + (0,) * (3 - len(want))
        if op in ("=", "<=~"):
            if len(want) < 3:  # "20", "20.x": any 20.*
                return have[: len(want)] == want if op == "=" else have[: len(want)] <= want
            return have == padded if op == "=" else have <= padded
        if op == "^":
            return have >= padded and have[0] == want[0]
        if op == "~":
            return have >= padded and have[: min(2, len(want))] == want[:2]
        return {">=": have >= padded, "<=": have <= padded, ">": have > padded, "<": have < padded}[op]

    def accepts(version: tuple[int, ...]) -> bool:
        major = version[0]
        for comparators in alternatives:
            tries = {(major, 0, 0), (major, 99, 99)}
            tries |= {(major,) + (_version_tuple(t) + (0, 0))[1:3] for _, t in comparators
                      if _version_tuple(t)[:1] == (major,)}
            if any(all(one(op, text, have) for op, text in comparators) for have in tries):
                return True
        return False

    return accepts


def _python_pin(source: Path) -> _Pin | None:
    pinned = source / ".python-version"
    if pinned.is_file():
        text = _read(pinned)
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if line:
                version = _version_tuple(line)[:2]
                if len(version) < 2:
                    raise ConfigError(f".python-version says {line!r}, not a Python version",
                                      hint='write the version, e.g. "3.12"', where=Where(pinned, number))
                return _Pin(pinned, number, line, lambda v, want=version: v[:2] == want)
    project = source / "pyproject.toml"
    if project.is_file():
        import tomllib

        text = _read(project)
        try:
            spec = tomllib.loads(text).get("project", {}).get("requires-python")
        except tomllib.TOMLDecodeError:
            return None  # a broken pyproject is the build's problem, not a version pin
        if isinstance(spec, str) and spec.strip():
            line = _line_of(text, "requires-python")
            try:
                return _Pin(project, line, f"requires-python = {spec!r}", _pep440_accepts(spec))
            except ValueError:
                raise ConfigError(f"cannot read requires-python = {spec!r}",
                                  hint='write it as a version range, e.g. ">=3.11"',
                                  where=Where(project, line, "project.requires-python")) from None
    return None


def _node_pin(source: Path) -> _Pin | None:
    package = source / "package.json"
    if not package.is_file():
        return None
    text = _read(package)
    try:
        data = json.loads(text)
    except ValueError:
        return None
    engines = data.get("engines") if isinstance(data, dict) else None
    spec = engines.get("node") if isinstance(engines, dict) else None
    if not isinstance(spec, str) or not spec.strip():
        return None
    line = _line_of(text, '"node"')
    try:
        return _Pin(package, line, f'engines.node = "{spec}"', _semver_accepts(spec))
    except ValueError:
        raise ConfigError(f'cannot read engines.node = "{spec}"', hint='write a range, e.g. ">=20"',
                          where=Where(package, line, "engines.node")) from None


_MAVEN_RELEASE = re.compile(
    r"<(maven\.compiler\.release|release|maven\.compiler\.source|source|java\.version)>\s*([\d.]+)\s*<")
_GRADLE_RELEASE = re.compile(
    r"(JavaLanguageVersion\.of\(\s*|JavaVersion\.VERSION_|sourceCompatibility\s*=\s*['\"]?)(1[._]8|\d+)")


def _java_pin(source: Path) -> _Pin | None:
    for name, pattern in (("pom.xml", _MAVEN_RELEASE), ("build.gradle.kts", _GRADLE_RELEASE),
                          ("build.gradle", _GRADLE_RELEASE)):
        path = source / name
        if not path.is_file():
            continue
        text = _read(path)
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
            return _Pin(path, line, written_as, lambda v, want=major: v[0] >= want)
    return None


def _go_note(source: Path) -> str:
    mod = source / "go.mod"
    if mod.is_file():
        match = re.search(r"^go\s+(\S+)", _read(mod), re.M)
        if match:
            return f"go.mod says go {match.group(1)}; Go runs on provided.al2023 as a bootstrap binary"
    return "Go runs on provided.al2023 as a bootstrap binary"


def _runtime_for(lang: str, source: Path, registry: Registry, today: _dt.date) -> tuple[Runtime, str]:
    """The runtime for one language and a sentence saying why; ConfigError for a pin nothing satisfies."""
    if lang == "go":
        return registry.lookup("provided.al2023"), _go_note(source)
    pin = {"python": _python_pin, "nodejs": _node_pin, "java": _java_pin}[lang](source)
    if pin is None:
        newest = registry.newest(lang, today)
        return newest, f"no version pin; the newest {lang} runtime"
    runtimes = [r for r in registry.all() if r.language == lang]
    creatable = [r for r in runtimes if r.status(today) in ("supported", "deprecated")]
    fits = sorted((r for r in creatable if pin.accepts(_version_tuple(r.version))),
                  key=lambda r: _version_tuple(r.version))
    preferred = [r for r in fits if r.status(today) == "supported"] or fits
    if preferred:
        chosen = preferred[0]
        return chosen, f"{pin.file.name} pins {pin.text}"
    offered = ", ".join(r.id for r in sorted(creatable, key=lambda r: _version_tuple(r.version)))
    raise ConfigError(
        f"{pin.file.name} pins {pin.text}, and no {lang} runtime Lambda can create today fits it",
        hint=f"change the pin to a version Lambda runs ({offered}), or name the runtime under [metadata]",
        where=Where(pin.file, pin.line),
    )


# --------------------------------------------------------------------------- handlers


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


def _python_handler_names(text: str) -> list[str]:
    names = []
    for match in _PY_DEF.finditer(text):
        params = _split_params(match.group(2))
        if len(params) != 2 or any("=" in p or p.startswith("*") or p == "/" for p in params):
            continue
        first, second = (p.split(":", 1)[0].strip() for p in params)
        if _EVENT.fullmatch(first) and _CONTEXT.fullmatch(second):
            names.append(match.group(1))
    return names


def _python_modules(files: list[_Rel]) -> list[_Rel]:
    """Top-level modules and modules inside packages (every folder on the way has __init__.py)."""
    present = {f.posix for f in files}
    modules = []
    for rel in files:
        if rel.suffix != ".py" or _in_tests(rel) or rel.name == "setup.py":
            continue
        folders = rel.parts[:-1]
        if all(f"{'/'.join(folders[: i + 1])}/__init__.py" in present for i in range(len(folders))):
            modules.append(rel)
    return modules


def _python_module_name(rel: _Rel) -> str:
    return rel.without_suffix().replace("/", ".")


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
_NODE_HANDLER_EXTENSIONS = (".js", ".mjs", ".cjs")


def _go_main_dirs(source: Path, files: list[_Rel]) -> dict[str, str]:
    """Folder (posix, "." for the top) → first file declaring ``package main``."""
    mains: dict[str, str] = {}
    for rel in files:
        if rel.suffix != ".go" or _in_tests(rel):
            continue
        if rel.folder in mains:
            continue
        if re.search(r"^package\s+main\b", _read(source / rel.posix), re.M):
            mains[rel.folder] = rel.posix
    return mains


_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)


def _java_declares(text: str, method: str) -> bool:
    """True when ``text`` declares (not just calls) ``method``: ``name(...) [throws ...] {``."""
    pattern = rf"[\w>\]]\s+{re.escape(method)}\s*\([^;{{}}]*\)\s*(?:throws\s+[\w.,\s]+)?\{{"
    return re.search(pattern, text) is not None


def _strip_java_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _java_class(source: Path, rel: _Rel) -> tuple[str, str]:
    """(fully qualified class name, source text without comments) for one .java file."""
    text = _strip_java_comments(_read(source / rel.posix))
    package = _JAVA_PACKAGE.search(text)
    return (f"{package.group(1)}.{rel.stem}" if package else rel.stem), text


def _java_sources(files: list[_Rel]) -> list[_Rel]:
    return [rel for rel in files if rel.suffix == ".java" and not _in_tests(rel)
            and "src/test/" not in rel.posix]


def find_handlers(runtime: Runtime, source: Path) -> list[Candidate]:
    """Every handler of ``runtime``'s language found in ``source``, each with its evidence."""
    return _handlers(runtime, Path(source), _walk(Path(source)))


def _handlers(runtime: Runtime, source: Path, files: list[_Rel]) -> list[Candidate]:
    found: list[Candidate] = []
    if runtime.language == "python":
        for rel in _python_modules(files):
            for name in _python_handler_names(_read(source / rel.posix)):
                found.append(Candidate(runtime.id, f"{_python_module_name(rel)}.{name}",
                                       f"{rel.posix}: def {name}(event, context)"))
    elif runtime.language == "nodejs":
        for rel in files:
            if rel.suffix in _NODE_HANDLER_EXTENSIONS and not _is_tooling(rel.name) and not _in_tests(rel):
                if _JS_HANDLER.search(_strip_js_comments(_read(source / rel.posix))):
                    found.append(Candidate(runtime.id, f"{rel.without_suffix()}.handler",
                                           f"{rel.posix} exports handler"))
    elif runtime.language == "go":
        for folder, rel in _go_main_dirs(source, files).items():
            found.append(Candidate(runtime.id, "bootstrap", f"{rel}: package main"))
    elif runtime.language == "java":
        for rel in _java_sources(files):
            qualified, text = _java_class(source, rel)
            if _java_declares(text, "handleRequest"):
                found.append(Candidate(runtime.id, f"{qualified}::handleRequest",
                                       f"{rel.posix}: handleRequest"))
    return found


# --------------------------------------------------------------------------- checking a named handler


def _check_python(source: Path, handler: str) -> str | None:
    module, _, function = handler.rpartition(".")
    if not module or not function:
        return f"handler {handler!r} must be module.function, e.g. app.lambda_handler"
    base = source.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            text = _read(path)
            name = re.escape(function)
            if re.search(rf"^(?:async[ \t]+)?def[ \t]+{name}\b|^{name}[ \t]*(?::[^=\n]*)?=(?!=)"
                         rf"|^(?:from[ \t]+\S+[ \t]+)?import[ \t]+.*\b(?:as[ \t]+)?{name}\b", text, re.M):
                return None
            return f"handler {handler!r}: {path.relative_to(source).as_posix()} has no top-level function {function!r}"
    return f"handler {handler!r}: no {module.replace('.', '/')}.py in {source}"


def _check_node(source: Path, handler: str) -> str | None:
    stem, _, function = handler.rpartition(".")
    if not stem or not function:
        return f"handler {handler!r} must be file.function, e.g. index.handler"
    for extension in _NODE_HANDLER_EXTENSIONS:
        path = source / (stem + extension)
        if path.is_file():
            if _js_exports(function).search(_strip_js_comments(_read(path))):
                return None
            return f"handler {handler!r}: {path.relative_to(source).as_posix()} does not export {function!r}"
    if (source / (stem + ".ts")).is_file():
        return f"handler {handler!r}: {stem}.ts is TypeScript, which Lambda does not run; point at the compiled .js"
    return f"handler {handler!r}: no {stem}.js, {stem}.mjs or {stem}.cjs in {source}"


def _check_java(source: Path, handler: str) -> str | None:
    qualified, _, method = handler.partition("::")
    method = method or "handleRequest"
    if not re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", qualified):
        return f"handler {handler!r} must be package.Class::method, e.g. example.Handler::handleRequest"
    class_name = qualified.rsplit(".", 1)[-1]
    for rel in _java_sources(_walk(source)):
        if rel.stem != class_name:
            continue
        found, text = _java_class(source, rel)
        if found != qualified:
            continue
        if _java_declares(text, method):
            return None
        return f"handler {handler!r}: {rel.posix} declares no method {method!r}"
    return f"handler {handler!r}: no class {qualified} (file {class_name}.java) in {source}"


def _check_go(source: Path, handler: str) -> str | None:
    if _go_main_dirs(source, _walk(source)):
        return None
    return f"handler {handler!r}: no Go main package in {source}; a Go function is a main package built as bootstrap"


_CHECKERS = {"python": _check_python, "nodejs": _check_node, "java": _check_java, "go": _check_go}


def check_handler(runtime: Runtime, source: Path, handler: str) -> str | None:
    """A problem with ``handler`` for ``runtime`` in ``source``, or None when it exists."""
    checker = _CHECKERS.get(runtime.language)
    return checker(source, handler) if checker else None


# --------------------------------------------------------------------------- detection


def detect(source: Path, registry: Registry = DEFAULT, today: _dt.date | None = None) -> Detection:
    """The runtime and handler of the function in ``source``; candidates when not exactly one fits."""
    today = today or _dt.date.today()
    source = Path(source)
    files = _walk(source)
    deps, sources = _language_evidence(files)
    languages = _choose_languages(deps, sources)
    if not languages:
        return Detection(None, None, ())
    if len(languages) > 1:
        candidates = []
        for lang in languages:
            try:
                runtime, _ = _runtime_for(lang, source, registry, today)
            except ConfigError:
                runtime = registry.newest(lang, today)
            handlers = _handlers(runtime, source, files)
            handler = handlers[0].handler if len(handlers) == 1 else None
            candidates.append(Candidate(runtime.id, handler, _evidence_text(lang, deps, sources)))
        return Detection(None, None, tuple(candidates))
    lang = languages[0]
    runtime, why = _runtime_for(lang, source, registry, today)
    evidence = f"{_evidence_text(lang, deps, sources)} ({why})"
    handlers = _handlers(runtime, source, files)
    if len(handlers) == 1:
        only = handlers[0]
        return Detection(runtime.id, only.handler, (Candidate(runtime.id, only.handler, f"{evidence}; {only.evidence}"),))
    if not handlers:
        return Detection(runtime.id, None, (Candidate(runtime.id, None, evidence),))
    return Detection(runtime.id, None, tuple(handlers))


# --------------------------------------------------------------------------- report


def report(found: Detection, directory: Path, json_output: bool) -> int:
    """Show a detection (text on stderr, or JSON on stdout); 0 when one runtime and one handler fit, else 2."""
    from .. import ui
    from ..errors import EXIT_BAD_INPUT, EXIT_OK

    ok = found.runtime is not None and found.handler is not None
    if json_output:
        ui.emit_json({
            "runtime": found.runtime,
            "handler": found.handler,
            "candidates": [{"runtime": c.runtime, "handler": c.handler, "evidence": c.evidence}
                           for c in found.candidates],
        })
        return EXIT_OK if ok else EXIT_BAD_INPUT
    if ok:
        ui.success(f"runtime {found.runtime}")
        ui.success(f"handler {found.handler}")
        for candidate in found.candidates:
            ui.info(f"  evidence: {candidate.evidence}")
        return EXIT_OK
    listing = "\n".join(f"  {c.runtime or '?'}  {c.handler or '(no handler)'}  ({c.evidence})"
                        for c in found.candidates)
    if found.runtime is None and found.candidates:
        ui.error(f"more than one runtime fits {directory}:\n{listing}\n"
                 f'  fix: name one under [metadata], e.g. runtime = "{found.candidates[0].runtime}"')
    elif found.runtime is None:
        ui.error(f"no Python, Node.js, Go or Java function found in {directory}\n"
                 "  fix: check the folder, or name runtime and handler under [metadata]")
    elif len(found.candidates) > 1:
        ui.error(f"more than one {found.runtime} handler fits in {directory}:\n{listing}\n"
                 f'  fix: name one under [metadata], e.g. handler = "{found.candidates[0].handler}"')
    else:
        ui.error(f"runtime {found.runtime}, but no handler found in {directory}\n{listing}\n"
                 '  fix: name it under [metadata], e.g. handler = "app.lambda_handler"')
    return EXIT_BAD_INPUT
