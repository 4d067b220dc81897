"""Event source mappings, shared by the polled trigger types (SQS queues, DynamoDB streams).

Lambda polls the source for the function through one mapping per source. genesys tags
the mappings it makes (``genesys:managed=true``) and reads them once per deploy for both
types; a mapping it did not make is never changed or removed. One from a source the TOML
names is a conflict (AWS allows one mapping per queue and function), unless adopted:
then it is tagged and brought in line, shown as ``adopt``.

A mapping invokes what the triggers invoke (``TriggerState.function_arn``: the alias's ARN
when there is one). Mappings are listed for the function and for each alias genesys made;
one invoking another of them is moved with ``UpdateEventSourceMapping(FunctionName=...)``,
which keeps its place in the queue or stream.
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
    """The function's mappings, genesys's and others' apart (none while the function does not exist),
    and which alias each invokes (``state.mapping_targets``)."""
    if not state.function_exists:
        return
    lam = clients.adapter("lambda")
    for alias in dict.fromkeys((None, state.alias, *state.aliases)):
        for mapping in lam.list_event_source_mappings(FunctionName=state.qualified(alias) if alias else spec.name):
            if mapping["UUID"] in state.mapping_targets:
                continue
            state.mapping_targets[mapping["UUID"]] = _target(mapping, alias or state.alias)
            arn = mapping.get("EventSourceMappingArn")
            tags = lam.list_tags(Resource=arn).get("Tags", {}) if arn else {}
            (state.mappings if tags.get(MARKER_KEY) == "true" else state.foreign_mappings).append(mapping)


def _target(mapping: dict, listed_for: str | None) -> str | None:
    """The alias a mapping invokes (None: the unqualified function). AWS reports the alias in FunctionArn.
    genesys never maps a version, so a version number there is an alias an emulator resolved: the one
    it was listed for, else (listed under the function's name, as the emulator lists a moved mapping) the
    alias genesys maps to now."""
    parts = (mapping.get("FunctionArn") or "").split(":")
    qualifier = parts[7] if len(parts) > 7 else None
    return listed_for if qualifier is not None and qualifier.isdigit() else qualifier


def _current_settings(mapping: dict, wanted: dict) -> dict:
    # AWS reports 0 for an unset batching window; the emulator reports nothing.
    return {k: mapping.get(k) if mapping.get(k) is not None else 0 for k in wanted}


def _invoked(spec, state: TriggerState) -> str:
    return state.function_arn if state.alias else spec.name


def _sync_one(plan: Plan, spec, source: str, want: WantedMapping, mapping: dict | None, state: TriggerState,
              adopting: bool = False) -> None:
    tags = {MARKER_KEY: "true", FUNCTION_KEY: spec.name}
    position, resource, function = want.starting_position, want.resource, _invoked(spec, state)
    if adopting:
        plan.call("lambda", "tag_resource", resource, Resource=mapping["EventSourceMappingArn"], Tags=tags)
    if mapping is not None and position and mapping.get("StartingPosition") != position:
        # AWS cannot change where a mapping starts reading: replace it.
        plan.call("lambda", "delete_event_source_mapping", resource, UUID=mapping["UUID"])
        plan.call("lambda", "create_event_source_mapping", resource, FunctionName=function,
                  EventSourceArn=source, StartingPosition=position, Tags=tags, **want.settings)
        plan.change(resource, "adopt" if adopting else "update",
                    [("StartingPosition", mapping.get("StartingPosition"), position)]
                    + diffs(_current_settings(mapping, want.settings), want.settings))
        return
    if mapping is None:
        extra = {"StartingPosition": position} if position else {}
        plan.call("lambda", "create_event_source_mapping", resource, FunctionName=function,
                  EventSourceArn=source, Tags=tags, **extra, **want.settings)
        plan.change(resource, "create", [("EventSourceArn", None, source)] + diffs({}, {**extra, **want.settings}))
        return
    changed = diffs(_current_settings(mapping, want.settings), want.settings)
    moved = {}
    target = state.mapping_targets.get(mapping["UUID"])
    if target != state.alias:  # it invokes another ARN of the function: move it, keeping its place
        moved = {"FunctionName": function}
        changed.append(("FunctionName", state.qualified(target), state.function_arn))
    if changed:
        plan.call("lambda", "update_event_source_mapping", resource, UUID=mapping["UUID"], **moved, **want.settings)
    plan.change(resource, "adopt" if adopting else "update" if changed else "no change", changed)


def plan_mappings(plan: Plan, spec, service: str, wanted: dict[str, WantedMapping], removed: Callable[[str], str],
                  state: TriggerState) -> None:
    """Create, update or replace the mappings of ``wanted`` (source ARN → mapping), and delete the
    ones genesys made for ``service``'s sources that are no longer wanted (``removed`` names their Change)."""
    current = {m["EventSourceArn"]: m for m in state.mappings if m["EventSourceArn"].split(":")[2] == service}
    foreign = {m["EventSourceArn"]: m for m in state.foreign_mappings}
    for source, want in wanted.items():
        if source not in current and source in foreign:
            _adopt_or_refuse(plan, spec, source, want, foreign[source], state)
        else:
            _sync_one(plan, spec, source, want, current.get(source), state)
    for source, mapping in sorted(current.items()):
        if source not in wanted:
            plan.call("lambda", "delete_event_source_mapping", removed(source), UUID=mapping["UUID"])
            plan.change(removed(source), "delete", [("EventSourceArn", source, None)])


def _adopt_or_refuse(plan: Plan, spec, source: str, want: WantedMapping, mapping: dict,
                     state: TriggerState) -> None:
    if state.adopt:
        _sync_one(plan, spec, source, want, mapping, state, adopting=True)
        return
    scratch = Plan()
    _sync_one(scratch, spec, source, want, mapping, state)
    raise conflict(f"the event source mapping {mapping['UUID']} from {source} to {spec.name}",
                   differences(scratch.changes[0].changes),
                   [f"delete that mapping (aws lambda delete-event-source-mapping --uuid {mapping['UUID']})"],
                   trigger_where(spec, want.trigger, want.source_key) if want.trigger else None)
