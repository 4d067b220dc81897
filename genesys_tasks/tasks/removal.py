"""Deleting what genesys made for a function, as ``genesys delete X.toml`` and ``genesys execute
deletion X.toml`` both do: show it, ask, then delete exactly that.

The plan comes from AWS's own state and genesys's marks (deploy/deployer.plan_delete), region by
region through the deploy ``Session``; this shows it, asks unless ``yes`` (a non-terminal without
``yes`` is a usage error, never a silent yes), runs it, and forgets doit's saved state of the
function's deploy tasks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import paths, ui
from ..errors import UsageError


def _confirmed(spec, plan) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("delete needs confirmation", hint="pass --yes to delete without asking")
    return input(f"delete these resources of {spec.name}? [y/N] ").strip().lower() in ("y", "yes")


def delete(toml: Path, *, yes: bool = False, sandbox: bool = False, json_output: bool = False,
           stage: str | None = None, region: str | None = None, profile: str | None = None) -> int:
    """Show what genesys made for the function, ask (unless ``yes``), then delete it (from each of
    ``[deployment] regions``, one after the other)."""
    from ..deploy.session import Options, Session
    from ..sandbox import within
    from .dep_state import forget_deployment
    from .runner import load_spec

    _, spec = load_spec(toml, sources=False, stage=stage)  # the sources may be gone: delete needs none of them
    session = Session(Options(json_output=json_output, region=region, profile=profile), forget=forget_deployment)
    with within(sandbox):
        for _one, plan, deleted in session.delete(spec, paths.find_root(spec.path),
                                                  confirm=(lambda one, plan: True) if yes else _confirmed):
            _tell(spec, plan, deleted, json_output)
    return 0


def _tell(spec, plan, deleted: bool, json_output: bool) -> None:
    if not deleted:
        ui.info("nothing deleted")
    if json_output:
        ui.emit_json([c.as_dict() for c in plan.changes])
    elif deleted:
        removed = [c for c in plan.changes if c.action == "delete"]
        ui.success(f"deleted {len(removed)} resource(s) of {spec.name}" if removed else "nothing to delete")
