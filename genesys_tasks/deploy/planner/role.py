"""Planning the execution role: create it with its policies, or bring one genesys made in line.

With ``[iam] auto_manage = false`` the role is used as it is and must exist; genesys never
changes it. Otherwise the role must be genesys's (tagged): a same-named role it did not
make, or another project made (``marker``: a role carries its project, not a TOML, as the
project's TOMLs may share it), is a conflict, unless adopted (``Ownership.adopt``); one with the
old mark alone is claimed. genesys attaches only the managed policies of its templates and
settings, and detaches only those it attached: the role records them (``policies.RECORD_KEY``).
A role with no record (made by a genesys that kept none, or adopted) counts as genesys's the
template policies attached that the TOMLs still want, and records them; any other attached
template policy is kept, and the plan says so (``kept``). genesys puts and deletes only its own
inline policies (``genesys-…``), and repairs a trust policy that no longer lets Lambda assume the role. The
role's tags follow ``[tags]`` (those taken out are removed) unless other functions share it.
With ``[iam] permissions_boundary`` the role is created with that boundary, and a role without it
gets it before any policy changes (a CI deploy role may write only roles that carry it); a
boundary the TOML does not name is left as it is.

A role the repo's functions share carries the union of what they all need
(``Ownership.sharers``); a policy none of them needs is removed only when AWS knows no
other function using the role (``users``), since genesys cannot tell what that one needs.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ...config.aws_limits import MAX_TAGS
from ...config.locate import where_in
from ...config.spec import FunctionSpec
from ...errors import ConfigError, GenesysError
from ..model import Plan, Var
from .. import marker, policies
from ..ownership import Ownership, conflict, differences
from ..state import RoleState
from .inputs import Facts, marker_tags, tag_changes


def plan_role(spec: FunctionSpec, role: RoleState | None, facts: Facts, ownership: Ownership = Ownership(),
              users: list[str] | None = None) -> Plan:
    """``users``: the other functions AWS says use the role; None when not asked (nothing to remove)."""
    plan = Plan()
    resource = f"role {spec.iam.role_name}"
    _check_sharers(spec, ownership.sharers)
    if not spec.iam.auto_manage:
        if role is None:
            raise ConfigError(f"role {spec.iam.role_name!r} does not exist, and [iam] auto_manage = false "
                              "tells genesys not to create it",
                              hint="create the role, fix [iam] role_name/role_arn, or set auto_manage = true")
        plan.known["role_arn"] = role.arn
        plan.change(resource, "no change")
        return plan
    wanted = wanted_policies(spec, facts, ownership.sharers)
    if role is None:
        _create(plan, spec, wanted, resource, facts, ownership)
    elif ownership.standing(role.tags, per_toml=False) in (marker.OURS, marker.CLAIM) or ownership.adopt:
        _update(plan, spec, role, wanted, resource, users or [], ownership, boundary_arn(spec, facts))
    else:
        scratch = Plan()
        _update(scratch, spec, role, wanted, resource, users or [], ownership, boundary_arn(spec, facts))
        raise _conflict(spec, role, scratch)
    return plan


def wanted_policies(spec: FunctionSpec, facts: Facts, sharers=()) -> policies.RolePolicies:
    """What the role must carry: the union of this function's needs and those of the repo's other
    functions using it, each scoped to its own deploy region."""
    return policies.union([policies.role_policies(s, replace(facts, region=s.deployment.region or facts.region))
                           for s in (spec, *sharers)])


def removable(role: RoleState, wanted: policies.RolePolicies) -> list[str]:
    """genesys's policies on the role that no function of the repo needs any more."""
    mine = attached_by_genesys(role, wanted.managed)
    return [a for a in role.managed if a in mine and a not in wanted.managed] + sorted(
        n for n in role.inline if n.startswith(policies.INLINE_PREFIX) and n not in wanted.inline)


def attached_by_genesys(role: RoleState, wanted_managed) -> set[str]:
    """The managed policies on the role genesys attached: those its record names; with no record,
    those attached that genesys would attach now (``wanted_managed``), which it takes as its own."""
    record = policies.recorded(role.tags)
    if record is None:
        return {a for a in role.managed if a in wanted_managed}
    return {a for a in role.managed if a in record}


