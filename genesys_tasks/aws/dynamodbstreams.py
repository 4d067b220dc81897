"""DynamoDB Streams: checking that a trigger's stream exists (read-only)."""

from __future__ import annotations

from .base import Adapter, operation


class DynamoDbStreamsAdapter(Adapter):
    service = "dynamodb"  # stream actions are dynamodb:DescribeStream etc. in IAM

    describe_stream = operation("describe_stream", "StreamArn", missing_ok=True)
