"""Which functions a change touched: the one answer every generated CI workflow asks for.

A function changed when a file its build or deploy reads differs between a commit and
the working tree. Those files are the ones the doit tasks depend on, from the same
functions: the function zip's sources (``build.package.function_sources``, so excludes,
dependency folders and default excludes apply), the layer's inputs
(``build.steps.layer_inputs``: the manifest, its lock files, the local files they name,
such as ``../requirements.txt``), the TOML itself, the project's
``genesys-runtimes.toml``, and the files a ``pre_build``/``post_build`` command names
(a word of the command that is a path in the source folder), and the files of the
``[build] shared`` folders the zip carries. A deleted file counts
when the function's source rules would have shipped it.

A TOML that no longer exists is listed apart (``removed``); nothing is ever deleted
for it. A TOML that moved (a renamed file or folder) whose function a TOML of the working
tree still names is not removed: its function is deployed from the new place, and a delete
job for the old one would delete the live function. A ref git does not know means every
function (``everything``).

``since="deployed"`` (``changed_since_deployed``) compares each function with the commit it
was last deployed from (the ``genesys:commit`` tag a deploy records): a function whose
inputs differ from that commit, that records no commit, whose commit this clone does not
have, or that is not deployed, counts as changed. That is how a failed deploy is retried
by the next pipeline and a scheduled run finds exactly what drifted.

A TOML with ``[stages.<name>]`` tables deploys to those stages only (``stages_of``): a pipeline
environment whose stage it does not define skips it, and is not asked about it.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..build.package import function_sources, source_rules
from ..build.steps import layer_inputs
from ..config import FunctionSpec
from ..config.runtimes_file import PROJECT_FILE
from ..globs import matches
from ..languages import SKIP_DIRS
from . import git


@dataclass(frozen=True)
class Removed:
    """A function TOML the ref had and the working tree does not."""

    toml: str  # relative to the project root
    name: str  # its [metadata] name at the ref (the file's stem when unreadable)
    stages: tuple[str, ...] = ()  # the [stages.<name>] it defined at the ref: () took any stage

    def row(self) -> dict:
        """As the CI files read it (``--output removed``, the delete jobs)."""
        return {"toml": self.toml, "name": self.name, "stages": list(self.stages)}


@dataclass(frozen=True)
class Changes:
    """The answer of ``genesys changed``: the functions to build and deploy, and the TOMLs gone."""

    since: str
    everything: bool  # the ref was unknown: every function counts as changed
    functions: tuple[FunctionSpec, ...]
    removed: tuple[Removed, ...]
    root: Path
    languages: frozenset[str] = frozenset()  # of every function of the project, changed or not

    def rows(self) -> list[dict]:
        """One row per changed function, as the CI matrix reads it (name, toml, runtime, podman, and the
        stages its TOML defines: [] when it takes any)."""
        return [{"name": spec.name, "toml": relative(spec.path, self.root), "runtime": spec.runtime.id,
                 "podman": spec.build.build_method == "podman", "stages": list(stages_of(spec))}
                for spec in self.functions]

    def to_json(self) -> dict:
        return {"since": self.since, "all": self.everything, "functions": self.rows(),
                "removed": [r.row() for r in self.removed]}


def relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def stages_of(spec: FunctionSpec) -> tuple[str, ...]:
    """The ``[stages.<name>]`` its TOML defines, sorted; () when it defines none (it takes any stage)."""
    from ..config.loader import read_toml

    return _stage_names(read_toml(spec.path)[1])


def _stage_names(data: dict) -> tuple[str, ...]:
    """The names of the ``[stages.<name>]`` tables of a TOML's ``data``, sorted (() when it has none)."""
    stages = data.get("stages")
    return tuple(sorted(stages)) if isinstance(stages, dict) else ()


def takes_stage(defined: tuple[str, ...], stage: str) -> bool:
    """Whether a pipeline environment of ``stage`` ("" none) deploys a function whose TOML defines the
    stages ``defined``: that stage among them, or none at all."""
    return not stage or not defined or stage in defined


