"""`doit deploy` and `genesys execute` on real repos, against the emulator over HTTP.

doit's up-to-date check covers the inputs and the target (endpoint, region, account);
the deploy itself compares with AWS's own state, so a fresh checkout writes nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from genesys_tasks.commands.init_repo import DODO

REPO = Path(__file__).resolve().parent.parent.parent
TOML = """\
# deployed by doit in tests
[metadata]
name = "plain"
runtime = "python3.12"
handler = "app.handler"

[deployment]
function_url = true

[[triggers]]
type = "api_gateway"
path = "/plain"
method = "GET"
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "dodo.py").write_text(DODO)
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    (folder / "lambda_plain.toml").write_text(TOML)
    return tmp_path


def _ran(result) -> list[str]:
    return [line[2:] for line in result.stderr.splitlines() if line.startswith("▶ ")]


def test_second_doit_deploy_is_up_to_date_even_after_the_role_arn_is_recorded(repo, aws, run_doit, boto):
    first = run_doit("deploy", cwd=repo)
    assert first.code == 0, first.output
    assert {"role:plain", "deploy:plain", "build:plain"} <= set(_ran(first))
    assert "role_arn = " in (repo / "plain" / "lambda_plain.toml").read_text()
    assert boto("lambda").get_function(FunctionName="plain")["Tags"]["genesys:managed"] == "true"

    second = run_doit("deploy", cwd=repo)
    assert second.code == 0, second.output
    assert _ran(second) == []
    assert "0 ran" in second.stderr


def test_a_fresh_checkout_redeploys_unchanged_functions_with_zero_write_calls(repo, aws, run_doit):
    assert run_doit("deploy", cwd=repo).code == 0
    for state in (repo / ".genesys").glob("doit.db*"):
        state.unlink()
    again = run_doit("deploy", cwd=repo)
    assert again.code == 0, again.output
    assert "deploy:plain" in _ran(again)
    assert "plain: 0 write call(s) to AWS" in again.stderr


def test_a_new_account_or_region_is_deployed_to(repo, aws, run_doit, boto, monkeypatch):
    assert run_doit("deploy", cwd=repo).code == 0
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")  # the emulator now answers as another account
    other_account = run_doit("deploy", cwd=repo)
    assert "deploy:plain" in _ran(other_account), other_account.output
    arn = boto("lambda").get_function(FunctionName="plain")["Configuration"]["FunctionArn"]
    assert ":111111111111:" in arn

    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    other_region = run_doit("deploy", cwd=repo)
    assert "deploy:plain" in _ran(other_region), other_region.output


def test_doit_plan_is_read_only_and_never_up_to_date(repo, aws, run_doit, boto):
    for _ in range(2):
        result = run_doit("plan:plain", cwd=repo)
        assert result.code == 0, result.output
        assert "plan:plain" in _ran(result)
        assert "function plain: create" in result.stderr
    assert boto("lambda").list_functions()["Functions"] == []
    assert "role_arn" not in (repo / "plain" / "lambda_plain.toml").read_text()


def test_a_bare_doit_builds_and_never_deploys(repo, aws, run_doit, boto):
    result = run_doit(cwd=repo)
    assert result.code == 0, result.output
    assert "build:plain" in _ran(result) and "deploy:plain" not in _ran(result)
    assert boto("lambda").list_functions()["Functions"] == []


def test_execute_an_example_prints_json_and_a_second_run_changes_nothing(tmp_path, aws, run_genesys):
    example = tmp_path / "python-api"
    shutil.copytree(REPO / "examples" / "python-api", example)
    (tmp_path / "dodo.py").write_text(DODO)
    toml = example / "lambda_python_api.toml"

    plan = run_genesys("execute", toml, "--dry-run", "--output", "json")
    assert plan.code == 0, plan.output
    planned = json.loads(plan.stdout)
    assert all(set(entry) == {"resource", "action", "changes"} for entry in planned)
    assert ("function python-api", "create") in {(e["resource"], e["action"]) for e in planned}

    first = run_genesys("execute", toml, "--output", "json")
    assert first.code == 0, first.output
    result = json.loads(first.stdout)
    assert set(result) == {"function_arn", "function_url", "api_endpoint", "role_arn", "layer_version_arns",
                           "changes"}
    assert ".lambda-url.us-east-1.localhost:" in result["function_url"] and len(result["layer_version_arns"]) == 1
    assert result["role_arn"] in toml.read_text()

    second = run_genesys("execute", toml, "--output", "json")
    assert second.code == 0, second.output
    assert json.loads(second.stdout)["changes"] == []
    assert "▶" not in second.stderr  # the build was up to date too: the recorded role_arn changed no input


