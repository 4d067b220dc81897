"""The build-side doit tasks of one function: ``build``, ``layer``, ``pre_build`` and ``package``.

``build:<fn>`` is the one task a function needs: it zips the source, checks imports and
limits, runs post_build and writes the artifact records. Functions sharing a layer share
one ``layer`` task; ``pre_build`` exists only where hooks do; ``package:<fn>`` (the zip
alone) is made only when a run names it (``on_demand``). A no-op ``doit build`` over N
functions is thus N tasks plus one per distinct layer. Each is a task dict with real
``file_dep``s (sources, manifests, zips), ``targets`` and one up-to-date callable over
just the settings it reads, so a no-op runs nothing and changing memory rebuilds nothing.
Making them lists files and nothing more.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from types import SimpleNamespace

from doit.tools import config_changed

from .. import paths
from ..build import steps
from ..build.toolrun import debug_enabled
from ..config import FunctionSpec
from .action import Action


def _files(paths_: list[Path]) -> list[str]:
    return [str(p) for p in paths_]


class SettingsAndTargets(config_changed):
    """A step's one up-to-date check: the settings it reads are unchanged (``config_changed``) and its
    targets still hold the bytes it recorded (``steps.targets_intact``). One callable, not two: doit
    inspects the signature of each, for every task, on every run; ``__signature__`` (PEP 362's own
    answer to ``inspect.signature``) saves it working out that of a bound ``__call__`` each time.

    ``targets``: the files it records when they are not the task's own targets (``package:<fn>`` writes
    the zips that are ``build:<fn>``'s)."""

    __signature__ = inspect.Signature([inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                       for name in ("task", "values")])

    def __init__(self, config: dict, targets: list[str] | None = None):
        super().__init__(config)
        self.written = None if targets is None else SimpleNamespace(targets=targets)

    def __call__(self, task, values) -> bool:
        return super().__call__(task, values) and steps.targets_intact(self.written or task, values) is not False


class LayerInputs:
    """``steps.layer_inputs`` of each manifest, worked out once per load: a requirements file that
    a thousand functions share is parsed, and its lock files probed, once."""

    def __init__(self):
        self._known: dict[tuple, list[str]] = {}

    def __call__(self, spec: FunctionSpec) -> list[str]:
        key = (spec.build.requirements_file, spec.runtime.language, spec.runtime.dependency_files)
        if key not in self._known:
            self._known[key] = _files(steps.layer_inputs(spec))
        return self._known[key]


def _layer_settings(spec: FunctionSpec) -> dict:
    build = spec.build
    return {"runtime": spec.runtime.id, "architectures": list(build.architectures),
            "method": build.build_method, "installer": build.installer, "image": build.image,
            "container_env": list(build.container_env), "container_volumes": list(build.container_volumes)}


def shared_layers(specs: list[FunctionSpec], inputs: LayerInputs) -> list[list[FunctionSpec]]:
    """The functions with a layer, grouped by the layer they build: the same input files and settings
    make the same layer, so one task builds it for all of them (named after the first)."""
    groups: dict[tuple, list[FunctionSpec]] = {}
    for spec in specs:
        if spec.has_layer:
            build = spec.build
            key = (tuple(inputs(spec)), spec.runtime.id, build.architectures, build.build_method, build.installer,
                   build.image, build.container_env, build.container_volumes, build.ca_bundle)
            groups.setdefault(key, []).append(spec)
    return list(groups.values())


def layer_task(spec: FunctionSpec, root: Path, remote=None, *, inputs: list[str] | None = None,
               sharing: tuple[FunctionSpec, ...] = ()) -> dict | None:
    """``remote``: the layer cache's store shared across machines (``shared_cache.remote_store``), or None.

    ``sharing``: other functions whose layer is this one (``shared_layers``); the task links
    each one's ``layer-<arch>.zip`` to the same bytes, and their builds wait for it.
    """
    if not spec.has_layer:
        return None
    owners = (spec, *sharing)
    names = f"{spec.name} and {len(sharing)} more" if sharing else spec.name
    return {
        "name": spec.name,
        "doc": f"dependency layer of {names}",
        "actions": [Action(steps.build_layers, spec, root, remote, tuple(other.name for other in sharing))],
        "file_dep": inputs if inputs is not None else _files(steps.layer_inputs(spec)),
        "targets": [paths.layer_zip_file(root, owner.name, arch)
                    for owner in owners for arch in spec.build.architectures],
        "uptodate": [SettingsAndTargets(_layer_settings(spec))],
        "clean": True,
    }


