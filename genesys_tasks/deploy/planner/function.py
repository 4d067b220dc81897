"""Planning the function itself: create it, or update only what differs (its code when the
CodeSha256 or architecture changed, its configuration field by field (VPC and tracing among
it), its reserved concurrency and destinations (``settings``), its tags: the TOML's are set,
those taken out of it are removed, genesys's own marker stays),
then its URL, HTTP API and permissions.

A same-named function genesys did not make, or another owner's (``marker``), is a conflict
naming what differs, unless adopted (``Ownership.adopt``): then it is updated and tagged,
shown as ``adopt``. One with the old mark alone is claimed (``claim``): its mark gets the owner.
Environment values appear in a change only when not secret (``inputs.shown_env``: a ``${...}``
reference, a secret-looking name or a random-looking value is masked); never in a conflict.
"""

from __future__ import annotations

from ...config.locate import where_in
from ...config.spec import FunctionSpec
from ...errors import EXIT_BAD_INPUT, GenesysError
from .. import marker
from ..model import Fmt, Plan, Var
from ..ownership import Ownership, conflict, differences
from ..state import ApiState, FunctionState, deployed_architecture
from .api import plan_api
from .inputs import COMMIT_KEY, Artifact, Facts, code_param, marker_tags, shown_env, tag_changes
from .permissions import plan_permissions
from .settings import plan_destinations, plan_settings
from .versions import changes_version, plan_versions
from .url import plan_url


def desired_config(spec: FunctionSpec, facts: Facts, role_arn, layer_arn) -> dict:
    """An image function has no handler, runtime or layers in Lambda (its image holds them) but an ImageConfig."""
    layers = ([layer_arn] if layer_arn is not None else []) + list(spec.function.layers)
    if spec.build.is_image:
        wanted = _desired(spec, facts, role_arn, layers)
        for key in ("Handler", "Runtime", "Layers"):
            del wanted[key]
        return {**wanted, "ImageConfig": spec.function.image_config()}
    return _desired(spec, facts, role_arn, layers)


def _desired(spec: FunctionSpec, facts: Facts, role_arn, layers: list) -> dict:
    return {
        "Role": role_arn,
        "Handler": spec.handler,
        "Runtime": spec.runtime.id,
        "Description": spec.description,
        "Timeout": spec.function.timeout_seconds,
        "MemorySize": spec.function.memory_mb,
        "Environment": {"Variables": dict(facts.environment)},
        "Layers": layers,
        "EphemeralStorage": {"Size": spec.function.ephemeral_storage_mb},
        "VpcConfig": _vpc_config(spec.function.vpc.subnet_ids if spec.function.vpc else (),
                                 spec.function.vpc.security_group_ids if spec.function.vpc else ()),
        "TracingConfig": {"Mode": spec.function.tracing},
    }


def _vpc_config(subnets, groups) -> dict:
    """As compared: sorted ids (AWS keeps no order), empty lists for no VPC (what detaches a function)."""
    return {"SubnetIds": sorted(subnets or ()), "SecurityGroupIds": sorted(groups or ())}


LABELS = {"MemorySize": "memory", "Timeout": "timeout", "Role": "role", "Runtime": "runtime", "Handler": "handler",
          "Description": "description", "Layers": "layers", "EphemeralStorage": "ephemeral storage",
          "CodeSha256": "code", "Architectures": "architecture", "Environment.": "environment ",
          "VpcConfig": "vpc", "TracingConfig": "tracing", "ReservedConcurrency": "reserved concurrency",
          "ImageUri": "image", "ImageConfig": "image config", "PackageType": "package type"}


def current_config(config: dict) -> dict:
    return {
        "Role": config.get("Role"),
        "Handler": config.get("Handler"),
        "Runtime": config.get("Runtime"),
        "Description": config.get("Description", ""),
        "Timeout": config.get("Timeout"),
        "MemorySize": config.get("MemorySize"),
        "Environment": {"Variables": (config.get("Environment") or {}).get("Variables", {}) or {}},
        "Layers": [layer["Arn"] for layer in config.get("Layers", []) or []],
        "EphemeralStorage": {"Size": (config.get("EphemeralStorage") or {}).get("Size", 512)},
        "VpcConfig": _vpc_config((config.get("VpcConfig") or {}).get("SubnetIds"),
                                 (config.get("VpcConfig") or {}).get("SecurityGroupIds")),
        "TracingConfig": {"Mode": (config.get("TracingConfig") or {}).get("Mode", "PassThrough")},
        # keys not set are absent, or empty in some implementations
        "ImageConfig": {k: v for k, v in ((config.get("ImageConfigResponse") or {}).get("ImageConfig") or {}).items()
                        if v},
    }


