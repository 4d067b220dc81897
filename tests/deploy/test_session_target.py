"""``--region`` and ``--profile`` over the TOML and the environment, for one run, through the Session."""

from __future__ import annotations

from types import SimpleNamespace

from genesys_tasks.deploy.session import Options, Session


def test_region_and_profile_of_the_run_win_over_the_toml_and_a_region_list(make_spec, monkeypatch):
    monkeypatch.delenv("GENESYS_IN_SANDBOX", raising=False)
    from dataclasses import replace

    spec = make_spec('profile = "team"\n')
    spec = replace(spec, deployment=replace(spec.deployment, region=None, regions=("us-east-1", "eu-west-1")))
    aimed = Session(Options(region="ap-south-1", profile="ci")).aimed(spec)
    assert (aimed.deployment.region, aimed.deployment.regions, aimed.deployment.profile) == ("ap-south-1", (), "ci")
    assert Session().aimed(spec) is spec


def test_the_clients_are_made_for_the_runs_target(make_spec, monkeypatch):
    monkeypatch.delenv("GENESYS_IN_SANDBOX", raising=False)
    made = []
    session = Session(Options.from_args(SimpleNamespace(region="eu-central-1", profile="ops", debug=True)),
                      clients_factory=lambda target: made.append(target) or target)
    target = session.clients(make_spec())
    assert (target.region, target.profile) == ("eu-central-1", "ops") and made == [target]
    assert session.options.debug is True
