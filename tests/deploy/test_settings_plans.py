"""[function] settings against hand-built AWS state: one call per changed setting, none when
nothing changed, what the role needs for them, and tags taken out of the TOML leaving AWS."""

from __future__ import annotations

import pytest
from deployed import FUNCTION_ARN, MARKER, calls, deployed_function, methods

from genesys_tasks.deploy import planner, policies
from genesys_tasks.deploy.ownership import ConflictError, Ownership
from genesys_tasks.deploy.state import LogGroupState

QUEUE = "arn:aws:sqs:us-east-1:123456789012:failed"
TOPIC = "arn:aws:sns:us-east-1:123456789012:done"
GROUP = "/aws/lambda/hello"


def _update(make_spec, artifact, facts, extra: str, **state):
    spec = make_spec("[function]\n" + extra)
    return planner.plan_function(spec, artifact(), facts, deployed_function(**state), None,
                                 deployed_function().config["Role"], None)


def test_an_unchanged_function_with_every_setting_plans_no_call(make_spec, artifact, facts):
    extra = (f'tracing = "Active"\nreserved_concurrency = 0\non_failure = "{QUEUE}"\n'
             'vpc = { subnet_ids = ["subnet-0bbb2222", "subnet-0aaa1111"], security_group_ids = ["sg-0ccc3333"] }\n')
    config = {"TracingConfig": {"Mode": "Active"},
              "VpcConfig": {"SubnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"], "SecurityGroupIds": ["sg-0ccc3333"],
                            "VpcId": "vpc-1"}}
    function = deployed_function(config=config)
    spec = make_spec("[function]\n" + extra)
    state = type(function)(function.config, function.tags, function.url, function.statements, 0,
                           {"DestinationConfig": {"OnFailure": {"Destination": QUEUE}, "OnSuccess": {}}})
    plan = planner.plan_function(spec, artifact(), facts, state, None, function.config["Role"], None)
    assert plan.writes == []
    assert next(c for c in plan.changes if c.resource == "function hello").action == "no change"


def test_a_changed_destination_is_one_put_that_keeps_retry_settings(make_spec, artifact, facts):
    spec = make_spec(f'[function]\non_success = "{TOPIC}"\n')
    function = deployed_function()
    state = type(function)(function.config, function.tags, function.url, function.statements, None,
                           {"MaximumRetryAttempts": 1, "DestinationConfig": {"OnFailure": {"Destination": QUEUE}}})
    plan = planner.plan_function(spec, artifact(), facts, state, None, function.config["Role"], None)
    assert calls(plan) == [("lambda", "put_function_event_invoke_config", {
        "FunctionName": "hello", "MaximumRetryAttempts": 1,
        "DestinationConfig": {"OnSuccess": {"Destination": TOPIC}}})]
    change = next(c for c in plan.changes if c.resource == "destinations hello")
    assert set(change.changes) == {("OnFailure", QUEUE, None), ("OnSuccess", None, TOPIC)}


def test_with_an_alias_the_destinations_are_the_alias_and_come_after_it(make_spec, artifact, facts):
    spec = make_spec(f'alias = "live"\n\n[function]\non_failure = "{QUEUE}"\n')
    plan = planner.plan_function(spec, artifact(), facts, None, None, "role", None)
    assert methods(plan).index("create_alias") < methods(plan).index("put_function_event_invoke_config")
    put = next(c for c in calls(plan) if c[1] == "put_function_event_invoke_config")
    assert put[2]["Qualifier"] == "live"


def test_tracing_changed_in_place_sends_only_the_tracing_config(make_spec, artifact, facts):
    plan = _update(make_spec, artifact, facts, 'tracing = "Active"\n')
    assert calls(plan)[0] == ("lambda", "update_function_configuration",
                              {"FunctionName": "hello", "TracingConfig": {"Mode": "Active"}})
    assert methods(plan) == ["update_function_configuration", "wait_function_updated_v2"]


