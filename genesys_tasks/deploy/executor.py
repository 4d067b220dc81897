"""Running a plan: the only code that changes anything in AWS.

``Executor`` runs the calls in order, resolving placeholders from earlier outputs,
and shows each resource's progress with its duration. ``display`` is the dry-run
executor: it shows the same plan's changes and calls nothing.
"""

from __future__ import annotations

from itertools import groupby

from .. import ui
from ..errors import GenesysError
from .model import ApiCall, FileBytes, Fmt, Plan, Var


def resolve(value, variables: dict):
    """``value`` with every placeholder replaced by what is now known."""
    if isinstance(value, Var):
        return variables[value.name]
    if isinstance(value, Fmt):
        return value.template.format(**variables)
    if isinstance(value, FileBytes):
        return value.path.read_bytes()
    if isinstance(value, dict):
        return {k: resolve(v, variables) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, variables) for v in value]
    return value


def dig(response: dict, path: str):
    for part in path.split("."):
        response = response[part]
    return response


class Executor:
    """Runs ``ApiCall``s through the adapters of ``clients``."""

    def __init__(self, clients):
        self.clients = clients

    def run(self, plan: Plan) -> dict:
        """Run every call; return the known values with placeholders filled (role_arn, function_url, ...)."""
        variables = {k: v for k, v in plan.known.items() if not isinstance(v, (Var, Fmt))}
        actions = {c.resource: c.action for c in plan.changes}
        done: list[str] = []
        for resource, calls in groupby(plan.calls, key=lambda c: c.resource):
            label = f"{actions.get(resource, 'update')} {resource}"
            try:
                with ui.progress(label):
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


def display(plan: Plan, json_output: bool = False) -> list[dict]:
    """Show the plan's changes (a dry run); return them as plain data."""
    changes = [c.as_dict() for c in plan.changes]
    if json_output:
        return changes
    for change in plan.changes:
        if change.action == "no change":
            ui.info(f"  = {change.resource}: no change")
            continue
        sign = {"create": "+", "delete": "-"}.get(change.action, "~")
        ui.info(f"  {sign} {change.resource}: {change.action}")
        for field, old, new in change.changes:
            ui.info(f"      {field}: {_show(old)} → {_show(new)}")
    writes = len(plan.writes)
    ui.info(f"{writes} write call(s) would be made" if writes else "nothing to change")
    return changes


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, (Var, Fmt, FileBytes)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)
