"""SQS triggers: a queue Lambda polls for the function, through a tagged event source mapping.

The queue may be named or given as an ARN (another account's queue too); it must be in
the function's region. Reading resolves each queue to its ARN, and a queue that does not
exist is a ``ConfigError`` naming it and its line, before any write. The poller permissions the role
needs are in ``policies.poller_policies``.
"""

from __future__ import annotations

from ..model import Plan
from .common import TriggerState, check_same_region, missing
from .mappings import WantedMapping, plan_mappings


def queue_name(queue: str) -> str:
    return queue.rsplit(":", 1)[-1]


def read_state(spec, clients, triggers, state: TriggerState) -> None:
    for trigger in triggers:
        queue = trigger.get("queue")
        params = {"QueueName": queue_name(queue)}
        if queue.startswith("arn:"):
            # get_queue_url would find a same-named queue in the deploy region instead
            check_same_region(spec, trigger, "queue", state.region)
            owner = queue.split(":")[4]
            if owner != state.account:
                params["QueueOwnerAWSAccountId"] = owner
        found = clients.sqs.get_queue_url(**params)
        if found is None:
            raise missing(spec, trigger, "queue", "SQS queue", state.region)
        attributes = clients.sqs.get_queue_attributes(QueueUrl=found["QueueUrl"], AttributeNames=["QueueArn"])
        if attributes is None:
            raise missing(spec, trigger, "queue", "SQS queue", state.region)
        state.queue_arns[queue] = attributes["Attributes"]["QueueArn"]


def plan(plan: Plan, spec, triggers, state: TriggerState) -> None:
    wanted = {}
    for trigger in triggers:
        queue = trigger.get("queue")
        settings = {"BatchSize": trigger.get("batch_size"),
                    "MaximumBatchingWindowInSeconds": trigger.get("maximum_batching_window")}
        wanted[state.queue_arns[queue]] = WantedMapping(f"sqs trigger {queue_name(queue)}", settings,
                                                        trigger=trigger, source_key="queue")
    plan_mappings(plan, spec, "sqs", wanted, lambda source: f"sqs trigger {queue_name(source)}", state)
