"""DynamoDB stream triggers: a table's stream Lambda polls for the function, through a tagged
event source mapping.

The stream ARN must be the table's current one and in the function's region; a stream
that does not exist is a ``ConfigError`` naming its ARN and line, before any write. AWS cannot
change where a mapping starts reading, so a new ``starting_position`` replaces it. The
poller permissions the role needs are its row's ``Poller`` (config/triggers.py).
"""

from __future__ import annotations

from ..model import Plan
from .common import TriggerState, check_same_region, missing
from .mappings import WantedMapping, plan_mappings


def table_of(stream_arn: str) -> str:
    return stream_arn.split(":table/", 1)[-1].split("/stream/", 1)[0]


def read_state(spec, clients, triggers, state: TriggerState) -> None:
    for trigger in triggers:
        arn = trigger.get("stream_arn")
        check_same_region(spec, trigger, "stream_arn", state.region)
        if clients.dynamodbstreams.describe_stream(StreamArn=arn) is None:
            raise missing(spec, trigger, "stream_arn", "DynamoDB stream", state.region,
                          "streams get a new ARN when re-enabled: use the table's current LatestStreamArn")


def plan(plan: Plan, spec, triggers, state: TriggerState) -> None:
    wanted = {}
    for trigger in triggers:
        arn = trigger.get("stream_arn")
        wanted[arn] = WantedMapping(f"dynamodb trigger {table_of(arn)}", {"BatchSize": trigger.get("batch_size")},
                                    trigger.get("starting_position"), trigger, "stream_arn")
    plan_mappings(plan, spec, "dynamodb", wanted, lambda source: f"dynamodb trigger {table_of(source)}", state)
