"""Schedule triggers: an EventBridge rule per schedule, targeting the function, and the invoke
permission EventBridge needs (``genesys-schedule-<n>``, scoped to the rule).

Rules are named ``genesys-<function>-<n>`` (a hash stands in for a name too long for
EventBridge's 64 characters) and tagged ``genesys:managed=true``; only rules with both
are changed or removed. An untagged rule with a name genesys would use is someone else's:
a conflict, unless adopted (then tagged, and shown as ``adopt``). Targets someone else added
to a rule of genesys's are kept while the rule stays; removing that rule (a schedule taken
out, or ``delete``) would remove them too, so it is a conflict unless adopted.
"""

from __future__ import annotations

import hashlib
import re

from ..model import Plan
from ...errors import Where
from ..ownership import ConflictError, conflict, differences
from ..state import FUNCTION_KEY, MARKER_KEY
from .common import TriggerState, diffs, trigger_where

SID_PREFIX = "genesys-schedule-"
STATEMENT_ID = SID_PREFIX + r"\d+"
TARGET_ID = "genesys"
RULE_NAME_MAX = 64


def rule_base(spec) -> str:
    return rule_base_of(spec.name)


def rule_base_of(function: str) -> str:
    """What the schedule rules of ``function`` are named after (``<base>-<n>``): ``genesys-<function>``, or a
    hash of the name when the rule name would pass EventBridge's 64 characters."""
    base = f"genesys-{function}"
    if len(base) + 4 > RULE_NAME_MAX:
        base = "genesys-" + hashlib.sha256(function.encode()).hexdigest()[:16]
    return base


def rule_name(spec, position: int) -> str:
    return f"{rule_base(spec)}-{position}"


def statements(spec, triggers, region: str, account: str) -> dict:
    return {f"{SID_PREFIX}{position}": {
        "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
        "SourceArn": f"arn:aws:events:{region}:{account}:rule/{rule_name(spec, position)}"}
        for position, _trigger in enumerate(triggers)}


def read_state(spec, clients, triggers, state: TriggerState) -> None:
    # genesys adds a genesys-schedule-<n> permission with every rule it makes, so without either
    # a wanted schedule or such a permission there is no rule to find (and no call to make).
    if not triggers and not any(sid.startswith(SID_PREFIX) for sid in state.statements):
        return
    pattern = re.compile(re.escape(rule_base(spec)) + r"-\d+$")
    for rule in clients.events.list_rules(NamePrefix=rule_base(spec) + "-"):
        if not pattern.match(rule["Name"]):
            continue
        tags = {t["Key"]: t["Value"] for t in clients.events.list_tags_for_resource(ResourceARN=rule["Arn"])
                .get("Tags", [])}
        found = {"rule": rule, "targets": clients.events.list_targets_by_rule(Rule=rule["Name"])}
        (state.rules if tags.get(MARKER_KEY) == "true" else state.foreign_rules)[rule["Name"]] = found


def _tags(spec) -> list[dict]:
    return [{"Key": MARKER_KEY, "Value": "true"}, {"Key": FUNCTION_KEY, "Value": spec.name}]


def _sync_rule(plan: Plan, spec, name: str, trigger, state: TriggerState) -> None:
    resource, expression = f"schedule trigger {name}", trigger.get("expression")
    target = [{"Id": TARGET_ID, "Arn": state.function_arn}]
    description = f"Schedule for the Lambda function {spec.name} (genesys)"
    current, adopted = state.rules.get(name), []
    if current is None and name in state.foreign_rules:
        current = state.foreign_rules[name]
        if not state.adopt:
            scratch = Plan()
            _update(scratch, name, expression, description, target, current, state, resource)
            raise conflict(f"EventBridge rule {name}", differences(scratch.changes[0].changes),
                           ["rename [metadata] name (genesys names its rules after the function)",
                            "delete or rename that rule"], trigger_where(spec, trigger, "expression"))
        plan.call("events", "tag_resource", resource, ResourceARN=current["rule"]["Arn"], Tags=_tags(spec))
        adopted = [(f"Tags.{t['Key']}", None, t["Value"]) for t in _tags(spec)]
    if current is None:
        plan.call("events", "put_rule", resource, Name=name, ScheduleExpression=expression, State="ENABLED",
                  Description=description, Tags=_tags(spec))
        plan.call("events", "put_targets", resource, Rule=name, Targets=target)
        plan.change(resource, "create", [("ScheduleExpression", None, expression)])
        return
    _update(plan, name, expression, description, target, current, state, resource, adopted)


def _update(plan: Plan, name: str, expression: str, description: str, target: list, current: dict,
            state: TriggerState, resource: str, adopted=()) -> None:
    rule, changes = current["rule"], list(adopted)
    if rule.get("ScheduleExpression") != expression or rule.get("State") != "ENABLED":
        plan.call("events", "put_rule", resource, Name=name, ScheduleExpression=expression, State="ENABLED",
                  Description=description)
        changes += diffs(rule, {"ScheduleExpression": expression, "State": "ENABLED"})
    if not any(t.get("Arn") == state.function_arn and t.get("Id") == TARGET_ID for t in current["targets"]):
        plan.call("events", "put_targets", resource, Rule=name, Targets=target)
        changes.append(("target", [t.get("Arn") for t in current["targets"]], state.function_arn))
    others = [t.get("Arn") for t in current["targets"] if t.get("Id") != TARGET_ID]
    if others and name in state.foreign_rules:
        changes.append(("other targets (kept)", None, others))
    plan.change(resource, "adopt" if adopted else "update" if changes else "no change", changes)


def plan(plan: Plan, spec, triggers, state: TriggerState) -> None:
    wanted = {rule_name(spec, n): t for n, t in enumerate(triggers)}
    for name, trigger in wanted.items():
        _sync_rule(plan, spec, name, trigger, state)
    for name, current in sorted(state.rules.items()):
        if name not in wanted:
            resource = f"schedule trigger {name}"
            others = [t for t in current["targets"] if t.get("Id") != TARGET_ID]
            if others and not state.adopt:
                raise _others_on_removal(spec, name, others)
            ids = [t["Id"] for t in current["targets"]]
            if ids:
                plan.call("events", "remove_targets", resource, Rule=name, Ids=ids)
            plan.call("events", "delete_rule", resource, Name=name)
            plan.change(resource, "delete", [("ScheduleExpression", current["rule"].get("ScheduleExpression"), None)]
                        + ([("other targets", [t.get("Arn") for t in others], None)] if others else []))


def _others_on_removal(spec, name: str, others: list[dict]) -> ConflictError:
    """Deleting genesys's rule would take targets genesys did not add with it: stop and name them."""
    named = ", ".join(f"{t.get('Id')} ({t.get('Arn')})" for t in others)
    ids = " ".join(str(t.get("Id")) for t in others)
    return ConflictError(
        f"EventBridge rule {name}, which genesys made for {spec.name} and would delete now, also has "
        f"targets genesys did not add: {named}; deleting the rule would remove them",
        hint=f"remove them from the rule (aws events remove-targets --rule {name} --ids {ids}) or give them "
             "a rule of their own, then run again; or `genesys execute --adopt` (under doit: GENESYS_ADOPT=1) "
             "deletes them with the rule",
        where=Where(spec.path, key="triggers"))
