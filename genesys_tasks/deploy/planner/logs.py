"""Planning the function's log group, ``/aws/lambda/<name>``, for ``[function] log_retention_days``.

genesys creates the group (tagged as its own) with the retention asked for, changes the
retention of a group it made, and takes the retention off (never expire) when the key goes;
it never deletes the group while deploying (the logs stay). Tags follow ``[tags]``. A
group genesys did not make (Lambda makes one when a function first logs) is a conflict
when the TOML asks for a retention, unless adopted; without the key it is left alone. One
another owner made is a conflict (``marker``); one with the old mark alone is claimed.
"""

from __future__ import annotations

from ...config.locate import where_in
from ...config.spec import FunctionSpec
from ..model import Plan
from .. import marker
from ..ownership import Ownership, conflict
from ..state import LogGroupState, log_group_name
from .inputs import marker_tags, tag_changes


def plan_log_group(spec: FunctionSpec, group: LogGroupState | None, ownership: Ownership = Ownership()) -> Plan:
    plan = Plan()
    name = log_group_name(spec.name)
    resource, wanted = f"log group {name}", spec.function.log_retention_days
    if group is None:
        if wanted is not None:
            plan.call("logs", "create_log_group", resource, logGroupName=name, tags=marker_tags(spec, ownership))
            plan.call("logs", "put_retention_policy", resource, logGroupName=name, retentionInDays=wanted)
            plan.change(resource, "create", [("retention days", None, wanted)])
        return plan
    found = ownership.standing(group.tags)
    if found == marker.UNMARKED and wanted is None:
        return plan
    if found in (marker.FOREIGN, marker.UNMARKED) and not ownership.adopt:
        raise conflict(resource, [f"retention days: {group.retention_days} → {wanted}"],
                       ["remove [function] log_retention_days to leave it as it is"],
                       where_in(spec.path, "function", "log_retention_days"), group.tags)
    diffs = _sync_tags(plan, spec, group, resource, ownership)
    if wanted != group.retention_days:
        if wanted is None:
            plan.call("logs", "delete_retention_policy", resource, logGroupName=name)
        else:
            plan.call("logs", "put_retention_policy", resource, logGroupName=name, retentionInDays=wanted)
        diffs.append(("retention days", group.retention_days, wanted))
    plan.change(resource, marker.action(found, bool(diffs)), diffs)
    return plan


def _sync_tags(plan: Plan, spec: FunctionSpec, group: LogGroupState, resource: str,
               ownership: Ownership) -> list[tuple]:
    to_set, to_remove = tag_changes(group.tags, marker_tags(spec, ownership))
    if to_set:
        plan.call("logs", "tag_log_group", resource, logGroupName=group.name, tags=to_set)
    if to_remove:
        plan.call("logs", "untag_log_group", resource, logGroupName=group.name, tags=to_remove)
    return ([(f"Tags.{k}", group.tags.get(k), v) for k, v in sorted(to_set.items())]
            + [(f"Tags.{k}", group.tags[k], None) for k in to_remove])


def plan_delete_log_group(spec: FunctionSpec, group: LogGroupState | None,
                          ownership: Ownership = Ownership()) -> Plan:
    """Delete the log group when this owner made it; any other is kept, and said so."""
    plan = Plan()
    if group is None:
        return plan
    resource = f"log group {group.name}"
    why = marker.kept_because(ownership.standing(group.tags), group.tags)
    if why:
        plan.change(resource, "no change", [("kept", None, why)])
        return plan
    plan.call("logs", "delete_log_group", resource, logGroupName=group.name)
    plan.change(resource, "delete")
    return plan
