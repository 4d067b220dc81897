"""The original Genesys CLI forms users already type: `execute X.toml --apply`,
`execute deletion X.toml`, and `config verify` (exit 3 when credentials do not work)."""

from __future__ import annotations

import json

import boto3
from botocore.stub import Stubber

from genesys_tasks.commands.verify import verify
from genesys_tasks.errors import CredentialsError


def test_config_verify_shows_account_region_identity_and_that_lambda_and_iam_answer(aws, run_genesys):
    result = run_genesys("config", "verify")
    assert result.code == 0, result.output
    assert "account:  123456789012" in result.stderr and "region:   us-east-1" in result.stderr
    assert "identity: arn:aws:" in result.stderr
    assert "Lambda answers" in result.stderr and "IAM answers" in result.stderr

    as_json = run_genesys("config", "verify", "--output", "json")
    facts = json.loads(as_json.stdout)
    assert (facts["account"], facts["region"], facts["endpoint"]) == ("123456789012", "us-east-1", aws)
    assert facts["lambda"] == {"answers": True} and facts["iam"] == {"answers": True}


def test_config_verify_without_credentials_exits_3_and_says_how_to_configure(run_genesys, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    result = run_genesys("config", "verify", env={
        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1"})
    assert result.code == 3, result.output
    assert "no AWS credentials" in result.stderr and "aws configure" in result.stderr
    assert "Traceback" not in result.output


def test_config_verify_reports_a_denied_service_and_fails_with_exit_3(clients):
    lam = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    used = clients()
    used.overrides["lambda"] = lam
    with Stubber(lam) as stub:
        stub.add_client_error("list_functions", "AccessDeniedException", "not authorized to perform "
                              "lambda:ListFunctions", expected_params={"MaxItems": 1})
        facts, failure = verify(used)
    assert facts["account"] == "123456789012" and facts["iam"] == {"answers": True}
    assert facts["lambda"]["answers"] is False
    assert isinstance(failure, CredentialsError) and failure.exit_code == 3
    assert "lambda:ListFunctions" in failure.message and used.log.writes == []


def test_config_verify_with_sandbox_needs_no_account(run_genesys, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    result = run_genesys("config", "verify", "--sandbox", env={"AWS_CONFIG_FILE": str(tmp_path / "none")})
    assert result.code == 0, result.output
    assert "endpoint: http://127.0.0.1:" in result.stderr and "Lambda answers" in result.stderr


def test_execute_deletion_is_delete(project, clients, boto, run_genesys, deploy):
    boto("sqs").create_queue(QueueName="jobs")
    p = project(extra='\n[[triggers]]\ntype = "sqs"\nqueue = "jobs"\n')
    deploy(p, clients())
    result = run_genesys("execute", "deletion", p.toml, "--yes")
    assert result.code == 0, result.output
    assert boto("lambda").list_functions()["Functions"] == []
    assert boto("lambda").list_event_source_mappings()["EventSourceMappings"] == []


def test_execute_deletion_without_a_file_is_a_usage_error(run_genesys):
    result = run_genesys("execute", "deletion")
    assert result.code == 2 and "genesys delete" in result.stderr


def test_execute_with_apply_deploys_like_execute(project, boto, run_genesys):
    p = project(requirements=None)
    result = run_genesys("execute", p.toml, "--apply")
    assert result.code == 0, result.output
    assert boto("lambda").get_function(FunctionName="hello")["Configuration"]["FunctionName"] == "hello"
    assert run_genesys("execute", p.toml, "--apply", "--dry-run").code == 2


def test_execute_dry_run_shows_the_plan_on_stderr_and_deploys_nothing(project, boto, run_genesys):
    p = project(requirements=None)
    result = run_genesys("execute", p.toml, "--dry-run")
    assert result.code == 0, result.output
    assert "+ function hello: create" in result.stderr and "write call(s) would be made" in result.stderr
    assert result.stdout == "" and "deployed" not in result.stderr
    assert boto("lambda").list_functions()["Functions"] == []
