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
  the tasks of a process share one deploy ``Session``, whose one ``Clients`` per target
  actions use too, so they do not ask again).
  No credentials → not up to date, so the action runs and says how to configure them.
- the function itself: ``deploy:<fn>`` is not up to date when AWS has no function of
  that name (deleted by ``genesys delete``, ``doit delete:<fn>`` or by hand): one
  ListFunctions per target and process answers for every function. A delete also
  forgets the deploy-side tasks' saved state.

``deploy:<fn>`` does what ``genesys execute`` does, through the same ``deploy.session.Session``
(made once per process in ``creators()``, its options read from the environment there): it
deploys to every region of ``[deployment] regions`` (the first alone, the others in
parallel), and takes a gradual rollout's steps watching its alarms (an alarm in ALARM puts
the alias back and fails the task); ``GENESYS_NO_WAIT=1``, doit's ``--no-wait``, leaves the rollout at its first step and
prints the ``genesys rollout --continue`` command. ``layer_publish`` publishes in every region,
``delete`` deletes from every region.

The deploy actions hand the session the repo's other specs that use the function's role
(the union of their needs goes on it); ``GENESYS_ADOPT=1``, doit's spelling of ``genesys
execute --adopt``, is one of the session's options.

doit's state is only a cache: every action still compares against AWS's own state,
so a fresh checkout redeploying unchanged functions makes no write calls.
``${env:NAME}`` values are resolved inside actions only; their values are never saved,
not even hashed, so doit cannot tell when one changed: a function that uses them is
never up to date, and its action compares the resolved values with AWS's (no writes
when they match).
"""

from __future__ import annotations

from pathlib import Path

from doit.tools import config_changed

from .. import paths
from ..config.spec import FunctionSpec
from .action import Action


def target(spec: FunctionSpec) -> dict:
    from ..aws.target import target_for

    return target_for(spec.deployment.region, spec.deployment.profile).as_dict()


def same_account(spec: FunctionSpec, session):
    """An uptodate callable: True when the last run deployed to the current credentials' account."""

    def check(task, values):
        saved = values.get("account")
        return bool(saved) and saved == session.account(spec)

    return check


def no_env_references(spec: FunctionSpec) -> bool:
    """False when ``[function.environment]`` uses ``${env:NAME}``, whose values doit never sees."""
    return not any("${env:" in value for _key, value in spec.function.environment)


def _role_inputs(spec: FunctionSpec) -> dict:
    from ..config.triggers import polled  # the trigger table: imported when a role task is made, not by doit build

    iam = spec.iam
    return {"role_name": iam.role_name, "policies": list(iam.required_policies), "auto_manage": iam.auto_manage,
            "resources": [list(getattr(iam.resources, k)) for k in ("s3_buckets", "dynamodb_tables",
                                                                     "sqs_queues", "sns_topics")],
            "external_role": iam.role_arn if not iam.auto_manage else None, "tags": list(spec.tags),
            # polled trigger sources add poller permissions to the role (deploy/policies.py)
            "pollers": [[t.type, list(t.params)] for t in spec.triggers if polled(t.type)]}


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


def function_exists(spec: FunctionSpec, session):
    """An uptodate callable: False when AWS has no function named ``spec.name`` (or cannot say)."""

    from ..deploy.regions import region_specs

    def check(task, values):
        found = [session.function_names(s) for s in region_specs(spec)]  # in every region it deploys to
        return all(names is not None and spec.name in names for names in found)

    return check


# --- the actions: module-level, so a task made on demand pickles for `doit -n` workers ---------
# Each is a few lines around the process's deploy ``Session`` (deploy/session.py).

def deploy_role(spec: FunctionSpec, root: Path, session, sharers=()) -> dict:
    from ..deploy.regions import region_specs
    from ..deploy.session import task_values

    specs = region_specs(spec)  # the role is global: one region makes it, with every region's needs
    return task_values(session.deploy(specs[0], root, ("role",), sharers + tuple(specs[1:])), ("role",))


