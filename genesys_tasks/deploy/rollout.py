"""A gradual rollout after the first step: shift the alias's traffic to the new version step by
step (its routing configuration's additional version weight), watching the named CloudWatch
alarms between steps. An alarm in ALARM, Ctrl-C, or a step that fails puts the alias back on
the old version with no routing, and raises ``RolloutError`` (exit 1) saying what happened.

The deploy plan takes the first step (``planner.versions``); ``proceed`` takes the others, each
a small plan run by the executor it is handed (the only code that changes AWS). ``state_of``
reads a rollout in progress from the alias, for ``genesys rollout --continue/--abort``.
Waiting goes through ``sleep`` and what people see through ``progress``: both injectable.
"""

from __future__ import annotations

import time
from typing import Callable

from ..config.locate import where_in
from ..config.spec import FunctionSpec
from ..errors import EXIT_BAD_INPUT, ConfigError, GenesysError
from ..shell import command
from . import state
from .executor import PlanExecutor, no_progress
from .model import Plan


class RolloutError(GenesysError):
    """The rollout stopped and the alias is back on the old version."""


class RolloutInProgress(GenesysError):
    """A deploy found a rollout a stopped run left half way, and may not resume it unattended."""

    exit_code = EXIT_BAD_INPUT


def interrupted(spec: FunctionSpec, old: str, new: str, share: int) -> RolloutInProgress:
    toml = (spec.path.name,)
    return RolloutInProgress(
        f"{spec.name}:{spec.deployment.alias} is half way through a rollout a stopped deploy left: {share}% on "
        f"version {new}, {100 - share}% on version {old}",
        hint=f"finish it with `{command('genesys', 'rollout', '--continue', operands=toml)}`, or put the alias back "
             f"on version {old} with `{command('genesys', 'rollout', '--abort', operands=toml)}`",
        where=where_in(spec.path, "deployment", "alias"))


def shift(spec: FunctionSpec, old: str, new: str, percent: int) -> Plan:
    plan = Plan()
    resource = f"alias {spec.name}:{spec.deployment.alias}"
    routing = {} if percent >= 100 else {new: percent / 100}
    plan.call("lambda", "update_alias", resource, FunctionName=spec.name, Name=spec.deployment.alias,
              FunctionVersion=new if percent >= 100 else old, RoutingConfig={"AdditionalVersionWeights": routing})
    plan.change(resource, "update", [("traffic", None, f"{percent}% on version {new}")])
    return plan


def revert(spec: FunctionSpec, old: str) -> Plan:
    plan = Plan()
    resource = f"alias {spec.name}:{spec.deployment.alias}"
    plan.call("lambda", "update_alias", resource, FunctionName=spec.name, Name=spec.deployment.alias,
              FunctionVersion=old, RoutingConfig={"AdditionalVersionWeights": {}})
    plan.change(resource, "update", [("traffic", None, f"100% on version {old}")])
    return plan


def firing(spec: FunctionSpec, clients) -> list[str]:
    """The named alarms in ALARM; a name CloudWatch does not know is a ConfigError."""
    names = list(spec.deployment.traffic.alarms)
    if not names:
        return []
    found = {a["AlarmName"]: a.get("StateValue") for a in clients.adapter("cloudwatch").describe_alarms(AlarmNames=names)}
    unknown = [n for n in names if n not in found]
    if unknown:
        raise ConfigError(f"CloudWatch has no alarm named {', '.join(unknown)}",
                          where=where_in(spec.path, "deployment", "traffic", "alarms"),
                          hint="create it first, or fix the name in [deployment.traffic] alarms")
    return [n for n in names if found[n] == "ALARM"]


def proceed(spec: FunctionSpec, clients, executor: PlanExecutor, old: str, new: str, share: int = 0, *,
            sleep: Callable[[float], None] = time.sleep, progress=no_progress) -> None:
    """Take the steps above ``share`` (percent now on ``new``) to 100%, or roll back and raise."""
    traffic = spec.deployment.traffic
    try:
        for percent in [p for p in traffic.steps() if p > share]:
            with progress(f"{spec.name}: watching {', '.join(traffic.alarms) or 'no alarms'} for "
                          f"{traffic.interval_minutes} min before {percent}% on version {new}"):
                sleep(traffic.interval_minutes * 60)
                alarms = firing(spec, clients)
            if alarms:
                raise RolloutError(f"alarm {', '.join(alarms)} is in ALARM")
            executor.run(shift(spec, old, new, percent))
    except (GenesysError, KeyboardInterrupt) as err:
        executor.run(revert(spec, old))
        why = "interrupted" if isinstance(err, KeyboardInterrupt) else err.message
        raise RolloutError(f"rollout of {spec.name}:{spec.deployment.alias} to version {new} stopped: {why}; "
                           f"the alias is back on version {old}",
                           hint="fix the cause and deploy again (a new change starts a new rollout)") from None


def state_of(spec: FunctionSpec, clients) -> tuple[str, str, int] | None:
    """(old version, new version, percent on new) of a rollout in progress, or None; a ConflictError
    when the function is another owner's (``marker``)."""
    from .deployer import require_owner

    require_owner(spec, clients)
    _, aliases = state.read_versions(clients, spec.name)
    alias = aliases.get(spec.deployment.alias or "")
    if alias is None or not alias.weights:
        return None
    new, weight = next(iter(alias.weights.items()))
    return alias.version, new, round(weight * 100)
