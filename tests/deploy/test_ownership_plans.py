"""The planner against resources genesys did not make: a same-named function, role, rule, mapping
or notification is a conflict (exit 2) naming it and what differs, an adopted one an ``adopt``
change; a shared role carries the union of its functions' needs and goes only with the last."""

from __future__ import annotations

import json

import pytest
from deployed import ACCOUNT, FUNCTION_ARN, LOGS_POLICY, REGION, ROLE_ARN, calls, deployed_function, deployed_role

from genesys_tasks.deploy import planner, policies, triggers
from genesys_tasks.deploy.ownership import ConflictError, Ownership
from genesys_tasks.deploy.state import LayerVersionState
from genesys_tasks.deploy.triggers import TriggerState
from genesys_tasks.errors import EXIT_BAD_INPUT, ConfigError

ADOPT = Ownership(adopt=True)
EC2_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "ec2.amazonaws.com"}}]}
PARTNER = {"MemorySize": 1024, "Runtime": "python3.11", "Handler": "partner.main",
           "Role": f"arn:aws:iam::{ACCOUNT}:role/partner-role",
           "Environment": {"Variables": {"PARTNER_SECRET": "s3cr3t"}}}
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
SCHEDULE = '\n[[triggers]]\ntype = "schedule"\nexpression = "rate(5 minutes)"\n'
SQS = '\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n'


def change(plan, resource: str):
    return next(c for c in plan.changes if c.resource == resource)


# --- functions ------------------------------------------------------------------------------------

def test_a_function_genesys_did_not_make_is_a_conflict_naming_what_differs(make_spec, artifact, facts):
    spec = make_spec()
    foreign = deployed_function(config=PARTNER, tags={})
    with pytest.raises(ConflictError) as caught:
        planner.plan_function(spec, artifact(), facts, foreign, None, ROLE_ARN, None)
    err = caught.value
    assert err.exit_code == EXIT_BAD_INPUT
    assert "function hello exists and was not made by genesys" in err.message
    assert "memory: 1024 → 128" in err.message and "runtime: python3.11 → python3.12" in err.message
    assert "handler: partner.main → app.handler" in err.message and "role:" in err.message
    assert "environment PARTNER_SECRET" in err.message and "s3cr3t" not in err.render()
    assert "[metadata] name" in err.hint and "--adopt" in err.hint
    assert err.where.key == "metadata.name"


def test_an_adopted_function_is_updated_and_tagged_and_shown_as_adopt(make_spec, artifact, facts):
    spec = make_spec()
    plan = planner.plan_function(spec, artifact(), facts, deployed_function(config=PARTNER, tags={}), None,
                                 ROLE_ARN, None, ADOPT)
    function = change(plan, "function hello")
    assert function.action == "adopt"
    assert ("MemorySize", 1024, 128) in function.changes and ("Tags.genesys:managed", None, "true") in function.changes
    assert ("lambda", "tag_resource", {"Resource": FUNCTION_ARN, "Tags": {"genesys:managed": "true"}}) in calls(plan)


def test_a_function_genesys_made_is_never_a_conflict(make_spec, artifact, facts):
    plan = planner.plan_function(make_spec(), artifact(), facts, deployed_function(config={"MemorySize": 1024}),
                                 None, ROLE_ARN, None)
    assert change(plan, "function hello").action == "update"


# --- roles ----------------------------------------------------------------------------------------

def test_an_unmarked_role_with_genesys_s_name_is_a_conflict(make_spec, facts):
    foreign = deployed_role(tags={}, trust=EC2_TRUST, inline={"genesys-logs": {}})
    with pytest.raises(ConflictError) as caught:
        planner.plan_role(make_spec(), foreign, facts)
    err = caught.value
    assert "role genesys-lambda-hello exists and was not made by genesys" in err.message
    assert "trust: [ec2.amazonaws.com] → [lambda.amazonaws.com]" in err.message
    assert "[metadata] name" in err.hint and "auto_manage = false" in err.hint and "--adopt" in err.hint


def test_an_unmarked_role_named_in_the_toml_is_a_conflict_with_auto_manage(make_spec, facts):
    spec = make_spec('\n[iam]\nrole_name = "team-role"\n')
    with pytest.raises(ConflictError) as caught:
        planner.plan_role(spec, deployed_role(name="team-role", tags={}), facts)
    assert "set [iam] auto_manage = false to use it as it is" in caught.value.hint
    assert caught.value.where.key == "iam.role_name"


