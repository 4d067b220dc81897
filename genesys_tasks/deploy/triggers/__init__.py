"""Event triggers beside api_gateway (the HTTP API is planned with the function, in
``planner.api``): one module per type, each owning how its state is read and its sync
planned, named by its row's ``planner`` in ``config/triggers.TYPES`` (``planners()`` looks
them up, in the table's order).

- ``s3``        bucket notifications, merged with the bucket's others
- ``sqs``       queues Lambda polls (event source mappings, shared in ``mappings``)
- ``sns``       topic subscriptions
- ``schedule``  EventBridge rules
- ``dynamodb``  table streams Lambda polls (event source mappings)
- ``common``    ``TriggerState``, the ``TriggerType`` row, names and errors they share

Everything a planner needs is read first by ``read_state`` with read-only calls; a
source the TOML names that does not exist (queue, topic, bucket, stream) is an
``ConfigError`` naming it at its line (exit 2), raised before any write. What genesys makes is marked: event
source mappings and schedule rules carry the tag ``genesys:managed=true``, S3
notification ids and permission statement ids have genesys's full form
(``genesys-<function>:<n>``, ``genesys-s3-<bucket>``…). Only marked things are changed
or removed; an unmarked one where genesys would put its own is a conflict unless adopted.

With ``[deployment] alias`` every trigger invokes the alias (``TriggerState.function_arn``):
notifications, subscriptions and rule targets name the alias's ARN, mappings take it as
``FunctionName``. What still points at the function's other ARNs (unqualified, or another
alias genesys made) is moved, so switching the alias on or off leaves nothing behind.

The invoke permissions of push sources (S3, SNS, schedules) come from ``statements``
and are planned with the function's other permissions (on the alias when there is one),
so they exist before the source is wired. The poller permissions of polled sources (SQS, DynamoDB streams) go into the
execution role (``policies.poller_policies``), since AWS rejects a mapping without them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...config.spec import FunctionSpec
from ...errors import GenesysError
from ..model import Plan
from ..state import FunctionState
from ...config.triggers import TABLE
from ...config.triggers import TYPES as ROWS
from ...contracts import TriggerPlanner, dotted
from .common import TriggerState, TriggerType, no_statements
from .mappings import read_mappings

WITH_FUNCTION = "api_gateway"  # planned with the function (planner.api), not here

__all__ = ["TriggerState", "owns_statement", "plan", "planners", "read_state", "statements"]


def planners() -> dict[str, TriggerType]:
    """Each planned trigger type's module, as its row names it, in the order their calls are planned
    (and their state read): ``read_state``, ``plan``, and a push source's ``statements`` and ``STATEMENT_ID``."""
    found = {}
    for kind, row in ROWS.items():
        if row.planner:
            module = dotted(row.planner, TriggerPlanner, TABLE)
            found[kind] = TriggerType(module.read_state, module.plan, getattr(module, "statements", no_statements),
                                      getattr(module, "STATEMENT_ID", ""))
    return found


def _of(triggers, kind: str) -> list:
    return [t for t in triggers if t.type == kind]


def read_state(spec: FunctionSpec, clients, region: str, account: str, function: FunctionState | None,
               triggers=None) -> TriggerState:
    """Read (never write) the sources ``triggers`` name and what genesys made for ``spec``'s function.

    ``triggers`` defaults to the spec's; pass ``()`` to read only what exists (for delete).
    """
    triggers = spec.triggers if triggers is None else triggers
    types = planners()
    unplanned = sorted({t.type for t in triggers} - set(types) - {WITH_FUNCTION})
    if unplanned:
        raise GenesysError(f"no deploy planner for trigger type {', '.join(unplanned)}",
                           hint="a trigger type needs its planner module, named by its row in config/triggers.TYPES")
    state = TriggerState(region, account, spec.name, _all_statements(function), function_exists=function is not None,
                         alias=spec.deployment.alias, aliases=function.aliases if function is not None else ())
    for kind, row in types.items():
        row.read_state(spec, clients, _of(triggers, kind), state)
    read_mappings(spec, clients, state)  # once, for both polled types
    return state


def _all_statements(function: FunctionState | None) -> dict:
    """The statements of the function's policy and of its aliases' (read to find the sources wired before)."""
    if function is None:
        return {}
    found = {}
    for statements in (*function.other_alias_statements.values(), function.alias_statements, function.statements):
        found.update(statements)
    return found


def plan(spec: FunctionSpec, state: TriggerState, triggers=None, *, adopt: bool = False) -> Plan:
    """Calls that make AWS match ``triggers`` (default: the spec's; ``()`` removes them all).

    With ``adopt`` (``Ownership.adopt``), same-named resources genesys did not make (rules,
    mappings, notification ids) are taken over instead of being conflicts.
    """
    triggers = spec.triggers if triggers is None else triggers
    state = replace(state, adopt=adopt)
    result = Plan()
    for kind, row in planners().items():
        row.plan(result, spec, _of(triggers, kind), state)
    return result


def statements(spec: FunctionSpec, region: str, account: str) -> dict:
    """The invoke permissions the spec's push sources need, by statement id, each scoped by SourceArn."""
    wanted = {}
    for kind, row in planners().items():
        wanted.update(row.statements(spec, _of(spec.triggers, kind), region, account))
    return wanted


def owns_statement(sid: str) -> bool:
    """Whether ``sid`` has the full form of a statement id genesys gives a push source."""
    return any(row.statement_id and re.fullmatch(row.statement_id, sid) for row in planners().values())
