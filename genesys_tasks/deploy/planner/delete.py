"""Planning ``genesys delete``: remove what genesys made for a function, and nothing it did not mark.

A function, role or log group this owner did not mark (``marker``: unmarked, another
owner's, or the old mark naming no owner) is kept (and shown as kept); a layer version another
function uses is kept; the role goes only with ``auto_cleanup`` and ``auto_manage``, only
when no other function uses it (``role_users``, as AWS reports them), and only when it carries
no policy genesys did not put there (an inline policy not named ``genesys-…``, a managed
policy the role's record does not name: ``role.attached_by_genesys``, which for a role with no
record counts those the TOMLs attach): deleting the role would delete those too.
Triggers are planned apart (``triggers.plan`` with no triggers), before these calls.
"""

from __future__ import annotations

from ...config.spec import FunctionSpec
from .. import marker, policies
from ..model import Plan
from ..ownership import Ownership
from ..state import ApiState, FunctionState, LayerVersionState, RoleState
from .role import attached_by_genesys


def plan_delete(spec: FunctionSpec, role: RoleState | None, versions: list[LayerVersionState],
                function: FunctionState | None, api: ApiState | None, layer_users: dict | None = None,
                role_users: list[str] | None = None, ownership: Ownership = Ownership()) -> Plan:
    """The calls that delete this function's API, function, layer versions and role.

    A layer version another function uses (``layer_users``: ARN → function names) is
    kept: functions naming the same ``[layer] name`` share versions. So is a role other
    functions use (``role_users``: their names), with its policies.
    """
    plan = Plan()
    if api is not None:
        plan.call("apigatewayv2", "delete_api", f"http api {spec.name}", ApiId=api.api_id)
        plan.change(f"http api {spec.name}", "delete")
    if function is not None:
        _function(plan, spec, function, ownership)
    _layer_versions(plan, spec, versions, layer_users or {})
    if role is not None:
        _role(plan, spec, role, role_users or [], ownership)
    return plan


def _function(plan: Plan, spec: FunctionSpec, function: FunctionState, ownership: Ownership) -> None:
    why = marker.kept_because(ownership.standing(function.tags), function.tags)
    if why:
        plan.change(f"function {spec.name}", "no change", [("kept", None, why)])
        return
    if function.url is not None:
        plan.call("lambda", "delete_function_url_config", f"function url {spec.name}", FunctionName=spec.name)
        plan.change(f"function url {spec.name}", "delete")
    plan.call("lambda", "delete_function", f"function {spec.name}", FunctionName=spec.name)
    plan.change(f"function {spec.name}", "delete")


def _layer_versions(plan: Plan, spec: FunctionSpec, versions: list[LayerVersionState], layer_users: dict) -> None:
    for version in sorted(versions, key=lambda v: v.version):
        resource = f"layer {spec.layer.name}:{version.version}"
        if version.marked and layer_users.get(version.arn):
            plan.change(resource, "no change", [("kept", None, "used by " + ", ".join(layer_users[version.arn]))])
        elif version.marked:
            plan.call("lambda", "delete_layer_version", resource, LayerName=spec.layer.name,
                      VersionNumber=version.version)
            plan.change(resource, "delete")


def role_deletable(spec: FunctionSpec, role: RoleState, ownership: Ownership = Ownership()) -> bool:
    """Whether deleting the function may delete its role, if no other function uses it."""
    return spec.iam.auto_cleanup and spec.iam.auto_manage and ownership.standing(role.tags, False) == marker.OURS


def _kept_because(spec: FunctionSpec, role: RoleState, users: list[str], ownership: Ownership) -> str | None:
    why = marker.kept_because(ownership.standing(role.tags, per_toml=False), role.tags)
    if why:
        return why
    if not spec.iam.auto_manage:
        return "used as it is (auto_manage = false)"
    if not spec.iam.auto_cleanup:
        return "auto_cleanup = false"
    if users:
        return "used by " + ", ".join(users)
    mine = attached_by_genesys(role, {a for s in (spec, *ownership.sharers) for a in policies.managed_policies(s)})
    others = [n for n in sorted(role.inline) if not n.startswith(policies.INLINE_PREFIX)] + sorted(
        a for a in role.managed if a not in mine)
    return (f"it carries policies genesys did not add ({', '.join(others)}): remove them, then delete again"
            if others else None)


def _role(plan: Plan, spec: FunctionSpec, role: RoleState, users: list[str], ownership: Ownership) -> None:
    resource = f"role {role.name}"
    why = _kept_because(spec, role, users, ownership)
    if why:
        plan.change(resource, "no change", [("kept", None, why)])
        return
    for arn in role.managed:
        plan.call("iam", "detach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
    for policy_name in sorted(role.inline):
        plan.call("iam", "delete_role_policy", resource, RoleName=role.name, PolicyName=policy_name)
    plan.call("iam", "delete_role", resource, RoleName=role.name)
    plan.change(resource, "delete")
