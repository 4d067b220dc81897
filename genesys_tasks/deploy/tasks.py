"""doit task creators for deployment: ``role``, ``layer_publish``, ``deploy``, ``plan``, ``delete``.

``creators(specs, root)`` returns ``task_*`` functions for a repo's specs; the build
graph adds them with one line. Creating tasks does no AWS call and imports no boto3.

When is ``deploy:<fn>`` up to date? When its inputs are unchanged *and* it would
deploy to the same place:

- inputs: the function zip (and layer zip) as ``file_dep``, and ``config_changed`` on
  the settings the deploy reads. The TOML file itself is not a ``file_dep``, and
  ``[iam] role_arn``/``managed_by`` are left out, so recording the role never makes
  a task out of date.
- target: region, profile and endpoint come from the TOML and the environment at
  load time (no network) and are part of ``config_changed``. The account needs a
  call, so each action saves the account it deployed to in the task's values, and
  an ``uptodate`` callable compares it with ``sts:GetCallerIdentity`` for the current
  credentials (one call per target per process, at status-check time, not at load;
  the tasks of a process share one ``Clients`` per target, so actions do not ask again).
  No credentials → not up to date, so the action runs and says how to configure them.
- presence: the function must still be in AWS (one GetFunction at status-check time,
  after the checks above pass), so a delete by ``genesys delete``, ``doit delete:<fn>``
  or by hand is never hidden by saved state.

The deploy actions hand the deployer an ``Ownership``: the repo's other specs that use
the function's role (the union of their needs goes on it), and ``GENESYS_ADOPT=1``,
doit's spelling of ``genesys execute --adopt``.

doit's state is only a cache: every action still compares against AWS's own state,
so a fresh checkout redeploying unchanged functions makes no write calls.
``${env:NAME}`` values are resolved inside actions only; their values are never saved,
not even hashed, so doit cannot tell when one changed: a function that uses them is
never up to date, and its action compares the resolved values with AWS's (no writes
when they match).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from doit.tools import config_changed

from .. import paths
from ..config.spec import FunctionSpec

_CLIENTS: dict = {}  # target → Clients, shared by every task of this process


def target(spec: FunctionSpec) -> dict:
    from ..aws.target import target_for

    return target_for(spec.deployment.region, spec.deployment.profile).as_dict()


def clients_for(spec: FunctionSpec):
    """One ``Clients`` per target and process: boto3 clients and the account are made and asked once,
    not again by each of a function's tasks."""
    import os

    # by process too: doit -n forks workers, which must not share the parent's connections
    key = (os.getpid(), *sorted(target(spec).items()))
    if key not in _CLIENTS:
        from .. import ui
        from .deployer import open_clients

        _CLIENTS[key] = open_clients(spec, notify=lambda message: ui.info(f"  {message}"))
    return _CLIENTS[key]


def current_account(spec: FunctionSpec) -> str | None:
    """The account the current credentials belong to; None when they do not work."""
    from ..errors import GenesysError

    try:
        return clients_for(spec).account()
    except GenesysError:
        return None


def function_exists(spec: FunctionSpec):
    """An uptodate callable: False when the function is gone from AWS (deleted by `genesys delete`, by
    `doit delete:<fn>` or by hand), so doit's saved state never hides a deletion."""

    def check(task, values):
        from ..errors import GenesysError

        try:
            return clients_for(spec).adapter("lambda").get_function(FunctionName=spec.name) is not None
        except GenesysError:
            return False

    return check


def same_account(spec: FunctionSpec):
    """An uptodate callable: True when the last run deployed to the current credentials' account."""

    def check(task, values):
        saved = values.get("account")
        return bool(saved) and saved == current_account(spec)

    return check


def no_env_references(spec: FunctionSpec) -> bool:
    """False when ``[function.environment]`` uses ``${env:NAME}``, whose values doit never sees."""
    return not any("${env:" in value for _key, value in spec.function.environment)


def _role_inputs(spec: FunctionSpec) -> dict:
    iam = spec.iam
    return {"role_name": iam.role_name, "policies": list(iam.required_policies), "auto_manage": iam.auto_manage,
            "resources": [list(getattr(iam.resources, k)) for k in ("s3_buckets", "dynamodb_tables",
                                                                     "sqs_queues", "sns_topics")],
            "external_role": iam.role_arn if not iam.auto_manage else None, "tags": list(spec.tags),
            # polled trigger sources add poller permissions to the role (deploy/policies.py)
            "pollers": [[t.type, list(t.params)] for t in spec.triggers if t.type in ("sqs", "dynamodb")]}


def _layer_inputs(spec: FunctionSpec) -> dict:
    return {"name": spec.layer.name, "description": spec.layer.description,
            "runtimes": list(spec.layer.compatible_runtimes), "arch": spec.deployment.architecture,
            "keep": spec.deployment.keep_layer_versions, "bucket": spec.deployment.artifact_bucket}


def _deploy_inputs(spec: FunctionSpec) -> dict:
    d = spec.deployment
    return {
        "role": _role_inputs(spec), "layer": _layer_inputs(spec) if spec.has_layer else None,
        "runtime": spec.runtime.id, "handler": spec.handler, "description": spec.description,
        "function": [spec.function.memory_mb, spec.function.timeout_seconds, list(spec.function.layers),
                     list(spec.function.environment), spec.function.ephemeral_storage_mb],
        "url": [d.function_url, d.auth_type, d.cors_enabled, repr(d.cors)],
        "triggers": [[t.type, list(t.params)] for t in spec.triggers], "tags": list(spec.tags),
    }


def applying(clients):
    """The executor of the deploy tasks: changes AWS, showing each resource's progress."""
    from .. import ui
    from .executor import Executor

    return Executor(clients, progress=ui.progress)