def test_removing_the_vpc_table_detaches_the_function_and_the_role_policy(make_spec, artifact, facts):
    config = {"VpcConfig": {"SubnetIds": ["subnet-0aaa1111"], "SecurityGroupIds": ["sg-0ccc3333"]}}
    plan = _update(make_spec, artifact, facts, "", config=config)
    assert calls(plan)[0][2] == {"FunctionName": "hello", "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []}}
    with_vpc = make_spec('[function]\nvpc = { subnet_ids = ["subnet-0aaa1111"], security_group_ids = ["sg-0ccc3333"] }\n')
    assert policies.VPC_ACCESS_ARN in policies.role_policies(with_vpc, facts).managed
    assert policies.VPC_ACCESS_ARN not in policies.role_policies(make_spec(), facts).managed


def test_reserved_concurrency_zero_is_put_and_its_removal_deletes_it(make_spec, artifact, facts):
    plan = _update(make_spec, artifact, facts, "reserved_concurrency = 0\n")
    assert calls(plan) == [("lambda", "put_function_concurrency",
                            {"FunctionName": "hello", "ReservedConcurrentExecutions": 0})]
    function = deployed_function()
    state = type(function)(function.config, function.tags, function.url, function.statements, 7)
    plan = planner.plan_function(make_spec(), artifact(), facts, state, None, function.config["Role"], None)
    assert calls(plan) == [("lambda", "delete_function_concurrency", {"FunctionName": "hello"})]


def test_destinations_give_the_role_exactly_the_send_action_on_each_arn(make_spec, facts):
    spec = make_spec(f'[function]\non_failure = "{QUEUE}"\non_success = "{TOPIC}"\n')
    document = policies.role_policies(spec, facts).inline[policies.DESTINATIONS_POLICY]
    assert document["Statement"] == [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [TOPIC]},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [QUEUE]}]


def test_tags_taken_out_of_the_toml_are_removed_but_not_genesys_or_aws_ones(make_spec, artifact, facts):
    spec = make_spec('[tags]\nteam = "core"\n')
    tags = {**MARKER, "team": "core", "cost": "42", "aws:cloudformation:stack-name": "x", "genesys:stage": "dev"}
    plan = planner.plan_function(spec, artifact(), facts, deployed_function(tags=tags), None,
                                 deployed_function().config["Role"], None)
    assert calls(plan) == [("lambda", "untag_resource", {"Resource": FUNCTION_ARN, "TagKeys": ["cost"]})]
    assert plan.changes[0].changes == (("Tags.cost", "42", None),)


def test_log_group_is_created_tagged_changed_in_place_and_its_retention_removed(make_spec):
    spec = make_spec("[function]\nlog_retention_days = 14\n")
    assert calls(planner.plan_log_group(spec, None)) == [
        ("logs", "create_log_group", {"logGroupName": GROUP, "tags": MARKER}),
        ("logs", "put_retention_policy", {"logGroupName": GROUP, "retentionInDays": 14})]
    assert planner.plan_log_group(spec, LogGroupState(GROUP, 14, dict(MARKER))).writes == []
    assert calls(planner.plan_log_group(spec, LogGroupState(GROUP, 30, dict(MARKER)))) == [
        ("logs", "put_retention_policy", {"logGroupName": GROUP, "retentionInDays": 14})]
    assert calls(planner.plan_log_group(make_spec(), LogGroupState(GROUP, 30, dict(MARKER)))) == [
        ("logs", "delete_retention_policy", {"logGroupName": GROUP})]


def test_a_log_group_genesys_did_not_make_is_a_conflict_unless_adopted_and_kept_on_delete(make_spec):
    spec, theirs = make_spec("[function]\nlog_retention_days = 14\n"), LogGroupState(GROUP, None, {})
    with pytest.raises(ConflictError, match="retention days: None → 14"):
        planner.plan_log_group(spec, theirs)
    adopted = planner.plan_log_group(spec, theirs, Ownership(adopt=True))
    assert methods(adopted) == ["tag_log_group", "put_retention_policy"] and adopted.changes[0].action == "adopt"
    assert planner.plan_log_group(make_spec(), theirs).calls == []
    assert planner.plan_delete_log_group(spec, theirs).calls == []
    assert methods(planner.plan_delete_log_group(spec, LogGroupState(GROUP, 14, dict(MARKER)))) == ["delete_log_group"]


def test_the_roles_tags_follow_the_toml_unless_other_functions_share_it(make_spec, facts):
    from deployed import ROLE_TAGS, deployed_role

    spec = make_spec('[tags]\nteam = "core"\n')
    role = deployed_role(tags={**ROLE_TAGS, "team": "old", "cost": "42"})
    assert [c for c in calls(planner.plan_role(spec, role, facts)) if "tag" in c[1]] == [
        ("iam", "tag_role", {"RoleName": "genesys-lambda-hello", "Tags": [{"Key": "team", "Value": "core"}]}),
        ("iam", "untag_role", {"RoleName": "genesys-lambda-hello", "TagKeys": ["cost"]})]
    shared = planner.plan_role(spec, role, facts, Ownership(sharers=(make_spec(),)))
    assert not [c for c in calls(shared) if "tag" in c[1]]