def _config_diffs(old: dict, new: dict, written: dict) -> list[tuple]:
    """The changed fields; environment values as ``shown_env`` shows them (``written``: the TOML's)."""
    diffs = []
    for key in new:
        if key == "Environment":
            before, after = old[key]["Variables"], new[key]["Variables"]
            for name in sorted(set(before) | set(after)):
                if before.get(name) != after.get(name):
                    diffs.append((f"Environment.{name}", shown_env(name, before.get(name), written.get(name)),
                                  shown_env(name, after.get(name), written.get(name))))
        elif old.get(key) != new[key]:
            diffs.append((key, old.get(key), new[key]))
    return diffs


def plan_function(spec: FunctionSpec, code: Artifact, facts: Facts, function: FunctionState | None,
                  api: ApiState | None, role_arn, layer_arn, ownership: Ownership = Ownership(),
                  versions: tuple = ([], {})) -> Plan:
    """``versions``: the published versions and aliases (``state.read_versions``), for ``[deployment] alias``."""
    plan = Plan()
    wanted = desired_config(spec, facts, role_arn, layer_arn)
    if function is not None and function.config.get("PackageType", "Zip") != code.package_type:
        function = _replaced(plan, spec, code, function, ownership)
    if function is None:
        _create(plan, spec, code, facts, wanted, ownership)
        function_arn = Var("function_arn")
    else:
        if ownership.standing(function.tags) in (marker.FOREIGN, marker.UNMARKED) and not ownership.adopt:
            scratch = Plan()
            _update(scratch, spec, code, function, wanted, ownership)
            raise conflict(f"function {spec.name}", differences(scratch.changes[0].changes, LABELS),
                           ["rename [metadata] name"], where_in(spec.path, "metadata", "name"), function.tags)
        _update(plan, spec, code, function, wanted, ownership)
        function_arn = function.arn
    plan.known["function_arn"] = function_arn
    # the alias exists before the URL, the API and the permissions that invoke it
    plan.extend(plan_versions(spec, code.reported_sha256(function), changes_version(plan), *versions, ownership))
    plan_destinations(plan, spec, function)
    plan_url(plan, spec, function)
    plan_api(plan, spec, api, invoked_arn(spec, function_arn), ownership.tags())
    plan_permissions(plan, spec, facts, function)
    return plan


class ReplacementNeeded(GenesysError):
    """The plan replaces the function, which ``--replace`` did not allow (exit 2)."""

    exit_code = EXIT_BAD_INPUT


def _replaced(plan: Plan, spec: FunctionSpec, code, function: FunctionState, ownership: Ownership) -> None:
    """Lambda cannot switch a function between zip and image: with ``replace`` it is deleted (then created
    again, its URL and permissions with it); without, the plan stops with exit 2 saying so."""
    old, resource = function.config.get("PackageType", "Zip"), f"function {spec.name}"
    steps = (f"  - function {spec.name}: delete ({old})\n  + function {spec.name}: create ({code.package_type}, "
             f"{code.shown(None)[2]}), with its URL, permissions and aliases made again")
    if ownership.standing(function.tags) in (marker.FOREIGN, marker.UNMARKED) and not ownership.adopt:
        raise conflict(f"function {spec.name}", [f"package type: {old} → {code.package_type}"],
                       ["rename [metadata] name"], where_in(spec.path, "metadata", "name"), function.tags)
    if not ownership.replace:
        raise ReplacementNeeded(f"function {spec.name} is a {old} function; Lambda cannot change it into an "
                                f"{code.package_type} function in place, so deploying replaces it:\n{steps}",
                                hint="run again with --replace (under doit: GENESYS_REPLACE=1) to delete and "
                                     "create it; it is unavailable in between",
                                where=where_in(spec.path, "build", "package_type"))
    plan.call("lambda", "delete_function", resource, FunctionName=spec.name)
    plan.change(resource, "replace", [("PackageType", old, code.package_type)])
    return None


