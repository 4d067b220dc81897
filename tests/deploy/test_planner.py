"""The planner against hand-built AWS state: the exact calls of a create, a one-field update,
a code change, an unchanged redeploy (no calls at all) and a delete that spares what genesys
did not make."""

from __future__ import annotations

import json

from deployed import (ACCOUNT, FUNCTION_ARN, LOGS_POLICY, MARKER, REGION, ROLE_ARN, URL, calls, deployed_function,
                      deployed_role, methods)

from genesys_tasks.deploy import planner, policies
from genesys_tasks.deploy.model import FileBytes, Var
from genesys_tasks.deploy.state import LayerVersionState


# --- create ---------------------------------------------------------------------------------------

def test_a_new_role_is_created_tagged_with_its_policies(make_spec, facts):
    spec = make_spec()
    plan = planner.plan_role(spec, None, facts)
    assert calls(plan) == [
        ("iam", "create_role", {
            "RoleName": "genesys-lambda-hello", "AssumeRolePolicyDocument": json.dumps(policies.LAMBDA_TRUST),
            "Description": "Execution role for the Lambda function hello (genesys)",
            "Tags": [{"Key": "genesys:managed", "Value": "true"}, {"Key": "genesys:policies", "Value": "logs"}]}),
        ("iam", "attach_role_policy", {"RoleName": "genesys-lambda-hello", "PolicyArn": LOGS_POLICY}),
    ]
    assert plan.known["role_arn"] == Var("role_arn") and plan.calls[0].outputs == {"role_arn": "Role.Arn"}


def test_a_new_function_is_created_then_its_url_and_public_permissions(make_spec, artifact, facts):
    spec, code = make_spec(), artifact()
    plan = planner.plan_function(spec, code, facts, None, None, Var("role_arn"), None)
    assert calls(plan) == [
        ("lambda", "create_function", {
            "FunctionName": "hello", "Code": {"ZipFile": FileBytes(code.path)}, "PackageType": "Zip",
            "Architectures": ["x86_64"], "Tags": MARKER, "Role": Var("role_arn"), "Handler": "app.handler",
            "Runtime": "python3.12", "Description": "", "Timeout": 3, "MemorySize": 128,
            "Environment": {"Variables": {}}, "EphemeralStorage": {"Size": 512}}),
        ("lambda", "wait_function_active_v2", {"FunctionName": "hello"}),
        ("lambda", "create_function_url_config", {"FunctionName": "hello", "AuthType": "NONE", "Cors": {}}),
        ("lambda", "add_permission", {"FunctionName": "hello", "StatementId": "genesys-url-public",
                                      "Action": "lambda:InvokeFunctionUrl", "Principal": "*",
                                      "FunctionUrlAuthType": "NONE"}),
        ("lambda", "add_permission", {"FunctionName": "hello", "StatementId": "genesys-url-invoke",
                                      "Action": "lambda:InvokeFunction", "Principal": "*",
                                      "InvokedViaFunctionUrl": True}),
    ]
    assert plan.known["function_arn"] == Var("function_arn") and plan.known["function_url"] == Var("function_url")


def test_a_new_layer_is_published_once_with_its_sha_in_the_description(make_spec, artifact):
    spec, layer = make_spec(requirements=True), artifact("layer-sha", "layer.zip")
    plan = planner.plan_layer(spec, layer, [])
    assert calls(plan) == [("lambda", "publish_layer_version", {
        "LayerName": "hello-deps", "Description": "genesys:sha256=layer-sha Dependencies for hello",
        "Content": {"ZipFile": FileBytes(layer.path)}, "CompatibleRuntimes": ["python3.12"],
        "CompatibleArchitectures": ["x86_64"]})]


# --- updates --------------------------------------------------------------------------------------

def test_changing_one_setting_makes_one_update_call_with_only_that_field(make_spec, artifact, facts):
    spec = make_spec()
    plan = planner.plan_function(spec, artifact(), facts, deployed_function(config={"MemorySize": 1024}), None,
                                 ROLE_ARN, None)
    assert [(c.method, c.params) for c in plan.writes] == [
        ("update_function_configuration", {"FunctionName": "hello", "MemorySize": 128})]
    assert methods(plan) == ["update_function_configuration", "wait_function_updated_v2"]
    function = next(c for c in plan.changes if c.resource == "function hello")
    assert (function.action, function.changes) == ("update", (("MemorySize", 1024, 128),))


def test_new_code_is_uploaded_without_touching_the_configuration(make_spec, artifact, facts):
    spec, code = make_spec(), artifact("code-sha-2")
    plan = planner.plan_function(spec, code, facts, deployed_function(), None, ROLE_ARN, None)
    assert calls(plan) == [
        ("lambda", "update_function_code", {"FunctionName": "hello", "Architectures": ["x86_64"],
                                            "ZipFile": FileBytes(code.path)}),
        ("lambda", "wait_function_updated_v2", {"FunctionName": "hello"}),
    ]


