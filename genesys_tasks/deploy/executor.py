"""Running a plan: three executors with one interface, ``run(plan) -> dict`` (the known values,
ARNs and URLs, by name), chosen by the caller and handed to the deployer.

- ``Executor``            the only code that changes anything in AWS: runs the calls in
                          order, resolving placeholders from earlier outputs, and reports
                          each resource through the ``progress(label)`` context manager it
                          is handed (its duration, for people).
- ``DisplayExecutor``     a dry run for people: renders the plan's changes as lines to the
                          ``write`` callable it is handed; calls nothing.
- ``CollectingExecutor``  a dry run for machines (``--output json``): keeps the changes as
                          plain data in ``changes``; calls and writes nothing.

``applies`` tells whether an executor changes AWS. Nothing here prints: what people see
goes through the callables the command layer hands in.
"""

from __future__ import annotations

from contextlib import nullcontext
from itertools import groupby
from typing import Callable, ContextManager, Protocol

from ..errors import GenesysError
from .model import ApiCall, FileBytes, Fmt, Plan, Var, shown


class PlanExecutor(Protocol):
    applies: bool  # True when run() changes AWS

    def run(self, plan: Plan) -> dict: ...


def no_progress(label: str) -> ContextManager:
    """The default ``progress``: nobody is watching."""
    return nullcontext()


def resolve(value, variables: dict):
    """``value`` with every placeholder replaced by what is now known."""
    if isinstance(value, Var):
        return variables[value.name]
    if isinstance(value, Fmt):
        return value.template.format(**variables)
    if isinstance(value, FileBytes):
        return value.path.read_bytes()
    if isinstance(value, dict):  # keys too: a routing config's weights are keyed by a version published now
        return {resolve(k, variables): resolve(v, variables) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, variables) for v in value]
    return value


def dig(response: dict, path: str):
    for part in path.split("."):
        response = response[part]
    return response


class Executor:
    """Runs ``ApiCall``s through the adapters of ``clients``, one resource at a time."""

    applies = True

    def __init__(self, clients, progress: Callable[[str], ContextManager] = no_progress):
        self.clients = clients
        self.progress = progress

    def run(self, plan: Plan) -> dict:
        """Run every call; return the known values with placeholders filled (role_arn, function_url, ...)."""
        variables = {k: v for k, v in plan.known.items() if not isinstance(v, (Var, Fmt))}
        actions = {c.resource: c.action for c in plan.changes}
        done: list[str] = []
        for resource, calls in groupby(plan.calls, key=lambda c: c.resource):
            label = f"{actions.get(resource, 'update')} {resource}"
            try:
                with self.progress(label):
                    for call in calls:
                        self._one(call, variables)
            except GenesysError as err:
                raise _partly_done(err, label, done) from None
            done.append(label)
        return {k: resolve(v, variables) for k, v in plan.known.items()}

    def _one(self, call: ApiCall, variables: dict) -> None:
        adapter = self.clients.adapter(call.service)
        response = getattr(adapter, call.method)(**resolve(call.params, variables))
        for name, path in call.outputs.items():
            variables[name] = dig(response, path)


def _partly_done(err: GenesysError, failed: str, done: list[str]) -> GenesysError:
    """Say what was already changed when a step fails, so nothing is left half-deployed unexplained."""
    applied = "; ".join(done) if done else "nothing"
    note = (f"stopped at: {failed}; already applied: {applied}. Running again continues from what AWS "
            "now has (each step compares with AWS's own state)")
    err.hint = f"{err.hint}\n  {note}" if err.hint else note
    return err


class DisplayExecutor:
    """A dry run for people: writes the plan's changes, one line each, then how many writes it holds."""

    applies = False

    def __init__(self, write: Callable[[str], None]):
        self.write = write

    def run(self, plan: Plan) -> dict:
        for line in render(plan):
            self.write(line)
        return dict(plan.known)


class CollectingExecutor:
    """A dry run for machines: ``changes`` holds the plan's changes as plain data after ``run``."""

    applies = False

    def __init__(self):
        self.changes: list[dict] = []

    def run(self, plan: Plan) -> dict:
        self.changes = [c.as_dict() for c in plan.changes]
        return dict(plan.known)


def render(plan: Plan) -> list[str]:
    """The lines a dry run shows: ``+``/``~``/``-``/``=`` per resource, its field diffs, then a summary."""
    lines = []
    for change in plan.changes:
        if change.action == "no change":
            lines.append(f"  = {change.resource}: no change")
            continue
        sign = {"create": "+", "delete": "-"}.get(change.action, "~")
        lines.append(f"  {sign} {change.resource}: {change.action}")
        lines += [f"      {field}: {shown(old)} → {shown(new)}" for field, old, new in change.changes]
    lines.append(summary(plan))
    writes = len(plan.writes)
    lines.append(f"{writes} write call(s) would be made" if writes else "nothing to change")
    return lines


SUMMARY_ACTIONS = {"create": "create", "update": "update", "adopt": "update", "delete": "delete"}


def summary(plan: Plan) -> str:
    """Terraform's summary line: ``Plan: 2 to create, 1 to update, 0 to delete.`` (an adoption is an update)."""
    counts = {"create": 0, "update": 0, "delete": 0}
    for change in plan.changes:
        if change.action in SUMMARY_ACTIONS:
            counts[SUMMARY_ACTIONS[change.action]] += 1
    return "Plan: " + ", ".join(f"{n} to {action}" for action, n in counts.items()) + "."
