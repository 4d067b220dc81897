"""The deploy-side doit tasks of one function: ``role``, ``layer_publish``, ``deploy``, ``plan``, ``delete``.

Making them does no AWS call and imports no boto3; ``tasks/graph.py`` makes them only
when a run asks for one (``on_demand.py``).

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
- the function itself: ``deploy:<fn>`` is not up to date when AWS has no function of
  that name (deleted by ``genesys delete``, ``doit delete:<fn>`` or by hand): one
  ListFunctions per target and process answers for every function. A delete also
  forgets the deploy-side tasks' saved state.

``deploy:<fn>`` does what ``genesys execute`` does: it deploys to every region of ``[deployment]
regions`` (the first alone, the others in parallel, ``deploy.regions``), and takes a gradual
rollout's steps watching its alarms (an alarm in ALARM puts the alias back and fails the
task); ``GENESYS_NO_WAIT=1``, doit's ``--no-wait``, leaves the rollout at its first step and
prints the ``genesys rollout --continue`` command. ``layer_publish`` publishes in every region,
``delete`` deletes from every region.

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

import os
from pathlib import Path

from doit.tools import config_changed

from .. import paths, ui
from ..config.spec import FunctionSpec
from .action import Action

_CLIENTS: dict = {}  # target → Clients, shared by every task of this process
_FUNCTIONS: dict = {}  # target → the function names AWS has there, listed once


def target(spec: FunctionSpec) -> dict:
    from ..aws.target import target_for

    return target_for(spec.deployment.region, spec.deployment.profile).as_dict()


def _target_key(spec: FunctionSpec) -> tuple:
    # by process too: doit -n forks workers, which must not share the parent's connections
    return (os.getpid(), *sorted(target(spec).items()))


def clients_for(spec: FunctionSpec):
    """One ``Clients`` per target and process: boto3 clients and the account are made and asked once,
    not again by each of a function's tasks."""
    key = _target_key(spec)
    if key not in _CLIENTS:
        from ..deploy.deployer import open_clients

        _CLIENTS[key] = open_clients(spec, notify=lambda message: ui.info(f"  {message}"))
    return _CLIENTS[key]


def current_account(spec: FunctionSpec) -> str | None:
    """The account the current credentials belong to; None when they do not work."""
    from ..errors import GenesysError

    try:
        return clients_for(spec).account()
    except GenesysError:
        return None


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
        "function": repr(spec.function),  # every [function] setting; ${env:NAME} as written, never its value
        "url": [d.function_url, d.auth_type, d.cors_enabled, repr(d.cors)],
        "triggers": [[t.type, list(t.params)] for t in spec.triggers], "tags": list(spec.tags),
        "regions": list(d.regions), "alias": [d.alias, d.keep_versions, repr(d.traffic)],
    }


def function_exists(spec: FunctionSpec):
    """An uptodate callable: False when AWS has no function named ``spec.name`` (or cannot say)."""

    from ..deploy.regions import region_specs

    def check(task, values):
        found = [deployed_functions(s) for s in region_specs(spec)]  # in every region it deploys to
        return all(names is not None and spec.name in names for names in found)

    return check


def deployed_functions(spec: FunctionSpec) -> frozenset | None:
    """The names of the functions at ``spec``'s target, listed once per target and process."""
    from ..errors import GenesysError

    key = _target_key(spec)
    if key not in _FUNCTIONS:
        try:
            _FUNCTIONS[key] = frozenset(f["FunctionName"] for f in clients_for(spec).adapter("lambda").all_functions())
        except GenesysError:
            return None
    return _FUNCTIONS[key]


# --- the actions: module-level, so a task made on demand pickles for `doit -n` workers ---------

def _flag(name: str) -> bool:
    return os.environ.get(name, "") in ("1", "true", "yes")


