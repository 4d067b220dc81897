"""The deploy session's wiring without AWS: regions, role recording, rollout and results, with a
recording deployer, a recording executor and hand-built plans (no moto, no boto3)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from genesys_tasks.deploy.deployer import Outcome
from genesys_tasks.deploy.executor import CollectingExecutor
from genesys_tasks.deploy.model import Plan
from genesys_tasks.deploy.session import Options, Session, task_values, tell
from genesys_tasks.errors import AwsError, GenesysError

TRAFFIC = 'alias = "live"\n\n[deployment.traffic]\nstrategy = "linear"\npercent = 40\ninterval_minutes = 2\n'


class Recording:
    """An applying executor that records each plan's calls instead of making them."""

    applies = True

    def __init__(self):
        self.calls = []

    def run(self, plan):
        self.calls += [(c.service, c.method, c.params.get("FunctionVersion")) for c in plan.calls]
        return {}


class Deployer:
    """Stands in for ``deployer.deploy``: one planned write per stage, the values it is told to return."""

    def __init__(self, values=None, fail_in=None):
        self.seen, self.values, self.fail_in = [], values or {}, fail_in

    def __call__(self, spec, root, clients, executor, *, stages, record_role, progress, ownership, commit):
        region = spec.deployment.region
        self.seen.append({"region": region, "record_role": record_role, "clients": clients,
                          "sharers": [s.deployment.region for s in ownership.sharers], "adopt": ownership.adopt,
                          "commit": commit})
        if region == self.fail_in:
            raise AwsError(f"throttled in {region}")
        plan = Plan()
        plan.call("lambda", "create_function", f"function {spec.name}", FunctionName=spec.name)
        plan.change(f"function {spec.name}", "create", [])
        values = {"function_url": f"https://{region}.example/", **self.values, **executor.run(plan)}
        return Outcome(plan, values, "123456789012", applied=executor.applies)


def session(options=Options(), deployer=None, executor=None, **kwargs):
    made = []

    def clients(target):
        made.append(target)
        return f"clients of {target.region}"

    return Session(options, deploy_one=deployer or Deployer(), clients_factory=clients,
                   executors=(lambda clients, opts: executor) if executor else None, **kwargs), made


def _regions(spec, *regions):
    return replace(spec, deployment=replace(spec.deployment, region=None, regions=regions))


def test_each_region_deploys_with_the_others_as_role_sharers_and_none_records_the_role(make_spec, tmp_path):
    deployer = Deployer()
    made, _ = session(Options(adopt=True), deployer, Recording())
    deployment = made.deploy(_regions(make_spec(), "us-east-1", "eu-west-1"), tmp_path)
    assert [r.region for r in deployment.results] == ["us-east-1", "eu-west-1"]
    assert [(s["region"], s["sharers"], s["record_role"], s["adopt"]) for s in deployer.seen] == [
        ("us-east-1", ["eu-west-1"], False, True), ("eu-west-1", ["us-east-1"], False, True)]
    assert deployment.failure is None


def test_one_region_records_the_role_unless_the_options_say_no(make_spec, tmp_path):
    for record in (True, False):
        deployer = Deployer()
        made, _ = session(Options(record_role=record), deployer, Recording())
        made.deploy(make_spec(), tmp_path)
        assert deployer.seen[0]["record_role"] is record


def test_the_clients_of_a_target_are_made_once_per_session(make_spec, tmp_path):
    deployer = Deployer()
    made, targets = session(Options(), deployer, Recording())
    spec = make_spec()
    made.deploy(spec, tmp_path)
    made.deploy(spec, tmp_path, ("role",))
    assert made.with_options(dry_run=True).clients(spec) == "clients of us-east-1"
    assert len(targets) == 1 and deployer.seen[0]["clients"] is deployer.seen[1]["clients"]


