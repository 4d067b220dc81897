"""The local files and folders a dependency manifest names, so the layer is rebuilt when they change.

A layer is built from more than its manifest's bytes when the manifest points at
files on this machine:

- requirements files: ``./libs/x-1.0-py3-none-any.whl``, ``./pkg``, ``-e ./pkg``,
  ``name @ file:///...``, ``file:`` URLs, ``-f ./wheels``, and the files ``-r``/``-c``
  include (followed, with their own references);
- Python lock files: their path, file and directory sources (read through ``lockfiles``);
- package.json: ``file:`` and ``link:`` dependencies.

``referenced`` lists them (files and folders, resolved, in order) and ``input_files``
expands folders into their files: the layer's cache key hashes them and the layer
task depends on them. A folder is taken without what building it leaves behind
(``build/``, ``dist/``, ``*.egg-info``) and without the folders no function ships,
so installing a local package does not itself change the key. Reading is lenient:
a manifest this module cannot read names nothing here, and the installer says what
is wrong with it when the layer is built.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..errors import GenesysError
from ..languages import IGNORED_DIRS, PYTHON_LOCK_FILES
from .walk import walk

ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2")
BUILD_LEFTOVERS = frozenset({"build", "dist", "node_modules"})
_NESTED = {"-r": "file", "--requirement": "file", "-c": "file", "--constraint": "file"}
_PATH_OPTIONS = {"-e", "--editable", "-f", "--find-links"}
# Lock files mention local sources only with one of these; others are not parsed at all.
_LOCAL_IN_LOCK = re.compile(r'"(path|file)"\s*:|type = "(directory|file)"|\b(editable|directory|path) = ')
MAX_NESTING = 10
NOT_REQUIREMENTS = frozenset({"Pipfile", "pyproject.toml"})  # Python manifests that are no requirements file


def _local_path(text: str, base: Path) -> Path | None:
    """The local path a requirement token names (a path or a ``file:`` URL), or None."""
    text = text.split("#", 1)[0].strip()
    if text.startswith("file:"):
        parsed = urlparse(text)
        path = unquote(parsed.path)
        return Path(path) if path.startswith("/") else base / path
    text = re.sub(r"\[[^\]]*\]$", "", text)  # ./pkg[extra]
    looks_like_path = text.startswith((".", "/", "~")) or "/" in text or text.endswith(ARCHIVES)
    if not text or "://" in text or not looks_like_path:
        return None
    return (base / Path(text).expanduser()).resolve()


def _logical_lines(text: str) -> list[str]:
    return [line.split(" #", 1)[0].strip() for line in text.replace("\\\n", " ").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _tokens(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def requirement_references(manifest: Path, seen: set[Path] | None = None) -> list[Path]:
    """Local paths a requirements file names, including the files it includes and theirs."""
    seen = set() if seen is None else seen
    if manifest in seen or len(seen) > MAX_NESTING or not manifest.is_file():
        return []
    seen.add(manifest)
    base, found = manifest.parent, []
    for line in _logical_lines(manifest.read_text(encoding="utf-8", errors="replace")):
        tokens = _tokens(line.split(" ;", 1)[0])
        option, _, value = tokens[0].partition("=") if tokens else ("", "", "")
        value = value or (tokens[1] if len(tokens) > 1 else "")
        if option in _NESTED and value:
            nested = (base / value).resolve()
            found += [nested, *requirement_references(nested, seen)]
        elif option in _PATH_OPTIONS and value:
            found.append(_local_path(value, base))
        elif tokens and not option.startswith("-"):
            head = line.split(";", 1)[0]
            target = head[head.index("file:"):].split()[0] if "file:" in head else tokens[0]
            found.append(_local_path(target, base))
    return [path for path in found if path is not None]


def lock_references(lock: Path) -> list[Path]:
    """Local paths a Python lock file installs from (path, file and directory sources)."""
    from .lockfiles import requirements_text

    if not _LOCAL_IN_LOCK.search(lock.read_text(encoding="utf-8", errors="replace")):
        return []
    try:
        text = requirements_text(lock)
    except (GenesysError, ValueError, KeyError, TypeError, AttributeError):
        return []
    found = []
    for line in _logical_lines(text):
        if " @ " in line:
            found.append(_local_path(line.split(" @ ", 1)[1].split(" ;", 1)[0], lock.parent))
    return [path for path in found if path is not None]


NODE_LOCAL_PROTOCOLS = ("file:", "link:")  # npm's, and yarn's/pnpm's name for a linked folder


def package_json_local(manifest: Path, sections=("dependencies", "optionalDependencies", "peerDependencies",
                                                 "devDependencies")) -> dict[str, tuple[str, str, Path]]:
    """package.json's ``file:`` and ``link:`` dependencies: name → (section, spec, the path resolved against
    package.json's folder, where npm resolves it)."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = {}
    for section in sections:
        deps = data.get(section) if isinstance(data, dict) else None
        for name, spec in deps.items() if isinstance(deps, dict) else ():
            if isinstance(spec, str) and spec.startswith(NODE_LOCAL_PROTOCOLS):
                found[name] = (section, spec, (manifest.parent / spec.split(":", 1)[1]).resolve())
    return found


def package_json_references(manifest: Path) -> list[Path]:
    """The folders and tarballs package.json's ``file:`` and ``link:`` dependencies name."""
    return [path for _section, _spec, path in package_json_local(manifest).values()]


def referenced(manifests: list[Path], language: str) -> list[Path]:
    """Every local file or folder the manifests (and lock files) name, resolved, without repeats."""
    found: list[Path] = []
    for manifest in manifests:
        try:
            if manifest.name == "package.json":
                found += package_json_references(manifest)
            elif manifest.name in PYTHON_LOCK_FILES:
                found += lock_references(manifest)
            elif language == "python" and manifest.name not in NOT_REQUIREMENTS:
                found += requirement_references(manifest)
        except OSError:
            continue  # unreadable: the installer says so when the layer is built
    return list(dict.fromkeys(path for path in found if path not in manifests))


def _leftover(rel: str, is_folder: bool) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return is_folder and (name in IGNORED_DIRS or name in BUILD_LEFTOVERS or name.endswith(".egg-info"))


def input_files(paths: list[Path]) -> list[Path]:
    """The files behind ``paths``: a file itself, every file a folder holds (building's leftovers aside)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [file for _, file in walk(path, leave_out=_leftover).entries]
        elif path.is_file():
            files.append(path)
    return list(dict.fromkeys(files))
