"""A repo's doit graph: the TOMLs found under it, loaded once, as ``task_*`` creators and DOIT_CONFIG.

Task ids are ``<step>:<function>``. Creating tasks loads the TOMLs and lists files and
nothing more: no subprocess, no network, no boto3 or rich. The deploy-side tasks are
made only when a run asks for one of them (``on_demand``), so ``doit build`` over
hundreds of functions never builds them. A config error prints its message and exits
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
from ..config import FunctionSpec, discover, discovery_pattern, load_all
from ..errors import EXIT_FAILED, GenesysError
from .build import build_task, layer_task, package_task, pre_build_task
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
        "check_file_uptodate": "md5",
        "verbosity": 1,
        "continue": True,  # one function's failure does not stop the others (the reporter names each)
        "reporter": GenesysReporter,
    }


def _stop(message: str, code: int):
    from .. import ui

    ui.error(message)
    sys.exit(code)


LISTING = frozenset({"list", "help", "info", "tabcompletion", "dumpdb", "forget", "ignore", "reset-dep", "clean"})


def _listing(argv: list[str]) -> bool:
    """Whether doit's command only lists or manages its state (``doit list``): load warnings are for
    the runs that build or deploy, said once there, not on every listing."""
    command = next((a for a in argv if not a.startswith("-")), "")
    return command in LISTING


def _load(root: Path, pattern: str, tomls: list[Path] | None) -> list[FunctionSpec]:
    """Every function of the repo (or the given TOMLs); errors end the process with genesys's code."""
    from .. import ui
    from ..config import today_default
    from ..config.runtimes_file import load_registry

    warn = (lambda message: None) if _listing(sys.argv[1:]) else ui.warn
    try:
        return load_all(tomls if tomls is not None else discover(root, pattern),
                        registry=load_registry(root), today=today_default(), warn=warn)
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

        loaded = specs if specs is not None else _load(root, pattern, tomls)
        return [(spec, [str(p) for _, p in function_sources(spec, pattern)]) for spec in loaded]

    def task_layer():
        """Build each function's dependency layer (from the shared cache when it can)."""
        try:
            remote = remote_store(root)
        except GenesysError as err:
            _stop(err.render(), err.exit_code)
        yield from filter(None, (layer_task(spec, root, remote) for spec, _ in project()))

    def task_pre_build():
        """Run each function's pre_build hooks."""
        yield from filter(None, (pre_build_task(spec, root, sources) for spec, sources in project()))

    def task_package():
        """Zip each function's source, deterministically."""
        for spec, sources in project():
            yield package_task(spec, root, sources)

    deploy_side = DeploySide(lambda: [spec for spec, _ in project()], root, deploy_session)

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
