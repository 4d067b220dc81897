"""SQS: looking up a trigger's queue (read-only; genesys never creates or changes queues)."""

from __future__ import annotations

from .base import Adapter, operation


class SqsAdapter(Adapter):
    service = "sqs"

    get_queue_url = operation("get_queue_url", "QueueName", missing_ok=True)
    get_queue_attributes = operation("get_queue_attributes", "QueueUrl", missing_ok=True)
