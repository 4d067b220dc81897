"""A repo's doit graph: the TOMLs found under it, loaded once, as ``task_*`` creators and DOIT_CONFIG.

Task ids are ``<step>:<function>``. Creating tasks loads the TOMLs and lists files and
nothing more: no subprocess, no network, no boto3 or rich; a TOML whose files have not
changed since the last run is not even read, and its spec is unpickled only when one of its
actions runs or its manifest's layer inputs are worked out (``spec_cache``: the tasks are made
from the facts it keeps). Each function is one
``build`` task (``tasks/build.py``); functions that share a layer (the same manifest and
settings) share one ``layer`` task, named after the first; ``pre_build`` tasks exist where
hooks do. ``package`` and the deploy-side tasks are made only when a run asks for one of
them (``on_demand``), so ``doit build`` over hundreds of functions never makes them. A config error prints its message and exits
2; anything unexpected while loading is an internal error in one line, exit 1.

A repo's dodo.py is two lines::

    from genesys_tasks.tasks import creators
    globals().update(creators())
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .. import paths, ui
from ..config import FunctionSpec, discover_files, discovery_pattern
from ..config.stages import STAGE_ENV
from ..errors import EXIT_FAILED, GenesysError
from .build import LayerInputs, build_task, function_listed, layer_task, package_task, pre_build_task, shared_layers
from .deploy import STEPS
from .file_check import ChangeTimeMD5Checker
from .function import Function
from .on_demand import OnDemand
from .reporter import GenesysReporter
from .shared_cache import remote_store

DEBUG_ENV = "GENESYS_DEBUG"


def doit_config(root: Path) -> dict:
    """DOIT_CONFIG for a genesys repo: dep file in .genesys/, a bare ``doit`` only builds, and a failed
    task stops only the tasks that depend on it."""
    (root / paths.STATE_DIR).mkdir(exist_ok=True)
    return {
        "default_tasks": ["build"],
        "dep_file": str(paths.dep_file(root)),
        "backend": "sqlite3",
        "check_file_uptodate": ChangeTimeMD5Checker,  # doit's md5 check, with the ctime and x bit; a layer hashed once
        "verbosity": 1,
        "continue": True,  # one function's failure does not stop the others (the reporter names each)
        "reporter": GenesysReporter,
    }


def _stop(message: str, code: int):
    ui.error(message)
    sys.exit(code)


LOADER_OPTIONS = frozenset({"-f", "--file", "-d", "--dir"})  # doit's options that take a value and may come before the command


def command_lists(argv: list[str]) -> bool:
    """Whether doit's command (found in ``argv`` as doit finds it: the first word after the loader's
    options and ``name=value`` variables, else ``run``) runs no task: ``list``, ``info``, ``forget``... (the
    commands doit loads every task for, ``execute_tasks`` False). Their tasks are all made at load
    (``on_demand``), and load warnings are left for the runs that build or deploy."""
    from doit.doit_cmd import DoitMain

    words = iter(argv)
    for word in words:
        if word in LOADER_OPTIONS:
            next(words, None)
        elif not word.startswith("-") and "=" not in word:
            return any(command.get_name() == word and not command.execute_tasks for command in DoitMain.DOIT_CMDS)
    return False


def _load(root: Path, pattern: str, tomls: list[Path] | None, stage: str | None,
          listing: bool) -> list[Function]:
    """Every function of the repo (or the given TOMLs) as ``stage`` sees it, with its source files,
    through the spec cache (a spec it kept is unpickled only when asked for); errors end the process
    with genesys's code. ``listing``: doit's command runs no task, so the load's warnings are not said."""
    from ..config import today_default
    from ..config.runtimes_file import load_registry
    from . import spec_cache

    warn = (lambda message: None) if listing else ui.warn
    try:
        today = today_default()
        registry = cache(lambda: load_registry(root))  # read only when a TOML is loaded again

        def load_one(path: Path, warn) -> FunctionSpec:
            from ..config import load  # the loader and its checks: only when a TOML is read again

            return load(path, registry=registry(), today=today, warn=warn, stage=stage)

        return spec_cache.load(root, tomls if tomls is not None else discover_files(root, pattern), pattern,
                               stage, today.isoformat(), load_one, warn)
    except GenesysError as err:
        _stop(err.render(), err.exit_code)
    except Exception as err:  # noqa: BLE001 - a bug: one line, never doit's traceback and its exit 3
        from .action import internal_error

        _stop(internal_error(err), EXIT_FAILED)


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while doit loads the tasks: loading makes a few objects
    a function (specs, task dicts, doit's tasks) and frees almost none, so the full passes the
    collector makes each time the heap grows by a quarter find nothing. Freeing by reference
    counting goes on; the collector's previous state is restored.

    What is alive once loading is done (modules, specs, tasks) lives until the run ends, so it is
    then moved out of the collector's reach (``gc.freeze``): its next passes look only at what the
    run makes, instead of first walking everything loading made (0.04 s at 1,000 functions). A
    process that goes on after the run gives it back (``runner.run_tasks``). At exit, the last pass is
    skipped too (``no_collection_at_exit``)."""
    no_collection_at_exit()
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


@cache
def no_collection_at_exit() -> None:
    """Interpreter shutdown runs the cyclic collector over every object still alive: doit's tasks,
    the specs, every imported module (0.02 s at 20 functions, 0.1 s at 1,000). The process is ending
    and the system takes its memory back whole, so at exit ``gc.freeze`` first moves them all out of
    the collector's reach. Only that last pass is skipped: nothing genesys writes waits on it, and a
    process that goes on (``genesys serve``, ``sync --watch``) collects as before until it exits."""
    atexit.register(gc.freeze)


def deploy_session():
    """This process's deploy session: doit's options (GENESYS_ADOPT, GENESYS_NO_WAIT) read once, here."""
    from ..deploy.session import Options, Session
    from .dep_state import forget_deployment

    return Session(Options.from_environment(os.environ), forget=forget_deployment)


def entry_options(stage: str | None, debug: bool, env=os.environ) -> tuple[str | None, bool]:
    """doit's spelling of ``--stage`` and ``--debug`` (``GENESYS_STAGE``, ``GENESYS_DEBUG``), read here only,
    when not given (the deploy's options: ``deploy_session``)."""
    return stage or env.get(STAGE_ENV) or None, debug or env.get(DEBUG_ENV, "") not in ("", "0")


def _on_demand(root: Path, project, inputs: LayerInputs) -> OnDemand:
    """``package`` and the deploy-side steps of the repo's functions (``project()``), made on demand."""
    named = cache(lambda: {function.name: function for function in project()})
    session = cache(deploy_session)  # one per process, made with the first deploy-side task
    return OnDemand(lambda: [function.spec for function in project()], {
        "package": (lambda spec, _specs: package_task(named()[spec.name], root, inputs),
                    "Zip each function's source, deterministically."),
        **{step: ((lambda spec, specs, make=make: make(spec, root, session(), specs)), doc)
           for step, (make, doc) in STEPS.items()},
    })


def creators(root: str | Path | None = None, pattern: str | None = None,
             tomls: list[Path] | None = None, specs: list[FunctionSpec] | None = None,
             stage: str | None = None, debug: bool = False, listing: bool | None = None) -> dict:
    """The ``task_*`` creators and DOIT_CONFIG for a repo (or the given TOML files or specs); doit's options
    are read once (``entry_options``); files are discovered and loaded once, when doit first asks for tasks.
    ``listing``: doit's command runs no task (``command_lists``; default: doit's command line)."""
    root = Path(root or os.getcwd()).absolute()
    try:
        pattern = pattern or discovery_pattern()
    except GenesysError as err:
        _stop(err.render(), err.exit_code)
    stage, debug = entry_options(stage, debug)
    listing = command_lists(sys.argv[1:]) if listing is None else listing
    ui.show_logs(debug=debug)  # build messages reach people through ui; the build's debug switch is its level

    @cache
    def project() -> list[Function]:
        if specs is None:
            return _load(root, pattern, tomls, stage, listing)
        return [function_listed(spec, pattern) for spec in specs]

    inputs = LayerInputs()  # each manifest probed once per load

    @cache
    def layers() -> list[list[Function]]:
        return shared_layers(project(), inputs)

    # function name -> the function whose layer task builds its layer
    layer_of = cache(lambda: {member.name: group[0].name for group in layers() for member in group})

    def task_layer():
        """Build each distinct dependency layer once (from the shared cache when it can)."""
        try:
            remote = remote_store(root)
        except GenesysError as err:
            _stop(err.render(), err.exit_code)
        with collector_paused():
            for first, *others in layers():
                yield layer_task(first, root, remote, inputs=inputs(first), sharing=tuple(others))

    def task_pre_build():
        """Run each function's pre_build hooks."""
        with collector_paused():
            yield from filter(None, (pre_build_task(function, root) for function in project()))

    def task_build():
        """Build every function: layer, pre_build, package, limits, post_build."""
        with collector_paused():
            for function in project():
                yield build_task(function, root, inputs, layer_of().get(function.name))

    return {
        **_on_demand(root, project, inputs).creators(listing),
        "DOIT_CONFIG": doit_config(root),
        "task_layer": task_layer,
        "task_pre_build": task_pre_build,
        "task_build": task_build,
    }
