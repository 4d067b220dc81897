"""CloudWatch: reading the alarms a gradual rollout watches (read-only)."""

from __future__ import annotations

from .base import Adapter


class CloudWatchAdapter(Adapter):
    service = "cloudwatch"

    def describe_alarms(self, AlarmNames: list[str]) -> list[dict]:
        return self.collect("describe_alarms", ",".join(AlarmNames), "MetricAlarms", AlarmNames=AlarmNames)
