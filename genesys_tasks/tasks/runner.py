"""Run genesys's doit tasks in-process for one TOML file: what ``genesys lambda build`` and ``execute`` do.

It uses the same task creators and the same dep file as the repo's ``doit``, so a
build from the CLI and a build from ``doit build`` skip each other's work.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths, ui

if TYPE_CHECKING:
    from ..config import FunctionSpec


def load_spec(toml: Path, *, sources: bool = True, stage: str | None = None):
    """The project root holding ``toml`` and its spec as ``stage`` sees it; a config error raises as itself.

    ``sources=False`` loads only what the TOML says (``config.load``): for commands that
    work on the deployed function when its sources may be gone.
    """
    from ..config import load
    from ..config.runtimes_file import load_registry

    root = paths.find_root(Path(toml).absolute())
    return root, load(toml, registry=load_registry(root), warn=ui.warn, sources=sources, stage=stage)


def run_tasks(toml: Path, task_names: list[str], *, debug: bool = False,
              spec: FunctionSpec | None = None) -> int:
    """Run ``task_names`` (e.g. ``build:my-fn``) for the function in ``toml``; return an exit code.

    Pass ``spec`` when the caller has loaded ``toml`` already, so it is not read (and its
    warnings shown) twice. A config error raises ``GenesysError``; a failing task returns
    the exit code the reporter gives it (the GenesysError's; 1 for anything else).
    """
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from .graph import creators

    if spec is None:
        root, spec = load_spec(toml)
    else:
        root = paths.find_root(Path(toml).absolute())
    module = creators(root, specs=[spec], debug=debug, listing=False)  # a run, whatever the CLI verb is named
    argv = ["run", *(name.format(name=spec.name) for name in task_names)]
    try:
        return DoitMain(ModuleTaskLoader(module), extra_config={"GLOBAL": {}}).run(argv)
    except SystemExit as done:  # the reporter ends a failed run with genesys's exit code
        return done.code
    finally:
        gc.unfreeze()  # what loading froze (``graph.collector_paused``) is collected again: this process goes on


def role_sharers_in_repo(spec, root: Path) -> tuple:
    """The specs of the repo's other functions that use ``spec``'s role (only TOMLs that mention it are loaded)."""
    from ..config import discover, discovery_pattern, load
    from ..config.runtimes_file import load_registry
    from ..deploy.deployer import role_name, role_sharers

    needle = role_name(spec).removeprefix("genesys-lambda-")  # a default role name is the function's name
    found = [p for p in discover(root, discovery_pattern()) if p.resolve() != spec.path.resolve()
             and needle in p.read_text(encoding="utf-8", errors="replace")]
    if not found:
        return ()
    registry = load_registry(root)
    return role_sharers(spec, [load(p, registry=registry, sources=False, stage=spec.stage) for p in found])
