"""Event triggers against the emulator: each type created, changed and removed, with the
permissions AWS requires; foreign S3 notifications kept; a second run writes nothing."""

from __future__ import annotations

import json

import pytest

from genesys_tasks.errors import ConfigError


def _edit(p, old: str, new: str) -> None:
    text = p.toml.read_text()
    assert old in text
    p.toml.write_text(text.replace(old, new))


def _statements(boto, name="hello") -> dict:
    policy = json.loads(boto("lambda").get_policy(FunctionName=name)["Policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def _line(p, text: str) -> int:
    """The 1-based line of the TOML that holds ``text``."""
    return next(n for n, line in enumerate(p.toml.read_text().splitlines(), 1) if text in line)


def _mappings(boto, name="hello") -> list[dict]:
    return boto("lambda").list_event_source_mappings(FunctionName=name)["EventSourceMappings"]


def _stream(boto, table="orders") -> str:
    created = boto("dynamodb").create_table(
        TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    return created["TableDescription"]["LatestStreamArn"]


SQS = '\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\nbatch_size = 10\n'


def test_sqs_trigger_creates_a_tagged_mapping_and_the_role_gains_poller_permissions(project, clients, boto, deploy):
    queue_arn = boto("sqs").get_queue_attributes(
        QueueUrl=boto("sqs").create_queue(QueueName="jobs")["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    p = project(extra=SQS)
    first = clients()
    deploy(p, first)
    [mapping] = _mappings(boto)
    assert (mapping["EventSourceArn"], mapping["BatchSize"]) == (queue_arn, 10)
    assert boto("lambda").list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]["genesys:managed"] == "true"
    poller = boto("iam").get_role_policy(RoleName="genesys-lambda-hello", PolicyName="genesys-sqs-poller")
    statement = poller["PolicyDocument"]["Statement"][0]
    assert set(statement["Action"]) == {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
    assert statement["Resource"] == [queue_arn]  # the exact queue, in the deploy region and account
    assert first.log.writes.index("iam:PutRolePolicy") < first.log.writes.index("lambda:CreateEventSourceMapping")

    again = clients()
    deploy(p, again)
    assert again.log.writes == []

    _edit(p, "batch_size = 10", "batch_size = 50\nmaximum_batching_window = 5")
    changed = clients()
    outcome = deploy(p, changed)
    assert changed.log.writes == ["lambda:UpdateEventSourceMapping"]
    change = next(c for c in outcome.plan.changes if c.resource == "sqs trigger jobs")
    assert set(change.changes) == {("BatchSize", 10, 50), ("MaximumBatchingWindowInSeconds", 0, 5)}
    [mapping] = _mappings(boto)
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (50, 5)

    _edit(p, SQS.replace("batch_size = 10", "batch_size = 50\nmaximum_batching_window = 5"), "\n")
    removed = clients()
    deploy(p, removed)
    assert _mappings(boto) == []
    assert "genesys-sqs-poller" not in boto("iam").list_role_policies(RoleName="genesys-lambda-hello")["PolicyNames"]


def test_a_mapping_genesys_did_not_make_is_left_alone(project, clients, boto, deploy):
    boto("sqs").create_queue(QueueName="jobs")
    foreign_arn = boto("sqs").get_queue_attributes(
        QueueUrl=boto("sqs").create_queue(QueueName="other")["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    p = project(extra=SQS)
    deploy(p, clients())
    boto("lambda").create_event_source_mapping(FunctionName="hello", EventSourceArn=foreign_arn)
    _edit(p, SQS, "\n")
    deploy(p, clients())
    assert [m["EventSourceArn"] for m in _mappings(boto)] == [foreign_arn]


def test_a_queue_that_does_not_exist_is_bad_input_at_its_line_before_any_write(project, clients, deploy):
    p = project(extra=SQS.replace('"jobs"', '"no-such-queue"'))
    used = clients()
    with pytest.raises(ConfigError) as caught:
        deploy(p, used)
    assert caught.value.exit_code == 2
    assert caught.value.where.file == p.toml and caught.value.where.key == "triggers[0].queue"
    assert caught.value.where.line == _line(p, 'queue = "no-such-queue"')
    assert "SQS queue 'no-such-queue'" in caught.value.message and "create it first" in caught.value.hint
    assert used.log.writes == []


def test_a_queue_arn_in_another_region_is_a_config_error_not_a_same_named_local_queue(project, clients, boto, deploy):
    boto("sqs").create_queue(QueueName="jobs")  # same name in the deploy region: must not be used instead
    p = project(extra=SQS.replace('"jobs"', '"arn:aws:sqs:eu-west-1:123456789012:jobs"'))
    used = clients()
    with pytest.raises(ConfigError) as caught:
        deploy(p, used)
    message = caught.value.render()
    assert "eu-west-1" in message and "triggers[0].queue" in message
    assert used.log.writes == []


def test_a_stream_arn_in_another_region_is_a_config_error_naming_both_regions(project, clients, boto, deploy):
    arn = _stream(boto).replace(":us-east-1:", ":eu-west-1:")
    p = project(extra=f'\n[[triggers]]\ntype = "dynamodb"\nstream_arn = "{arn}"\n')
    used = clients()
    with pytest.raises(ConfigError) as caught:
        deploy(p, used)
    message = caught.value.render()
    assert "eu-west-1" in message and "us-east-1" in message and "triggers[0].stream_arn" in message
    assert used.log.writes == []


def test_dynamodb_trigger_maps_the_stream_and_a_new_starting_position_replaces_the_mapping(
        project, clients, boto, deploy):
    stream = _stream(boto)
    trigger = f'\n[[triggers]]\ntype = "dynamodb"\nstream_arn = "{stream}"\nstarting_position = "LATEST"\n'
    p = project(extra=trigger)
    deploy(p, clients())
    [mapping] = _mappings(boto)
    assert (mapping["EventSourceArn"], mapping["StartingPosition"], mapping["BatchSize"]) == (stream, "LATEST", 100)
    poller = boto("iam").get_role_policy(RoleName="genesys-lambda-hello", PolicyName="genesys-dynamodb-poller")
    assert poller["PolicyDocument"]["Statement"][0]["Resource"] == [stream]

    again = clients()
    deploy(p, again)
    assert again.log.writes == []

    _edit(p, '"LATEST"', '"TRIM_HORIZON"\nbatch_size = 500')
    changed = clients()
    deploy(p, changed)
    assert changed.log.writes == ["lambda:DeleteEventSourceMapping", "lambda:CreateEventSourceMapping"]
    [mapping] = _mappings(boto)
    assert (mapping["StartingPosition"], mapping["BatchSize"]) == ("TRIM_HORIZON", 500)

    p.toml.write_text(p.toml.read_text().split("[[triggers]]")[0])
    deploy(p, clients())
    assert _mappings(boto) == []


def test_a_new_starting_position_with_a_new_batch_size_plans_both_changes(project, clients, boto, deploy, dry_run):
    stream = _stream(boto)
    p = project(extra=f'\n[[triggers]]\ntype = "dynamodb"\nstream_arn = "{stream}"\n'
                      'starting_position = "TRIM_HORIZON"\nbatch_size = 100\n')
    deploy(p, clients())
    _edit(p, '"TRIM_HORIZON"\nbatch_size = 100', '"LATEST"\nbatch_size = 50')
    planned = dry_run(p, clients())
    change = next(c for c in planned.plan.changes if c.resource == "dynamodb trigger orders")
    assert (change.action, set(change.changes)) == ("update", {("StartingPosition", "TRIM_HORIZON", "LATEST"),
                                                                ("BatchSize", 100, 50)})
    deploy(p, clients())
    [mapping] = _mappings(boto)
    assert (mapping["StartingPosition"], mapping["BatchSize"]) == ("LATEST", 50)


def test_a_stream_that_does_not_exist_is_bad_input_naming_its_arn_and_line(project, clients, deploy):
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
    p = project(extra=f'\n[[triggers]]\ntype = "dynamodb"\nstream_arn = "{arn}"\n')
    used = clients()
    with pytest.raises(ConfigError) as caught:
        deploy(p, used)
    assert arn in caught.value.message and caught.value.exit_code == 2
    assert (caught.value.where.key, caught.value.where.line) == ("triggers[0].stream_arn", _line(p, "stream_arn ="))
    assert used.log.writes == []


S3 = ('\n[[triggers]]\ntype = "s3"\nbucket = "uploads"\nevents = ["s3:ObjectCreated:*"]\n'
      'prefix = "incoming/"\nsuffix = ".csv"\n')


def test_s3_trigger_merges_into_the_bucket_and_keeps_foreign_notifications(project, clients, boto, deploy):
    s3 = boto("s3")
    s3.create_bucket(Bucket="uploads")
    topic = boto("sns").create_topic(Name="audit")["TopicArn"]
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration={
        "TopicConfigurations": [{"Id": "audit-trail", "TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}]})
    p = project(extra=S3)
    first = clients()
    deploy(p, first)
    assert first.log.writes.index("lambda:AddPermission") < first.log.writes.index(
        "s3:PutBucketNotificationConfiguration")
    config = s3.get_bucket_notification_configuration(Bucket="uploads")
    assert [t["Id"] for t in config["TopicConfigurations"]] == ["audit-trail"]
    [ours] = config["LambdaFunctionConfigurations"]
    assert ours["Id"].startswith("genesys-") and ours["Events"] == ["s3:ObjectCreated:*"]
    assert ours["LambdaFunctionArn"].endswith(":function:hello")
    rules = {r["Name"].lower(): r["Value"] for r in ours["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "incoming/", "suffix": ".csv"}
    condition = _statements(boto)["genesys-s3-uploads"]["Condition"]
    assert condition["ArnLike"]["AWS:SourceArn"] == "arn:aws:s3:::uploads"
    assert condition["StringEquals"]["AWS:SourceAccount"] == first.account()

    again = clients()
    deploy(p, again)
    assert again.log.writes == []

    _edit(p, 'suffix = ".csv"', 'suffix = ".json"')
    changed = clients()
    deploy(p, changed)
    assert changed.log.writes == ["s3:PutBucketNotificationConfiguration"]
    config = s3.get_bucket_notification_configuration(Bucket="uploads")
    assert [t["Id"] for t in config["TopicConfigurations"]] == ["audit-trail"]
    [ours] = config["LambdaFunctionConfigurations"]
    assert {r["Name"].lower(): r["Value"] for r in ours["Filter"]["Key"]["FilterRules"]}["suffix"] == ".json"

    p.toml.write_text(p.toml.read_text().split("[[triggers]]")[0])
    deploy(p, clients())
    config = s3.get_bucket_notification_configuration(Bucket="uploads")
    assert config.get("LambdaFunctionConfigurations", []) == []
    assert [t["Id"] for t in config["TopicConfigurations"]] == ["audit-trail"]
    assert "genesys-s3-uploads" not in _statements(boto)


def test_sns_trigger_subscribes_the_function_with_a_scoped_permission(project, clients, boto, deploy):
    topic = boto("sns").create_topic(Name="alerts")["TopicArn"]
    p = project(extra='\n[[triggers]]\ntype = "sns"\ntopic = "alerts"\n')
    deploy(p, clients())
    [subscription] = boto("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscription["Protocol"] == "lambda" and subscription["Endpoint"].endswith(":function:hello")
    statement = _statements(boto)["genesys-sns-alerts"]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == topic

    again = clients()
    deploy(p, again)
    assert again.log.writes == []

    other = boto("sns").create_topic(Name="alarms")["TopicArn"]
    _edit(p, 'topic = "alerts"', f'topic = "{other}"')
    deploy(p, clients())
    assert boto("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    assert len(boto("sns").list_subscriptions_by_topic(TopicArn=other)["Subscriptions"]) == 1
    assert set(s for s in _statements(boto) if s.startswith("genesys-sns")) == {"genesys-sns-alarms"}

    p.toml.write_text(p.toml.read_text().split("[[triggers]]")[0])
    deploy(p, clients())
    assert boto("sns").list_subscriptions_by_topic(TopicArn=other)["Subscriptions"] == []


def test_schedule_trigger_makes_a_tagged_rule_targeting_the_function(project, clients, boto, deploy):
    p = project(extra='\n[[triggers]]\ntype = "schedule"\nexpression = "rate(5 minutes)"\n')
    deploy(p, clients())
    events = boto("events")
    rule = events.describe_rule(Name="genesys-hello-0")
    assert rule["ScheduleExpression"] == "rate(5 minutes)" and rule["State"] == "ENABLED"
    tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]}
    assert tags["genesys:managed"] == "true"
    [target] = events.list_targets_by_rule(Rule="genesys-hello-0")["Targets"]
    assert target["Arn"].endswith(":function:hello")
    assert _statements(boto)["genesys-schedule-0"]["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]

    again = clients()
    deploy(p, again)
    assert again.log.writes == []

    _edit(p, "rate(5 minutes)", "cron(0 3 * * ? *)")
    changed = clients()
    deploy(p, changed)
    assert changed.log.writes == ["events:PutRule"]
    assert events.describe_rule(Name="genesys-hello-0")["ScheduleExpression"] == "cron(0 3 * * ? *)"

    p.toml.write_text(p.toml.read_text().split("[[triggers]]")[0])
    deploy(p, clients())
    assert [r["Name"] for r in events.list_rules(NamePrefix="genesys-")["Rules"]] == []
    assert "genesys-schedule-0" not in _statements(boto)


ALL = """
[[triggers]]
type = "sqs"
queue = "jobs"

[[triggers]]
type = "schedule"
expression = "rate(1 hour)"

[[triggers]]
type = "s3"
bucket = "uploads"

[[triggers]]
type = "sns"
topic = "alerts"
"""


def _sources(boto):
    boto("sqs").create_queue(QueueName="jobs")
    boto("s3").create_bucket(Bucket="uploads")
    return boto("sns").create_topic(Name="alerts")["TopicArn"]


def test_dry_run_shows_every_trigger_and_writes_nothing(project, clients, boto, capsys, dry_run):
    _sources(boto)
    p = project(extra=ALL)
    used = clients()
    outcome = dry_run(p, used)
    assert used.log.writes == [] and boto("lambda").list_functions()["Functions"] == []
    changes = {c.resource: c.action for c in outcome.plan.changes}
    shown = capsys.readouterr().err
    for resource in ("sqs trigger jobs", "schedule trigger genesys-hello-0", "s3 trigger uploads",
                     "sns trigger alerts", "permission genesys-s3-uploads", "permission genesys-sns-alerts",
                     "permission genesys-schedule-0"):
        assert changes[resource] == "create", resource
        assert f"+ {resource}: create" in shown


def test_every_trigger_type_at_once_then_a_second_run_writes_nothing_and_delete_removes_them(
        project, run_genesys, clients, boto, aws, deploy):
    topic = _sources(boto)
    stream = _stream(boto)
    p = project(extra=ALL + f'\n[[triggers]]\ntype = "dynamodb"\nstream_arn = "{stream}"\n')
    deploy(p, clients())
    assert len(_mappings(boto)) == 2
    second = clients()
    deploy(p, second)
    assert second.log.writes == [] and len(second.log.reads) > 0
    result = run_genesys("delete", p.toml, "--yes")
    assert result.code == 0, result.output
    assert boto("lambda").list_event_source_mappings()["EventSourceMappings"] == []
    assert boto("events").list_rules()["Rules"] == []
    assert boto("s3").get_bucket_notification_configuration(Bucket="uploads").get(
        "LambdaFunctionConfigurations", []) == []
    assert boto("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


@pytest.mark.parametrize("trigger, named, key", [
    ('type = "sns"\ntopic = "no-such-topic"', "SNS topic 'no-such-topic'", "topic"),
    ('type = "s3"\nbucket = "no-such-bucket"', "S3 bucket 'no-such-bucket'", "bucket"),
])
def test_a_missing_topic_or_bucket_is_bad_input_naming_it_and_its_line_before_any_write(
        project, clients, trigger, named, key, dry_run):
    p = project(extra=f"\n[[triggers]]\n{trigger}\n")
    used = clients()
    with pytest.raises(ConfigError) as caught:
        dry_run(p, used)
    assert named in caught.value.message and caught.value.exit_code == 2
    assert (caught.value.where.key, caught.value.where.line) == (f"triggers[0].{key}", _line(p, f"{key} ="))
    assert used.log.writes == []


def test_a_topic_arn_of_another_region_says_so_instead_of_not_found(project, clients, boto, deploy, aws):
    import boto3

    arn = boto3.client("sns", endpoint_url=aws, region_name="eu-west-1").create_topic(Name="alerts")["TopicArn"]
    boto("sns").create_topic(Name="alerts")  # same name in the deploy region: must not be subscribed instead
    p = project(extra=f'\n[[triggers]]\ntype = "sns"\ntopic = "{arn}"\n')
    used = clients()
    with pytest.raises(ConfigError) as caught:
        deploy(p, used)
    assert caught.value.exit_code == 2 and "does not exist" not in caught.value.message
    assert f"{arn} is in eu-west-1, but the function deploys to us-east-1" in caught.value.message
    assert "topics of its own region" in caught.value.message and "eu-west-1" in caught.value.hint
    assert (caught.value.where.key, caught.value.where.line) == ("triggers[0].topic", _line(p, "topic ="))
    assert used.log.writes == []


def test_execute_with_a_missing_bucket_exits_2_naming_the_file_key_and_fix(project, aws, run_genesys):
    p = project(extra='\n[[triggers]]\ntype = "s3"\nbucket = "no-such-bucket"\n', requirements=None)
    result = run_genesys("execute", p.toml, "--dry-run", cwd=p.root)
    assert result.code == 2, result.output
    line = _line(p, 'bucket = "no-such-bucket"')
    assert f"{p.toml.name}:{line}: [triggers[0].bucket]: the S3 bucket 'no-such-bucket'" in result.output
    assert "fix: check the name" in result.output and "Traceback" not in result.output


def test_an_s3_trigger_overlapping_a_kept_notification_stops_before_any_write_naming_it(
        project, clients, boto, deploy):
    s3 = boto("s3")
    s3.create_bucket(Bucket="uploads")
    queue = boto("sqs").get_queue_attributes(QueueUrl=boto("sqs").create_queue(QueueName="raw")["QueueUrl"],
                                             AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    theirs = {"QueueConfigurations": [{"Id": "to-raw", "QueueArn": queue, "Events": ["s3:ObjectCreated:*"],
                                       "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "raw/"}]}}}]}
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=theirs)
    p = project(extra='\n[[triggers]]\ntype = "s3"\nbucket = "uploads"\nsuffix = ".jpeg"\n')
    used = clients()
    with pytest.raises(ConfigError) as caught:  # raw/a.jpeg would match both: S3 refuses the merged configuration
        deploy(p, used)
    assert caught.value.exit_code == 2
    assert (caught.value.where.key, caught.value.where.line) == ("triggers[0].suffix", _line(p, 'suffix = ".jpeg"'))
    assert "notification 'to-raw' of bucket uploads (an SQS queue's" in caught.value.message
    assert used.log.writes == []
    config = s3.get_bucket_notification_configuration(Bucket="uploads")
    assert {k: v for k, v in config.items() if k != "ResponseMetadata"} == theirs

    _edit(p, 'suffix = ".jpeg"', 'prefix = "in/"\nsuffix = ".jpeg"')  # apart from raw/: both live side by side
    deploy(p, clients())
    config = s3.get_bucket_notification_configuration(Bucket="uploads")
    assert config["QueueConfigurations"] == theirs["QueueConfigurations"]
    assert [e["Id"] for e in config["LambdaFunctionConfigurations"]] == ["genesys-hello:0"]


def test_two_functions_share_a_bucket_and_removing_one_keeps_the_other(project, clients, boto, deploy):
    boto("s3").create_bucket(Bucket="uploads")
    first = project("first", extra='\n[[triggers]]\ntype = "s3"\nbucket = "uploads"\nprefix = "a/"\n')
    second = project("first-b", extra='\n[[triggers]]\ntype = "s3"\nbucket = "uploads"\nprefix = "b/"\n')
    for p in (first, second):
        deploy(p, clients())
    ids = lambda: sorted(e["Id"] for e in boto("s3").get_bucket_notification_configuration(  # noqa: E731
        Bucket="uploads").get("LambdaFunctionConfigurations", []))
    assert ids() == ["genesys-first-b:0", "genesys-first:0"]
    first.toml.write_text(first.toml.read_text().split("[[triggers]]")[0])
    deploy(first, clients())
    assert ids() == ["genesys-first-b:0"]