def _hook_files(spec: FunctionSpec) -> set[Path]:
    """Paths in the source folder that the words of the function's hook commands name."""
    found = set()
    for command in spec.build.pre_build + spec.build.post_build:
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        for word in words:
            if not word.startswith("-") and ("/" in word or "." in word):
                found.add(Path(os.path.normpath(spec.source_path / word)))
    return found


def function_inputs(spec: FunctionSpec, root: Path, pattern: str | None = None, *, sources: bool = True) -> set[Path]:
    """Every file whose change means rebuilding or redeploying ``spec`` (absolute, normalised).

    ``sources=False`` leaves out the source folder's files (the one part that walks a folder).
    """
    files = {spec.path, root / PROJECT_FILE}
    if sources:
        files.update(path for _, path in function_sources(spec, pattern))
    manifest = spec.build.requirements_file
    if manifest is not None:
        files.update(layer_inputs(spec))
        # A lock file added or removed beside the manifest changes what is installed.
        files.update(manifest.parent / name for name in spec.runtime.dependency_files)
    files.update(_hook_files(spec))
    return {Path(os.path.normpath(path)) for path in files}


def _inside(path: Path, folder: Path) -> bool:
    return not os.path.relpath(path, folder).startswith("..")


def _ships_deleted(spec: FunctionSpec, path: Path, pattern: str | None) -> bool:
    """Whether the source rules would have put ``path`` (deleted now) into the function zip."""
    rules = source_rules(spec, pattern)
    parts = Path(os.path.relpath(path, spec.source_path)).parts
    if any(rules("/".join(parts[:n]), True) for n in range(1, len(parts))):
        return False
    return not rules("/".join(parts), False)


def touched(spec: FunctionSpec, root: Path, diff: git.Diff, pattern: str | None = None) -> bool:
    """Whether ``diff`` touches a file ``spec`` is built or deployed from.

    The source folder is walked only when the diff has a path inside it.
    """
    if not function_inputs(spec, root, pattern, sources=False).isdisjoint(diff.changed):
        return True
    source = Path(os.path.normpath(spec.source_path))
    inside = {path for path in diff.changed if _inside(path, source)}
    shared = {path for path in diff.changed if any(_inside(path, folder) for folder in spec.build.shared)}
    if not inside and not shared:
        return False
    if not (inside | shared).isdisjoint(Path(os.path.normpath(path)) for _, path in function_sources(spec, pattern)):
        return True
    # a file deleted from a shared folder: it shipped unless a default exclude kept it out, so count it
    return bool(shared & diff.deleted) or any(_ships_deleted(spec, path, pattern) for path in inside & diff.deleted)


def _removed(root: Path, top: Path, ref: str, diff: git.Diff, pattern: str, live: frozenset[str]) -> list[Removed]:
    """The function TOMLs ``diff`` deleted whose function no TOML of the working tree names (``live``)."""
    found = []
    for path in sorted(diff.deleted):
        rel = os.path.relpath(path, root)
        if rel.startswith("..") or not matches(Path(rel).as_posix(), (pattern,)):
            continue
        if any(part in SKIP_DIRS for part in Path(rel).parts[:-1]):
            continue
        try:
            data = tomllib.loads(git.show(top, ref, path) or "")
        except tomllib.TOMLDecodeError:
            data = {}
        meta = data.get("metadata")
        name = meta.get("name", path.stem) if isinstance(meta, dict) else path.stem
        if str(name) not in live:
            found.append(Removed(Path(rel).as_posix(), str(name), _stage_names(data)))
    return found


DEPLOYED = "deployed"


