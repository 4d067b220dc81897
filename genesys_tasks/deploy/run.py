"""Deploying and deleting one function: read state, plan, then execute or display.

This is what ``genesys execute/delete`` and the doit tasks call. It resolves
``${env:NAME}`` values (kept in memory only), finds the built zips, reads AWS's
state, plans, and hands the plan to the real executor or to the display one for a
dry run. It never reads the TOML: every check of the spec is made when it is loaded.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths, ui
from ..config.locate import where_in
from ..config.spec import FunctionSpec
from ..errors import BuildError, ConfigError, UsageError
from . import planner, state, triggers
from .executor import Executor, display
from .model import Plan

STAGES = ("role", "layer", "function")
ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Outcome:
    """What a deploy did (or would do): the plan, the resulting values, and the call log."""

    plan: Plan
    values: dict = field(default_factory=dict)
    dry_run: bool = False
    account: str = ""

    @property
    def write_calls(self) -> int:
        """Write calls made (or, in a dry run, that would be made)."""
        return len(self.plan.writes)

    def result(self) -> dict:
        layers = [self.values.get("layer_arn")] if self.values.get("layer_arn") else []
        return {
            "function_arn": self.values.get("function_arn"),
            "function_url": self.values.get("function_url"),
            "api_endpoint": self.values.get("api_endpoint"),
            "role_arn": self.values.get("role_arn"),
            "layer_version_arns": layers + list(self.values.get("extra_layers", [])),
            "changes": [c.as_dict() for c in self.plan.changes if c.action != "no change"],
        }


def resolve_environment(spec: FunctionSpec) -> dict:
    """``[function.environment]`` with ``${env:NAME}`` filled from this process's environment."""
    resolved = {}
    for key, value in spec.function.environment:
        def fill(match, key=key):
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{key} refers to ${{env:{name}}}, which is not set",
                                  hint=f"export {name}=... before deploying, or change the value",
                                  where=where_in(spec.path, "function", "environment", key))
            return os.environ[name]

        resolved[key] = ENV_REF.sub(fill, value)
    return resolved


def artifact(path: Path) -> planner.Artifact:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return planner.Artifact(path, base64.b64encode(digest.digest()).decode())


def built(spec: FunctionSpec, path: Path) -> planner.Artifact:
    if not path.is_file():
        raise BuildError(f"{path} does not exist", hint=f"build it first: genesys lambda build {spec.path}")
    return artifact(path)


def layer_artifact(spec: FunctionSpec, root: Path) -> planner.Artifact | None:
    """The deploy architecture's layer zip, when the function has dependencies."""
    return built(spec, paths.layer_zip(root, spec.name, spec.deployment.architecture)) if spec.has_layer else None


def code_artifact(spec: FunctionSpec, root: Path) -> planner.Artifact:
    return built(spec, paths.function_zip(root, spec.name, spec.deployment.architecture))


def open_clients(spec: FunctionSpec):
    from ..aws.session import Clients
    from ..aws.target import target_for

    return Clients(target_for(spec.deployment.region, spec.deployment.profile),
                   notify=lambda message: ui.info(f"  {message}"))


def role_name(spec: FunctionSpec) -> str:
    if not spec.iam.auto_manage and spec.iam.role_arn:
        return spec.iam.role_arn.rsplit("/", 1)[-1]
    return spec.iam.role_name


def read_state(spec: FunctionSpec, clients, stages, with_layer: bool) -> dict:
    """Everything the planner compares against, read in parallel: one thread per service,
    so each service's calls keep their order."""
    from concurrent.futures import ThreadPoolExecutor

    def lambda_state():
        layers = state.read_layer_versions(clients, spec.layer.name) if with_layer else []
        return layers, state.read_function(clients, spec.name) if "function" in stages else None

    clients.prepare("sts", "iam", "lambda", "apigatewayv2")
    with ThreadPoolExecutor(max_workers=4) as pool:
        account = pool.submit(clients.account)
        role = pool.submit(state.read_role, clients, role_name(spec)) if "role" in stages else None
        lam = pool.submit(lambda_state)
        api = pool.submit(state.read_api, clients, spec.name) if "function" in stages else None
        layers, function = lam.result()
        return {"account": account.result(), "role": role.result() if role else None, "layers": layers,
                "function": function, "api": api.result() if api else None}


