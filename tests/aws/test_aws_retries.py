"""What the emulator cannot produce, through botocore's Stubber: a function stuck Pending,
IAM propagation delays, throttling and update conflicts."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from genesys_tasks.errors import AwsError

ROLE = "arn:aws:iam::123456789012:role/genesys-lambda-f"
CREATE = {"FunctionName": "f", "Role": ROLE, "Runtime": "python3.12", "Handler": "app.handler",
          "Code": {"ZipFile": b"zip"}}
NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."


def test_create_function_waits_for_iam_propagation_then_succeeds(stubbed):
    adapter, stub, sleeps = stubbed
    heard: list[str] = []
    adapter.notify = heard.append
    for _ in range(2):
        stub.add_client_error("create_function", "InvalidParameterValueException", NOT_ASSUMABLE)
    stub.add_response("create_function", {"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:1:function:f"})
    assert adapter.create_function(**CREATE)["FunctionName"] == "f"
    assert sleeps == [0.5, 1.0]
    assert len(heard) == 1 and "waiting for IAM" in heard[0]  # said once, not on every retry
    assert adapter.log.writes == ["lambda:CreateFunction"] * 3


def test_iam_propagation_wait_is_bounded_and_explains_itself(stubbed):
    adapter, stub, sleeps = stubbed
    for _ in range(6):
        stub.add_client_error("create_function", "InvalidParameterValueException", NOT_ASSUMABLE)
    with pytest.raises(AwsError) as caught:
        adapter.create_function(**CREATE)
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]  # gives up once 10 s (iam_wait_seconds) have passed
    assert "cannot be assumed" in caught.value.message
    assert "trust policy" in caught.value.hint


def test_other_invalid_parameter_errors_are_not_retried(stubbed):
    adapter, stub, sleeps = stubbed
    stub.add_client_error("create_function", "InvalidParameterValueException", "Unzipped size must be smaller")
    with pytest.raises(AwsError) as caught:
        adapter.create_function(**CREATE)
    assert sleeps == [] and "lambda:CreateFunction on f failed" in caught.value.message


def test_throttling_is_retried_with_backoff(stubbed):
    adapter, stub, sleeps = stubbed
    stub.add_client_error("get_function", "TooManyRequestsException", "Rate exceeded", http_status_code=429)
    stub.add_client_error("get_function", "ThrottlingException", "Rate exceeded", http_status_code=400)
    stub.add_response("get_function", {"Configuration": {"FunctionName": "f"}})
    assert adapter.get_function(FunctionName="f")["Configuration"]["FunctionName"] == "f"
    assert sleeps == [0.5, 1.0]


def test_retries_are_logged_for_debugging_and_print_nothing(stubbed, caplog, capsys):
    import logging

    adapter, stub, _ = stubbed
    stub.add_client_error("get_function", "ThrottlingException", "Rate exceeded", http_status_code=400)
    stub.add_response("get_function", {"Configuration": {"FunctionName": "f"}})
    with caplog.at_level(logging.DEBUG, logger="genesys.aws"):
        adapter.get_function(FunctionName="f")
    assert [r.getMessage() for r in caplog.records if r.name == "genesys.aws"] == [
        "lambda:GetFunction on f: ThrottlingException; retrying in 0.5s"]
    assert capsys.readouterr() == ("", "")


def test_clients_hand_their_notify_callback_to_every_adapter():
    from genesys_tasks.aws.base import ignore
    from genesys_tasks.aws.session import Clients
    from genesys_tasks.aws.target import Target

    heard: list[str] = []
    clients = Clients(Target("us-east-1", None, None), overrides={"lambda": object(), "iam": object()},
                      notify=heard.append)
    assert clients.adapter("lambda").notify == clients.iam.notify == heard.append
    quiet = Clients(Target("us-east-1", None, None), overrides={"lambda": object()})
    assert quiet.adapter("lambda").notify is ignore  # the default: nothing is printed


def test_resource_conflict_while_an_update_is_in_progress_is_retried(stubbed):
    adapter, stub, sleeps = stubbed
    stub.add_client_error("update_function_configuration", "ResourceConflictException",
                          "The operation cannot be performed at this time. An update is in progress", 409)
    stub.add_response("update_function_configuration", {"FunctionName": "f", "MemorySize": 512})
    assert adapter.update_function_configuration(FunctionName="f", MemorySize=512)["MemorySize"] == 512
    assert len(sleeps) == 1


def test_a_function_stuck_pending_fails_with_a_clear_message(stubbed):
    adapter, stub, _ = stubbed
    for _ in range(3):
        stub.add_response("get_function", {"Configuration": {"FunctionName": "f", "State": "Pending"}})
    with pytest.raises(AwsError) as caught:
        adapter.wait_function_active_v2(FunctionName="f")
    assert "lambda:GetFunction on f did not finish" in caught.value.message
    assert "run again" in caught.value.hint


def test_retries_stop_after_the_attempt_limit(stubbed):
    adapter, stub, sleeps = stubbed
    for _ in range(adapter.retry.attempts):
        stub.add_client_error("get_function", "TooManyRequestsException", "Rate exceeded", 429)
    with pytest.raises(AwsError) as caught:
        adapter.get_function(FunctionName="f")
    assert "TooManyRequestsException" in caught.value.message
    assert len(sleeps) == adapter.retry.attempts - 1
