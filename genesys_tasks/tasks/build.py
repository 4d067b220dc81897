"""The build-side doit tasks of one function: ``build``, ``layer``, ``pre_build`` and ``package``.

``build:<fn>`` is the one task a function needs: it zips the source, checks imports and
limits, runs post_build and writes the artifact records. Functions sharing a layer share
one ``layer`` task; ``pre_build`` exists only where hooks do; ``package:<fn>`` (the zip
alone) is made only when a run names it (``on_demand``). A no-op ``doit build`` over N
functions is thus N tasks plus one per distinct layer. Each is a task dict with real
``file_dep``s (sources, manifests, zips), ``targets`` and one up-to-date callable over
just the settings it reads, so a no-op runs nothing and changing memory rebuilds nothing.
Making them lists files and nothing more.

They are made from a ``function.Function``: what making them reads of its spec is its
``Facts`` (``facts_of``: plain values, the settings as their digest), which the spec cache
keeps, so a no-op unpickles no spec but one a manifest (``LayerInputs``: the files a layer
is built from are worked out on each run, from the first spec naming the manifest); the
actions hold the function and get its spec when they run.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

from doit.tools import config_changed

from .. import paths
from ..build import steps
from ..build.toolrun import debug_enabled
from ..config import FunctionSpec
from .action import Action
from .function import Function


def _files(paths_: list[Path]) -> list[str]:
    return [str(p) for p in paths_]


def settings_digest(settings: dict) -> str:
    """What doit's ``config_changed`` saves for ``settings`` (the md5 of their sorted JSON): given the digest,
    it compares that string, so the digest is worked out when a spec is loaded, not on every run."""
    return hashlib.md5(json.dumps(settings, sort_keys=True).encode("utf-8")).hexdigest()


class SettingsAndTargets(config_changed):
    """A step's one up-to-date check: the settings it reads are unchanged (``config_changed``, given the
    settings or their ``settings_digest``) and its targets still hold the bytes it recorded
    (``steps.targets_intact``). One callable, not two: doit inspects the signature of each, for every
    task, on every run; ``__signature__`` (PEP 362's own answer to ``inspect.signature``) saves it
    working out that of a bound ``__call__`` each time.

    ``targets``: the files it records when they are not the task's own targets (``package:<fn>`` writes
    the zips that are ``build:<fn>``'s)."""

    __signature__ = inspect.Signature([inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                       for name in ("task", "values")])

    def __init__(self, config: dict | str, targets: list[str] | None = None):
        super().__init__(config)
        self.written = None if targets is None else SimpleNamespace(targets=targets)

    def __call__(self, task, values) -> bool:
        return super().__call__(task, values) and steps.targets_intact(self.written or task, values) is not False


class Facts(NamedTuple):
    """What making a function's build tasks reads of its spec (``facts_of``), as plain values."""

    architectures: tuple[str, ...]
    has_layer: bool
    pre_build: tuple[str, ...]
    bundles: bool  # the function zip carries its dependencies (``bundles_dependencies``)
    manifest: tuple  # what ``steps.layer_inputs`` depends on (``LayerInputs``)
    layer: tuple  # the settings that, with the manifest's files, make a layer (``shared_layers``)
    layer_settings: str  # ``settings_digest`` of the layer task's settings
    build_settings: str  # ... and of the build task's


def facts_of(spec: FunctionSpec) -> Facts:
    from ..build.package import bundles_dependencies

    build = spec.build
    requirements = None if build.requirements_file is None else str(build.requirements_file)
    return Facts(build.architectures, spec.has_layer, build.pre_build, bundles_dependencies(spec),
                 (requirements, spec.runtime.language, spec.runtime.dependency_files),
                 (spec.runtime.id, build.architectures, build.build_method, build.installer, build.image,
                  build.container_env, build.container_volumes, build.ca_bundle),
                 settings_digest(_layer_settings(spec)), settings_digest(_build_settings(spec)))


def function_of(spec: FunctionSpec, sources: list[str], problems: tuple[str, ...] = ()) -> Function:
    """A spec at hand (not from the cache) as the tasks take it; ``problems``: its listing's."""
    return Function(spec.name, facts_of(spec), sources, spec, problems=problems)


def function_listed(spec: FunctionSpec, pattern: str) -> Function:
    """``function_of`` a spec at hand with the sources and problems its listing finds now."""
    from ..build.package import function_listing

    listing = function_listing(spec, pattern)
    return function_of(spec, [str(path) for _, path in listing.entries], tuple(listing.problems))


class LayerInputs:
    """``steps.layer_inputs`` of each manifest, worked out once per load: a requirements file that
    a thousand functions share is parsed, and its lock files probed, once."""

    def __init__(self):
        self._known: dict[tuple, list[str]] = {}

    def __call__(self, function: Function) -> list[str]:
        key = function.facts.manifest
        if key not in self._known:
            self._known[key] = _files(steps.layer_inputs(function.spec))
        return self._known[key]


def _layer_settings(spec: FunctionSpec) -> dict:
    """``manifest``: which of the files beside it is installed (a requirements file and a lock file in one
    folder are both inputs of the layer, whichever is named)."""
    build = spec.build
    return {"manifest": build.requirements_file.name if build.requirements_file else None,
            "runtime": spec.runtime.id, "architectures": list(build.architectures),
            "method": build.build_method, "installer": build.installer, "image": build.image,
            "container_env": list(build.container_env), "container_volumes": list(build.container_volumes)}


def shared_layers(functions: list[Function], inputs: LayerInputs) -> list[list[Function]]:
    """The functions with a layer, grouped by the layer they build: the same input files and settings
    make the same layer, so one task builds it for all of them (named after the first)."""
    groups: dict[tuple, list[Function]] = {}
    for function in functions:
        if function.facts.has_layer:
            groups.setdefault((tuple(inputs(function)), function.facts.layer), []).append(function)
    return list(groups.values())


def layer_task(function: Function, root: Path, remote=None, *, inputs: list[str] | None = None,
               sharing: tuple[Function, ...] = ()) -> dict | None:
    """``remote``: the layer cache's store shared across machines (``shared_cache.remote_store``), or None.

    ``sharing``: other functions whose layer is this one (``shared_layers``); the task links
    each one's ``layer-<arch>.zip`` to the same bytes, and their builds wait for it.
    """
    facts = function.facts
    if not facts.has_layer:
        return None
    owners = (function, *sharing)
    names = f"{function.name} and {len(sharing)} more" if sharing else function.name
    return {
        "name": function.name,
        "doc": f"dependency layer of {names}",
        "actions": [Action(steps.build_layers, function, root, remote, tuple(other.name for other in sharing))],
        "file_dep": inputs if inputs is not None else _files(steps.layer_inputs(function.spec)),
        "targets": [paths.layer_zip_file(root, owner.name, arch)
                    for owner in owners for arch in facts.architectures],
        "uptodate": [SettingsAndTargets(facts.layer_settings)],
        "clean": True,
    }


def pre_build_task(function: Function, root: Path) -> dict | None:
    if not function.facts.pre_build:
        return None
    return {
        "name": function.name,
        "doc": f"pre_build hooks of {function.name}",
        "actions": [Action(steps.pre_build, function, root)],
        "file_dep": function.sources,
        "uptodate": [config_changed({"pre_build": list(function.facts.pre_build)})],
        "verbosity": 2 if debug_enabled() else 1,
    }


def _package_settings(spec: FunctionSpec) -> dict:
    from ..build.package import bundles_dependencies

    settings = {
        "runtime": spec.runtime.id, "handler": spec.handler, "exclude": list(spec.build.exclude),
        "include": list(spec.build.include), "architectures": list(spec.build.architectures),
        "sourcemap": spec.build.sourcemap,
    }
    if bundles_dependencies(spec):  # the installer's settings, and the file it installs, decide what goes in too
        settings["dependencies"] = [spec.build.build_method, spec.build.installer, spec.build.image,
                                    spec.build.requirements_file.name]
    return settings


def _build_settings(spec: FunctionSpec) -> dict:
    return {**_package_settings(spec), "post_build": list(spec.build.post_build),
            "strict_imports": spec.build.strict_imports, "layers": len(spec.function.layers),
            "artifact_bucket": spec.deployment.artifact_bucket,
            **({"image": [steps.base_image(spec), spec.deployment.image_repository]} if spec.build.is_image else {})}


def _package_inputs(function: Function, inputs: LayerInputs | None) -> list[str]:
    """What the function zip is made of: its sources, and the manifests when it bundles its dependencies."""
    return function.sources + ((inputs or LayerInputs())(function) if function.facts.bundles else [])


def _with_problems(function: Function, digest: str) -> str:
    """The settings ``digest`` of a zip's task, with the problems of its source listing: a link leaving the
    folder is no file doit checks, so the task must run (and fail, as a build from nothing does) when
    one comes, and again while it stays; once it is gone the digest is the one the last good build saved."""
    return settings_digest({"settings": digest, "problems": list(function.problems)}) if function.problems else digest


def _function_zips(function: Function, root: Path) -> list[str]:
    return [paths.function_zip_file(root, function.name, arch) for arch in function.facts.architectures]


def package_task(function: Function, root: Path, inputs: LayerInputs | None = None) -> dict:
    """``package:<fn>``, made only when a run names it (``on_demand``): the zip alone, without the
    layer and the checks ``build:<fn>`` runs after it."""
    return {
        "name": function.name,
        "doc": f"function zip of {function.name}",
        "actions": [Action(steps.package, function, root)],
        "file_dep": _package_inputs(function, inputs),
        "task_dep": [f"pre_build:{function.name}"] if function.facts.pre_build else [],
        "uptodate": [SettingsAndTargets(_with_problems(function, settings_digest(_package_settings(function.spec))),
                                        _function_zips(function, root))],
    }


class SourcesHeld:
    """The ``build`` task's first and last actions: what its sources were as it began (``begin``), and a
    failure naming those that changed before it ended (``end``).

    doit saves each file's state after the task ran, so a file saved while the zip was written or
    post_build ran (a formatter in post_build, an editor) was taken for what the zip holds, and no later
    build made it again. Failing (as Bazel does for a file modified during the build) leaves doit's state
    as it was: the next build zips the file as it is then. A stat per file as it begins and as it ends
    (``build.walk.stamp_of``, what a listing's ``still_holds`` compares), only when the task runs."""

    def __init__(self, name: str, files: list[str]):
        self.name, self.files, self.seen = name, files, {}

    def __repr__(self) -> str:
        return f"<sources of {self.name}>"

    def begin(self) -> None:
        from ..build.walk import stamp_of

        self.seen = {path: stamp_of(path) for path in self.files}

    def end(self):
        from ..build.walk import names_line, stamp_of

        changed = [path for path, seen in self.seen.items() if stamp_of(path) != seen]
        if not changed:
            return None
        from ..errors import BuildError
        from .action import Failure

        error = BuildError(f"{self.name}: {names_line(changed)} changed while the build ran, so the zip may "
                           "hold what was there before",
                           hint="run `doit build` again: it zips the files as they are then")
        return Failure(error.render(), error.exit_code)


def build_task(function: Function, root: Path, inputs: LayerInputs | None = None, layer: str | None = None) -> dict:
    """One task a function: zip it, then check its imports and limits, run post_build and write the
    artifact records. ``layer``: the function whose ``layer`` task builds this one's layer
    (``shared_layers``), else its own; the layer zips are file dependencies."""
    name, facts = function.name, function.facts
    architectures = facts.architectures
    layers = [paths.layer_zip_file(root, name, arch) for arch in architectures] if facts.has_layer else []
    sources = _package_inputs(function, inputs)
    held = SourcesHeld(name, sources)
    return {
        "name": name,
        "doc": f"build {name}: layer, pre_build, package, then imports, limits and post_build",
        "actions": [held.begin, Action(steps.package, function, root), Action(steps.check_imports, function, root),
                    Action(steps.finish, function, root), held.end],
        "file_dep": sources + layers,
        # the zips first: their recorded bytes are checked (``targets_intact``); then the artifact records
        "targets": _function_zips(function, root) + [paths.record_file(root, name, arch) for arch in architectures],
        "task_dep": ([f"layer:{layer or name}"] if facts.has_layer else [])
                    + ([f"pre_build:{name}"] if facts.pre_build else []),
        "uptodate": [SettingsAndTargets(_with_problems(function, facts.build_settings))],
        "clean": True,
        "verbosity": 2 if debug_enabled() else 1,
    }
