"""The build-side doit tasks of one function: ``layer``, ``pre_build``, ``package`` and ``build``.

Each is a task dict with real ``file_dep``s (sources, manifests, zips), ``targets`` and
``config_changed`` on just the settings that step reads, so a no-op ``doit build`` runs
nothing and changing memory rebuilds nothing. Making them lists files and nothing more.
"""

from __future__ import annotations

from pathlib import Path

from doit.tools import config_changed

from .. import paths
from ..build import steps
from ..build.toolrun import debug_enabled
from ..config import FunctionSpec
from .action import Action


def _files(paths_: list[Path]) -> list[str]:
    return [str(p) for p in paths_]


def layer_task(spec: FunctionSpec, root: Path, remote=None) -> dict | None:
    """``remote``: the layer cache's store shared across machines (``shared_cache.remote_store``), or None."""
    if not spec.has_layer:
        return None
    build = spec.build
    return {
        "name": spec.name,
        "doc": f"dependency layer of {spec.name}",
        "actions": [Action(steps.build_layers, spec, root, remote)],
        "file_dep": _files(steps.layer_inputs(spec)),
        "targets": [str(paths.layer_zip(root, spec.name, arch)) for arch in build.architectures],
        "uptodate": [config_changed({
            "runtime": spec.runtime.id, "architectures": list(build.architectures),
            "method": build.build_method, "installer": build.installer, "image": build.image,
            "container_env": list(build.container_env), "container_volumes": list(build.container_volumes),
        }), steps.targets_intact],
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


def package_task(spec: FunctionSpec, root: Path, sources: list[str]) -> dict:
    from ..build.package import bundles_dependencies

    bundled = bundles_dependencies(spec)
    settings = {
        "runtime": spec.runtime.id, "handler": spec.handler, "exclude": list(spec.build.exclude),
        "include": list(spec.build.include), "architectures": list(spec.build.architectures),
        "sourcemap": spec.build.sourcemap,
    }
    if bundled:  # the installer's settings decide what goes into the zip too
        settings["dependencies"] = [spec.build.build_method, spec.build.installer, spec.build.image]
    return {
        "name": spec.name,
        "doc": f"function zip of {spec.name}",
        "actions": [Action(steps.package, spec, root)],
        "file_dep": sources + (_files(steps.layer_inputs(spec)) if bundled else []),
        "task_dep": [f"pre_build:{spec.name}"] if spec.build.pre_build else [],
        "targets": [str(paths.function_zip(root, spec.name, arch)) for arch in spec.build.architectures],
        "uptodate": [config_changed(settings), steps.targets_intact],
        "clean": True,
    }


def build_task(spec: FunctionSpec, root: Path) -> dict:
    return {
        "name": spec.name,
        "doc": f"build {spec.name}: layer, pre_build, package, then imports, limits and post_build",
        "actions": [Action(steps.check_imports, spec, root), Action(steps.finish, spec, root)],
        "file_dep": [str(path) for _, _, path in steps.artifacts(spec, root)],
        "targets": _files(steps.record_paths(spec, root)),  # the artifact records the deploy reads
        "task_dep": ([f"layer:{spec.name}"] if spec.has_layer else []) + [f"package:{spec.name}"],
        "uptodate": [config_changed({"post_build": list(spec.build.post_build),
                                     "strict_imports": spec.build.strict_imports,
                                     "layers": len(spec.function.layers),
                                     "artifact_bucket": spec.deployment.artifact_bucket,
                                     **({"image": [steps.base_image(spec), spec.deployment.image_repository]}
                                        if spec.build.is_image else {})})],
        "verbosity": 2 if debug_enabled() else 1,
    }
