"""FunctionSpecs → doit task dicts: the build graph every repo and the CLI run.

Task ids are ``<step>:<function>``. Inputs are real ``file_dep``s (sources,
manifests, zips) and ``config_changed`` on just the settings a step reads, so a
no-op ``doit build`` runs nothing and changing memory rebuilds nothing. Creating
tasks loads the TOMLs and lists files, and nothing more: no subprocess, no network,
no boto3 or rich. The deploy-side tasks (``role``, ``layer_publish``, ``deploy``,
``plan``, ``delete``) are made only when a run asks for one of them
(``DeploySide``), so ``doit build`` over hundreds of functions never builds them.

A repo's dodo.py is two lines::

    from genesys_tasks.tasks import creators
    globals().update(creators())
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from doit import create_after
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
        }), steps.targets_intact],
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
        }), steps.targets_intact],
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


class DeploySide:
    """The deploy-side task creators (``task_role`` ... ``task_delete``), whose tasks are made on demand.

    When doit runs tasks, each creator is delayed (``create_after``): doit keeps a
    placeholder per step and calls a creator only when a task of that step is asked
    for, as in ``doit deploy:fn``. The first creator called makes the tasks of all
    five steps at once, because ``deploy:fn`` waits for ``role:fn`` and
    ``layer_publish:fn``; the others then make none. Commands that run nothing
    (``list``, ``info``, ``forget``) call every creator at load, with the same result.
    ``new_load`` starts over for the next load of the same creators.
    """

    def __init__(self, specs, root: Path):
        from .deploy import tasks as deploy

        self._specs, self._root = specs, root
        self._makers = {"role": deploy.role_task, "layer_publish": deploy.layer_publish_task,
                        "deploy": deploy.deploy_task, "plan": deploy.plan_task, "delete": deploy.delete_task}
        self._docs = {name: creator.__doc__ for name, creator in deploy.creators(specs, root).items()}
        self._made = False

    def new_load(self) -> None:
        self._made = False

    def _every_step(self):
        specs = list(self._specs())
        for step, make in self._makers.items():
            yield {"basename": step, "name": None, "doc": self._docs[f"task_{step}"]}
            for spec in specs:
                task = make(spec, self._root, _guard)
                if task:
                    yield {**task, "basename": step, "actions": [DeployAction(make, spec, self._root)]}

    def creators(self) -> dict:
        def delayed(step: str):
            def creator():
                if self._made:
                    return None
                self._made = True
                return self._every_step()

            creator.__doc__ = self._docs[f"task_{step}"]
            return create_after()(creator)

        return {f"task_{step}": delayed(step) for step in self._makers}


class DeployAction:
    """A deploy-side task's action as data (its task maker, FunctionSpec and root), made where it runs.

    doit sends a task made on demand to ``doit -n`` workers pickled, and a deploy
    step is a closure, which does not pickle; the maker, the spec and the root do.
    """

    def __init__(self, make, spec: FunctionSpec, root: Path):
        self.make, self.spec, self.root = make, spec, root

    def __call__(self):
        (action,) = self.make(self.spec, self.root, _guard)["actions"]
        return action()

    def __repr__(self) -> str:
        return f"<action {self.make.__name__.removesuffix('_task')}:{self.spec.name}>"


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
        yield from filter(None, (layer_task(spec, root) for spec, _ in project()))

    def task_pre_build():
        """Run each function's pre_build hooks."""
        yield from filter(None, (pre_build_task(spec, root, sources) for spec, sources in project()))

    def task_package():
        """Zip each function's source, deterministically."""
        for spec, sources in project():
            yield package_task(spec, root, sources)

    deploy_side = DeploySide(lambda: [spec for spec, _ in project()], root)

    def task_build():
        """Build every function: layer, pre_build, package, limits, post_build."""
        deploy_side.new_load()  # every load calls this creator (never delayed): the next load starts over
        for spec, _ in project():
            yield build_task(spec, root)

    return {
        **deploy_side.creators(),
        "DOIT_CONFIG": doit_config(root),
        "task_layer": task_layer,
        "task_pre_build": task_pre_build,
        "task_package": task_package,
        "task_build": task_build,
    }


def _warn(message: str) -> None:
    from . import ui

    ui.warn(message)
