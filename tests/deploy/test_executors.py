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
                     "  = function url f: no change", "Plan: 2 to create, 0 to update, 0 to delete.",
                     "3 write call(s) would be made"]
    assert lines == render(a_plan()) and capsys.readouterr() == ("", "")
    assert values["role_arn"] == Var("role_arn") and not executor.applies


def test_the_collecting_executor_keeps_the_changes_as_data_and_writes_nothing(capsys):
    executor = CollectingExecutor()
    executor.run(a_plan())
    assert executor.changes[0] == {"resource": "role r", "action": "create",
                                   "changes": [{"field": "policies", "old": None, "new": ["logs"]}]}
    assert len(executor.changes) == 3 and not executor.applies and capsys.readouterr() == ("", "")


def test_an_empty_plan_says_there_is_nothing_to_change():
    assert render(Plan()) == ["Plan: 0 to create, 0 to update, 0 to delete.", "nothing to change"]


def test_the_summary_line_counts_as_terraform_does_an_adoption_as_an_update():
    from genesys_tasks.deploy.executor import summary

    plan = Plan()
    for resource, action in (("role r", "create"), ("function f", "update"), ("url f", "adopt"),
                             ("rule x", "delete"), ("layer l", "no change")):
        plan.change(resource, action)
    assert summary(plan) == "Plan: 1 to create, 2 to update, 1 to delete."


def test_plan_signs_are_coloured_on_a_terminal_and_plain_with_no_color(monkeypatch):
    import io

    from rich.console import Console

    from genesys_tasks import ui

    for no_color, coloured in (("", True), ("1", False)):
        out = io.StringIO()
        monkeypatch.setattr(ui, "_console", Console(file=out, force_terminal=True, no_color=bool(no_color),
                                                    highlight=False, soft_wrap=True))
        ui.plan_line("  + role r: create")
        ui.plan_line("  - rule x: delete")
        text = out.getvalue()
        assert ("\x1b[32m+" in text and "\x1b[31m-" in text) is coloured, repr(text)
        assert "role r: create" in text