def test_an_unmarked_role_is_used_as_it_is_without_auto_manage(make_spec, facts):
    spec = make_spec('\n[iam]\nrole_name = "team-role"\nauto_manage = false\n')
    plan = planner.plan_role(spec, deployed_role(name="team-role", tags={}, trust=EC2_TRUST, managed=()), facts)
    assert plan.calls == [] and plan.known["role_arn"] == ROLE_ARN
    assert change(plan, "role team-role").action == "no change"


def test_an_adopted_role_is_tagged_its_trust_repaired_and_shown_as_adopt(make_spec, facts):
    plan = planner.plan_role(make_spec(), deployed_role(tags={}, trust=EC2_TRUST), facts, ADOPT)
    assert calls(plan) == [
        ("iam", "tag_role", {"RoleName": "genesys-lambda-hello",  # the logs policy it wants is taken as its own
                             "Tags": [{"Key": "genesys:managed", "Value": "true"},
                                      {"Key": "genesys:policies", "Value": "logs"}]}),
        ("iam", "update_assume_role_policy", {"RoleName": "genesys-lambda-hello",
                                              "PolicyDocument": json.dumps(policies.LAMBDA_TRUST)}),
    ]
    assert change(plan, "role genesys-lambda-hello").action == "adopt"


def test_a_marked_role_lambda_cannot_assume_is_repaired_in_the_plan(make_spec, facts):
    plan = planner.plan_role(make_spec(), deployed_role(trust=EC2_TRUST), facts)
    assert [c.method for c in plan.calls] == ["update_assume_role_policy"]
    role = change(plan, "role genesys-lambda-hello")
    assert (role.action, role.changes) == ("update", (("trust", ["ec2.amazonaws.com"], ["lambda.amazonaws.com"]),))


# --- shared roles ---------------------------------------------------------------------------------

def shared(make_spec, tmp_path, policies_: str, name: str = "hello", **iam):
    extra = "".join(f"\n{k} = {v}" for k, v in iam.items())
    spec = make_spec(f'\n[iam]\nrole_name = "team-shared"\nrequired_policies = [{policies_}]{extra}\n')
    if name == "hello":
        return spec
    from dataclasses import replace

    other = tmp_path / f"lambda_{name}.toml"
    other.write_text(spec.path.read_text().replace('name = "hello"', f'name = "{name}"'))
    return replace(spec, name=name, path=other)


def test_a_shared_role_carries_the_union_of_its_functions_needs(make_spec, tmp_path, facts):
    other = shared(make_spec, tmp_path, '"logs", "sqs-rw"', "other")
    spec = shared(make_spec, tmp_path, '"logs", "s3-read"')
    role = deployed_role(name="team-shared", managed=(LOGS_POLICY,), inline={})
    alone = planner.plan_role(spec, role, facts)
    together = planner.plan_role(spec, role, facts, Ownership(sharers=(other,)))
    assert "genesys-sqs-rw" not in json.dumps(calls(alone))
    assert [c.params.get("PolicyName") for c in together.calls if c.method == "put_role_policy"] == ["genesys-sqs-rw"]


def test_a_policy_is_kept_while_a_function_the_repo_does_not_know_uses_the_role(make_spec, facts):
    role = deployed_role(inline={"genesys-sqs-rw": {}})
    kept = planner.plan_role(make_spec(), role, facts, users=["elsewhere"])
    assert kept.calls == []
    assert ("kept", None, "genesys-sqs-rw: the role is also used by elsewhere") in change(
        kept, "role genesys-lambda-hello").changes
    removed = planner.plan_role(make_spec(), role, facts, users=[])
    assert [c.method for c in removed.calls] == ["delete_role_policy"]


def test_two_tomls_disagreeing_on_auto_manage_for_one_role_name_both(make_spec, tmp_path, facts):
    other = shared(make_spec, tmp_path, '"logs"', "other", auto_manage="false")
    spec = shared(make_spec, tmp_path, '"logs"')
    with pytest.raises(ConfigError) as caught:
        planner.plan_role(spec, None, facts, Ownership(sharers=(other,)))
    assert str(other.path) in caught.value.message and caught.value.where.file == spec.path


def test_delete_keeps_a_role_another_function_uses(make_spec):
    plan = planner.plan_delete(make_spec(), deployed_role(), [], deployed_function(), None, role_users=["other"])
    assert [c.method for c in plan.calls] == ["delete_function_url_config", "delete_function"]
    assert change(plan, "role genesys-lambda-hello").changes == (("kept", None, "used by other"),)


# --- layers, statements, scoping ------------------------------------------------------------------

