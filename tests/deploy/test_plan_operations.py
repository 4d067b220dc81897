"""A plan names only operations its adapters have: checked when it is made, before anything runs
(a dry run included), never found out half-way through an apply."""

from __future__ import annotations

import pytest

from genesys_tasks.aws.session import unknown_operations
from genesys_tasks.deploy import planner
from genesys_tasks.deploy.deployer import checked
from genesys_tasks.deploy.model import Plan, Var
from genesys_tasks.errors import GenesysError


def test_the_planners_calls_all_name_adapter_operations(make_spec, artifact, facts):
    spec = make_spec('alias = "live"\n\n[[triggers]]\ntype = "api_gateway"\nmethod = "GET"\npath = "/x"\n')
    plan = planner.plan_role(spec, None, facts)
    plan.extend(planner.plan_function(spec, artifact(), facts, None, None, Var("role_arn"), None))
    assert len(plan.calls) > 5 and unknown_operations(plan.calls) == []
    assert checked(plan) is plan


def test_a_call_no_adapter_has_stops_the_plan_naming_it():
    plan = Plan()
    plan.call("lambda", "create_functoin", "function hello", FunctionName="hello")
    plan.call("kinesis", "put_record", "stream s", StreamName="s")
    assert unknown_operations(plan.calls) == ["lambda:create_functoin", "kinesis:put_record"]
    with pytest.raises(GenesysError) as raised:
        checked(plan)
    assert "lambda:create_functoin, kinesis:put_record" in raised.value.message
    assert "nothing was changed" in raised.value.hint
