"""Rolling a function's alias back: read its versions and alias (read-only calls), plan moving the
alias to the previous (or a named) version, and run that plan with the executor handed in
(``Executor`` to apply, a display-only one for ``--dry-run``). Prints nothing. Another owner's
function (``marker``) is a conflict, never moved."""

from __future__ import annotations

from ..config.locate import where_in
from ..config.spec import FunctionSpec
from ..errors import ConfigError
from . import planner, state
from .deployer import Outcome, Progress, require_owner
from .executor import PlanExecutor, no_progress
from .model import Plan


def plan_rollback(spec: FunctionSpec, clients, to: str | None = None, *, progress: Progress = no_progress) -> Plan:
    if spec.deployment.alias is None:
        raise ConfigError(f"{spec.name} has no alias to roll back", where=where_in(spec.path, "deployment"),
                          hint='set [deployment] alias = "live" and deploy: each change then publishes a version')
    with progress(f"reading the versions of {spec.name} from AWS"):
        require_owner(spec, clients)
        versions, aliases = state.read_versions(clients, spec.name)
    return planner.plan_rollback(spec, versions, aliases.get(spec.deployment.alias), to)


def rollback(spec: FunctionSpec, clients, executor: PlanExecutor, to: str | None = None, *,
             progress: Progress = no_progress) -> Outcome:
    """Move the alias back and hand the plan to ``executor``."""
    plan = plan_rollback(spec, clients, to, progress=progress)
    values = executor.run(plan)
    return Outcome(plan, values, applied=executor.applies)