def test_only_the_full_layer_marker_counts_as_genesys_s(make_spec):
    look_alike = LayerVersionState(f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:hello-deps:1", 1, "genesys: look-alike")
    assert not look_alike.marked
    assert planner.plan_delete(make_spec(requirements=True), None, [look_alike], None, None).calls == []


def test_statements_someone_else_added_stay_even_named_genesys_something(make_spec, artifact, facts):
    spec = make_spec()
    statements = {"genesys-partner": {"Action": "lambda:InvokeFunction"}, "partner": {"Action": "lambda:InvokeFunction"},
                  "genesys-sns-gone": {"Action": "lambda:InvokeFunction"}}
    current = deployed_function(statements={**deployed_function().statements, **statements})
    plan = planner.plan_function(spec, artifact(), facts, current, None, ROLE_ARN, None)
    assert calls(plan) == [("lambda", "remove_permission", {"FunctionName": "hello", "StatementId": "genesys-sns-gone"})]


def test_scoped_arns_name_the_deploy_region_and_account(make_spec, facts):
    spec = make_spec('\n[iam]\nrequired_policies = ["logs", "sqs-rw", "dynamodb-rw"]\n'
                     '[iam.resources]\nsqs_queues = ["jobs"]\ndynamodb_tables = ["orders"]\n' + SQS)
    wanted = policies.role_policies(spec, facts)
    resources = json.dumps(wanted.inline)
    assert "*:*" not in resources
    assert f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/hello:*" in resources
    assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders" in resources
    assert wanted.inline["genesys-sqs-poller"]["Statement"][0]["Resource"] == [QUEUE_ARN]


# --- triggers -------------------------------------------------------------------------------------

def trigger_state(**found) -> TriggerState:
    return TriggerState(REGION, ACCOUNT, "hello", function_exists=True, **found)


def test_an_unmarked_rule_with_genesys_s_name_is_a_conflict_and_adopting_it_tags_it(make_spec):
    spec = make_spec(SCHEDULE)
    rule = {"Name": "genesys-hello-0", "Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/genesys-hello-0",
            "ScheduleExpression": "rate(1 hour)", "State": "ENABLED"}
    theirs = {"foreign_rules": {"genesys-hello-0": {"rule": rule, "targets": [{"Id": "theirs", "Arn": QUEUE_ARN}]}}}
    with pytest.raises(ConflictError) as caught:
        triggers.plan(spec, trigger_state(**theirs))
    assert "EventBridge rule genesys-hello-0 exists and was not made by genesys" in caught.value.message
    assert "rate(1 hour) → rate(5 minutes)" in caught.value.message and QUEUE_ARN in caught.value.message
    assert caught.value.where.key == "triggers[0].expression"

    plan = triggers.plan(spec, trigger_state(**theirs), adopt=True)
    assert [c.method for c in plan.calls] == ["tag_resource", "put_rule", "put_targets"]
    assert change(plan, "schedule trigger genesys-hello-0").action == "adopt"
    # deleting the function's triggers leaves a rule genesys did not make
    assert triggers.plan(spec, trigger_state(**theirs), ()).calls == []


def test_a_mapping_someone_else_made_from_the_queue_is_a_conflict_unless_adopted(make_spec):
    spec = make_spec(SQS)
    foreign = {"UUID": "uuid-theirs", "EventSourceArn": QUEUE_ARN, "BatchSize": 10,
               "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:uuid-theirs"}
    found = {"queue_arns": {"jobs": QUEUE_ARN}, "foreign_mappings": [foreign]}
    with pytest.raises(ConflictError) as caught:
        triggers.plan(spec, trigger_state(**found))
    assert "uuid-theirs" in caught.value.message and caught.value.where.key == "triggers[0].queue"
    plan = triggers.plan(spec, trigger_state(**found), adopt=True)
    assert calls(plan)[0] == ("lambda", "tag_resource", {"Resource": foreign["EventSourceMappingArn"], "Tags": {
        "genesys:managed": "true", "genesys:function": "hello"}})
    assert change(plan, "sqs trigger jobs").action == "adopt"
    assert triggers.plan(spec, trigger_state(**found), ()).calls == []  # never deleted


def test_a_notification_id_genesys_would_write_held_by_someone_else_is_a_conflict(make_spec):
    spec = make_spec('\n[[triggers]]\ntype = "s3"\nbucket = "uploads"\n')
    clash = {"Id": "genesys-hello:0", "LambdaFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other",
             "Events": ["s3:ObjectCreated:*"]}
    found = {"notifications": {"uploads": {"LambdaFunctionConfigurations": [clash]}}}
    with pytest.raises(ConflictError) as caught:
        triggers.plan(spec, trigger_state(**found))
    assert "genesys-hello:0 of bucket uploads" in caught.value.message and "function:other" in caught.value.message
    # not genesys's either when removing: someone else's entry stays
    assert triggers.plan(spec, trigger_state(**found), ()).calls == []
