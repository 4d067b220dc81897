"""Triggers and ``[deployment] alias`` on the emulator: setting the alias moves S3, SNS and schedule
triggers (and their permissions) to it, taking it out moves them back, nothing stale is left, and
a rerun writes nothing. Queues map to the alias's ARN.

Moving an existing event source mapping is pinned in tests/deploy/test_alias_trigger_plans.py:
the emulator neither lists a mapping under its new function after UpdateEventSourceMapping nor
reports an alias in its FunctionArn (it reports the version the alias points at)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.production  # several deploys: run by .ci/run's production step

TRIGGERS = """
[[triggers]]
type = "s3"
bucket = "uploads"
events = ["s3:ObjectCreated:*"]

[[triggers]]
type = "sns"
topic = "alerts"

[[triggers]]
type = "schedule"
expression = "rate(5 minutes)"
"""
URL_ON = "function_url = true\n"  # the emulator keeps one URL per function whatever the qualifier
OURS = {"genesys-s3-uploads", "genesys-sns-alerts", "genesys-schedule-0"}


def _sids(boto, **qualifier) -> set[str]:
    """The statement ids of the function's (or alias's) policy; by Resource, since the emulator
    answers with one policy for every qualifier."""
    try:
        policy = boto("lambda").get_policy(FunctionName="hello", **qualifier)["Policy"]
    except boto("lambda").exceptions.ResourceNotFoundException:
        return set()
    resource = ":function:hello" + (f":{qualifier['Qualifier']}" if qualifier else "")
    return {s["Sid"] for s in json.loads(policy)["Statement"] if s["Resource"].endswith(resource)}


def _invoked(boto, topic: str) -> dict:
    """What each trigger invokes, as S3, SNS and EventBridge report it."""
    [entry] = boto("s3").get_bucket_notification_configuration(Bucket="uploads")["LambdaFunctionConfigurations"]
    endpoints = [s["Endpoint"] for s in boto("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]]
    [target] = boto("events").list_targets_by_rule(Rule="genesys-hello-0")["Targets"]
    return {"s3": entry["LambdaFunctionArn"], "sns": endpoints, "schedule": target["Arn"]}


def test_setting_the_alias_moves_the_triggers_to_it_and_taking_it_out_moves_them_back(
        project, clients, boto, deploy):
    boto("s3").create_bucket(Bucket="uploads")
    topic = boto("sns").create_topic(Name="alerts")["TopicArn"]
    p = project(extra=TRIGGERS, requirements=None)
    p.edit(URL_ON, "function_url = false\n")
    deploy(p)
    function_arn = boto("lambda").get_function(FunctionName="hello")["Configuration"]["FunctionArn"]
    assert _invoked(boto, topic) == {"s3": function_arn, "sns": [function_arn], "schedule": function_arn}

    p.edit("function_url = false\n", 'function_url = false\nalias = "live"\n')
    deploy(p)
    live = f"{function_arn}:live"
    assert _invoked(boto, topic) == {"s3": live, "sns": [live], "schedule": live}
    assert OURS <= _sids(boto, Qualifier="live")
    assert _sids(boto) & OURS == set()  # no permission left on the unqualified function
    again = clients()
    deploy(p, again)
    assert again.log.writes == []

    p.edit('alias = "live"\n', "")
    deploy(p)
    assert _invoked(boto, topic) == {"s3": function_arn, "sns": [function_arn], "schedule": function_arn}
    assert OURS <= _sids(boto)
    assert _sids(boto, Qualifier="live") & OURS == set()
    again = clients()
    deploy(p, again)
    assert again.log.writes == []


def test_a_queue_maps_to_the_alias_and_a_rerun_writes_nothing(project, clients, boto, deploy):
    boto("sqs").create_queue(QueueName="jobs")
    p = project(extra='alias = "live"\n\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n', requirements=None)
    p.edit(URL_ON, "function_url = false\n")
    deploy(p)
    function_arn = boto("lambda").get_function(FunctionName="hello")["Configuration"]["FunctionArn"]
    found = boto("lambda").list_event_source_mappings(FunctionName=f"{function_arn}:live")["EventSourceMappings"]
    assert len(found) == 1
    assert boto("lambda").list_event_source_mappings(FunctionName="hello")["EventSourceMappings"] == []
    again = clients()
    deploy(p, again)
    assert again.log.writes == []


def test_an_alias_with_a_function_url_and_a_queue_settles_the_url_stays_and_a_rerun_writes_nothing(
        project, clients, boto, deploy):
    boto("sqs").create_queue(QueueName="jobs")
    p = project(extra='alias = "live"\n\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n', requirements=None)
    deploy(p)
    url = boto("lambda").get_function_url_config(FunctionName="hello", Qualifier="live")["FunctionUrl"]
    for _ in range(2):
        again = clients()
        deploy(p, again)
        assert again.log.writes == []
        assert boto("lambda").get_function_url_config(FunctionName="hello", Qualifier="live")["FunctionUrl"] == url


def test_a_queue_mapping_moved_to_a_new_alias_settles_and_a_rerun_writes_nothing(project, clients, boto, deploy):
    boto("sqs").create_queue(QueueName="jobs")
    p = project(extra='\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n', requirements=None)
    deploy(p)
    p.edit("function_url = true\n", 'function_url = true\nalias = "live"\n')
    deploy(p)
    for _ in range(2):
        again = clients()
        deploy(p, again)
        assert again.log.writes == []