def test_execute_in_the_sandbox_prints_the_sandboxs_url_with_a_note(tmp_path, run_genesys):
    (tmp_path / "dodo.py").write_text(DODO)
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (folder / "lambda_plain.toml").write_text(TOML)
    result = run_genesys("execute", folder / "lambda_plain.toml", "--sandbox")
    assert result.code == 0, result.output
    assert re.search(r"function URL: http://[a-z0-9]+\.lambda-url\.us-east-1\.localhost:\d+/ \(the sandbox runs "
                     r"the code\)", result.stderr), result.stderr
    assert "API endpoint: https://" in result.stderr and "recorded, not served by the sandbox" in result.stderr
    assert "`genesys serve -- lambda_plain.toml` serves the function on 127.0.0.1" in result.stderr


def test_execute_in_the_sandbox_leaves_the_toml_untouched(tmp_path, run_genesys):
    (tmp_path / "dodo.py").write_text(DODO)
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = folder / "lambda_plain.toml"
    toml.write_text(TOML)
    assert run_genesys("execute", toml, "--sandbox").code == 0
    assert toml.read_text() == TOML


def test_doit_deploy_sends_a_changed_env_reference_value_without_saving_it(repo, aws, run_doit, boto, monkeypatch):
    toml = repo / "plain" / "lambda_plain.toml"
    toml.write_text(TOML + '\n[function.environment]\nAPI_KEY = "${env:PLAIN_API_KEY}"\n')
    monkeypatch.setenv("PLAIN_API_KEY", "first-secret-value")
    assert run_doit("deploy", cwd=repo).code == 0
    monkeypatch.setenv("PLAIN_API_KEY", "second-secret-value")
    again = run_doit("deploy", cwd=repo)
    assert again.code == 0, again.output
    assert "deploy:plain" in _ran(again)
    environment = boto("lambda").get_function_configuration(FunctionName="plain")["Environment"]["Variables"]
    assert environment["API_KEY"] == "second-secret-value"
    unchanged = run_doit("deploy", cwd=repo)
    assert "plain: 0 write call(s) to AWS" in unchanged.stderr
    for written in repo.rglob("*"):
        if written.is_file():
            assert b"secret-value" not in written.read_bytes(), written


def test_doit_deploy_into_a_running_sandbox_leaves_the_toml_alone(repo, aws, run_doit, boto):
    # the emulator stands in for a running `genesys sandbox`: recorded with a live pid and its port
    record = Path(os.environ["GENESYS_CACHE_DIR"]) / "sandbox.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"pid": os.getpid(), "port": int(aws.rsplit(":", 1)[1]), "endpoint": aws}))
    try:
        result = run_doit("deploy", cwd=repo)
    finally:
        record.unlink()
    assert result.code == 0, result.output
    assert boto("lambda").get_function(FunctionName="plain")["Configuration"]["Role"].endswith(
        "/genesys-lambda-plain")
    assert (repo / "plain" / "lambda_plain.toml").read_text() == TOML


def test_the_tasks_of_one_process_share_their_clients_and_ask_for_the_account_once(project, aws):
    from genesys_tasks.deploy.session import Session
    from genesys_tasks.tasks import deploy as tasks

    session = Session()  # what creators() makes once per doit process
    p = project()
    spec = p.spec()
    assert session.account(spec) == "123456789012"  # the up-to-date check
    for step in (tasks.deploy_role, tasks.publish_layer, tasks.deploy_function):
        values = step(spec, p.root, session)
        assert values["account"] == "123456789012"
    shared = session.clients(spec)
    assert shared.log.calls.count(("sts:GetCallerIdentity", False)) == 1
    assert "lambda:CreateFunction" in shared.log.writes
