"""What others made next to genesys's own, against the emulator: HTTP APIs, permission statements,
S3 notifications, SNS subscriptions and event source mappings someone else made survive deploys
and deletes; one where genesys would put its own is a conflict (exit 2) unless adopted."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from genesys_tasks.deploy import deployer
from genesys_tasks.deploy.executor import Executor
from genesys_tasks.deploy.ownership import ConflictError, Ownership
from genesys_tasks.deploy.session import Session

API = '\n[[triggers]]\ntype = "api_gateway"\nmethod = "GET"\npath = "/items"\n'
SQS = '\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n'


def _delete(p):
    spec = p.spec()
    used = Session().clients(spec)
    return deployer.delete(spec, used, Executor(used))


def _queue(boto, name: str) -> str:
    url = boto("sqs").create_queue(QueueName=name)["QueueUrl"]
    return boto("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _partner(boto) -> str:
    """Another team's function, for notifications and subscriptions that are theirs."""
    role = boto("iam").create_role(RoleName="partner-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("partner.py", "def main(e, c):\n    return 1\n")
    return boto("lambda").create_function(FunctionName="partner", Runtime="python3.11", Role=role,
                                           Handler="partner.main", Code={"ZipFile": buffer.getvalue()})["FunctionArn"]


def _statement_ids(boto, name: str) -> set[str]:
    return {s["Sid"] for s in json.loads(boto("lambda").get_policy(FunctionName=name)["Policy"])["Statement"]}


def test_an_http_api_of_the_same_name_someone_else_made_is_left_alone(project, clients, boto, deploy):
    gateway = boto("apigatewayv2")
    theirs = gateway.create_api(Name="own6", ProtocolType="HTTP")["ApiId"]
    p = project("own6", requirements=None, extra=API)
    deploy(p, clients())
    apis = {a["ApiId"]: a for a in gateway.get_apis()["Items"]}
    assert len(apis) == 2 and apis[theirs].get("Tags", {}).get("genesys:managed") is None
    assert gateway.get_routes(ApiId=theirs)["Items"] == []

    _delete(p)
    assert [a["ApiId"] for a in gateway.get_apis()["Items"]] == [theirs]


def test_permission_statements_someone_else_added_stay_genesys_named_or_not(project, clients, boto, deploy):
    p = project("own7", requirements=None, extra=API)
    deploy(p, clients())
    lam = boto("lambda")
    for sid in ("partner-invoke", "genesys-partner"):
        lam.add_permission(FunctionName="own7", StatementId=sid, Action="lambda:InvokeFunction",
                           Principal="events.amazonaws.com")
    p.toml.write_text(p.toml.read_text().split("[[triggers]]")[0])
    deploy(p, clients())
    ids = _statement_ids(boto, "own7")
    assert "genesys-apigw" not in ids and {"partner-invoke", "genesys-partner"} <= ids


def test_s3_notifications_of_others_survive_deploy_and_delete(project, clients, boto, deploy):
    partner = _partner(boto)
    s3 = boto("s3")
    s3.create_bucket(Bucket="own-uploads")
    theirs = {"Id": "genesys-own8:9", "LambdaFunctionArn": partner, "Events": ["s3:ObjectRemoved:*"]}
    s3.put_bucket_notification_configuration(Bucket="own-uploads", NotificationConfiguration={
        "LambdaFunctionConfigurations": [theirs]})  # genesys's id form, but not this function: not genesys's
    p = project("own8", requirements=None, extra='\n[[triggers]]\ntype = "s3"\nbucket = "own-uploads"\n')
    deploy(p, clients())
    ids = {e["Id"]: e["LambdaFunctionArn"] for e in
           s3.get_bucket_notification_configuration(Bucket="own-uploads")["LambdaFunctionConfigurations"]}
    assert ids["genesys-own8:9"] == partner and ids["genesys-own8:0"].endswith(":function:own8")

    _delete(p)
    left = s3.get_bucket_notification_configuration(Bucket="own-uploads")["LambdaFunctionConfigurations"]
    assert [e["Id"] for e in left] == ["genesys-own8:9"]


def test_an_s3_notification_holding_genesys_s_id_is_a_conflict(project, boto, run_genesys):
    partner = _partner(boto)
    s3 = boto("s3")
    s3.create_bucket(Bucket="own-uploads")
    s3.put_bucket_notification_configuration(Bucket="own-uploads", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"Id": "genesys-own9:0", "LambdaFunctionArn": partner,
                                          "Events": ["s3:ObjectCreated:*"]}]})
    p = project("own9", requirements=None, extra='\n[[triggers]]\ntype = "s3"\nbucket = "own-uploads"\n')
    result = run_genesys("execute", p.toml)
    assert result.code == 2, result.output
    assert "genesys-own9:0" in result.stderr and "not made by genesys" in result.stderr
    assert boto("lambda").list_functions()["Functions"][0]["FunctionName"] == "partner"
    [entry] = s3.get_bucket_notification_configuration(Bucket="own-uploads")["LambdaFunctionConfigurations"]
    assert entry["LambdaFunctionArn"] == partner


