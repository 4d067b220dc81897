"""A full deploy into the emulator, and what a second, unchanged deploy does (nothing)."""

from __future__ import annotations

import json


API_TRIGGER = """
[[triggers]]
type = "api_gateway"
path = "/{proxy+}"
method = "ANY"
"""


def test_execute_creates_role_layer_function_url_and_api(project, clients, boto, deploy):
    p = project(extra=API_TRIGGER)
    outcome = deploy(p, clients())
    result = outcome.result()

    role = boto("iam").get_role(RoleName="genesys-lambda-hello")["Role"]
    assert {"Key": "genesys:managed", "Value": "true"} in role["Tags"]
    attached = boto("iam").list_attached_role_policies(RoleName="genesys-lambda-hello")["AttachedPolicies"]
    assert [a["PolicyName"] for a in attached] == ["AWSLambdaBasicExecutionRole"]

    layers = boto("lambda").list_layer_versions(LayerName="hello-deps")["LayerVersions"]
    assert len(layers) == 1 and layers[0]["Description"].startswith("genesys:sha256=")

    function = boto("lambda").get_function(FunctionName="hello")
    config = function["Configuration"]
    assert config["Role"] == role["Arn"] == result["role_arn"]
    assert config["MemorySize"] == 256
    assert [layer["Arn"] for layer in config["Layers"]] == result["layer_version_arns"] == [layers[0]["LayerVersionArn"]]
    assert function["Tags"]["genesys:managed"] == "true"

    url = boto("lambda").get_function_url_config(FunctionName="hello")
    assert url["AuthType"] == "NONE" and url["FunctionUrl"] == result["function_url"]
    policy = json.loads(boto("lambda").get_policy(FunctionName="hello")["Policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["genesys-url-public"]["Action"] == "lambda:InvokeFunctionUrl"
    assert statements["genesys-url-invoke"]["Action"] == "lambda:InvokeFunction"
    assert statements["genesys-url-invoke"]["InvokedViaFunctionUrl"] is True

    api = boto("apigatewayv2").get_apis()["Items"][0]
    assert api["Tags"]["genesys:managed"] == "true" and api["ApiEndpoint"] == result["api_endpoint"]
    routes = boto("apigatewayv2").get_routes(ApiId=api["ApiId"])["Items"]
    assert [r["RouteKey"] for r in routes] == ["ANY /{proxy+}"]
    integration = boto("apigatewayv2").get_integrations(ApiId=api["ApiId"])["Items"][0]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["IntegrationUri"] == config["FunctionArn"]
    stages = boto("apigatewayv2").get_stages(ApiId=api["ApiId"])["Items"]
    assert [(s["StageName"], s["AutoDeploy"]) for s in stages] == [("$default", True)]
    assert statements["genesys-apigw"]["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        f"arn:aws:execute-api:us-east-1:123456789012:{api['ApiId']}/*/*")


def test_second_execute_makes_zero_write_calls(project, clients, deploy):
    p = project(extra=API_TRIGGER)
    first = clients()
    deploy(p, first)
    assert len(first.log.writes) >= 10

    second = clients()
    outcome = deploy(p, second)
    assert second.log.writes == []
    assert second.log.reads  # it did compare against AWS's own state
    assert outcome.result()["changes"] == []


def test_created_role_arn_is_written_into_the_toml_keeping_comments(project, clients, deploy):
    p = project()
    outcome = deploy(p, clients())
    assert outcome.applied and outcome.recorded_role
    text = p.toml.read_text()
    assert f'role_arn = "{outcome.values["role_arn"]}"' in text
    assert 'managed_by = "genesys"' in text
    assert "# a function for deploy tests" in text and 'auth_type = "NONE"  # public' in text
    assert p.spec().iam.role_arn == outcome.values["role_arn"]


def test_dry_run_uses_only_read_calls_and_writes_nothing_to_the_toml(project, read_only_clients, boto, dry_run):
    p = project(extra=API_TRIGGER)
    before = p.toml.read_text()
    outcome = dry_run(p, read_only_clients())
    assert not outcome.applied and not outcome.recorded_role
    actions = {c.resource: c.action for c in outcome.plan.changes}
    assert actions["role genesys-lambda-hello"] == "create"
    assert actions["function hello"] == "create"
    assert actions["http api hello"] == "create"
    assert p.toml.read_text() == before
    assert boto("lambda").list_functions()["Functions"] == []


def test_dry_run_after_a_deploy_shows_field_diffs_as_old_and_new(project, clients, read_only_clients, capsys, deploy,
                                                                 dry_run):
    p = project()
    deploy(p, clients())
    p.toml.write_text(p.toml.read_text().replace("memory_mb = 256", "memory_mb = 512"))
    outcome = dry_run(p, read_only_clients())
    function = next(c for c in outcome.plan.changes if c.resource == "function hello")
    assert function.action == "update"
    assert function.changes == (("MemorySize", 256, 512),)
    shown = capsys.readouterr().err
    assert "MemorySize: 256 → 512" in shown
    assert "= function url hello: no change" in shown


def test_plan_json_lists_resource_action_and_changes(project, read_only_clients, dry_run, capsys):
    from genesys_tasks.deploy.executor import CollectingExecutor

    p = project()
    collecting = CollectingExecutor()
    outcome = dry_run(p, read_only_clients(), collecting)
    assert not outcome.applied and capsys.readouterr() == ("", "")  # collected, nothing printed
    as_json = json.loads(json.dumps(collecting.changes))
    assert as_json == [c.as_dict() for c in outcome.plan.changes]
    assert {entry["resource"] for entry in as_json} >= {"role genesys-lambda-hello", "layer hello-deps",
                                                        "function hello", "function url hello"}
    assert all(set(entry) == {"resource", "action", "changes"} for entry in as_json)
    function = next(e for e in as_json if e["resource"] == "function hello")
    assert {"field": "MemorySize", "old": None, "new": 256} in function["changes"]