def _check_sharers(spec: FunctionSpec, sharers) -> None:
    for other in sharers:
        if other.iam.auto_manage != spec.iam.auto_manage:
            raise ConfigError(
                f"[iam] auto_manage is {str(spec.iam.auto_manage).lower()} here but "
                f"{str(other.iam.auto_manage).lower()} in {other.path}, which uses the same role "
                f"{spec.iam.role_name!r}: genesys cannot both manage it and leave it alone",
                hint="make both TOMLs say the same [iam] auto_manage, or give one of them another [iam] role_name",
                where=where_in(spec.path, "iam", "auto_manage"))


def _conflict(spec: FunctionSpec, role: RoleState, scratch: Plan):
    named_after_function = spec.iam.role_name == f"genesys-lambda-{spec.name}"[:64]
    fixes = (["rename [metadata] name (genesys names the role after the function)", "name another role in "
              f'[iam] role_name, or set [iam] role_name = "{role.name}" and auto_manage = false to use it as it is']
             if named_after_function else
             ["set [iam] auto_manage = false to use it as it is", "name another role in [iam] role_name"])
    where = where_in(spec.path, *(("metadata", "name") if named_after_function else ("iam", "role_name")))
    return conflict(f"role {role.name}", differences(scratch.changes[0].changes), fixes, where, role.tags)


def boundary_arn(spec: FunctionSpec, facts: Facts) -> str | None:
    """``[iam] permissions_boundary`` as an ARN: a bare name is a policy of the deploy account."""
    name = spec.iam.permissions_boundary
    if not name or name.startswith("arn:"):
        return name
    return f"arn:aws:iam::{facts.account}:policy/{name}"


def _create(plan: Plan, spec: FunctionSpec, wanted: policies.RolePolicies, resource: str, facts: Facts,
            ownership: Ownership) -> None:
    boundary = boundary_arn(spec, facts)
    plan.call("iam", "create_role", resource, outputs={"role_arn": "Role.Arn"},
              RoleName=spec.iam.role_name, AssumeRolePolicyDocument=json.dumps(policies.LAMBDA_TRUST),
              Description=f"Execution role for the Lambda function {spec.name} (genesys)",
              Tags=[{"Key": k, "Value": v} for k, v in sorted(
                  {**marker_tags(spec, ownership, per_toml=False),
                   policies.RECORD_KEY: policies.record_value(wanted.managed)}.items())],
              **({"PermissionsBoundary": boundary} if boundary else {}))
    for arn in wanted.managed:
        plan.call("iam", "attach_role_policy", resource, RoleName=spec.iam.role_name, PolicyArn=arn)
    for name, document in sorted(wanted.inline.items()):
        plan.call("iam", "put_role_policy", resource, RoleName=spec.iam.role_name, PolicyName=name,
                  PolicyDocument=json.dumps(document))
    plan.known["role_arn"] = Var("role_arn")
    plan.change(resource, "create", [("policies", None, sorted(wanted.managed) + sorted(wanted.inline))])


def _update(plan: Plan, spec: FunctionSpec, role: RoleState, wanted: policies.RolePolicies, resource: str,
            users: list[str], ownership: Ownership, boundary: str | None = None) -> None:
    plan.known["role_arn"] = role.arn
    before, diffs = len(plan.calls), []
    if boundary and role.boundary != boundary:  # first: the policy calls below may need it in place
        plan.call("iam", "put_role_permissions_boundary", resource, RoleName=role.name, PermissionsBoundary=boundary)
        diffs.append(("permissions boundary", role.boundary, boundary))
    found = ownership.standing(role.tags, per_toml=False)
    made = found in (marker.OURS, marker.CLAIM)  # by genesys for this project, or before marks named one
    strangers = _unknown_users(users, ownership)
    tags, stale = {}, []
    if found != marker.OURS or not ownership.sharers:  # adopted, claimed or this function's own: tags follow [tags]
        tags, stale = tag_changes(role.tags, marker_tags(spec, ownership, per_toml=False))
    record = policies.record_value(_kept_attached(role, wanted, strangers))
    if role.tags.get(policies.RECORD_KEY) != record:  # written before the policies change: what genesys means to own
        tags[policies.RECORD_KEY] = record
    _check_tag_count(role, tags, stale if made else [])
    if tags:
        plan.call("iam", "tag_role", resource, RoleName=role.name,
                  Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])
    if stale and made:
        plan.call("iam", "untag_role", resource, RoleName=role.name, TagKeys=stale)
    diffs += [(f"Tags.{k}", role.tags.get(k), v) for k, v in sorted(tags.items())]
    diffs += [(f"Tags.{k}", role.tags[k], None) for k in stale if made]
    if not policies.lambda_may_assume(role.trust):  # genesys made it for Lambda (or takes it over now)
        plan.call("iam", "update_assume_role_policy", resource, RoleName=role.name,
                  PolicyDocument=json.dumps(policies.LAMBDA_TRUST))
        diffs.append(("trust", _principals(role.trust), ["lambda.amazonaws.com"]))
    diffs += _sync_policies(plan, role, wanted, resource, strangers)
    plan.change(resource, marker.action(found, len(plan.calls) > before), diffs)