def invoked_arn(spec: FunctionSpec, function_arn):
    """What callers invoke: the alias's ARN when ``[deployment] alias`` is set, else the function's."""
    alias = spec.deployment.alias
    if alias is None:
        return function_arn
    return Fmt("{function_arn}:" + alias) if isinstance(function_arn, Var) else f"{function_arn}:{alias}"


def _create(plan: Plan, spec: FunctionSpec, code: Artifact, facts: Facts, wanted: dict, ownership: Ownership) -> None:
    name, arch, resource = spec.name, spec.deployment.architecture, f"function {spec.name}"
    empty = {"Layers": [], "VpcConfig": _vpc_config((), ()), "TracingConfig": {"Mode": "PassThrough"},
             "ImageConfig": {}}  # AWS defaults
    params = {k: v for k, v in wanted.items() if empty.get(k, ...) != v}
    plan.call("lambda", "create_function", resource, outputs={"function_arn": "FunctionArn"},
              FunctionName=name, Code=code_param(plan, spec, code, resource, "function"), PackageType=code.package_type,
              Architectures=[arch], Tags=marker_tags(spec, ownership), **params)
    plan.call("lambda", "wait_function_active_v2", resource, FunctionName=name)
    shown = [(k, None, v) for k, v in wanted.items() if k != "Environment"]
    written = dict(spec.function.environment)
    shown += [(f"Environment.{k}", None, shown_env(k, facts.environment[k], written.get(k)))
              for k in sorted(facts.environment)]
    shown += [(f"Tags.{k}", None, v) for k, v in sorted(marker_tags(spec, ownership).items())]
    shown += plan_settings(plan, spec, None)
    plan.change(resource, "create", [code.shown(None), ("Architectures", None, [arch])] + shown)


def _update(plan: Plan, spec: FunctionSpec, code: Artifact, function: FunctionState, wanted: dict,
            ownership: Ownership) -> None:
    name, arch, resource = spec.name, spec.deployment.architecture, f"function {spec.name}"
    diffs = []
    old_arch = deployed_architecture(function.config)
    if not code.deployed_in(function) or old_arch != arch:
        plan.call("lambda", "update_function_code", resource, FunctionName=name, Architectures=[arch],
                  **code_param(plan, spec, code, resource, "function"))
        plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
        diffs.append(code.shown(function))
        if old_arch != arch:
            diffs.append(("Architectures", [old_arch], [arch]))
    old = current_config(function.config)
    config_diffs = _config_diffs(old, wanted, dict(spec.function.environment))
    if config_diffs:
        changed = {k: wanted[k] for k in wanted if old.get(k) != wanted[k]}
        plan.call("lambda", "update_function_configuration", resource, FunctionName=name, **changed)
        plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
        diffs += config_diffs
    diffs += plan_settings(plan, spec, function)
    missing_tags, stale_tags = tag_changes(function.tags, marker_tags(spec, ownership))
    if missing_tags:
        plan.call("lambda", "tag_resource", resource, Resource=function.arn, Tags=missing_tags)
        diffs += [(f"Tags.{k}", function.tags.get(k), v) for k, v in sorted(missing_tags.items())]
    if stale_tags:
        plan.call("lambda", "untag_resource", resource, Resource=function.arn, TagKeys=stale_tags)
        diffs += [(f"Tags.{k}", function.tags[k], None) for k in stale_tags]
    plan.change(resource, marker.action(ownership.standing(function.tags), bool(diffs)), diffs)


def plan_commit(spec: FunctionSpec, facts: Facts, function: FunctionState | None) -> Plan:
    """The last call of a deploy: the commit it deployed, as the function's ``genesys:commit`` tag.

    Last, so a deploy that fails on the way leaves the commit before it recorded, and the next
    ``genesys changed --since deployed`` names the function again. No commit known, or the same
    one recorded: no call.
    """
    plan = Plan()
    old = function.tags.get(COMMIT_KEY) if function is not None else None
    if not facts.commit or old == facts.commit:
        return plan
    resource = f"function {spec.name}"
    plan.call("lambda", "tag_resource", resource, Resource=function.arn if function else Var("function_arn"),
              Tags={COMMIT_KEY: facts.commit})
    plan.change(f"{resource} (deployed commit)", "update", [(f"Tags.{COMMIT_KEY}", old, facts.commit)])
    return plan
