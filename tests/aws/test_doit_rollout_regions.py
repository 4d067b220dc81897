"""`doit deploy:<fn>` for production settings, against the emulator: it takes a gradual rollout's
steps as `genesys execute` does (an alarm in ALARM puts the alias back and fails the task;
``GENESYS_NO_WAIT=1`` leaves the first step and says how to finish it), and it deploys to every
region of ``[deployment] regions``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.production  # several real doit runs

CANARY = """alias = "live"

[deployment.traffic]
strategy = "canary"
percent = 10
interval_minutes = 0
alarms = ["plain-errors"]
"""


def _repo(doit_repo, deployment: str):
    """The conftest's ``plain`` repo, with ``[deployment]`` holding ``deployment``."""
    toml = doit_repo / "plain" / "lambda_plain.toml"
    toml.write_text(toml.read_text() + "\n[deployment]\n" + deployment)
    return doit_repo


def _code(repo, n: int) -> None:
    (repo / "plain" / "app.py").write_text(f"def handler(event, context):\n    return {n}\n")


def _alias(boto) -> tuple:
    found = boto("lambda").get_alias(FunctionName="plain", Name="live")
    return found["FunctionVersion"], (found.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}


def test_doit_deploy_takes_the_rollout_steps_and_an_alarm_puts_the_alias_back(doit_repo, aws, run_doit, boto):
    watch = boto("cloudwatch")
    watch.put_metric_alarm(AlarmName="plain-errors", MetricName="Errors", Namespace="AWS/Lambda", Statistic="Sum",
                           Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    repo = _repo(doit_repo, CANARY)
    assert run_doit("deploy:plain", cwd=repo).code == 0
    _code(repo, 2)
    rolled = run_doit("deploy:plain", cwd=repo)
    assert rolled.code == 0, rolled.output
    assert _alias(boto) == ("2", {})
    assert "live: 100% on version 2" in rolled.stderr

    watch.set_alarm_state(AlarmName="plain-errors", StateValue="ALARM", StateReason="errors")
    _code(repo, 3)
    stopped = run_doit("deploy:plain", cwd=repo)
    assert stopped.code == 1, stopped.output
    assert "alarm plain-errors is in ALARM" in stopped.stderr and "back on version 2" in stopped.stderr
    assert _alias(boto) == ("2", {})

    watch.set_alarm_state(AlarmName="plain-errors", StateValue="OK", StateReason="fixed")
    _code(repo, 4)
    started = run_doit("deploy:plain", cwd=repo, env={"GENESYS_NO_WAIT": "1"})
    assert started.code == 0, started.output
    assert _alias(boto) == ("2", {"4": 0.1})
    assert "genesys rollout --continue -- lambda_plain.toml" in started.stderr


def _functions(boto, region: str) -> set[str]:
    import boto3

    client = boto3.client("lambda", endpoint_url=boto("lambda").meta.endpoint_url, region_name=region)
    return {f["FunctionName"] for f in client.list_functions()["Functions"]}


def test_doit_plans_and_deploys_every_region_and_redeploys_one_that_lost_the_function(doit_repo, aws, run_doit, boto):
    import boto3

    repo = _repo(doit_repo, 'regions = ["us-east-1", "eu-west-1"]\n')
    planned = run_doit("plan:plain", cwd=repo)
    assert planned.code == 0, planned.output
    assert planned.stderr.index("region us-east-1:") < planned.stderr.index("region eu-west-1:")
    assert _functions(boto, "us-east-1") == _functions(boto, "eu-west-1") == set()
    first = run_doit("deploy:plain", cwd=repo)
    assert first.code == 0, first.output
    assert _functions(boto, "us-east-1") == _functions(boto, "eu-west-1") == {"plain"}
    assert "[eu-west-1] plain:" in first.stderr
    again = run_doit("deploy:plain", cwd=repo)
    assert again.code == 0 and "0 ran" in again.stderr, again.output

    boto3.client("lambda", endpoint_url=boto("lambda").meta.endpoint_url,
                 region_name="eu-west-1").delete_function(FunctionName="plain")
    back = run_doit("deploy:plain", cwd=repo)
    assert back.code == 0, back.output
    assert _functions(boto, "eu-west-1") == {"plain"}
    assert "[us-east-1] plain: 0 write call(s) to AWS" in back.stderr
