"""Changing a deployed function: only what differs is written, and what was removed goes away."""

from __future__ import annotations

import json

from genesys_tasks.deploy import deployer

API_TRIGGER = """
[[triggers]]
type = "api_gateway"
path = "/items"
method = "GET"
"""


def _edit(p, old: str, new: str) -> None:
    text = p.toml.read_text()
    assert old in text
    p.toml.write_text(text.replace(old, new))


def test_code_is_uploaded_only_when_code_sha256_differs(project, clients, boto, deploy):
    p = project()
    deploy(p, clients())
    p.code("def handler(event, context):\n    return {'statusCode': 201}\n")
    second = clients()
    deploy(p, second)
    assert second.log.writes == ["lambda:UpdateFunctionCode"]

    third = clients()
    deploy(p, third)
    assert third.log.writes == []
    assert boto("lambda").get_function(FunctionName="hello")["Configuration"]["CodeSha256"] == \
        deployer.code_artifact(p.spec(), p.root).code_sha256


def test_configuration_update_sends_only_the_fields_that_differ(project, clients, boto, deploy):
    p = project()
    deploy(p, clients())
    _edit(p, "memory_mb = 256", "memory_mb = 1024\ntimeout_seconds = 20")
    again = clients()
    outcome = deploy(p, again)
    assert again.log.writes == ["lambda:UpdateFunctionConfiguration"]
    change = next(c for c in outcome.plan.changes if c.resource == "function hello")
    assert set(change.changes) == {("MemorySize", 256, 1024), ("Timeout", 3, 20)}
    update = next(c for c in outcome.plan.calls if c.method == "update_function_configuration")
    assert set(update.params) == {"FunctionName", "MemorySize", "Timeout"}
    config = boto("lambda").get_function_configuration(FunctionName="hello")
    assert (config["MemorySize"], config["Timeout"]) == (1024, 20)


def test_environment_from_env_is_resolved_at_deploy_time_and_never_shown_or_written(
        project, clients, boto, monkeypatch, capsys, deploy, dry_run):
    monkeypatch.setenv("HELLO_SECRET", "s3cr3t-value")
    p = project(extra='\n[function.environment]\nSTAGE = "prod"\nAPI_KEY = "${env:HELLO_SECRET}"\n')
    outcome = deploy(p, clients())
    variables = boto("lambda").get_function_configuration(FunctionName="hello")["Environment"]["Variables"]
    assert variables == {"STAGE": "prod", "API_KEY": "s3cr3t-value"}
    monkeypatch.setenv("HELLO_SECRET", "rotated-value")
    dry = dry_run(p, clients())
    shown = capsys.readouterr().err + json.dumps([c.as_dict() for c in dry.plan.changes + outcome.plan.changes])
    assert "Environment.API_KEY: **** → ****" in shown
    assert "s3cr3t" not in shown and "rotated" not in shown
    assert '"field": "Environment.STAGE", "old": null, "new": "prod"' in shown  # a plain value is shown
    assert "s3cr3t" not in p.toml.read_text()
    assert not any(b"s3cr3t" in f.read_bytes() for f in p.root.rglob("*") if f.is_file())


def test_removing_a_policy_template_detaches_it(project, clients, boto, deploy):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "S3 read access", "SQS read/write access"]\n')
    deploy(p, clients())
    iam = boto("iam")
    attached = {a["PolicyName"] for a in iam.list_attached_role_policies(RoleName="genesys-lambda-hello")["AttachedPolicies"]}
    assert attached == {"AWSLambdaBasicExecutionRole", "AmazonS3ReadOnlyAccess"}
    assert iam.list_role_policies(RoleName="genesys-lambda-hello")["PolicyNames"] == ["genesys-sqs-rw"]

    _edit(p, '"logs", "S3 read access", "SQS read/write access"', '"logs"')
    deploy(p, clients())
    attached = {a["PolicyName"] for a in iam.list_attached_role_policies(RoleName="genesys-lambda-hello")["AttachedPolicies"]}
    assert attached == {"AWSLambdaBasicExecutionRole"}
    assert iam.list_role_policies(RoleName="genesys-lambda-hello")["PolicyNames"] == []


def test_named_resources_turn_every_template_into_a_scoped_inline_policy(project, clients, boto, deploy):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "s3-read"]\n\n'
                      '[iam.resources]\ns3_buckets = ["uploads"]\n')
    deploy(p, clients())
    iam = boto("iam")
    assert iam.list_attached_role_policies(RoleName="genesys-lambda-hello")["AttachedPolicies"] == []
    document = iam.get_role_policy(RoleName="genesys-lambda-hello", PolicyName="genesys-s3-read")["PolicyDocument"]
    assert document["Statement"][0]["Resource"] == ["arn:aws:s3:::uploads", "arn:aws:s3:::uploads/*"]
    assert document["Statement"][0]["Action"] == ["s3:GetObject", "s3:ListBucket"]


