"""``genesys delete X.toml``: show what genesys made for a function, ask, then delete exactly that.

The plan comes from AWS's own state and genesys's marks (deploy/deployer.plan_delete);
this command shows it, asks unless ``--yes`` (a non-terminal without ``--yes`` is a
usage error, never a silent yes), and runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import paths, ui
from ..errors import UsageError
from .aws_target import open_clients, target


def run(args) -> int:
    return delete(Path(args.toml), yes=args.yes, sandbox=args.sandbox, json_output=args.output == "json")


def _confirmed(spec) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("delete needs confirmation", hint="pass --yes to delete without asking")
    return input(f"delete these resources of {spec.name}? [y/N] ").strip().lower() in ("y", "yes")


def delete(toml: Path, *, yes: bool = False, sandbox: bool = False, json_output: bool = False) -> int:
    """Show what genesys made for the function, ask (unless ``yes``), then delete it (from each of
    ``[deployment] regions``, one after the other)."""
    from ..deploy.regions import region_specs
    from ..tasks.runner import load_spec

    _, spec = load_spec(toml, sources=False)  # the sources may be gone: delete needs none of them
    for one in region_specs(spec):
        if spec.deployment.regions and not json_output:
            ui.info(f"region {one.deployment.region}:")
        _delete_one(one, yes=yes, sandbox=sandbox, json_output=json_output)
    return 0


def _delete_one(spec, *, yes: bool, sandbox: bool, json_output: bool) -> None:
    from ..deploy import deployer
    from ..deploy.executor import DisplayExecutor, Executor
    from ..tasks.deploy import forget_deployment

    with target(sandbox):
        clients = open_clients(spec)
        plan, _account = deployer.plan_delete(spec, clients, progress=ui.progress)
        DisplayExecutor(ui.info).run(plan)
        declined = bool(plan.writes) and not yes and not _confirmed(spec)
        if not declined:
            Executor(clients, progress=ui.progress).run(plan)
            forget_deployment(paths.find_root(spec.path), spec.name)  # doit must not think it deployed
    if declined:
        ui.info("nothing deleted")
    if json_output:
        ui.emit_json([c.as_dict() for c in plan.changes])
    elif not declined:
        deleted = [c for c in plan.changes if c.action == "delete"]
        ui.success(f"deleted {len(deleted)} resource(s) of {spec.name}" if deleted else "nothing to delete")