def showing(clients):
    """The executor of the plan task: shows the changes, calls nothing."""
    from .. import ui
    from .executor import DisplayExecutor

    return DisplayExecutor(ui.info)


def _run(stages, executor_for=applying, name: str | None = None, repo: Callable[[], Iterable] = tuple):
    def step(spec: FunctionSpec, root: Path) -> dict:
        import os

        from .. import ui
        from ..sandbox import is_running_at
        from .deployer import deploy, role_sharers
        from .ownership import Ownership

        # like `execute --sandbox`: an emulator's role ARN does not belong in the TOML
        in_sandbox = is_running_at(target(spec)["endpoint"])
        clients = clients_for(spec)
        adopt = os.environ.get("GENESYS_ADOPT", "") in ("1", "true", "yes")  # doit's `execute --adopt`
        ownership = Ownership(adopt, role_sharers(spec, repo()))
        outcome = deploy(spec, root, clients, executor_for(clients), stages=stages, record_role=not in_sandbox,
                         progress=ui.progress, ownership=ownership)
        if outcome.recorded_role:
            ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
        values = {k: v for k, v in outcome.values.items() if isinstance(v, str) and k != "extra_layers"}
        if outcome.applied:
            ui.info(f"  {spec.name}: {outcome.write_calls} write call(s) to AWS")
        if "function" in stages and outcome.applied:
            for label, key in (("function URL", "function_url"), ("API endpoint", "api_endpoint")):
                if values.get(key):
                    ui.info(f"  {spec.name} {label}: {values[key]}")
        return {**values, "account": outcome.account}

    step.__name__ = name or "deploy_" + "_".join(stages)
    return step


def _delete(spec: FunctionSpec, root: Path) -> None:
    from .. import ui
    from .deployer import plan_delete

    clients = clients_for(spec)
    plan, _account = plan_delete(spec, clients, progress=ui.progress)
    showing(clients).run(plan)
    applying(clients).run(plan)


def role_task(spec: FunctionSpec, root: Path, guard, repo=tuple) -> dict:
    return {
        "name": spec.name,
        "doc": f"IAM role of {spec.name}",
        "actions": [guard(_run(("role",), repo=repo), spec, root)],
        "uptodate": [config_changed({"role": _role_inputs(spec), "target": target(spec)}), same_account(spec)],
        "verbosity": 2,
    }


def layer_publish_task(spec: FunctionSpec, root: Path, guard, repo=tuple) -> dict | None:
    if not spec.has_layer:
        return None
    return {
        "name": spec.name,
        "doc": f"publish the dependency layer of {spec.name}",
        "actions": [guard(_run(("layer",)), spec, root)],
        "file_dep": [str(paths.layer_zip(root, spec.name, spec.deployment.architecture))],
        "task_dep": [f"build:{spec.name}"],
        "uptodate": [config_changed({"layer": _layer_inputs(spec), "target": target(spec)}), same_account(spec)],
        "verbosity": 2,
    }


def deploy_task(spec: FunctionSpec, root: Path, guard, repo=tuple) -> dict:
    arch = spec.deployment.architecture
    zips = [paths.function_zip(root, spec.name, arch)]
    if spec.has_layer:
        zips.append(paths.layer_zip(root, spec.name, arch))
    return {
        "name": spec.name,
        "doc": f"deploy {spec.name}: role, layer, function, URL and triggers",
        "actions": [guard(_run(("role", "layer", "function"), repo=repo), spec, root)],
        "file_dep": [str(z) for z in zips],
        "task_dep": [f"build:{spec.name}", f"role:{spec.name}"]
                    + ([f"layer_publish:{spec.name}"] if spec.has_layer else []),
        "uptodate": [config_changed({"deploy": _deploy_inputs(spec), "target": target(spec)}),
                     no_env_references(spec), same_account(spec), function_exists(spec)],
        "verbosity": 2,
    }


def plan_task(spec: FunctionSpec, root: Path, guard, repo=tuple) -> dict:
    return {
        "name": spec.name,
        "doc": f"show what deploying {spec.name} would change (read-only)",
        "actions": [guard(_run(("role", "layer", "function"), showing, "plan", repo), spec, root)],
        "task_dep": [f"build:{spec.name}"],
        "uptodate": [False],
        "verbosity": 2,
    }


def delete_task(spec: FunctionSpec, root: Path, guard, repo=tuple) -> dict:
    return {
        "name": spec.name,
        "doc": f"delete what genesys deployed for {spec.name}",
        "actions": [guard(_delete, spec, root)],
        "uptodate": [False],
        "verbosity": 2,
    }


def creators(specs: Callable[[], Iterable[FunctionSpec]], root: Path) -> dict:
    """``task_role``, ``task_layer_publish``, ``task_deploy``, ``task_plan``, ``task_delete`` for a repo."""
    from ..tasks import _guard as guard

    def each(make):
        def creator():
            for spec in specs():
                task = make(spec, root, guard, specs)  # the repo's specs: who shares a role
                if task:
                    yield task

        creator.__doc__ = make.__doc__
        return creator

    made = {"task_role": each(role_task), "task_layer_publish": each(layer_publish_task),
            "task_deploy": each(deploy_task), "task_plan": each(plan_task), "task_delete": each(delete_task)}
    for name, doc in (("task_role", "Create or update each function's IAM role."),
                      ("task_layer_publish", "Publish each dependency layer unless AWS already has it."),
                      ("task_deploy", "Deploy each function (role, layer, function, URL, triggers)."),
                      ("task_plan", "Show what deploying each function would change."),
                      ("task_delete", "Delete what genesys deployed for each function.")):
        made[name].__doc__ = doc
    return made
