"""Event source mappings, shared by the polled trigger types (SQS queues, DynamoDB streams).

Lambda polls the source for the function through one mapping per source. genesys tags
the mappings it makes (``genesys:managed=true``) and reads only those, once per deploy
for both types; a mapping it did not make is never changed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model import Plan
from ..state import FUNCTION_KEY, MARKER_KEY
from .common import TriggerState, diffs


@dataclass(frozen=True)
class WantedMapping:
    """A mapping the spec asks for: the Change it shows as, its settings, and where it starts reading."""

    resource: str
    settings: dict
    starting_position: str | None = None


def read_mappings(spec, clients, state: TriggerState) -> None:
    """The mappings genesys made for the function (none while the function does not exist)."""
    if not state.function_exists:
        return
    lam = clients.adapter("lambda")
    for mapping in lam.list_event_source_mappings(FunctionName=spec.name):
        arn = mapping.get("EventSourceMappingArn")
        tags = lam.list_tags(Resource=arn).get("Tags", {}) if arn else {}
        if tags.get(MARKER_KEY) == "true":
            state.mappings.append(mapping)


def _current_settings(mapping: dict, wanted: dict) -> dict:
    # AWS reports 0 for an unset batching window; the emulator reports nothing.
    return {k: mapping.get(k) if mapping.get(k) is not None else 0 for k in wanted}


def _sync_one(plan: Plan, spec, source: str, want: WantedMapping, mapping: dict | None) -> None:
    tags = {MARKER_KEY: "true", FUNCTION_KEY: spec.name}
    position, resource = want.starting_position, want.resource
    if mapping is not None and position and mapping.get("StartingPosition") != position:
        # AWS cannot change where a mapping starts reading: replace it.
        plan.call("lambda", "delete_event_source_mapping", resource, UUID=mapping["UUID"])
        plan.call("lambda", "create_event_source_mapping", resource, FunctionName=spec.name,
                  EventSourceArn=source, StartingPosition=position, Tags=tags, **want.settings)
        plan.change(resource, "update", [("StartingPosition", mapping.get("StartingPosition"), position)])
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
    plan.change(resource, "update" if changed else "no change", changed)


def plan_mappings(plan: Plan, spec, service: str, wanted: dict[str, WantedMapping], removed: Callable[[str], str],
                  state: TriggerState) -> None:
    """Create, update or replace the mappings of ``wanted`` (source ARN → mapping), and delete the
    ones genesys made for ``service``'s sources that are no longer wanted (``removed`` names their Change)."""
    current = {m["EventSourceArn"]: m for m in state.mappings if m["EventSourceArn"].split(":")[2] == service}
    for source, want in wanted.items():
        _sync_one(plan, spec, source, want, current.get(source))
    for source, mapping in sorted(current.items()):
        if source not in wanted:
            plan.call("lambda", "delete_event_source_mapping", removed(source), UUID=mapping["UUID"])
            plan.change(removed(source), "delete", [("EventSourceArn", source, None)])
