"""Event source mappings, shared by the polled trigger types (SQS queues, DynamoDB streams).

Lambda polls the source for the function through one mapping per source. genesys tags
the mappings it makes (``genesys:managed=true``) and reads them once per deploy for both
types; a mapping it did not make is never changed or removed. One from a source the TOML
names is a conflict (AWS allows one mapping per queue and function), unless adopted:
then it is tagged and brought in line, shown as ``adopt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ...config.spec import TriggerSpec
from ..model import Plan
from ..ownership import conflict, differences
from ..state import FUNCTION_KEY, MARKER_KEY
from .common import TriggerState, diffs, trigger_where


@dataclass(frozen=True)
class WantedMapping:
    """A mapping the spec asks for: the Change it shows as, its settings, and where it starts reading."""

    resource: str
    settings: dict
    starting_position: str | None = None
    trigger: TriggerSpec | None = None  # the trigger and its source key, to name its line in a conflict
    source_key: str = ""


def read_mappings(spec, clients, state: TriggerState) -> None:
    """The function's mappings, genesys's and others' apart (none while the function does not exist)."""
    if not state.function_exists:
        return
    lam = clients.adapter("lambda")
    for mapping in lam.list_event_source_mappings(FunctionName=spec.name):
        arn = mapping.get("EventSourceMappingArn")
        tags = lam.list_tags(Resource=arn).get("Tags", {}) if arn else {}
        (state.mappings if tags.get(MARKER_KEY) == "true" else state.foreign_mappings).append(mapping)


def _current_settings(mapping: dict, wanted: dict) -> dict:
    # AWS reports 0 for an unset batching window; the emulator reports nothing.
    return {k: mapping.get(k) if mapping.get(k) is not None else 0 for k in wanted}


def _sync_one(plan: Plan, spec, source: str, want: WantedMapping, mapping: dict | None,
              adopting: bool = False) -> None:
    tags = {MARKER_KEY: "true", FUNCTION_KEY: spec.name}
    position, resource = want.starting_position, want.resource
    if adopting:
        plan.call("lambda", "tag_resource", resource, Resource=mapping["EventSourceMappingArn"], Tags=tags)
    if mapping is not None and position and mapping.get("StartingPosition") != position:
        # AWS cannot change where a mapping starts reading: replace it.
        plan.call("lambda", "delete_event_source_mapping", resource, UUID=mapping["UUID"])
        plan.call("lambda", "create_event_source_mapping", resource, FunctionName=spec.name,
                  EventSourceArn=source, StartingPosition=position, Tags=tags, **want.settings)
        plan.change(resource, "adopt" if adopting else "update",
                    [("StartingPosition", mapping.get("StartingPosition"), position)])
        return
    if mapping is None:
        extra = {"StartingPosition": position} if position else {}
        plan.call("lambda", "create_event_source_mapping", resource, FunctionName=spec.name,
                  EventSourceArn=source, Tags=tags, **extra, **want.settings)
        plan.change(resource, "create", [("EventSourceArn", None, source)] + diffs({}, {**extra, **want.settings}))
        return
    changed = diffs(_current_settings(mapping, want.settings), want.settings)
    if changed:
        plan.call("lambda", "update_event_source_mapping", resource, UUID=mapping["UUID"], **want.settings)
    plan.change(resource, "adopt" if adopting else "update" if changed else "no change", changed)


def plan_mappings(plan: Plan, spec, service: str, wanted: dict[str, WantedMapping], removed: Callable[[str], str],
                  state: TriggerState) -> None:
    """Create, update or replace the mappings of ``wanted`` (source ARN → mapping), and delete the
    ones genesys made for ``service``'s sources that are no longer wanted (``removed`` names their Change)."""
    current = {m["EventSourceArn"]: m for m in state.mappings if m["EventSourceArn"].split(":")[2] == service}
    foreign = {m["EventSourceArn"]: m for m in state.foreign_mappings}
    for source, want in wanted.items():
        if source not in current and source in foreign:
            _adopt_or_refuse(plan, spec, source, want, foreign[source], state.adopt)
        else:
            _sync_one(plan, spec, source, want, current.get(source))
    for source, mapping in sorted(current.items()):
        if source not in wanted:
            plan.call("lambda", "delete_event_source_mapping", removed(source), UUID=mapping["UUID"])
            plan.change(removed(source), "delete", [("EventSourceArn", source, None)])


def _adopt_or_refuse(plan: Plan, spec, source: str, want: WantedMapping, mapping: dict, adopt: bool) -> None:
    if adopt:
        _sync_one(plan, spec, source, want, mapping, adopting=True)
        return
    scratch = Plan()
    _sync_one(scratch, spec, source, want, mapping)
    raise conflict(f"the event source mapping {mapping['UUID']} from {source} to {spec.name}",
                   differences(scratch.changes[0].changes),
                   [f"delete that mapping (aws lambda delete-event-source-mapping --uuid {mapping['UUID']})"],
                   trigger_where(spec, want.trigger, want.source_key) if want.trigger else None)
