"""The three executors of one plan: the real one calls the adapters and fills placeholders,
the display one writes lines, the collecting one keeps data; none of them prints."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from genesys_tasks.deploy.executor import CollectingExecutor, DisplayExecutor, Executor, render
from genesys_tasks.deploy.model import Fmt, Plan, Var
from genesys_tasks.errors import AwsError


class FakeAdapter:
    def __init__(self, log: list, responses: dict):
        self.log, self.responses = log, responses

    def __getattr__(self, method):
        def call(**params):
            self.log.append((method, params))
            if isinstance(self.responses.get(method), Exception):
                raise self.responses[method]
            return self.responses.get(method, {})

        return call


class FakeClients:
    """Adapters that record their calls and answer from ``responses`` (method → response)."""

    def __init__(self, **responses):
        self.log: list = []
        self.responses = responses

    def adapter(self, service):
        return FakeAdapter(self.log, self.responses)


def a_plan() -> Plan:
    plan = Plan()
    plan.call("iam", "create_role", "role r", outputs={"role_arn": "Role.Arn"}, RoleName="r")
    plan.call("lambda", "create_function", "function f", FunctionName="f", Role=Var("role_arn"))
    plan.call("lambda", "add_permission", "function f", SourceArn=Fmt("arn:{role_arn}/x"))
    plan.change("role r", "create", [("policies", None, ["logs"])])
    plan.change("function f", "create")
    plan.change("function url f", "no change")
    plan.known.update({"role_arn": Var("role_arn"), "function_url": "https://u"})
    return plan


def test_the_executor_runs_each_call_filling_placeholders_and_reports_each_resource(capsys):
    clients = FakeClients(create_role={"Role": {"Arn": "arn:role"}})
    shown = []

    @contextmanager
    def progress(label):
        shown.append(label)
        yield

    values = Executor(clients, progress).run(a_plan())
    assert clients.log == [("create_role", {"RoleName": "r"}),
                           ("create_function", {"FunctionName": "f", "Role": "arn:role"}),
                           ("add_permission", {"SourceArn": "arn:arn:role/x"})]
    assert shown == ["create role r", "create function f"]
    assert values == {"role_arn": "arn:role", "function_url": "https://u"}
    assert Executor.applies and capsys.readouterr() == ("", "")


def test_a_failing_call_says_what_was_already_applied():
    clients = FakeClients(create_role={"Role": {"Arn": "arn:role"}}, create_function=AwsError("boom"))
    with pytest.raises(AwsError) as caught:
        Executor(clients).run(a_plan())
    assert caught.value.hint.startswith("stopped at: create function f; already applied: create role r.")


def test_the_display_executor_writes_the_changes_and_calls_nothing(capsys):
    lines: list[str] = []
    executor = DisplayExecutor(lines.append)
    values = executor.run(a_plan())
    assert lines == ["  + role r: create", "      policies: (none) → [logs]", "  + function f: create",
                     "  = function url f: no change", "3 write call(s) would be made"]
    assert lines == render(a_plan()) and capsys.readouterr() == ("", "")
    assert values["role_arn"] == Var("role_arn") and not executor.applies


def test_the_collecting_executor_keeps_the_changes_as_data_and_writes_nothing(capsys):
    executor = CollectingExecutor()
    executor.run(a_plan())
    assert executor.changes[0] == {"resource": "role r", "action": "create",
                                   "changes": [{"field": "policies", "old": None, "new": ["logs"]}]}
    assert len(executor.changes) == 3 and not executor.applies and capsys.readouterr() == ("", "")


def test_an_empty_plan_says_there_is_nothing_to_change():
    assert render(Plan()) == ["nothing to change"]
