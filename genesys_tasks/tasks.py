"""FunctionSpecs → doit task dicts: the build graph every repo and the CLI run.

Task ids are ``<step>:<function>``. Inputs are real ``file_dep``s (sources,
manifests, zips) and ``config_changed`` on just the settings a step reads, so a
no-op ``doit build`` runs nothing and changing memory rebuilds nothing. Creating
tasks loads the TOMLs and lists files, and nothing more: no subprocess, no network,
no boto3 or rich.

A repo's dodo.py is two lines::

    from genesys_tasks.tasks import creators
    globals().update(creators())
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed

from . import paths
from .build import steps
from .build.toolrun import debug_enabled
from .config import DEFAULT_PATTERN, FunctionSpec, discover, load_all
from .errors import EXIT_BAD_INPUT, GenesysError
from .reporter import GenesysReporter

# The GenesysErrors raised by actions in this process, newest last, so the in-process
# runner can exit with the right code (doit itself only knows "a task failed").
FAILURES: list[GenesysError] = []


def _guard(step, spec: FunctionSpec, root: Path):
    """A doit action: run ``step``; a GenesysError becomes TaskFailed with its message."""

    def action():
        try:
            return step(spec, root)
        except GenesysError as err:
            FAILURES.append(err)
            return TaskFailed(err.render())

    action.__name__ = f"{step.__name__}_{spec.name}"
    return action


def _files(paths_: list[Path]) -> list[str]:
    return [str(p) for p in paths_]


def layer_task(spec: FunctionSpec, root: Path) -> dict | None:
    if not spec.has_layer:
        return None
    build = spec.build
    return {
        "name": spec.name,
        "doc": f"dependency layer of {spec.name}",
        "actions": [_guard(steps.build_layers, spec, root)],
        "file_dep": _files(steps.layer_inputs(spec)),
        "targets": [str(paths.layer_zip(root, spec.name, arch)) for arch in build.architectures],
        "uptodate": [config_changed({
            "runtime": spec.runtime.id, "architectures": list(build.architectures),
            "method": build.build_method, "installer": build.installer, "image": build.image,
            "container_env": list(build.container_env), "container_volumes": list(build.container_volumes),
        })],
        "clean": True,
    }


def pre_build_task(spec: FunctionSpec, root: Path, sources: list[str]) -> dict | None:
    if not spec.build.pre_build:
        return None
    return {
        "name": spec.name,
        "doc": f"pre_build hooks of {spec.name}",
        "actions": [_guard(steps.pre_build, spec, root)],
        "file_dep": sources,
        "uptodate": [config_changed({"pre_build": list(spec.build.pre_build)})],
        "verbosity": 2 if debug_enabled() else 1,
    }


def package_task(spec: FunctionSpec, root: Path, sources: list[str]) -> dict:
    return {
        "name": spec.name,
        "doc": f"function zip of {spec.name}",
        "actions": [_guard(steps.package, spec, root)],
        "file_dep": sources,
        "task_dep": [f"pre_build:{spec.name}"] if spec.build.pre_build else [],
        "targets": [str(paths.function_zip(root, spec.name, arch)) for arch in spec.build.architectures],
        "uptodate": [config_changed({
            "runtime": spec.runtime.id, "handler": spec.handler, "exclude": list(spec.build.exclude),
            "architectures": list(spec.build.architectures),
        })],
        "clean": True,
    }


def build_task(spec: FunctionSpec, root: Path) -> dict:
    return {
        "name": spec.name,
        "doc": f"build {spec.name}: layer, pre_build, package, then limits and post_build",
        "actions": [_guard(steps.finish, spec, root)],
        "file_dep": [str(path) for _, _, path in steps.artifacts(spec, root)],
        "task_dep": ([f"layer:{spec.name}"] if spec.has_layer else []) + [f"package:{spec.name}"],
        "uptodate": [config_changed({"post_build": list(spec.build.post_build),
                                     "layers": len(spec.function.layers),
                                     "artifact_bucket": spec.deployment.artifact_bucket})],
        "verbosity": 2 if debug_enabled() else 1,
    }


def _report_and_exit(err: GenesysError):
    from . import ui

    ui.error(err.render())
    sys.exit(err.exit_code or EXIT_BAD_INPUT)


def doit_config(root: Path) -> dict:
    """DOIT_CONFIG for a genesys repo: dep file in .genesys/, a bare ``doit`` only builds."""
    (root / paths.STATE_DIR).mkdir(exist_ok=True)
    return {
        "default_tasks": ["build"],
        "dep_file": str(paths.dep_file(root)),
        "backend": "sqlite3",
        "check_file_uptodate": "md5",
        "verbosity": 1,
        "reporter": GenesysReporter,
    }


def creators(root: str | Path | None = None, pattern: str | None = None,
             tomls: list[Path] | None = None, specs: list[FunctionSpec] | None = None) -> dict:
    """The ``task_*`` creators and DOIT_CONFIG for a repo (or for the given TOML files or specs).

    Files are discovered and loaded once, when doit first asks for tasks. A config
    error prints its message and exits with code 2, without a traceback.
    """
    root = Path(root or os.getcwd()).absolute()
    pattern = pattern or os.environ.get("GENESYS_PATTERN", DEFAULT_PATTERN)

    @cache
    def project() -> list[tuple[FunctionSpec, list[str]]]:
        from .build.package import function_sources

        loaded = specs
        if loaded is None:
            try:
                from .config import today_default
                from .config.runtimes_file import load_registry

                loaded = load_all(tomls if tomls is not None else discover(root, pattern),
                                  registry=load_registry(root), today=today_default(), warn=_warn)
            except GenesysError as err:
                _report_and_exit(err)
        return [(spec, [str(p) for _, p in function_sources(spec)]) for spec in loaded]

    def task_layer():
        """Build each function's dependency layer (from the shared cache when it can)."""
        for spec, _ in project():
            task = layer_task(spec, root)
            if task:
                yield task

    def task_pre_build():
        """Run each function's pre_build hooks."""
        for spec, sources in project():
            task = pre_build_task(spec, root, sources)
            if task:
                yield task

    def task_package():
        """Zip each function's source, deterministically."""
        for spec, sources in project():
            yield package_task(spec, root, sources)

    def task_build():
        """Build every function: layer, pre_build, package, limits, post_build."""
        for spec, _ in project():
            yield build_task(spec, root)

    from .deploy.tasks import creators as deploy_creators

    return {
        **deploy_creators(lambda: [spec for spec, _ in project()], root),
        "DOIT_CONFIG": doit_config(root),
        "task_layer": task_layer,
        "task_pre_build": task_pre_build,
        "task_package": task_package,
        "task_build": task_build,
    }


def _warn(message: str) -> None:
    from . import ui

    ui.warn(message)