def pre_build_task(spec: FunctionSpec, root: Path, sources: list[str]) -> dict | None:
    if not spec.build.pre_build:
        return None
    return {
        "name": spec.name,
        "doc": f"pre_build hooks of {spec.name}",
        "actions": [Action(steps.pre_build, spec, root)],
        "file_dep": sources,
        "uptodate": [config_changed({"pre_build": list(spec.build.pre_build)})],
        "verbosity": 2 if debug_enabled() else 1,
    }


def _package_settings(spec: FunctionSpec) -> dict:
    from ..build.package import bundles_dependencies

    settings = {
        "runtime": spec.runtime.id, "handler": spec.handler, "exclude": list(spec.build.exclude),
        "include": list(spec.build.include), "architectures": list(spec.build.architectures),
        "sourcemap": spec.build.sourcemap,
    }
    if bundles_dependencies(spec):  # the installer's settings decide what goes into the zip too
        settings["dependencies"] = [spec.build.build_method, spec.build.installer, spec.build.image]
    return settings


def _package_inputs(spec: FunctionSpec, sources: list[str], inputs: LayerInputs | None) -> list[str]:
    """What the function zip is made of: its sources, and the manifests when it bundles its dependencies."""
    from ..build.package import bundles_dependencies

    return sources + ((inputs or LayerInputs())(spec) if bundles_dependencies(spec) else [])


def _function_zips(spec: FunctionSpec, root: Path) -> list[str]:
    return [paths.function_zip_file(root, spec.name, arch) for arch in spec.build.architectures]


def package_task(spec: FunctionSpec, root: Path, sources: list[str], inputs: LayerInputs | None = None) -> dict:
    """``package:<fn>``, made only when a run names it (``on_demand``): the zip alone, without the
    layer and the checks ``build:<fn>`` runs after it."""
    return {
        "name": spec.name,
        "doc": f"function zip of {spec.name}",
        "actions": [Action(steps.package, spec, root)],
        "file_dep": _package_inputs(spec, sources, inputs),
        "task_dep": [f"pre_build:{spec.name}"] if spec.build.pre_build else [],
        "uptodate": [SettingsAndTargets(_package_settings(spec), _function_zips(spec, root))],
    }


def build_task(spec: FunctionSpec, root: Path, sources: list[str], inputs: LayerInputs | None = None,
               layer: str | None = None) -> dict:
    """One task a function: zip it, then check its imports and limits, run post_build and write the
    artifact records. ``layer``: the function whose ``layer`` task builds this one's layer
    (``shared_layers``), else its own; the layer zips are file dependencies."""
    layers = [paths.layer_zip_file(root, spec.name, arch) for arch in spec.build.architectures] if spec.has_layer else []
    settings = {**_package_settings(spec), "post_build": list(spec.build.post_build),
                "strict_imports": spec.build.strict_imports, "layers": len(spec.function.layers),
                "artifact_bucket": spec.deployment.artifact_bucket,
                **({"image": [steps.base_image(spec), spec.deployment.image_repository]} if spec.build.is_image else {})}
    return {
        "name": spec.name,
        "doc": f"build {spec.name}: layer, pre_build, package, then imports, limits and post_build",
        "actions": [Action(steps.package, spec, root), Action(steps.check_imports, spec, root),
                    Action(steps.finish, spec, root)],
        "file_dep": _package_inputs(spec, sources, inputs) + layers,
        # the zips first: their recorded bytes are checked (``targets_intact``); then the artifact records
        "targets": _function_zips(spec, root) + _files(steps.record_paths(spec, root)),
        "task_dep": ([f"layer:{layer or spec.name}"] if spec.has_layer else [])
                    + ([f"pre_build:{spec.name}"] if spec.build.pre_build else []),
        "uptodate": [SettingsAndTargets(settings)],
        "clean": True,
        "verbosity": 2 if debug_enabled() else 1,
    }
