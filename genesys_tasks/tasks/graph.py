"""A repo's doit graph: the TOMLs found under it, loaded once, as ``task_*`` creators and DOIT_CONFIG.

Task ids are ``<step>:<function>``. Creating tasks loads the TOMLs and lists files and
nothing more: no subprocess, no network, no boto3 or rich; a TOML whose files have not
changed since the last run is not even read (``spec_cache``). Functions that share a
layer (the same manifest and settings) share one ``layer`` task, named after the first.
The deploy-side tasks are made only when a run asks for one of them (``on_demand``), so
``doit build`` over hundreds of functions never builds them. A config error prints its message and exits
2; anything unexpected while loading is an internal error in one line, exit 1.

A repo's dodo.py is two lines::

    from genesys_tasks.tasks import creators
    globals().update(creators())
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from .. import paths, ui
from ..config import FunctionSpec, discover, discovery_pattern
from ..errors import EXIT_FAILED, GenesysError
from .build import LayerInputs, build_task, layer_task, package_task, pre_build_task, shared_layers
from .file_check import SharedMD5Checker
from .on_demand import DeploySide
from .reporter import GenesysReporter
from .shared_cache import remote_store


def doit_config(root: Path) -> dict:
    """DOIT_CONFIG for a genesys repo: dep file in .genesys/, a bare ``doit`` only builds, and a failed
    task stops only the tasks that depend on it."""
    (root / paths.STATE_DIR).mkdir(exist_ok=True)
    return {
        "default_tasks": ["build"],
        "dep_file": str(paths.dep_file(root)),
        "backend": "sqlite3",
        "check_file_uptodate": SharedMD5Checker,  # doit's md5 check, a shared layer hashed once
        "verbosity": 1,
        "continue": True,  # one function's failure does not stop the others (the reporter names each)
        "reporter": GenesysReporter,
    }


def _stop(message: str, code: int):
    from .. import ui

    ui.error(message)
    sys.exit(code)


def _load(root: Path, pattern: str, tomls: list[Path] | None) -> list[tuple[FunctionSpec, list[str]]]:
    """Every function of the repo (or the given TOMLs) with its source files, through the spec cache;
    errors end the process with genesys's code."""
    from .. import ui
    from ..config import load, today_default
    from ..config.runtimes_file import load_registry
    from ..config.stages import chosen
    from . import spec_cache

    try:
        today = today_default()
        registry = cache(lambda: load_registry(root))  # read only when a TOML is loaded again

        def load_one(path: Path, warn) -> FunctionSpec:
            return load(path, registry=registry(), today=today, warn=warn)

        return spec_cache.load(root, tomls if tomls is not None else discover(root, pattern), pattern,
                               chosen(None), today.isoformat(), load_one, ui.warn)
    except GenesysError as err:
        _stop(err.render(), err.exit_code)
    except Exception as err:  # noqa: BLE001 - a bug: one line, never doit's traceback and its exit 3
        from .action import internal_error

        _stop(internal_error(err), EXIT_FAILED)


def deploy_session():
    """This process's deploy session: doit's options (GENESYS_ADOPT, GENESYS_NO_WAIT) read once, here."""
    from ..deploy.session import Options, Session
    from .dep_state import forget_deployment

    return Session(Options.from_environment(), forget=forget_deployment)


def creators(root: str | Path | None = None, pattern: str | None = None,
             tomls: list[Path] | None = None, specs: list[FunctionSpec] | None = None) -> dict:
    """The ``task_*`` creators and DOIT_CONFIG for a repo (or for the given TOML files or specs).

    Files are discovered and loaded once, when doit first asks for tasks.
    """
    root = Path(root or os.getcwd()).absolute()
    pattern = pattern or discovery_pattern()
    ui.show_logs()  # build messages (genesys.build) reach people through ui

    @cache
    def project() -> list[tuple[FunctionSpec, list[str]]]:
        from ..build.package import function_sources

        if specs is None:
            return _load(root, pattern, tomls)
        return [(spec, [str(p) for _, p in function_sources(spec, pattern)]) for spec in specs]

    inputs = LayerInputs()  # each manifest probed once per load

    @cache
    def layers() -> list[list[FunctionSpec]]:
        return shared_layers([spec for spec, _ in project()], inputs)

    # function name -> the function whose layer task builds its layer
    layer_of = cache(lambda: {member.name: group[0].name for group in layers() for member in group})

    def task_layer():
        """Build each distinct dependency layer once (from the shared cache when it can)."""
        try:
            remote = remote_store(root)
        except GenesysError as err:
            _stop(err.render(), err.exit_code)
        for first, *others in layers():
            yield layer_task(first, root, remote, inputs=inputs(first), sharing=tuple(others))

    def task_pre_build():
        """Run each function's pre_build hooks."""
        yield from filter(None, (pre_build_task(spec, root, sources) for spec, sources in project()))

    def task_package():
        """Zip each function's source, deterministically."""
        yield from (package_task(spec, root, sources, inputs) for spec, sources in project())

    deploy_side = DeploySide(lambda: [spec for spec, _ in project()], root, deploy_session)

    def task_build():
        """Build every function: layer, pre_build, package, limits, post_build."""
        deploy_side.new_load()  # every load calls this creator (never delayed): the next load starts over
        for spec, _ in project():
            yield build_task(spec, root, layer_of().get(spec.name))

    return {
        **deploy_side.creators(),
        "DOIT_CONFIG": doit_config(root),
        "task_layer": task_layer,
        "task_pre_build": task_pre_build,
        "task_package": task_package,
        "task_build": task_build,
    }
