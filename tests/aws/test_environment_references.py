"""``${ssm:...}`` and ``${secretsmanager:...[:key]}`` in ``[function.environment]``, filled at deploy
time with the deploy's credentials; a reference that cannot be filled stops the deploy (exit 2)
before the role or layer is written, from ``genesys execute`` and ``doit deploy:<fn>`` alike."""

from __future__ import annotations

import json

import pytest

from genesys_tasks import paths
from genesys_tasks.build.record import record_build
from genesys_tasks.build.zipper import write_zip
from genesys_tasks.commands.init_repo import DODO
from genesys_tasks.config import load
from genesys_tasks.deploy import deployer
from genesys_tasks.deploy.session import Session
from genesys_tasks.errors import AwsError

TOML = """\
[metadata]
name = "refs"
runtime = "python3.12"
handler = "app.handler"

[function.environment]
{environment}
"""


def _function(folder, environment: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = folder / "lambda_refs.toml"
    toml.write_text(TOML.format(environment=environment))
    return toml


def test_ssm_and_secrets_manager_references_are_filled_at_deploy_time(aws, boto, run_genesys, tmp_path):
    boto("ssm").put_parameter(Name="/app/db-url", Value="postgres://db.internal/app", Type="SecureString")
    boto("secretsmanager").create_secret(Name="app-keys", SecretString=json.dumps({"stripe": "sk_test_123456"}))
    boto("secretsmanager").create_secret(Name="plain-token", SecretString="tok-abcdef")
    toml = _function(tmp_path, 'DB_URL = "${ssm:/app/db-url}"\nSTRIPE = "${secretsmanager:app-keys:stripe}"\n'
                               'TOKEN = "prefix-${secretsmanager:plain-token}"\nSTAGE = "dev"\n')
    result = run_genesys("execute", toml.name, cwd=tmp_path)
    assert result.code == 0, result.output
    variables = boto("lambda").get_function(FunctionName="refs")["Configuration"]["Environment"]["Variables"]
    assert variables == {"DB_URL": "postgres://db.internal/app", "STRIPE": "sk_test_123456",
                         "TOKEN": "prefix-tok-abcdef", "STAGE": "dev"}
    for secret in ("postgres://db.internal/app", "sk_test_123456", "tok-abcdef"):
        assert secret not in result.output
    assert "sk_test_123456" not in toml.read_text()


def test_a_missing_parameter_exits_2_before_any_write(aws, boto, run_genesys, tmp_path):
    toml = _function(tmp_path, 'DB_URL = "${ssm:/app/missing}"\n')
    result = run_genesys("execute", toml.name, cwd=tmp_path)
    assert result.code == 2, result.output
    assert "DB_URL refers to ${ssm:/app/missing}, which does not exist" in result.stderr
    assert "Traceback" not in result.output
    assert boto("iam").list_roles()["Roles"] == [] and boto("lambda").list_functions()["Functions"] == []


def test_a_json_key_the_secret_lacks_is_named(aws, boto, run_genesys, tmp_path):
    boto("secretsmanager").create_secret(Name="app-keys", SecretString='{"other": "x"}')
    toml = _function(tmp_path, 'STRIPE = "${secretsmanager:app-keys:stripe}"\n')
    result = run_genesys("execute", toml.name, "--dry-run", cwd=tmp_path)
    assert result.code == 2 and "key 'stripe' of secret app-keys" in result.stderr, result.output


def test_doit_deploy_checks_references_before_the_role_or_layer_tasks_write(aws, boto, run_doit, tmp_path,
                                                                           monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    (tmp_path / "dodo.py").write_text(DODO)
    _function(tmp_path / "fn", 'KEY = "${env:NOT_SET_ANYWHERE}"\n')
    (tmp_path / "fn" / "requirements.txt").write_text("")
    result = run_doit("deploy:refs", cwd=tmp_path)
    assert result.code != 0
    assert "KEY refers to ${env:NOT_SET_ANYWHERE}, which is not set" in result.output
    assert boto("iam").list_roles()["Roles"] == []
    assert boto("lambda").list_layers()["Layers"] == []


def test_an_aws_error_quoting_a_secret_managers_value_shows_it_masked(aws, boto, tmp_path):
    boto("secretsmanager").create_secret(Name="app-keys", SecretString='{"stripe": "sk_live_abcdef"}')
    toml = _function(tmp_path, 'STRIPE = "${secretsmanager:app-keys:stripe}"\n')

    class Failing:
        applies = True

        def run(self, plan):
            raise AwsError("lambda:CreateFunction failed: sk_live_abcdef is not allowed")

    write_zip([("app.py", tmp_path / "app.py")], paths.function_zip(tmp_path, "refs", "x86_64"))
    record_build(tmp_path, "refs", ["x86_64"], False)
    spec = load(toml)
    with pytest.raises(AwsError) as caught:
        deployer.deploy(spec, tmp_path, Session().clients(spec), Failing())
    assert "sk_live_abcdef" not in caught.value.render() and "****" in caught.value.message