def test_a_failed_region_is_kept_and_doit_gets_one_error_naming_each_region(make_spec, tmp_path):
    made, _ = session(Options(), Deployer(fail_in="eu-west-1"), Recording())
    deployment = made.deploy(_regions(make_spec(), "us-east-1", "eu-west-1"), tmp_path)
    assert deployment.failure is not None and "failed in eu-west-1" in deployment.failure.message
    with pytest.raises(GenesysError) as raised:
        task_values(deployment, ("role", "layer", "function"))
    assert "deployed to us-east-1" in raised.value.message


def test_doit_saves_each_regions_values_under_its_name_and_the_account(make_spec, tmp_path):
    made, _ = session(Options(), Deployer(), Recording())
    values = task_values(made.deploy(_regions(make_spec(), "us-east-1", "eu-west-1"), tmp_path),
                         ("role", "layer", "function"))
    assert values == {"account": "123456789012", "us-east-1:function_url": "https://us-east-1.example/",
                      "eu-west-1:function_url": "https://eu-west-1.example/"}


def test_a_rollout_takes_its_remaining_steps_through_the_same_executor(make_spec, tmp_path):
    executor, waits = Recording(), []
    made, _ = session(Options(), Deployer({"rollout_from": "1", "rollout_to": "2"}), executor, sleep=waits.append)
    made.deploy(make_spec(TRAFFIC), tmp_path)
    assert executor.calls == [("lambda", "create_function", None), ("lambda", "update_alias", "1"),
                              ("lambda", "update_alias", "2")]
    assert waits == [120, 120]


def test_without_wait_a_rollout_stays_at_its_first_step_and_says_how_to_finish(make_spec, tmp_path, capsys):
    executor = Recording()
    made, _ = session(Options(wait=False), Deployer({"rollout_from": "1", "rollout_to": "2"}), executor)
    made.deploy(make_spec(TRAFFIC), tmp_path)
    assert executor.calls == [("lambda", "create_function", None)]
    assert "genesys rollout --continue -- lambda_hello.toml" in capsys.readouterr().err


def test_a_dry_run_for_machines_collects_each_regions_plan_and_prints_it_as_json(make_spec, tmp_path, capsys):
    import json

    options = Options(dry_run=True, json_output=True)
    made, _ = session(options, Deployer())
    assert isinstance(made.executor("clients"), CollectingExecutor)
    deployment = made.deploy(_regions(make_spec(), "us-east-1", "eu-west-1"), tmp_path)
    tell(deployment, options, sandboxed=False)
    shown = json.loads(capsys.readouterr().out)
    assert sorted(shown) == ["eu-west-1", "us-east-1"]
    assert shown["us-east-1"] == [{"resource": "function hello", "action": "create", "changes": []}]


def test_doit_reads_its_options_once_from_the_environment():
    options = Options.from_environment({"GENESYS_ADOPT": "1", "GENESYS_NO_WAIT": "true"})
    assert (options.adopt, options.wait, options.dry_run) == (True, False, False)
    assert Options.from_environment({}) == Options()


def test_a_session_pickles_for_doit_workers_without_its_connections(make_spec, tmp_path):
    import pickle

    made = Session(Options(adopt=True))
    made._clients[("pid", "target")] = object()
    again = pickle.loads(pickle.dumps(made))
    assert again.options == made.options and again._clients == {}


def test_the_commit_is_an_option_each_region_deploys_with(make_spec, tmp_path):
    deployer = Deployer()
    made, _ = session(Options(commit="abc123"), deployer, Recording())
    made.deploy(_regions(make_spec(), "us-east-1", "eu-west-1"), tmp_path)
    assert [s["commit"] for s in deployer.seen] == ["abc123", "abc123"]


def test_doit_and_the_cli_read_the_commit_once_at_the_entry():
    from argparse import Namespace

    assert Options.from_environment({"GENESYS_COMMIT": "abc123"}).commit == "abc123"
    assert Options.from_environment({}).commit == ""
    assert Options.from_args(Namespace(commit="def456")).commit == "def456"