def plan_deploy(spec: FunctionSpec, root: Path, clients, stages=STAGES) -> tuple[Plan, str]:
    """Read AWS's state (read-only calls) and plan ``stages``; return the plan and the account.

    The function stage needs the role and the layer, so it always plans them too
    (no writes when they are current); ``role`` or ``layer`` alone plan just that.
    """
    stages = set(STAGES if "function" in stages else stages)
    environment = resolve_environment(spec) if "function" in stages else {}
    code = code_artifact(spec, root) if "function" in stages else None
    layer = layer_artifact(spec, root) if "layer" in stages else None
    plan = Plan()
    with ui.progress(f"reading the current state of {spec.name} from AWS"):
        remote = read_state(spec, clients, stages, layer is not None)
        account = remote["account"]
        if "role" in stages:
            plan.extend(planner.plan_role(spec, remote["role"]))
        if layer is not None:
            # only when pruning is possible: an unchanged deploy makes no extra read
            may_prune = sum(v.marked for v in remote["layers"]) >= spec.deployment.keep_layer_versions
            users = state.layer_users(clients, spec.layer.name, spec.name) if may_prune else {}
            plan.extend(planner.plan_layer(spec, layer, remote["layers"], users))
        if "function" in stages:
            facts = planner.Facts(clients.region, account, environment)
            trigger_state = triggers.read_state(spec, clients, facts.region, account, remote["function"])
            plan.extend(planner.plan_function(spec, code, facts, remote["function"], remote["api"],
                                              plan.known["role_arn"], plan.known.get("layer_arn")))
            plan.extend(triggers.plan(spec, trigger_state))  # after the permissions they need
    return plan, account


def deploy(spec: FunctionSpec, root: Path, *, clients=None, dry_run: bool = False, json_output: bool = False,
           stages=STAGES, record_role: bool = True) -> Outcome:
    """Deploy ``stages`` of one function (or show what would change); record a created role in the TOML.

    ``record_role=False`` leaves the TOML alone (the sandbox: its ARNs mean nothing in a real account).
    """
    clients = clients or open_clients(spec)
    plan, account = plan_deploy(spec, root, clients, stages)
    if dry_run:
        display(plan, json_output=json_output)
        return Outcome(plan, dict(plan.known), dry_run=True, account=account)
    values = Executor(clients).run(plan)
    values["extra_layers"] = list(spec.function.layers)
    role_arn = values.get("role_arn")
    if record_role and spec.iam.auto_manage and isinstance(role_arn, str) and spec.iam.role_arn != role_arn:
        from . import writeback

        if writeback.record_role(spec.path, role_arn):
            ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
    return Outcome(plan, values, account=account)


def delete(spec: FunctionSpec, *, clients=None, yes: bool = False, confirm=None) -> Outcome:
    """Delete what genesys made for this function (after confirmation unless ``yes``)."""
    import sys

    clients = clients or open_clients(spec)
    with ui.progress(f"reading the current state of {spec.name} from AWS"):
        account = clients.account()
        function = state.read_function(clients, spec.name)
        plan = Plan()
        if function is None or function.marked:  # triggers outlive their function in AWS: remove them first
            plan = triggers.plan(spec, triggers.read_state(spec, clients, clients.region, account, function, ()), ())
        versions = state.read_layer_versions(clients, spec.layer.name)
        users = state.layer_users(clients, spec.layer.name, spec.name) if any(v.marked for v in versions) else {}
        plan.extend(planner.plan_delete(spec, state.read_role(clients, role_name(spec)), versions,
                                        function, state.read_api(clients, spec.name), users))
    display(plan)
    if not plan.writes:
        return Outcome(plan, {}, account=account)
    if not yes:
        if confirm is None:
            if not sys.stdin.isatty():
                raise UsageError("delete needs confirmation", hint="pass --yes to delete without asking")
            confirm = lambda: input(f"delete these resources of {spec.name}? [y/N] ").strip().lower() in ("y", "yes")
        if not confirm():
            ui.info("nothing deleted")
            return Outcome(plan, {}, dry_run=True, account=account)
    Executor(clients).run(plan)
    return Outcome(plan, {}, account=account)