def test_an_environment_change_is_shown_masked(make_spec, artifact):
    spec = make_spec('\n[function.environment]\nAPI_KEY = "${env:SECRET}"\n')
    facts = planner.Facts(REGION, ACCOUNT, {"API_KEY": "new-secret"})
    current = deployed_function(config={"Environment": {"Variables": {"API_KEY": "old-secret"}}})
    plan = planner.plan_function(spec, artifact(), facts, current, None, ROLE_ARN, None)
    function = next(c for c in plan.changes if c.resource == "function hello")
    assert function.changes == (("Environment.API_KEY", "****", "****"),)
    assert "secret" not in repr(plan.changes)


def test_an_unchanged_redeploy_plans_no_calls_at_all(make_spec, artifact, facts):
    spec = make_spec(requirements=True)
    layer = artifact("layer-sha", "layer.zip")
    layer_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:hello-deps:1"
    versions = [LayerVersionState(layer_arn, 1, "genesys:sha256=layer-sha Dependencies for hello")]
    current = deployed_function(config={"Layers": [{"Arn": layer_arn, "CodeSize": 10}]})
    plan = planner.plan_role(spec, deployed_role(), facts)
    plan.extend(planner.plan_layer(spec, layer, versions))
    plan.extend(planner.plan_function(spec, artifact(), facts, current, None, plan.known["role_arn"],
                                      plan.known["layer_arn"]))
    assert plan.calls == []
    assert {c.action for c in plan.changes} == {"no change"}
    assert plan.known == {"role_arn": ROLE_ARN, "layer_arn": layer_arn, "function_arn": FUNCTION_ARN,
                          "function_url": URL}


def test_a_role_missing_a_template_policy_gains_only_that_one(make_spec, facts):
    spec = make_spec('\n[iam]\nrequired_policies = ["logs", "s3-rw"]\n')
    plan = planner.plan_role(spec, deployed_role(managed=(LOGS_POLICY, "arn:aws:iam::aws:policy/Foreign")), facts)
    assert methods(plan) == ["put_role_policy"]
    assert plan.calls[0].params["PolicyName"] == "genesys-s3-rw"


# --- delete ---------------------------------------------------------------------------------------

def test_delete_spares_a_function_role_and_layer_version_genesys_did_not_make(make_spec):
    spec = make_spec(requirements=True)
    ours = LayerVersionState("arn:aws:lambda:us-east-1:123456789012:layer:hello-deps:2", 2, "genesys:sha256=x")
    foreign = LayerVersionState("arn:aws:lambda:us-east-1:123456789012:layer:hello-deps:1", 1, "built by hand")
    plan = planner.plan_delete(spec, deployed_role(tags={}), [ours, foreign], deployed_function(tags={}), None)
    assert calls(plan) == [("lambda", "delete_layer_version", {"LayerName": "hello-deps", "VersionNumber": 2})]
    kept = {c.resource: c.changes for c in plan.changes if c.action == "no change"}
    assert kept == {"function hello": (("kept", None, "not made by genesys (no tag)"),),
                    "role genesys-lambda-hello": (("kept", None, "not made by genesys (no tag)"),)}


def test_delete_removes_what_genesys_made_in_order(make_spec):
    spec = make_spec()
    plan = planner.plan_delete(spec, deployed_role(inline={"genesys-s3-rw": {}}), [], deployed_function(), None)
    assert calls(plan) == [
        ("lambda", "delete_function_url_config", {"FunctionName": "hello"}),
        ("lambda", "delete_function", {"FunctionName": "hello"}),
        ("iam", "detach_role_policy", {"RoleName": "genesys-lambda-hello", "PolicyArn": LOGS_POLICY}),
        ("iam", "delete_role_policy", {"RoleName": "genesys-lambda-hello", "PolicyName": "genesys-s3-rw"}),
        ("iam", "delete_role", {"RoleName": "genesys-lambda-hello"}),
    ]


def test_delete_keeps_a_layer_version_another_function_uses(make_spec):
    spec = make_spec(requirements=True)
    shared = LayerVersionState("arn:aws:lambda:us-east-1:123456789012:layer:hello-deps:1", 1, "genesys:sha256=x")
    plan = planner.plan_delete(spec, None, [shared], None, None, {shared.arn: ["other"]})
    assert plan.calls == [] and plan.changes[0].changes == (("kept", None, "used by other"),)


def test_a_policy_document_change_names_each_statement_key_that_changed():
    one = {"Effect": "Allow", "Action": ["sqs:ReceiveMessage"], "Resource": ["arn:aws:sqs:us-east-1:1:a"]}
    moved = {**one, "Resource": ["arn:aws:sqs:us-east-1:1:b"]}
    assert policies.document_changes("policy p", {"Statement": [one]}, {"Statement": [moved]}) == [
        ("policy p.Resource", ["arn:aws:sqs:us-east-1:1:a"], ["arn:aws:sqs:us-east-1:1:b"])]
    second = {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"}
    assert policies.document_changes("policy p", {"Statement": one}, {"Statement": [one, second]}) == [
        ("policy p.Statement[1].Action", None, "dynamodb:ListStreams"),
        ("policy p.Statement[1].Effect", None, "Allow"), ("policy p.Statement[1].Resource", None, "*")]
    assert policies.document_changes("policy p", {"Version": "2008-10-17", "Statement": [one]},
                                     {"Version": "2012-10-17", "Statement": [one]}) == [
        ("policy p", "(old document)", "(new document)")]
