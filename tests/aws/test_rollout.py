"""Gradual rollouts on the emulator: an alarm that goes to ALARM mid-rollout ends with the alias on
the old version and exit 1; without alarms the alias ends at 100% of the new version; --no-wait
leaves the first step for `genesys rollout --continue/--abort`."""

from __future__ import annotations

import pytest

from genesys_tasks.cli import main
from genesys_tasks.deploy import rollout
from genesys_tasks.deploy.executor import Executor

pytestmark = pytest.mark.production  # several deploys: run by .ci/run's production step

TRAFFIC = '''alias = "live"

[deployment.traffic]
strategy = "{strategy}"
percent = {percent}
interval_minutes = 0
alarms = {alarms}
'''


def _project(project, strategy="canary", percent=10, alarms="[]"):
    p = project(requirements=None)
    p.toml.write_text(p.toml.read_text().replace(
        '\n[deployment]\nfunction_url = true\nauth_type = "NONE"  # public\n', "\n[deployment]\n" + TRAFFIC.format(
            strategy=strategy, percent=percent, alarms=alarms)))
    return p


def _alias(boto) -> dict:
    found = boto("lambda").get_alias(FunctionName="hello", Name="live")
    return {"version": found["FunctionVersion"],
            "weights": (found.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}}


def test_an_alarm_in_alarm_mid_rollout_puts_the_alias_back_and_exits_1(project, clients, boto, deploy):
    watch = boto("cloudwatch")
    watch.put_metric_alarm(AlarmName="hello-errors", MetricName="Errors", Namespace="AWS/Lambda", Statistic="Sum",
                           Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    p = _project(project, "linear", 25, '["hello-errors"]')
    deploy(p, clients())
    p.code("def handler(event, context):\n    return 2\n")
    used = clients()
    outcome = deploy(p, used)
    assert _alias(boto) == {"version": "1", "weights": {"2": 0.25}}

    steps = []

    def sleep(seconds):  # the second wait: the new version raises errors
        steps.append(seconds)
        if len(steps) == 2:
            watch.set_alarm_state(AlarmName="hello-errors", StateValue="ALARM", StateReason="errors")

    with pytest.raises(rollout.RolloutError) as caught:
        rollout.proceed(p.spec(), used, Executor(used), outcome.values["rollout_from"], outcome.values["rollout_to"],
                        25, sleep=sleep)
    assert caught.value.exit_code == 1
    assert "alarm hello-errors is in ALARM" in caught.value.message and "back on version 1" in caught.value.message
    assert _alias(boto) == {"version": "1", "weights": {}}


def test_without_alarms_the_rollout_ends_at_100_percent_of_the_new_version(project, clients, boto, aws):
    p = _project(project)
    assert main(["execute", str(p.toml)]) == 0
    p.code("def handler(event, context):\n    return 2\n")
    assert main(["execute", str(p.toml)]) == 0
    assert _alias(boto) == {"version": "2", "weights": {}}


def test_no_wait_leaves_the_first_step_for_continue_or_abort(project, clients, boto, aws):
    p = _project(project)
    assert main(["execute", str(p.toml)]) == 0
    for n, (flag, ends) in enumerate([("--abort", {"version": "1", "weights": {}}),
                                      ("--continue", {"version": "3", "weights": {}})], start=2):
        p.code(f"def handler(event, context):\n    return {n}\n")
        assert main(["execute", str(p.toml), "--no-wait"]) == 0
        assert _alias(boto)["weights"] == {str(n): 0.1}
        assert main(["rollout", str(p.toml), flag]) == 0
        assert _alias(boto) == ends
    assert main(["rollout", str(p.toml), "--continue"]) == 0  # nothing in progress: says so


def test_a_rerun_after_a_stopped_rollout_resumes_it_instead_of_reporting_no_change(project, boto, aws, monkeypatch,
                                                                                    capfd):
    monkeypatch.delenv("CI", raising=False)
    p = _project(project)
    assert main(["execute", str(p.toml)]) == 0
    p.code("def handler(event, context):\n    return 2\n")
    assert main(["execute", str(p.toml), "--no-wait"]) == 0  # the state a killed deploy leaves
    assert _alias(boto)["weights"] == {"2": 0.1}
    capfd.readouterr()

    assert main(["execute", str(p.toml), "--dry-run"]) == 0
    shown = capfd.readouterr().err
    assert "alias hello:live: resume rollout" in shown and "90% on version 1, 10% on version 2" in shown
    assert _alias(boto)["weights"] == {"2": 0.1}

    assert main(["execute", str(p.toml), "--no-wait"]) == 2  # nobody waits for it: named, not resumed
    told = capfd.readouterr().err
    assert "genesys rollout --continue -- lambda_hello.toml" in told and "--abort" in told
    monkeypatch.setenv("CI", "true")
    assert main(["execute", str(p.toml)]) == 2
    assert _alias(boto)["weights"] == {"2": 0.1}

    monkeypatch.delenv("CI")
    assert main(["execute", str(p.toml)]) == 0
    assert _alias(boto) == {"version": "2", "weights": {}}
    assert main(["execute", str(p.toml), "--dry-run"]) == 0
    assert "resume rollout" not in capfd.readouterr().err
