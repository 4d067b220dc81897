"""The access a CI pipeline deploys with: an OIDC identity provider and a deploy role, as a plan.

Same stages as a function's deploy: ``read`` makes only get calls (the account, the
provider, the role); ``plan_access`` turns that state into a ``Plan`` with no AWS call;
the caller hands in the executor (``Executor`` applies it, ``DisplayExecutor`` or
``CollectingExecutor`` only show it). The documents come from ``policies``: a trust that
lets only the given repository's tokens (branch or environment) assume the deploy role,
with ``policies.ci_deploy_policy`` as its one inline policy; optionally a second role that
pull or merge requests assume to plan, with the read-only ``policies.ci_plan_policy``.

genesys changes only a provider or role it made (tagged ``genesys:managed``): one it did
not make is a conflict (exit 2) unless adopted, as everywhere else (``ownership``). Policies
others attached to a genesys role are left alone. Nothing here prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import policies
from .model import Plan
from .ownership import conflict
from .state import MARKER_KEY, RoleState, read_role

MARKER = [{"Key": MARKER_KEY, "Value": "true"}]


@dataclass(frozen=True)
class CiRole:
    """One role the pipeline assumes: ``deploys`` (``policies.ci_deploy_policy``) or only plans
    (``ci_plan_policy``), for tokens whose subject is one of ``subjects``; ``output`` names its ARN
    in the plan's ``known`` values."""

    name: str
    subjects: tuple[str, ...]
    deploys: bool
    description: str
    output: str

    @property
    def policy_name(self) -> str:
        return policies.CI_POLICY if self.deploys else policies.CI_PLAN_POLICY


@dataclass(frozen=True)
class CiAccess:
    """What to set up: the token issuer, its roles, and the shared layer cache (bucket, prefix) the
    deploy role may use, if any."""

    issuer: policies.OidcIssuer
    roles: tuple[CiRole, ...]
    cache: tuple[str, str] | None = None


@dataclass(frozen=True)
class ProviderState:
    arn: str
    audiences: tuple[str, ...]
    tags: dict

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


def read(clients, access: CiAccess) -> tuple[str, ProviderState | None, dict]:
    """(account, provider, {role name: RoleState or None}) as AWS has them; read-only."""
    account = clients.account()
    arn = access.issuer.provider_arn(account)
    found = clients.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    provider = None if found is None else ProviderState(
        arn, tuple(found.get("ClientIDList", [])), {t["Key"]: t["Value"] for t in found.get("Tags", [])})
    return account, provider, {role.name: read_role(clients, role.name) for role in access.roles}


def plan_access(access: CiAccess, account: str, provider: ProviderState | None, roles: dict,
                adopt: bool = False) -> Plan:
    """The calls that make AWS hold ``access``; ``known`` carries ``provider_arn`` and each role's ARN."""
    plan = Plan()
    _plan_provider(plan, access.issuer, account, provider, adopt)
    for role in access.roles:
        permissions = (policies.ci_deploy_policy(account, access.cache) if role.deploys
                       else policies.ci_plan_policy(account))
        _plan_role(plan, role, policies.ci_trust(access.issuer, role.subjects, account), permissions,
                   account, roles.get(role.name), adopt)
    return plan


def _plan_provider(plan: Plan, issuer: policies.OidcIssuer, account: str, provider: ProviderState | None,
                   adopt: bool) -> None:
    resource = f"OIDC provider {issuer.url}"
    arn = issuer.provider_arn(account)
    plan.known["provider_arn"] = arn
    if provider is None:
        plan.call("iam", "create_open_id_connect_provider", resource, Url=issuer.url,
                  ClientIDList=[issuer.audience], Tags=MARKER)
        plan.change(resource, "create", [("audiences", None, [issuer.audience])])
        return
    diffs = []
    if issuer.audience not in provider.audiences:
        plan.call("iam", "add_client_id_to_open_id_connect_provider", resource, OpenIDConnectProviderArn=arn,
                  ClientID=issuer.audience)
        diffs.append(("audiences", list(provider.audiences), [*provider.audiences, issuer.audience]))
    if not provider.marked:
        if not adopt:
            raise conflict(resource, [f"audiences: {', '.join(provider.audiences) or '(none)'}"] if diffs else [],
                           ["delete it if nothing uses it"])
        plan.call("iam", "tag_open_id_connect_provider", resource, OpenIDConnectProviderArn=arn, Tags=MARKER)
        diffs.append((f"Tags.{MARKER_KEY}", None, "true"))
    plan.change(resource, "adopt" if not provider.marked else "update" if diffs else "no change", diffs)


def _plan_role(plan: Plan, wanted: CiRole, trust: dict, permissions: dict, account: str, role: RoleState | None,
               adopt: bool) -> None:
    resource, name, policy = f"role {wanted.name}", wanted.name, wanted.policy_name
    if role is None:
        plan.call("iam", "create_role", resource, RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                  Description=wanted.description, Tags=MARKER)
        plan.call("iam", "put_role_policy", resource, RoleName=name, PolicyName=policy,
                  PolicyDocument=json.dumps(permissions))
        plan.known[wanted.output] = f"arn:aws:iam::{account}:role/{name}"
        plan.change(resource, "create", [("trusts", None, list(wanted.subjects)), ("policies", None, [policy])])
        return
    plan.known[wanted.output] = role.arn
    scratch = Plan()
    if role.trust != trust:
        scratch.call("iam", "update_assume_role_policy", resource, RoleName=name, PolicyDocument=json.dumps(trust))
    if role.inline.get(policy) != permissions:
        scratch.call("iam", "put_role_policy", resource, RoleName=name, PolicyName=policy,
                     PolicyDocument=json.dumps(permissions))
    diffs = [("trust", "(old document)", "(new document)")] * (role.trust != trust) + [
        (f"policy {policy}", "(old document)" if policy in role.inline else None,
         "(new document)")] * (role.inline.get(policy) != permissions)
    if not role.marked:
        if not adopt:
            raise conflict(resource, [d[0] + " differs" for d in diffs], ["name another role with --role-name"])
        scratch.call("iam", "tag_role", resource, RoleName=name, Tags=MARKER)
        diffs.append((f"Tags.{MARKER_KEY}", None, "true"))
    plan.calls.extend(scratch.calls)
    plan.change(resource, "adopt" if not role.marked else "update" if diffs else "no change", diffs)


def plan_for(clients, access: CiAccess, adopt: bool = False) -> Plan:
    """Read the state and plan: what the caller's executor then shows or applies."""
    account, provider, roles = read(clients, access)
    return plan_access(access, account, provider, roles, adopt)