def _deploy(spec: FunctionSpec, root: Path, stages, executor, sharers=(), progress=ui.progress,
            prefix: str = "") -> dict:
    from ..deploy.deployer import deploy
    from ..deploy.ownership import Ownership
    from ..sandbox import is_running_at

    # like `execute --sandbox`: an emulator's role ARN does not belong in the TOML
    in_sandbox = is_running_at(target(spec)["endpoint"])
    clients = clients_for(spec)
    adopt = _flag("GENESYS_ADOPT")  # doit's `execute --adopt`
    runner = executor(clients)
    outcome = deploy(spec, root, clients, runner, stages=stages, record_role=not in_sandbox and not prefix,
                     progress=progress, ownership=Ownership(adopt, sharers))
    if outcome.recorded_role:
        ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
    values = {k: v for k, v in outcome.values.items() if isinstance(v, str) and k != "extra_layers"}
    if outcome.applied:
        ui.info(f"  {prefix}{spec.name}: {outcome.write_calls} write call(s) to AWS")
    if "function" in stages and outcome.applied:
        for label, key in (("function URL", "function_url"), ("API endpoint", "api_endpoint")):
            if values.get(key):
                ui.info(f"  {prefix}{spec.name} {label}: {values[key]}")
        if outcome.values.get("rollout_to") is not None:
            finish_rollout(spec, clients, runner, outcome.values, wait=not _flag("GENESYS_NO_WAIT"))
    return {**values, "account": outcome.account}


def finish_rollout(spec: FunctionSpec, clients, executor, values: dict, wait: bool) -> None:
    """Take a gradual rollout's remaining steps (watching its alarms), or with ``wait`` false leave
    it at the first step and say how to finish it. A rollout a stopped run left (``rollout_share``)
    is resumed, unless nobody waits for it (``wait`` false, or in CI): then it is exit 2, naming
    ``genesys rollout --continue|--abort``."""
    from ..deploy import rollout

    old, new = values["rollout_from"], values["rollout_to"]
    first = values.get("rollout_share") or spec.deployment.traffic.steps()[0]
    if values.get("rollout_share") is not None and (not wait or os.environ.get("CI", "").lower() in ("true", "1")):
        raise rollout.interrupted(spec, old, new, first)
    if not wait:
        ui.info(f"  {first}% of {spec.deployment.alias} on version {new}; finish with "
                f"`genesys rollout {spec.path.name} --continue` (or --abort)")
        return
    rollout.proceed(spec, clients, executor, old, new, first, progress=ui.progress)
    ui.info(f"  {spec.deployment.alias}: 100% on version {new}")


def in_regions(spec: FunctionSpec, root: Path, stages, executor, sharers=()) -> dict:
    """``_deploy`` in each region of ``[deployment] regions`` (or the one region), as ``execute``
    deploys them: the first alone, the others in parallel, each region's role needs on the one
    global role; the first failure stops the regions not started, and names each region's fate."""
    from ..deploy.regions import region_specs, run_regions, summary_error

    specs = region_specs(spec)
    if len(specs) == 1:
        return _deploy(spec, root, stages, executor, sharers)

    def one(region_spec):
        region = region_spec.deployment.region
        if executor is showing:
            ui.info(f"region {region}:")
        return _deploy(region_spec, root, stages, executor, sharers + tuple(s for s in specs if s is not region_spec),
                       lambda text: ui.progress(f"[{region}] {text}"), prefix=f"[{region}] ")

    results = run_regions(specs, one, parallel=executor is not showing)  # plans are shown one region at a time
    failure = summary_error(spec.name, results)
    if failure is not None:
        raise failure
    values = {"account": results[0].outcome["account"]}
    for result in results:  # doit keeps them; each region's under its name
        values.update({f"{result.region}:{k}": v for k, v in result.outcome.items() if k != "account"})
    return values


def applying(clients):
    """The executor of the deploy tasks: changes AWS, showing each resource's progress."""
    from ..deploy.executor import Executor

    return Executor(clients, progress=ui.progress)


def showing(clients):
    """The executor of the plan task: shows the changes, calls nothing."""
    from ..deploy.executor import DisplayExecutor

    return DisplayExecutor(ui.info)


def deploy_role(spec: FunctionSpec, root: Path, sharers=()) -> dict:
    from ..deploy.regions import region_specs

    specs = region_specs(spec)  # the role is global: one region makes it, with every region's needs
    return _deploy(specs[0], root, ("role",), applying, sharers + tuple(specs[1:]))


def publish_layer(spec: FunctionSpec, root: Path) -> dict:
    return in_regions(spec, root, ("layer",), applying)  # layers are regional


def deploy_function(spec: FunctionSpec, root: Path, sharers=()) -> dict:
    return in_regions(spec, root, STAGES, applying, sharers)


def show_plan(spec: FunctionSpec, root: Path, sharers=()) -> dict:
    return in_regions(spec, root, STAGES, showing, sharers)


