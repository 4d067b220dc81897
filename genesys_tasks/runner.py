"""Run genesys's doit tasks in-process for one TOML file: what ``genesys lambda build`` does.

It uses the same task creators and the same dep file as the repo's ``doit``, so a
build from the CLI and a build from ``doit build`` skip each other's work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths, ui
from .errors import EXIT_FAILED, UsageError

if TYPE_CHECKING:
    from .config import FunctionSpec


def load_spec(toml: Path):
    """The project root holding ``toml`` and its spec; a config error raises as itself."""
    from .config import load
    from .config.runtimes_file import load_registry

    root = paths.find_root(Path(toml).absolute())
    return root, load(toml, registry=load_registry(root), warn=ui.warn)


def run_tasks(toml: Path, task_names: list[str], *, debug: bool = False,
              spec: FunctionSpec | None = None) -> int:
    """Run ``task_names`` (e.g. ``build:my-fn``) for the function in ``toml``; return an exit code.

    Pass ``spec`` when the caller has loaded ``toml`` already, so it is not read (and its
    warnings shown) twice. A config error raises ``GenesysError``; a failing task returns
    the exit code of the GenesysError its action raised (1 when it was not one of ours).
    """
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from . import tasks

    if debug:
        os.environ["GENESYS_DEBUG"] = "1"
    if spec is None:
        root, spec = load_spec(toml)
    else:
        root = paths.find_root(Path(toml).absolute())
    module = tasks.creators(root, specs=[spec])
    del tasks.FAILURES[:]
    argv = ["run", *(name.format(name=spec.name) for name in task_names)]
    code = DoitMain(ModuleTaskLoader(module), extra_config={"GLOBAL": {}}).run(argv)
    if code == 0:
        return 0
    return tasks.FAILURES[-1].exit_code if tasks.FAILURES else EXIT_FAILED


def build_one(toml: Path, *, debug: bool = False, json_output: bool = False) -> int:
    """Build one function's layer and zips; print the artifacts (JSON with --output json)."""
    from .build import steps
    from .build.zipper import sha256_file

    toml = Path(toml)
    if not toml.is_file():
        what = "is a folder, not a TOML file" if toml.is_dir() else "no such file"
        raise UsageError(f"{toml}: {what}", hint="pass the path of a lambda TOML file")
    root, spec = load_spec(toml)
    code = run_tasks(toml, ["build:{name}"], debug=debug, spec=spec)
    if code:
        return code
    artifacts = [{"kind": kind, "arch": arch, "path": str(path), "sha256": sha256_file(path),
                  "size": path.stat().st_size} for kind, arch, path in steps.artifacts(spec, root)]
    if json_output:
        ui.emit_json({"artifacts": artifacts})
    else:
        for a in artifacts:
            ui.success(f"{a['kind']:<8} {a['arch']:<7} {a['size'] / 1e6:7.2f} MB  {a['sha256'][:12]}  {a['path']}")
    return 0
