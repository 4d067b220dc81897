"""The deployed commit (``genesys:commit``): one tag call, last, only when the commit differs."""

from __future__ import annotations

from deployed import ACCOUNT, FUNCTION_ARN, MARKER, REGION, deployed_function

from genesys_tasks.deploy import planner
from genesys_tasks.deploy.model import Var


def test_a_new_commit_is_tagged_once_and_the_same_commit_makes_no_call(make_spec):
    spec = make_spec()
    facts = planner.Facts(REGION, ACCOUNT, {}, "c2")
    plan = planner.plan_commit(spec, facts, deployed_function(tags={**MARKER, "genesys:commit": "c1"}))
    assert [(c.method, c.params) for c in plan.calls] == [
        ("tag_resource", {"Resource": FUNCTION_ARN, "Tags": {"genesys:commit": "c2"}})]
    assert plan.changes[0].changes == (("Tags.genesys:commit", "c1", "c2"),)
    same = deployed_function(tags={**MARKER, "genesys:commit": "c2"})
    assert planner.plan_commit(spec, facts, same).calls == []
    assert planner.plan_commit(spec, planner.Facts(REGION, ACCOUNT, {}), same).calls == []  # no commit known


def test_a_new_function_is_tagged_after_it_exists(make_spec):
    plan = planner.plan_commit(make_spec(), planner.Facts(REGION, ACCOUNT, {}, "c1"), None)
    assert plan.calls[0].params["Resource"] == Var("function_arn")
