"""What a shown plan says about the environment: plain values in the clear, secrets masked."""

from __future__ import annotations

from genesys_tasks.deploy import planner
from genesys_tasks.deploy.model import Var
from genesys_tasks.deploy.planner import Facts
from genesys_tasks.deploy.planner.inputs import MASK, shown_env


def test_plain_values_are_shown_and_references_secret_names_and_random_values_masked():
    assert shown_env("STAGE", "dev", "dev") == "dev"
    assert shown_env("LOG_LEVEL", "DEBUG") == "DEBUG"
    assert shown_env("DB_URL", "postgres://db/app", "${ssm:/app/db}") == MASK
    assert shown_env("HOME_DIR", "/home/x", "${env:HOME}") == MASK
    assert shown_env("API_KEY", "abc") == MASK and shown_env("db_password", "x") == MASK
    assert shown_env("WEBHOOK", "a8F3kq9ZpLm2Xv7Rt4Yw") == MASK  # random-looking
    assert shown_env("GONE", None) is None


def test_a_created_functions_plan_shows_its_plain_environment(make_spec, artifact, monkeypatch):
    monkeypatch.setenv("GENESYS_TEST_SECRET", "s3cr3t-value")
    spec = make_spec('[function.environment]\nSTAGE = "dev"\nTOKEN = "x"\nFROM_ENV = "${env:GENESYS_TEST_SECRET}"\n')
    facts = Facts("us-east-1", "123456789012", {"STAGE": "dev", "TOKEN": "x", "FROM_ENV": "s3cr3t-value"})
    plan = planner.plan_function(spec, artifact(), facts, None, None, Var("role_arn"), None)
    shown = {f: new for f, _old, new in plan.changes[0].changes if f.startswith("Environment.")}
    assert shown == {"Environment.FROM_ENV": MASK, "Environment.STAGE": "dev", "Environment.TOKEN": MASK}


def test_a_created_functions_plan_shows_its_tags(make_spec, artifact):
    spec = make_spec('[tags]\nteam = "data"\n')
    plan = planner.plan_function(spec, artifact(), Facts("us-east-1", "123456789012", {}), None, None,
                                 Var("role_arn"), None)
    shown = {f: new for f, _old, new in plan.changes[0].changes if f.startswith("Tags.")}
    assert shown["Tags.team"] == "data" and shown["Tags.genesys:managed"] == "true"