def publish_layer(spec: FunctionSpec, root: Path, session) -> dict:
    from ..deploy.session import task_values

    return task_values(session.deploy(spec, root, ("layer",)), ("layer",))  # layers are regional


def deploy_function(spec: FunctionSpec, root: Path, session, sharers=()) -> dict:
    from ..deploy.session import STAGES, task_values

    return task_values(session.deploy(spec, root, STAGES, sharers), STAGES)


def show_plan(spec: FunctionSpec, root: Path, session, sharers=()) -> dict:
    from ..deploy.session import STAGES, task_values

    return task_values(session.plan(spec, root, sharers), STAGES)


def delete_function(spec: FunctionSpec, root: Path, session) -> None:
    list(session.delete(spec, root))  # from every region it was deployed to; doit's state is forgotten


# --- the task dicts: ``specs`` are the repo's functions, of which those sharing the role go along ----

def role_sharers(spec: FunctionSpec, specs) -> tuple:
    from ..deploy.deployer import role_sharers as sharing

    return sharing(spec, specs) if specs else ()


def role_task(spec: FunctionSpec, root: Path, session, specs=()) -> dict:
    return {
        "name": spec.name,
        "doc": f"IAM role of {spec.name}",
        "actions": [Action(deploy_role, spec, root, session, role_sharers(spec, specs))],
        "uptodate": [config_changed({"role": _role_inputs(spec), "target": target(spec)}),
                     same_account(spec, session)],
        "verbosity": 2,
    }


def _publishes_layer(spec: FunctionSpec) -> bool:
    """A zip function's dependency layer is published; an image function carries it in its image."""
    return spec.has_layer and not spec.build.is_image


def layer_publish_task(spec: FunctionSpec, root: Path, session, specs=()) -> dict | None:
    if not _publishes_layer(spec):
        return None
    return {
        "name": spec.name,
        "doc": f"publish the dependency layer of {spec.name}",
        "actions": [Action(publish_layer, spec, root, session)],
        "file_dep": [str(paths.layer_zip(root, spec.name, spec.deployment.architecture))],
        "task_dep": [f"build:{spec.name}"],
        "uptodate": [config_changed({"layer": _layer_inputs(spec), "target": target(spec)}),
                     same_account(spec, session)],
        "verbosity": 2,
    }


def deploy_task(spec: FunctionSpec, root: Path, session, specs=()) -> dict:
    arch = spec.deployment.architecture
    zips = [paths.function_zip(root, spec.name, arch)]
    if spec.has_layer:
        zips.append(paths.layer_zip(root, spec.name, arch))
    if spec.build.is_image:  # its digest changes with the base too
        from ..build.record import record_path

        zips.append(record_path(root, spec.name, arch))
    return {
        "name": spec.name,
        "doc": f"deploy {spec.name}: role, layer, function, URL and triggers",
        "actions": [Action(deploy_function, spec, root, session, role_sharers(spec, specs))],
        "file_dep": [str(z) for z in zips],
        "task_dep": [f"build:{spec.name}", f"role:{spec.name}"]
                    + ([f"layer_publish:{spec.name}"] if _publishes_layer(spec) else []),
        "uptodate": [config_changed({"deploy": _deploy_inputs(spec), "target": target(spec)}),
                     no_env_references(spec), same_account(spec, session), function_exists(spec, session)],
        "verbosity": 2,
    }


def plan_task(spec: FunctionSpec, root: Path, session, specs=()) -> dict:
    return {
        "name": spec.name,
        "doc": f"show what deploying {spec.name} would change (read-only)",
        "actions": [Action(show_plan, spec, root, session, role_sharers(spec, specs))],
        "task_dep": [f"build:{spec.name}"],
        "uptodate": [False],
        "verbosity": 2,
    }


def delete_task(spec: FunctionSpec, root: Path, session, specs=()) -> dict:
    return {
        "name": spec.name,
        "doc": f"delete what genesys deployed for {spec.name}",
        "actions": [Action(delete_function, spec, root, session)],
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