def test_sns_subscriptions_of_others_survive_deploy_and_delete(project, clients, boto, deploy):
    sns = boto("sns")
    alerts = sns.create_topic(Name="alerts")["TopicArn"]
    audit = sns.create_topic(Name="audit")["TopicArn"]
    queue = _queue(boto, "alerts-copy")
    sns.subscribe(TopicArn=alerts, Protocol="sqs", Endpoint=queue)
    p = project("own10", requirements=None, extra='\n[[triggers]]\ntype = "sns"\ntopic = "alerts"\n')
    deploy(p, clients())
    function_arn = boto("lambda").get_function(FunctionName="own10")["Configuration"]["FunctionArn"]
    sns.subscribe(TopicArn=audit, Protocol="lambda", Endpoint=function_arn)  # wired by hand, not by genesys

    p.toml.write_text(p.toml.read_text().split("[[triggers]]")[0])
    deploy(p, clients())
    assert [s["Protocol"] for s in sns.list_subscriptions_by_topic(TopicArn=alerts)["Subscriptions"]] == ["sqs"]
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=audit)["Subscriptions"]] == [function_arn]

    _delete(p)
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=alerts)["Subscriptions"]] == [queue]


def test_a_mapping_someone_else_made_from_the_queue_is_a_conflict_until_adopted(project, clients, boto, deploy):
    jobs = _queue(boto, "jobs")
    p = project("own11", requirements=None)
    deploy(p, clients())
    lam = boto("lambda")
    theirs = lam.create_event_source_mapping(FunctionName="own11", EventSourceArn=jobs, BatchSize=5)["UUID"]
    p.write(SQS, requirements=None)
    with pytest.raises(ConflictError) as caught:
        deploy(p, clients())
    assert theirs in caught.value.message and "BatchSize: 5 → 10" in caught.value.message
    assert caught.value.exit_code == 2

    deploy(p, clients(), ownership=Ownership(adopt=True))
    [mapping] = lam.list_event_source_mappings(FunctionName="own11")["EventSourceMappings"]
    assert (mapping["UUID"], mapping["BatchSize"]) == (theirs, 10)
    assert lam.list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]["genesys:managed"] == "true"


SCHEDULE = '\n[[triggers]]\ntype = "schedule"\nexpression = "rate(5 minutes)"\n'


def test_a_target_someone_added_to_genesys_s_rule_stops_its_removal_and_delete_until_adopted(
        project, clients, boto, deploy, run_genesys):
    audit = _queue(boto, "audit")
    p = project(extra=SCHEDULE, requirements=None)
    deploy(p, clients())
    events = boto("events")
    events.put_targets(Rule="genesys-hello-0", Targets=[{"Id": "audit", "Arn": audit}])
    targets = lambda: sorted((t["Id"], t["Arn"]) for t in events.list_targets_by_rule(  # noqa: E731
        Rule="genesys-hello-0")["Targets"])
    before = targets()
    assert [i for i, _ in before] == ["audit", "genesys"]

    deploy(p, clients())  # the rule stays: the other target is kept as it is
    assert targets() == before

    p.toml.write_text(p.toml.read_text().replace(SCHEDULE, "\n"))
    used = clients()
    with pytest.raises(ConflictError) as caught:
        deploy(p, used)
    assert caught.value.exit_code == 2 and caught.value.where.file == p.toml
    assert f"audit ({audit})" in caught.value.message and "remove-targets --rule genesys-hello-0 --ids audit" \
        in caught.value.hint
    assert used.log.writes == [] and targets() == before

    p.toml.write_text(p.toml.read_text() + SCHEDULE)
    result = run_genesys("delete", p.toml, "--yes")
    assert result.code == 2, result.output
    assert "targets genesys did not add: audit" in result.stderr and "Traceback" not in result.output
    assert targets() == before
    assert boto("lambda").get_function(FunctionName="hello")["Configuration"]["FunctionName"] == "hello"

    p.toml.write_text(p.toml.read_text().replace(SCHEDULE, "\n"))
    adopted = deploy(p, clients(), ownership=Ownership(adopt=True))
    change = next(c for c in adopted.plan.changes if c.resource == "schedule trigger genesys-hello-0")
    assert change.action == "delete" and ("other targets", [audit], None) in change.changes
    assert events.list_rules(NamePrefix="genesys-hello")["Rules"] == []


def test_a_subscription_of_the_function_someone_made_to_the_toml_s_topic_is_a_conflict_until_adopted(
        project, clients, boto, deploy, run_genesys):
    sns = boto("sns")
    alerts = sns.create_topic(Name="alerts")["TopicArn"]
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:own11"
    by_hand = sns.subscribe(TopicArn=alerts, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    subscriptions = lambda: [(s["SubscriptionArn"], s["Endpoint"])  # noqa: E731
                             for s in sns.list_subscriptions_by_topic(TopicArn=alerts)["Subscriptions"]]
    p = project("own11", requirements=None, extra='\n[[triggers]]\ntype = "sns"\ntopic = "alerts"\n')
    result = run_genesys("execute", p.toml)
    assert result.code == 2, result.output
    assert f"the subscription of own11 to SNS topic {alerts} exists and was not made by genesys" in result.stderr
    assert f"{p.toml.name}:" in result.stderr and "[triggers[0].topic]" in result.stderr
    assert f"--subscription-arn {by_hand}" in result.stderr and "--adopt" in result.stderr
    assert boto("lambda").list_functions()["Functions"] == [] and subscriptions() == [(by_hand, function_arn)]

    adopted = deploy(p, clients(), ownership=Ownership(adopt=True))
    assert ("sns trigger alerts", "adopt") in {(c.resource, c.action) for c in adopted.plan.changes}
    assert subscriptions() == [(by_hand, function_arn)]
    again = clients()
    deploy(p, again)
    assert again.log.writes == []
    _delete(p)
    assert subscriptions() == []  # adopted: genesys's now, removed with the function
