"""EventBridge: the schedule rules genesys makes (named ``genesys-…``, tagged) and their targets."""

from __future__ import annotations

from .base import Adapter, operation


class EventsAdapter(Adapter):
    service = "events"

    put_rule = operation("put_rule", "Name")
    delete_rule = operation("delete_rule", "Name")
    put_targets = operation("put_targets", "Rule")
    remove_targets = operation("remove_targets", "Rule")
    list_tags_for_resource = operation("list_tags_for_resource", "ResourceARN")
    tag_resource = operation("tag_resource", "ResourceARN")  # adopting a rule marks it as genesys's

    def list_rules(self, NamePrefix: str) -> list[dict]:
        return self.collect("list_rules", NamePrefix, "Rules", NamePrefix=NamePrefix)

    def list_targets_by_rule(self, Rule: str) -> list[dict]:
        return self.collect("list_targets_by_rule", Rule, "Targets", Rule=Rule)
