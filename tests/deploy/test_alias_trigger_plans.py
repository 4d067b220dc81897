"""With ``[deployment] alias`` every trigger invokes the alias: the calls that wire each type to
the alias's ARN, that move triggers (and their permissions) from the function to the alias and
back, and none once they are there. Hand-built state, no AWS.

The moves of event source mappings are pinned here: the emulator reports the version an alias
points at as a mapping's FunctionArn, so only the planner can show them exactly."""

from __future__ import annotations

import pytest
from deployed import ACCOUNT, FUNCTION_ARN, REGION, calls, deployed_function
from test_trigger_plans import (DYNAMODB, FOREIGN_IN_BUCKET, QUEUE_ARN, S3, SCHEDULE, SNS, SQS, STREAM_ARN, TAGS,
                                TOPIC_ARN, current_for_every_type, mapping, state)

from genesys_tasks.deploy import triggers
from genesys_tasks.deploy.planner.permissions import plan_permissions
from genesys_tasks.deploy.model import Plan

ALIAS = 'alias = "live"\n'
LIVE_ARN = f"{FUNCTION_ARN}:live"
EVERY_TYPE = S3 + SQS + SNS + SCHEDULE + DYNAMODB
S3_STATEMENT = {"Sid": "genesys-s3-uploads", "Action": "lambda:InvokeFunction",
                "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"},
                              "StringEquals": {"AWS:SourceAccount": ACCOUNT}}}


def on_alias(current, invoked: str | None = "live", **fields):
    """``current`` as it is once every trigger invokes ``invoked`` (None: the unqualified function)."""
    arn = f"{FUNCTION_ARN}:{invoked}" if invoked else FUNCTION_ARN
    bucket = current.notifications["uploads"]["LambdaFunctionConfigurations"]
    current.notifications["uploads"]["LambdaFunctionConfigurations"] = [
        {**e, "LambdaFunctionArn": arn} if e["Id"].startswith("genesys-hello:") else e for e in bucket]
    for rule in current.rules.values():
        rule["targets"] = [{"Id": "genesys", "Arn": arn}]
    current.mapping_targets = {m["UUID"]: invoked for m in current.mappings}
    for key, value in fields.items():
        setattr(current, key, value)
    return current


def test_new_triggers_invoke_the_alias(make_spec):
    spec = make_spec(ALIAS + S3 + SQS + SNS + SCHEDULE + DYNAMODB)
    found = calls(triggers.plan(spec, state(queue_arns={"jobs": QUEUE_ARN}, subscriptions={TOPIC_ARN: []},
                                            notifications={"uploads": {}}, alias="live")))
    by_method = {(service, method): params for service, method, params in found}
    s3 = by_method["s3", "put_bucket_notification_configuration"]["NotificationConfiguration"]
    assert [e["LambdaFunctionArn"] for e in s3["LambdaFunctionConfigurations"]] == [LIVE_ARN]
    assert by_method["sns", "subscribe"]["Endpoint"] == LIVE_ARN
    assert by_method["events", "put_targets"]["Targets"] == [{"Id": "genesys", "Arn": LIVE_ARN}]
    mappings = [p for _s, m, p in found if m == "create_event_source_mapping"]
    assert [(p["EventSourceArn"], p["FunctionName"]) for p in mappings] == [(QUEUE_ARN, LIVE_ARN),
                                                                            (STREAM_ARN, LIVE_ARN)]


def test_setting_an_alias_moves_every_trigger_to_it_and_a_rerun_moves_nothing(make_spec):
    spec = make_spec(ALIAS + EVERY_TYPE)
    current = current_for_every_type()
    current.alias = "live"
    current.stale_subscriptions, current.subscriptions = dict(current.subscriptions), {TOPIC_ARN: []}
    assert calls(triggers.plan(spec, current)) == [
        ("s3", "put_bucket_notification_configuration", {"Bucket": "uploads", "NotificationConfiguration": {
            "LambdaFunctionConfigurations": [FOREIGN_IN_BUCKET, {
                **current.notifications["uploads"]["LambdaFunctionConfigurations"][1],
                "LambdaFunctionArn": LIVE_ARN}]}}),
        ("lambda", "update_event_source_mapping", {"UUID": "uuid-sqs", "FunctionName": LIVE_ARN, "BatchSize": 10,
                                                   "MaximumBatchingWindowInSeconds": 0}),
        ("sns", "subscribe", {"TopicArn": TOPIC_ARN, "Protocol": "lambda", "Endpoint": LIVE_ARN}),
        ("sns", "unsubscribe", {"SubscriptionArn": f"{TOPIC_ARN}:sub-1"}),
        ("events", "put_targets", {"Rule": "genesys-hello-0", "Targets": [{"Id": "genesys", "Arn": LIVE_ARN}]}),
        ("lambda", "update_event_source_mapping", {"UUID": "uuid-dynamodb", "FunctionName": LIVE_ARN,
                                                   "BatchSize": 100}),
    ]
    moved = on_alias(current_for_every_type(), "live", alias="live", aliases=("live",))
    assert triggers.plan(spec, moved).calls == []


