"""Deploy failures a user can meet: each a clear message, the right exit code, no traceback."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from genesys_tasks.aws.session import Clients
from genesys_tasks.aws.target import target_for
from genesys_tasks.deploy import deployer
from genesys_tasks.errors import EXIT_BAD_INPUT, EXIT_CREDENTIALS, AwsError, ConfigError, CredentialsError


def test_missing_credentials_exit_3_and_say_how_to_configure(aws, project, monkeypatch, deploy):
    p = project()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CredentialsError) as caught:
        deploy(p)
    assert caught.value.exit_code == EXIT_CREDENTIALS
    assert "no AWS credentials" in caught.value.message
    assert "aws configure" in caught.value.hint and "--sandbox" in caught.value.hint


def test_expired_token_exits_3_and_says_to_refresh(aws, project, deploy):
    p = project()
    sts = boto3.client("sts", region_name="us-east-1")
    stub = Stubber(sts)
    stub.add_client_error("get_caller_identity", service_error_code="ExpiredToken",
                          service_message="The security token included in the request is expired",
                          http_status_code=403)
    with stub, pytest.raises(CredentialsError) as caught:
        deploy(p, Clients(target_for(), overrides={"sts": sts}))
    assert "expired" in caught.value.message and "aws sso login" in caught.value.hint


def test_access_denied_on_one_call_names_the_action_and_the_resource(project, aws, deploy):
    p = project()
    lam = boto3.client("lambda", endpoint_url=aws, region_name="us-east-1")
    stub = Stubber(lam)
    stub.add_response("list_layer_versions", {"LayerVersions": []}, {"LayerName": "hello-deps"})
    stub.add_client_error("get_function_configuration", service_error_code="AccessDeniedException",
                          http_status_code=403,
                          service_message="User: arn:aws:iam::123456789012:user/ci is not authorized to "
                                          "perform: lambda:GetFunctionConfiguration")
    with stub, pytest.raises(CredentialsError) as caught:
        deploy(p, Clients(target_for(), overrides={"lambda": lam}))
    assert caught.value.exit_code == EXIT_CREDENTIALS
    assert "access denied: lambda:GetFunctionConfiguration on hello" in caught.value.message
    assert "grant lambda:GetFunctionConfiguration on hello" in caught.value.hint


def test_auto_manage_false_with_a_missing_role_is_a_clear_error(project, clients, boto, deploy):
    p = project(extra='\n[iam]\nrole_name = "does-not-exist"\nauto_manage = false\n')
    with pytest.raises(ConfigError) as caught:
        deploy(p, clients())
    assert "'does-not-exist' does not exist" in caught.value.message
    assert "auto_manage" in caught.value.hint
    assert boto("lambda").list_functions()["Functions"] == []


def test_auto_manage_false_uses_the_named_role_without_touching_it(project, clients, boto, deploy):
    import json

    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    arn = boto("iam").create_role(RoleName="ops-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    p = project(extra='\n[iam]\nrole_name = "ops-role"\nauto_manage = false\n')
    deployed = clients()
    deploy(p, deployed)
    assert not [w for w in deployed.log.writes if w.startswith("iam:")]
    assert boto("lambda").get_function_configuration(FunctionName="hello")["Role"] == arn
    assert "role_arn" not in p.toml.read_text()


def test_auth_type_bogus_exits_2_naming_the_key(project, run_genesys):
    p = project()
    p.toml.write_text(p.toml.read_text().replace('auth_type = "NONE"', 'auth_type = "BOGUS"'))
    result = run_genesys("execute", p.toml, "--dry-run")
    assert result.code == EXIT_BAD_INPUT
    assert "deployment.auth_type" in result.stderr and "'BOGUS' is not allowed" in result.stderr
    assert "Traceback" not in result.output


def test_six_layers_exit_2_before_anything_is_built(project, run_genesys):
    arns = ", ".join(f'"arn:aws:lambda:us-east-1:123456789012:layer:extra{i}:1"' for i in range(5))
    p = project(extra=f"\n[function]\nlayers = [{arns}]\n")
    p.toml.write_text(p.toml.read_text().replace("[function]\nmemory_mb = 256\n", "").replace(
        "[function]\nlayers", "[function]\nmemory_mb = 256\nlayers"))
    result = run_genesys("execute", p.toml)
    assert result.code == EXIT_BAD_INPUT, result.output
    assert "6 layers" in result.stderr and "at most 5" in result.stderr
    assert "function.layers" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_env_reference_is_a_config_error_naming_the_variable(project, clients, monkeypatch, deploy):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    p = project(extra='\n[function.environment]\nTOKEN = "${env:NOT_SET_ANYWHERE}"\n')
    with pytest.raises(ConfigError) as caught:
        deploy(p, clients())
    assert "NOT_SET_ANYWHERE" in caught.value.message and "function.environment.TOKEN" in str(caught.value.where)


def test_execute_with_an_unset_env_reference_exits_2_before_building(project, run_genesys, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    p = project(extra='\n[function.environment]\nTOKEN = "${env:NOT_SET_ANYWHERE}"\n')
    result = run_genesys("execute", p.toml, "--sandbox")
    assert result.code == EXIT_BAD_INPUT, result.output
    assert "NOT_SET_ANYWHERE" in result.stderr and "function.environment.TOKEN" in result.stderr
    assert "build:hello" not in result.stderr and "sandbox" not in result.stderr
    assert "Traceback" not in result.output


def test_a_failure_midway_says_what_was_already_applied(project, aws, deploy):
    p = project()
    lam = boto3.client("lambda", endpoint_url=aws, region_name="us-east-1")
    stub = Stubber(lam)
    stub.add_response("list_layer_versions", {"LayerVersions": []}, {"LayerName": "hello-deps"})
    stub.add_client_error("get_function_configuration", "ResourceNotFoundException", "Function not found", 404)
    stub.add_client_error("publish_layer_version", "CodeStorageExceededException", "Code storage limit exceeded")
    with stub, pytest.raises(AwsError) as caught:
        deploy(p, Clients(target_for(), overrides={"lambda": lam}))
    assert "CodeStorageExceededException" in caught.value.message
    assert "stopped at: create layer hello-deps" in caught.value.hint
    assert "already applied: create role genesys-lambda-hello" in caught.value.hint
    assert "Running again continues" in caught.value.hint


def test_zips_over_the_direct_upload_limit_go_through_the_artifact_bucket(project, clients, boto, monkeypatch, deploy):
    from genesys_tasks.deploy.planner import inputs

    monkeypatch.setattr(inputs, "DIRECT_UPLOAD_LIMIT", 10)
    boto("s3").create_bucket(Bucket="artifacts")
    p = project(extra='artifact_bucket = "artifacts"\n')
    deployed = clients()
    deploy(p, deployed)
    keys = sorted(o["Key"] for o in boto("s3").list_objects_v2(Bucket="artifacts")["Contents"])
    assert len(keys) == 2 and all(k.startswith("genesys/hello/") for k in keys)
    assert deployed.log.writes.count("s3:PutObject") == 2
    assert boto("lambda").get_function(FunctionName="hello")["Configuration"]["CodeSha256"] == \
        deployer.code_artifact(p.spec(), p.root).code_sha256


def test_a_zip_over_the_limit_without_an_artifact_bucket_is_a_config_error(project, clients, monkeypatch, dry_run):
    from genesys_tasks.deploy.planner import inputs

    monkeypatch.setattr(inputs, "DIRECT_UPLOAD_LIMIT", 10)
    p = project()
    with pytest.raises(ConfigError) as caught:
        dry_run(p, clients())
    assert "artifact_bucket" in caught.value.hint


def test_a_layer_version_that_does_not_exist_stops_before_any_write_at_its_line(project, clients, boto, deploy):
    import io
    import zipfile

    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as zipped:
        zipped.writestr("python/helpers.py", "X = 1\n")
    real = boto("lambda").publish_layer_version(LayerName="helpers", Content={"ZipFile": content.getvalue()})[
        "LayerVersionArn"]
    gone = "arn:aws:lambda:us-east-1:175033217214:layer:graphicsmagick:2"
    p = project(requirements=None)
    p.edit("memory_mb = 256\n", f'memory_mb = 256\nlayers = ["{real}", "{gone}"]\n')
    used = clients()
    with pytest.raises(ConfigError) as caught:
        deploy(p, used)
    assert caught.value.exit_code == EXIT_BAD_INPUT and f"layer version {gone} does not exist" in caught.value.message
    assert real not in caught.value.message
    assert caught.value.where.key == "function.layers" and caught.value.where.line is not None
    assert used.log.writes == [] and boto("lambda").list_functions()["Functions"] == []

    p.edit(f', "{gone}"', "")
    deploy(p, clients())
    assert [layer["Arn"] for layer in boto("lambda").get_function(FunctionName="hello")["Configuration"][
        "Layers"]] == [real]
    again = clients()
    deploy(p, again)
    assert again.log.writes == [] and "lambda:GetLayerVersion" not in again.log.reads  # in use: not asked again