def delete_function(spec: FunctionSpec, root: Path) -> None:
    from ..deploy.deployer import plan_delete

    from ..deploy.regions import region_specs

    for region_spec in region_specs(spec):  # from every region it was deployed to
        clients = clients_for(region_spec)
        plan, _account = plan_delete(region_spec, clients, progress=ui.progress)
        showing(clients).run(plan)
        applying(clients).run(plan)
    forget_deployment(root, spec.name)


def forget_deployment(root: Path, name: str) -> None:
    """Drop doit's saved state of ``name``'s deploy-side tasks: after a delete none of them is done."""
    from doit.dependency import Dependency, SqliteDB  # the backend doit_config names

    dep_file = paths.dep_file(root)
    if not dep_file.exists():
        return
    state = Dependency(SqliteDB, str(dep_file))
    try:
        for step in DEPLOY_STEPS:
            state.remove(f"{step}:{name}")
    finally:
        state.close()


# --- the task dicts: ``specs`` are the repo's functions, of which those sharing the role go along ----

def role_sharers(spec: FunctionSpec, specs) -> tuple:
    from ..deploy.deployer import role_sharers as sharing

    return sharing(spec, specs) if specs else ()


STAGES = ("role", "layer", "function")
DEPLOY_STEPS = ("role", "layer_publish", "deploy")


def role_task(spec: FunctionSpec, root: Path, specs=()) -> dict:
    return {
        "name": spec.name,
        "doc": f"IAM role of {spec.name}",
        "actions": [Action(deploy_role, spec, root, role_sharers(spec, specs))],
        "uptodate": [config_changed({"role": _role_inputs(spec), "target": target(spec)}), same_account(spec)],
        "verbosity": 2,
    }


def layer_publish_task(spec: FunctionSpec, root: Path, specs=()) -> dict | None:
    if not spec.has_layer:
        return None
    return {
        "name": spec.name,
        "doc": f"publish the dependency layer of {spec.name}",
        "actions": [Action(publish_layer, spec, root)],
        "file_dep": [str(paths.layer_zip(root, spec.name, spec.deployment.architecture))],
        "task_dep": [f"build:{spec.name}"],
        "uptodate": [config_changed({"layer": _layer_inputs(spec), "target": target(spec)}), same_account(spec)],
        "verbosity": 2,
    }


def deploy_task(spec: FunctionSpec, root: Path, specs=()) -> dict:
    arch = spec.deployment.architecture
    zips = [paths.function_zip(root, spec.name, arch)]
    if spec.has_layer:
        zips.append(paths.layer_zip(root, spec.name, arch))
    return {
        "name": spec.name,
        "doc": f"deploy {spec.name}: role, layer, function, URL and triggers",
        "actions": [Action(deploy_function, spec, root, role_sharers(spec, specs))],
        "file_dep": [str(z) for z in zips],
        "task_dep": [f"build:{spec.name}", f"role:{spec.name}"]
                    + ([f"layer_publish:{spec.name}"] if spec.has_layer else []),
        "uptodate": [config_changed({"deploy": _deploy_inputs(spec), "target": target(spec)}),
                     no_env_references(spec), same_account(spec), function_exists(spec)],
        "verbosity": 2,
    }


def plan_task(spec: FunctionSpec, root: Path, specs=()) -> dict:
    return {
        "name": spec.name,
        "doc": f"show what deploying {spec.name} would change (read-only)",
        "actions": [Action(show_plan, spec, root, role_sharers(spec, specs))],
        "task_dep": [f"build:{spec.name}"],
        "uptodate": [False],
        "verbosity": 2,
    }


def delete_task(spec: FunctionSpec, root: Path, specs=()) -> dict:
    return {
        "name": spec.name,
        "doc": f"delete what genesys deployed for {spec.name}",
        "actions": [Action(delete_function, spec, root)],
        "uptodate": [False],
        "verbosity": 2,
    }


# step → (task maker, the doc `doit list` shows for the step)
STEPS = {
    "role": (role_task, "Create or update each function's IAM role."),
    "layer_publish": (layer_publish_task, "Publish each dependency layer unless AWS already has it."),
    "deploy": (deploy_task, "Deploy each function (role, layer, function, URL, triggers)."),
    "plan": (plan_task, "Show what deploying each function would change."),
    "delete": (delete_task, "Delete what genesys deployed for each function."),
}
