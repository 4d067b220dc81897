"""CloudWatch Logs: the function's log group, ``/aws/lambda/<name>``, and its retention."""

from __future__ import annotations

from .base import Adapter, operation


class LogsAdapter(Adapter):
    service = "logs"

    create_log_group = operation("create_log_group", "logGroupName")
    put_retention_policy = operation("put_retention_policy", "logGroupName")
    delete_retention_policy = operation("delete_retention_policy", "logGroupName")
    delete_log_group = operation("delete_log_group", "logGroupName")
    tag_log_group = operation("tag_log_group", "logGroupName")
    untag_log_group = operation("untag_log_group", "logGroupName")
    list_tags_log_group = operation("list_tags_log_group", "logGroupName", missing_ok=True)
    filter_log_events = operation("filter_log_events", "logGroupName", missing_ok=True)  # `genesys logs`

    def describe_log_groups(self, logGroupNamePrefix: str) -> list[dict]:
        return self.collect("describe_log_groups", logGroupNamePrefix, "logGroups",
                            logGroupNamePrefix=logGroupNamePrefix)