def _check_tag_count(role: RoleState, adding: dict, removing: list[str]) -> None:
    """Stop before any write when the role would carry more tags than AWS allows (a role carrying 50
    already, some put there by hand, has no room for genesys's record)."""
    count = len({*role.tags, *adding} - set(removing))
    if count > MAX_TAGS:
        raise GenesysError(f"role {role.name} would carry {count} tags, more than the {MAX_TAGS} AWS allows: "
                           f"genesys adds {', '.join(sorted(k for k in adding if k not in role.tags))} "
                           f"({policies.RECORD_KEY} records the managed policies it attached); nothing was changed",
                           hint=f"remove tags the role does not need (aws iam untag-role --role-name {role.name} "
                                "--tag-keys ...), or name fewer [tags]")


def _unknown_users(users: list[str], ownership: Ownership) -> list[str]:
    """Functions using the role whose needs the repo does not tell (not among the sharers)."""
    known = {s.name for s in ownership.sharers}
    return [u for u in users if u not in known]


def _kept_attached(role: RoleState, wanted: policies.RolePolicies, strangers: list[str]) -> set[str]:
    """The managed policies genesys will have attached once the plan ran: what the role must carry,
    and what it attached before that it cannot remove while ``strangers`` use the role. A wanted
    policy someone else attached stays theirs."""
    mine = attached_by_genesys(role, wanted.managed)
    unattached = {a for a in wanted.managed if a not in role.managed}
    return {a for a in mine if a in wanted.managed or strangers} | unattached


def _sync_policies(plan: Plan, role: RoleState, wanted: policies.RolePolicies, resource: str,
                   strangers: list[str]) -> list[tuple]:
    """Attach and put what is missing; remove what nobody needs unless a function genesys knows
    nothing about uses the role. Returns the field diffs."""
    for arn in wanted.managed:
        if arn not in role.managed:
            plan.call("iam", "attach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
    for name, document in sorted(wanted.inline.items()):
        if role.inline.get(name) != document:
            plan.call("iam", "put_role_policy", resource, RoleName=role.name, PolicyName=name,
                      PolicyDocument=json.dumps(document))
    extra = removable(role, wanted)
    for name in [] if strangers else extra:
        if name in role.managed:
            plan.call("iam", "detach_role_policy", resource, RoleName=role.name, PolicyArn=name)
        else:
            plan.call("iam", "delete_role_policy", resource, RoleName=role.name, PolicyName=name)
    mine = attached_by_genesys(role, wanted.managed)
    old = sorted(a for a in role.managed if a in mine or a in wanted.managed) + sorted(
        n for n in role.inline if n.startswith(policies.INLINE_PREFIX))
    others = sorted(a for a in role.managed if a in policies.MANAGED_ARNS and a not in mine and a not in wanted.managed)
    new = sorted(wanted.managed) + sorted(wanted.inline) + (sorted(extra) if strangers else [])
    changed_docs = [n for n, d in wanted.inline.items() if n in role.inline and role.inline[n] != d]
    diffs = [("policies", old, new)] if old != new else []
    for name in sorted(changed_docs):
        diffs += policies.document_changes(f"policy {name}", role.inline[name], wanted.inline[name])
    if strangers and extra:
        diffs.append(("kept", None, f"{', '.join(extra)}: the role is also used by {', '.join(strangers)}"))
    if others:
        diffs.append(("kept", None, f"{', '.join(others)}: attached by someone else (genesys detaches only "
                                    "the managed policies it attached)"))
    return diffs


def _principals(trust: dict) -> list[str]:
    found = []
    for statement in trust.get("Statement", []):
        principal = statement.get("Principal")
        for value in (principal.values() if isinstance(principal, dict) else [principal]):
            found += [value] if isinstance(value, str) else list(value or [])
    return sorted(found)