def changed(specs: list[FunctionSpec], root: Path, since: str, pattern: str) -> Changes:
    """The functions of the project at ``root`` a change since commit ``since`` touched."""
    root = root.resolve()
    top = git.top_level(root)
    if not git.known_commit(top, since):
        return Changes(since, True, tuple(specs), (), root)
    diff = git.diff(top, since)
    hits = tuple(spec for spec in specs if touched(spec, root, diff, pattern))
    live = frozenset(spec.name for spec in specs)
    return Changes(since, False, hits, tuple(_removed(root, top, since, diff, pattern, live)), root)


def removed_since_ref(root: Path, since: str, pattern: str, live: frozenset[str]) -> tuple[Removed, ...]:
    """The function TOMLs commit ``since`` had and the working tree does not, whose function is not
    one of the ``live`` names the working tree's TOMLs give (none for an unknown ref)."""
    root = root.resolve()
    top = git.top_level(root)
    if not since or not git.known_commit(top, since):
        return ()
    return tuple(_removed(root, top, since, git.diff(top, since), pattern, live))


def changed_since_deployed(specs: list[FunctionSpec], root: Path, pattern: str, deployed_commit) -> Changes:
    """The functions whose inputs differ from the commit ``deployed_commit(spec)`` names (None: not deployed)."""
    root = root.resolve()
    top = git.top_level(root)
    diffs: dict[str, git.Diff] = {}
    hits = []
    for spec in specs:
        commit = deployed_commit(spec)
        if not commit or not git.known_commit(top, commit):
            hits.append(spec)
            continue
        if commit not in diffs:
            diffs[commit] = git.diff(top, commit)
        if touched(spec, root, diffs[commit], pattern):
            hits.append(spec)
    return Changes(DEPLOYED, False, tuple(hits), (), root)


def load_project(root: Path, pattern: str, warn, stage: str | None = None, paths=None) -> list[FunctionSpec]:
    """Every function of the project at ``root`` (or those of the TOMLs ``paths``), loaded as the doit
    tasks load them (as ``stage`` sees it)."""
    from ..config import discover, load_all, today_default
    from ..config.runtimes_file import load_registry

    return load_all(discover(root, pattern) if paths is None else paths, registry=load_registry(root),
                    today=today_default(), warn=warn, stage=stage)


def changes_since(since: str, root: Path, warn, *, removed_since: str = "", stages: tuple[str, ...] = ("",),
                  deployed_commit=None) -> Changes:
    """The ``Changes`` of the project under ``root`` since ``since`` (``genesys changed``, ``genesys ci
    gitlab-child``); ``warn`` hears what loading the TOMLs warns about.

    ``since`` is a commit, or ``deployed``: then ``stages`` are the stages the pipeline deploys ("" for
    none), and a function counts when it differs in any of them from the commit ``deployed_commit(spec)``
    names (default: ``cicd.deployed.DeployedCommits``, which reads AWS); the answer names the TOML without
    a stage. ``removed_since`` (a commit) lists the TOMLs removed since then, whatever ``since`` is.
    """
    from dataclasses import replace

    from ..config import discovery_pattern

    pattern = discovery_pattern()
    specs = load_project(root, pattern, warn)
    if since != DEPLOYED:
        found = changed(specs, root, since, pattern)
    else:
        if deployed_commit is None:
            from .deployed import DeployedCommits

            deployed_commit = DeployedCommits()
        hit: set[Path] = set()
        defined = {spec.path: stages_of(spec) for spec in specs} if any(stages) else {}  # each TOML read once
        for stage in stages:
            staged = (load_project(root, pattern, warn, stage=stage,
                                   paths=[spec.path for spec in specs if takes_stage(defined[spec.path], stage)])
                      if stage else specs)
            hit |= {spec.path for spec in changed_since_deployed(staged, root, pattern, deployed_commit).functions}
        found = Changes(DEPLOYED, False, tuple(spec for spec in specs if spec.path in hit), (), root.resolve())
    found = replace(found, languages=frozenset(spec.runtime.language for spec in specs))
    if not removed_since:
        return found
    return replace(found, removed=removed_since_ref(root, removed_since, pattern, frozenset(s.name for s in specs)))
