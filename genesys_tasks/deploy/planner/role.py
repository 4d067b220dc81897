"""Planning the execution role: create it with its policies, or bring an existing one in line.

With ``[iam] auto_manage = false`` the role is used as it is and must exist. Otherwise
genesys attaches and detaches only the managed policies of its templates, and puts and
deletes only its own inline policies (``genesys-…``): whatever else the role carries stays.
"""

from __future__ import annotations

import json

from ...config.spec import FunctionSpec
from ...errors import ConfigError
from .. import policies
from ..model import Plan, Var
from ..state import RoleState
from .inputs import marker_tags


def plan_role(spec: FunctionSpec, role: RoleState | None) -> Plan:
    plan = Plan()
    resource = f"role {spec.iam.role_name}"
    if not spec.iam.auto_manage:
        if role is None:
            raise ConfigError(f"role {spec.iam.role_name!r} does not exist, and [iam] auto_manage = false "
                              "tells genesys not to create it",
                              hint="create the role, fix [iam] role_name/role_arn, or set auto_manage = true")
        plan.known["role_arn"] = role.arn
        plan.change(resource, "no change")
        return plan
    wanted = policies.role_policies(spec)
    if role is None:
        _create(plan, spec, wanted, resource)
    else:
        _update(plan, role, wanted, resource)
    return plan


def _create(plan: Plan, spec: FunctionSpec, wanted: policies.RolePolicies, resource: str) -> None:
    plan.call("iam", "create_role", resource, outputs={"role_arn": "Role.Arn"},
              RoleName=spec.iam.role_name, AssumeRolePolicyDocument=json.dumps(policies.LAMBDA_TRUST),
              Description=f"Execution role for the Lambda function {spec.name} (genesys)",
              Tags=[{"Key": k, "Value": v} for k, v in sorted(marker_tags(spec).items())])
    for arn in wanted.managed:
        plan.call("iam", "attach_role_policy", resource, RoleName=spec.iam.role_name, PolicyArn=arn)
    for name, document in sorted(wanted.inline.items()):
        plan.call("iam", "put_role_policy", resource, RoleName=spec.iam.role_name, PolicyName=name,
                  PolicyDocument=json.dumps(document))
    plan.known["role_arn"] = Var("role_arn")
    plan.change(resource, "create", [("policies", None, sorted(wanted.managed) + sorted(wanted.inline))])


def _update(plan: Plan, role: RoleState, wanted: policies.RolePolicies, resource: str) -> None:
    plan.known["role_arn"] = role.arn
    before = len(plan.calls)
    for arn in wanted.managed:
        if arn not in role.managed:
            plan.call("iam", "attach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
    for arn in role.managed:
        if arn in policies.MANAGED_ARNS and arn not in wanted.managed:
            plan.call("iam", "detach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
    for name, document in sorted(wanted.inline.items()):
        if role.inline.get(name) != document:
            plan.call("iam", "put_role_policy", resource, RoleName=role.name, PolicyName=name,
                      PolicyDocument=json.dumps(document))
    for name in sorted(role.inline):
        if name.startswith(policies.INLINE_PREFIX) and name not in wanted.inline:
            plan.call("iam", "delete_role_policy", resource, RoleName=role.name, PolicyName=name)
    old = sorted(a for a in role.managed if a in policies.MANAGED_ARNS) + sorted(
        n for n in role.inline if n.startswith(policies.INLINE_PREFIX))
    new = sorted(wanted.managed) + sorted(wanted.inline)
    changed_docs = [n for n, d in wanted.inline.items() if n in role.inline and role.inline[n] != d]
    diffs = ([("policies", old, new)] if old != new else []) + [(f"policy {n}", "(old document)", "(new document)")
                                                                  for n in sorted(changed_docs)]
    plan.change(resource, "update" if len(plan.calls) > before else "no change", diffs)