def test_taking_the_alias_out_moves_every_trigger_back_to_the_function(make_spec):
    spec = make_spec(EVERY_TYPE)
    current = on_alias(current_for_every_type(), aliases=("live",))
    current.stale_subscriptions, current.subscriptions = dict(current.subscriptions), {TOPIC_ARN: []}
    found = calls(triggers.plan(spec, current))
    assert [(m, p.get("FunctionName")) for _s, m, p in found if "event_source_mapping" in m] == [
        ("update_event_source_mapping", "hello"), ("update_event_source_mapping", "hello")]
    assert ("sns", "subscribe", {"TopicArn": TOPIC_ARN, "Protocol": "lambda", "Endpoint": FUNCTION_ARN}) in found
    assert ("sns", "unsubscribe", {"SubscriptionArn": f"{TOPIC_ARN}:sub-1"}) in found
    assert ("events", "put_targets", {"Rule": "genesys-hello-0",
                                      "Targets": [{"Id": "genesys", "Arn": FUNCTION_ARN}]}) in found
    s3 = next(p for _s, m, p in found if m == "put_bucket_notification_configuration")
    assert [e["LambdaFunctionArn"] for e in s3["NotificationConfiguration"]["LambdaFunctionConfigurations"]] == [
        FOREIGN_IN_BUCKET["LambdaFunctionArn"], FUNCTION_ARN]
    assert triggers.plan(spec, on_alias(current_for_every_type(), None, aliases=("live",))).calls == []


def test_deleting_the_function_removes_triggers_left_on_its_alias(make_spec):
    spec = make_spec(EVERY_TYPE)
    current = on_alias(current_for_every_type(), aliases=("live",))
    assert [m for _s, m, _p in calls(triggers.plan(spec, current, ()))] == [
        "put_bucket_notification_configuration", "delete_event_source_mapping", "unsubscribe", "remove_targets",
        "delete_rule", "delete_event_source_mapping"]


def _permissions(spec, function, facts) -> list[tuple]:
    plan = Plan()
    plan_permissions(plan, spec, facts, function)
    return calls(plan)


@pytest.mark.parametrize("alias", [True, False])
def test_push_trigger_permissions_move_with_the_alias_and_leave_none_behind(make_spec, facts, alias):
    spec = make_spec((ALIAS if alias else "") + S3)
    if alias:  # deployed before the alias: the permission is the function's
        function = deployed_function(statements={"genesys-s3-uploads": S3_STATEMENT})
        moved = deployed_function(statements={})
        moved.alias_statements.update({"genesys-s3-uploads": S3_STATEMENT})
    else:  # deployed with the alias, which is taken out now: the permission is the alias's
        function = deployed_function(statements={})
        function.other_alias_statements.update({"live": {"genesys-s3-uploads": S3_STATEMENT}})
        moved = deployed_function(statements={"genesys-s3-uploads": S3_STATEMENT})
    qualified, old = ({"Qualifier": "live"}, {}) if alias else ({}, {"Qualifier": "live"})
    found = [c for c in _permissions(spec, function, facts) if "s3" in c[2]["StatementId"]]
    assert found == [
        ("lambda", "add_permission", {"FunctionName": "hello", "StatementId": "genesys-s3-uploads",
                                      "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
                                      "SourceArn": "arn:aws:s3:::uploads", "SourceAccount": ACCOUNT, **qualified}),
        ("lambda", "remove_permission", {"FunctionName": "hello", "StatementId": "genesys-s3-uploads", **old})]
    assert [c for c in _permissions(spec, moved, facts) if "s3" in c[2]["StatementId"]] == []