def test_a_bucket_added_to_iam_resources_is_planned_as_the_resources_it_adds(project, clients, boto, deploy, dry_run,
                                                                             capsys):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "s3-read"]\n\n'
                      '[iam.resources]\ns3_buckets = ["uploads"]\n')
    deploy(p, clients())
    _edit(p, 's3_buckets = ["uploads"]', 's3_buckets = ["uploads", "reports"]')
    capsys.readouterr()
    planned = dry_run(p, clients())
    change = next(c for c in planned.plan.changes if c.resource == "role genesys-lambda-hello")
    uploads = ["arn:aws:s3:::uploads", "arn:aws:s3:::uploads/*"]
    assert list(change.changes) == [("policy genesys-s3-read.Resource", uploads,
                                     uploads + ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])]
    shown = capsys.readouterr().err
    assert "policy genesys-s3-read.Resource: [arn:aws:s3:::uploads, arn:aws:s3:::uploads/*] → [" in shown
    assert "(old document)" not in shown


def test_removing_the_api_trigger_removes_the_api_and_its_permission(project, clients, boto, deploy):
    p = project(extra=API_TRIGGER)
    deploy(p, clients())
    assert len(boto("apigatewayv2").get_apis()["Items"]) == 1

    p.toml.write_text(p.toml.read_text().replace(API_TRIGGER, ""))
    outcome = deploy(p, clients())
    assert boto("apigatewayv2").get_apis()["Items"] == []
    sids = {s["Sid"] for s in json.loads(boto("lambda").get_policy(FunctionName="hello")["Policy"])["Statement"]}
    assert "genesys-apigw" not in sids and "genesys-url-public" in sids
    assert ("http api hello", "delete") in {(c.resource, c.action) for c in outcome.plan.changes}


def test_changing_a_route_replaces_only_that_route(project, clients, boto, deploy):
    p = project(extra=API_TRIGGER)
    deploy(p, clients())
    _edit(p, 'method = "GET"', 'method = "POST"')
    again = clients()
    deploy(p, again)
    api = boto("apigatewayv2").get_apis()["Items"][0]
    assert [r["RouteKey"] for r in boto("apigatewayv2").get_routes(ApiId=api["ApiId"])["Items"]] == ["POST /items"]
    assert sorted(again.log.writes) == ["apigateway:CreateRoute", "apigateway:DeleteRoute"]


def test_switching_auth_to_aws_iam_removes_the_public_permissions(project, clients, boto, deploy):
    p = project()
    deploy(p, clients())
    _edit(p, 'auth_type = "NONE"', 'auth_type = "AWS_IAM"')
    deploy(p, clients())
    assert boto("lambda").get_function_url_config(FunctionName="hello")["AuthType"] == "AWS_IAM"
    lam = boto("lambda")
    try:
        statements = json.loads(lam.get_policy(FunctionName="hello")["Policy"])["Statement"]
    except lam.exceptions.ResourceNotFoundException:  # no statements left at all
        statements = []
    assert not [s for s in statements if s["Sid"].startswith("genesys-url")]


def test_cors_enabled_false_beside_a_cors_table_stops_at_its_line_and_leaves_the_url(project, clients, boto, deploy,
                                                                                      run_genesys):
    p = project(extra='\n[deployment.cors]\nallow_origins = ["https://example.com"]\n', requirements=None)
    deploy(p, clients())
    before = boto("lambda").get_function_url_config(FunctionName="hello")["Cors"]
    assert before["AllowOrigins"] == ["https://example.com"]

    _edit(p, "auth_type = \"NONE\"  # public", "auth_type = \"NONE\"  # public\ncors_enabled = false")
    line = p.toml.read_text().splitlines().index("cors_enabled = false") + 1
    for command in (("execute", p.toml, "--dry-run"), ("execute", p.toml)):
        result = run_genesys(*command)
        assert result.code == 2, result.output
        assert f"{p.toml.name}:{line}: [deployment.cors_enabled]: cors_enabled = false, but [deployment.cors] sets" \
            in result.stderr and "delete the table to turn CORS off" in result.stderr
        assert "Traceback" not in result.output
    assert boto("lambda").get_function_url_config(FunctionName="hello")["Cors"] == before


def test_cors_table_is_applied_to_the_function_url(project, clients, boto, deploy):
    p = project(extra='cors_enabled = true\n\n[deployment.cors]\nallow_origins = ["https://example.com"]\n'
                      'allow_methods = ["GET", "POST"]\nmax_age = 300\n')
    deploy(p, clients())
    cors = boto("lambda").get_function_url_config(FunctionName="hello")["Cors"]
    assert cors["AllowOrigins"] == ["https://example.com"] and cors["AllowMethods"] == ["GET", "POST"]
    assert cors["MaxAge"] == 300
    again = clients()
    deploy(p, again)
    assert again.log.writes == []
