"""Each trigger type's planner against a hand-built ``TriggerState``: the exact calls that
create it, that bring it in line, and none when it is current."""

from __future__ import annotations

import pytest
from deployed import ACCOUNT, FUNCTION_ARN, REGION, calls

from genesys_tasks.deploy import triggers
from genesys_tasks.deploy.triggers import TriggerState

QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
STREAM_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders/stream/2024-01-01T00:00:00.000"
TAGS = {"genesys:managed": "true", "genesys:function": "hello"}
S3 = '\n[[triggers]]\ntype = "s3"\nbucket = "uploads"\nprefix = "in/"\n'
SQS = '\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n'
SNS = '\n[[triggers]]\ntype = "sns"\ntopic = "alerts"\n'
SCHEDULE = '\n[[triggers]]\ntype = "schedule"\nexpression = "rate(5 minutes)"\n'
DYNAMODB = f'\n[[triggers]]\ntype = "dynamodb"\nstream_arn = "{STREAM_ARN}"\n'
OURS_IN_BUCKET = {"Id": "genesys-hello:0", "LambdaFunctionArn": FUNCTION_ARN, "Events": ["s3:ObjectCreated:*"],
                  "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}
FOREIGN_IN_BUCKET = {"Id": "thumbnails", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:1:function:other",
                     "Events": ["s3:ObjectRemoved:*"]}


def state(**found) -> TriggerState:
    return TriggerState(REGION, ACCOUNT, "hello", function_exists=True, **found)


def mapping(source: str, **settings) -> dict:
    return {"UUID": f"uuid-{source.split(':')[2]}", "EventSourceArn": source, **settings}


def test_every_type_has_one_row_in_the_table():
    assert list(triggers.planners()) == ["s3", "sqs", "sns", "schedule", "dynamodb"]
    assert all(callable(row.read_state) and callable(row.plan) for row in triggers.planners().values())


def test_s3_merges_into_the_bucket_keeping_its_other_notifications(make_spec):
    spec = make_spec(S3)
    current = state(notifications={"uploads": {"LambdaFunctionConfigurations": [FOREIGN_IN_BUCKET],
                                               "QueueConfigurations": [{"Id": "q"}]}})
    assert calls(triggers.plan(spec, current)) == [
        ("s3", "put_bucket_notification_configuration", {"Bucket": "uploads", "NotificationConfiguration": {
            "QueueConfigurations": [{"Id": "q"}],
            "LambdaFunctionConfigurations": [FOREIGN_IN_BUCKET, OURS_IN_BUCKET]}})]
    assert triggers.statements(spec, REGION, ACCOUNT) == {"genesys-s3-uploads": {
        "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::uploads",
        "SourceAccount": ACCOUNT}}


def test_sqs_creates_a_tagged_mapping_then_updates_only_its_batch_size(make_spec):
    spec = make_spec(SQS)
    assert calls(triggers.plan(spec, state(queue_arns={"jobs": QUEUE_ARN}))) == [
        ("lambda", "create_event_source_mapping", {"FunctionName": "hello", "EventSourceArn": QUEUE_ARN,
                                                   "Tags": TAGS, "BatchSize": 10,
                                                   "MaximumBatchingWindowInSeconds": 0})]
    running = mapping(QUEUE_ARN, BatchSize=5, MaximumBatchingWindowInSeconds=0)
    assert calls(triggers.plan(spec, state(queue_arns={"jobs": QUEUE_ARN}, mappings=[running]))) == [
        ("lambda", "update_event_source_mapping", {"UUID": "uuid-sqs", "BatchSize": 10,
                                                   "MaximumBatchingWindowInSeconds": 0})]
    assert triggers.statements(spec, REGION, ACCOUNT) == {}  # Lambda polls: no invoke permission


def test_sns_subscribes_the_function_with_a_permission_scoped_to_the_topic(make_spec):
    spec = make_spec(SNS)
    assert calls(triggers.plan(spec, state(subscriptions={TOPIC_ARN: []}))) == [
        ("sns", "subscribe", {"TopicArn": TOPIC_ARN, "Protocol": "lambda", "Endpoint": FUNCTION_ARN})]
    assert triggers.statements(spec, REGION, ACCOUNT) == {"genesys-sns-alerts": {
        "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com", "SourceArn": TOPIC_ARN}}


def test_schedule_makes_a_tagged_rule_targeting_the_function(make_spec):
    spec = make_spec(SCHEDULE)
    assert calls(triggers.plan(spec, state())) == [
        ("events", "put_rule", {"Name": "genesys-hello-0", "ScheduleExpression": "rate(5 minutes)",
                                "State": "ENABLED", "Description": "Schedule for the Lambda function hello (genesys)",
                                "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]}),
        ("events", "put_targets", {"Rule": "genesys-hello-0", "Targets": [{"Id": "genesys", "Arn": FUNCTION_ARN}]}),
    ]
    assert triggers.statements(spec, REGION, ACCOUNT)["genesys-schedule-0"]["SourceArn"] == (
        f"arn:aws:events:{REGION}:{ACCOUNT}:rule/genesys-hello-0")


def test_dynamodb_maps_the_stream_and_replaces_the_mapping_for_a_new_starting_position(make_spec):
    spec = make_spec(DYNAMODB)
    assert calls(triggers.plan(spec, state())) == [
        ("lambda", "create_event_source_mapping", {"FunctionName": "hello", "EventSourceArn": STREAM_ARN,
                                                   "Tags": TAGS, "StartingPosition": "LATEST", "BatchSize": 100})]
    running = mapping(STREAM_ARN, BatchSize=100, StartingPosition="TRIM_HORIZON")
    assert calls(triggers.plan(spec, state(mappings=[running]))) == [
        ("lambda", "delete_event_source_mapping", {"UUID": "uuid-dynamodb"}),
        ("lambda", "create_event_source_mapping", {"FunctionName": "hello", "EventSourceArn": STREAM_ARN,
                                                   "StartingPosition": "LATEST", "Tags": TAGS, "BatchSize": 100}),
    ]


def current_for_every_type() -> TriggerState:
    rule = {"Name": "genesys-hello-0", "ScheduleExpression": "rate(5 minutes)", "State": "ENABLED"}
    sns_statement = {"Sid": f"genesys-sns-{TOPIC_ARN.rsplit(':', 1)[-1]}", "Action": "lambda:InvokeFunction",
                     "Condition": {"ArnLike": {"AWS:SourceArn": TOPIC_ARN}}}  # added with the subscription
    return state(queue_arns={"jobs": QUEUE_ARN}, statements={sns_statement["Sid"]: sns_statement},
                 notifications={"uploads": {"LambdaFunctionConfigurations": [FOREIGN_IN_BUCKET, OURS_IN_BUCKET]}},
                 subscriptions={TOPIC_ARN: [f"{TOPIC_ARN}:sub-1"]},
                 mappings=[mapping(QUEUE_ARN, BatchSize=10), mapping(STREAM_ARN, BatchSize=100,
                                                                     StartingPosition="LATEST")],
                 rules={"genesys-hello-0": {"rule": rule, "targets": [{"Id": "genesys", "Arn": FUNCTION_ARN}]}})


def test_triggers_that_are_current_plan_no_calls(make_spec):
    spec = make_spec(S3 + SQS + SNS + SCHEDULE + DYNAMODB)
    plan = triggers.plan(spec, current_for_every_type())
    assert plan.calls == []
    assert [c.action for c in plan.changes] == ["no change"] * 5


def test_without_triggers_everything_genesys_made_for_them_is_removed_and_nothing_else(make_spec):
    spec = make_spec(S3 + SQS + SNS + SCHEDULE + DYNAMODB)
    assert calls(triggers.plan(spec, current_for_every_type(), ())) == [
        ("s3", "put_bucket_notification_configuration", {
            "Bucket": "uploads", "NotificationConfiguration": {"LambdaFunctionConfigurations": [FOREIGN_IN_BUCKET]}}),
        ("lambda", "delete_event_source_mapping", {"UUID": "uuid-sqs"}),
        ("sns", "unsubscribe", {"SubscriptionArn": f"{TOPIC_ARN}:sub-1"}),
        ("events", "remove_targets", {"Rule": "genesys-hello-0", "Ids": ["genesys"]}),
        ("events", "delete_rule", {"Name": "genesys-hello-0"}),
        ("lambda", "delete_event_source_mapping", {"UUID": "uuid-dynamodb"}),
    ]


@pytest.mark.parametrize("toml, policy", [(SQS, "genesys-sqs-poller"), (DYNAMODB, "genesys-dynamodb-poller")])
def test_polled_sources_put_their_poller_policy_into_the_role(make_spec, facts, toml, policy):
    from genesys_tasks.deploy import policies

    assert list(policies.role_policies(make_spec(toml), facts).inline) == [policy]


def test_a_subscription_to_the_toml_s_topic_without_genesys_s_permission_is_a_conflict_unless_adopted(make_spec):
    from genesys_tasks.deploy.ownership import ConflictError

    spec = make_spec(SNS)
    by_hand = state(subscriptions={TOPIC_ARN: [f"{TOPIC_ARN}:sub-1"]})
    with pytest.raises(ConflictError, match="subscription of hello to SNS topic"):
        triggers.plan(spec, by_hand)
    adopted = triggers.plan(spec, by_hand, adopt=True)
    assert adopted.calls == [] and [(c.resource, c.action) for c in adopted.changes] == [("sns trigger alerts",
                                                                                          "adopt")]