def test_only_a_mapping_listed_for_an_alias_is_taken_as_invoking_it(make_spec):
    from genesys_tasks.deploy.triggers.mappings import read_mappings

    class Lambda:  # what the emulator answers: the alias resolved to version 3 in FunctionArn
        def list_event_source_mappings(self, FunctionName):
            on = {"hello": [], LIVE_ARN: [{"UUID": "u1", "EventSourceArn": QUEUE_ARN,
                                           "FunctionArn": f"{FUNCTION_ARN}:3", "EventSourceMappingArn": "m1"}]}
            return on[FunctionName]

        def list_tags(self, Resource):
            return {"Tags": TAGS}

    class Clients:
        def adapter(self, name):
            return Lambda()

    current = state(alias="live")
    read_mappings(make_spec(ALIAS + SQS), Clients(), current)
    assert current.mapping_targets == {"u1": "live"}
    current.queue_arns = {"jobs": QUEUE_ARN}
    current.mappings[0].update(BatchSize=10, MaximumBatchingWindowInSeconds=0)
    assert triggers.plan(make_spec(ALIAS + SQS), current).calls == []
    assert REGION in LIVE_ARN


def _url_plan(make_spec, unqualified: dict | None, on_alias: dict | None):
    from deployed import deployed_function

    from genesys_tasks.deploy.planner.url import plan_url

    function = deployed_function()
    function = type(function)(function.config, function.tags, unqualified, {}, alias_url=on_alias)
    plan = Plan()
    plan_url(plan, make_spec(ALIAS), function)
    return plan


def test_an_alias_url_beside_an_older_unqualified_url_replaces_it_as_in_aws(make_spec):
    """AWS: the function's URL and the alias's are two configs with two addresses; the old one goes."""
    old = {"FunctionUrl": "https://old.lambda-url.us-east-1.on.aws/", "AuthType": "NONE", "Cors": {},
           "FunctionArn": FUNCTION_ARN}
    live = {"FunctionUrl": "https://live.lambda-url.us-east-1.on.aws/", "AuthType": "NONE", "Cors": {},
            "FunctionArn": LIVE_ARN}
    plan = _url_plan(make_spec, old, live)
    assert calls(plan) == [("lambda", "delete_function_url_config", {"FunctionName": "hello"})]
    assert plan.known["function_url"] == live["FunctionUrl"]


def test_one_url_answered_for_both_qualifiers_is_the_alias_url_and_nothing_is_written(make_spec):
    """An emulator ignoring Qualifier answers both reads with the one URL: it is the alias's, kept."""
    one = {"FunctionUrl": "https://one.lambda-url.us-east-1.on.aws/", "AuthType": "NONE", "Cors": {},
           "FunctionArn": FUNCTION_ARN}
    plan = _url_plan(make_spec, one, dict(one))
    assert plan.calls == []
    assert plan.known["function_url"] == one["FunctionUrl"]


class _Lambda:
    """ListEventSourceMappings and ListTags answering as given: ``listed`` maps FunctionName → mappings."""

    def __init__(self, listed: dict):
        self.listed = listed

    def list_event_source_mappings(self, FunctionName):
        return self.listed.get(FunctionName, [])

    def list_tags(self, Resource):
        return {"Tags": TAGS}


@pytest.mark.parametrize("listed", [
    pytest.param({LIVE_ARN: [{"FunctionArn": LIVE_ARN}]}, id="aws: under the alias, FunctionArn names it"),
    pytest.param({"hello": [{"FunctionArn": f"{FUNCTION_ARN}:3"}]},
                 id="emulator: a moved mapping under the function's name, FunctionArn a version"),
])
def test_a_queue_mapping_on_the_alias_is_read_as_the_aliases_and_a_rerun_moves_nothing(make_spec, listed):
    from types import SimpleNamespace

    from genesys_tasks.deploy.triggers.mappings import read_mappings

    base = mapping(QUEUE_ARN, BatchSize=10, EventSourceMappingArn="arn:esm", MaximumBatchingWindowInSeconds=0)
    listed = {name: [{**base, **found} for found in found_list] for name, found_list in listed.items()}
    spec = make_spec(ALIAS + SQS)
    current = state(queue_arns={"jobs": QUEUE_ARN}, alias="live", aliases=("live",))
    read_mappings(spec, SimpleNamespace(adapter=lambda service: _Lambda(listed)), current)
    assert current.mapping_targets == {"uuid-sqs": "live"}
    assert triggers.plan(spec, current).calls == []
