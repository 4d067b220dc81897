"""What the emulator cannot produce, through botocore's Stubber: AWS rejecting an event source
mapping while the role's poller permissions are missing or still propagating through IAM,
and a mapping still being created when it is changed."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from genesys_tasks.errors import AwsError

MAPPING_UUID = "6f1c2b8e-0d4a-4f5e-9b7a-2c3d4e5f6a7b"  # botocore checks the UUID is 36 characters
QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"
CREATE = {"FunctionName": "f", "EventSourceArn": QUEUE, "BatchSize": 10}
NO_POLLER = "The provided execution role does not have permissions to call ReceiveMessage on SQS"


def test_mapping_creation_waits_while_poller_permissions_propagate(stubbed):
    adapter, stub, sleeps = stubbed
    heard: list[str] = []
    adapter.notify = heard.append
    for _ in range(2):
        stub.add_client_error("create_event_source_mapping", "InvalidParameterValueException", NO_POLLER)
    stub.add_response("create_event_source_mapping", {"UUID": MAPPING_UUID, "EventSourceArn": QUEUE})
    assert adapter.create_event_source_mapping(**CREATE)["UUID"] == MAPPING_UUID
    assert sleeps == [0.5, 1.0]
    assert len(heard) == 1 and "poller permissions" in heard[0]  # said once, not on every retry
    assert adapter.log.writes == ["lambda:CreateEventSourceMapping"] * 3


def test_a_role_without_poller_permissions_fails_clearly_after_a_bounded_wait(stubbed):
    adapter, stub, sleeps = stubbed
    for _ in range(6):
        stub.add_client_error("create_event_source_mapping", "InvalidParameterValueException", NO_POLLER)
    with pytest.raises(AwsError) as caught:
        adapter.create_event_source_mapping(**CREATE)
    assert sum(sleeps) >= 10 and len(sleeps) == 5
    assert "ReceiveMessage on SQS" in caught.value.message and caught.value.exit_code == 1
    assert "AWSLambdaSQSQueueExecutionRole" in caught.value.hint


def test_other_mapping_errors_are_not_retried(stubbed):
    adapter, stub, sleeps = stubbed
    stub.add_client_error("create_event_source_mapping", "InvalidParameterValueException",
                          "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")
    with pytest.raises(AwsError) as caught:
        adapter.create_event_source_mapping(**CREATE)
    assert sleeps == [] and "visibility timeout" in caught.value.message


def test_a_mapping_still_creating_is_retried_when_changed(stubbed):
    adapter, stub, sleeps = stubbed
    stub.add_client_error("update_event_source_mapping", "ResourceInUseException",
                          "Cannot update the event source mapping because it is in use.")
    stub.add_response("update_event_source_mapping", {"UUID": MAPPING_UUID, "BatchSize": 50})
    assert adapter.update_event_source_mapping(UUID=MAPPING_UUID, BatchSize=50)["BatchSize"] == 50
    assert sleeps == [0.5]
