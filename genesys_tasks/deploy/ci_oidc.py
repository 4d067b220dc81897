"""The access a CI pipeline deploys with: an OIDC identity provider and a deploy role, as a plan.

Same stages as a function's deploy: ``read`` makes only get calls (the account, the
provider, the role); ``plan_access`` turns that state into a ``Plan`` with no AWS call;
the caller hands in the executor (``Executor`` applies it, ``DisplayExecutor`` or
``CollectingExecutor`` only show it). The documents come from ``policies``: a trust that
lets only the given repository's tokens (branch or environment) assume the role, and
``policies.ci_deploy_policy`` as its one inline policy.

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
class CiAccess:
    """What to set up: the token issuer and subjects, the role's name and what it says it is for,
    and the shared layer cache (bucket, prefix) the role may use, if any."""

    issuer: policies.OidcIssuer
    role_name: str
    description: str
    cache: tuple[str, str] | None = None


@dataclass(frozen=True)
class ProviderState:
    arn: str
    audiences: tuple[str, ...]
    tags: dict

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


def read(clients, access: CiAccess) -> tuple[str, ProviderState | None, RoleState | None]:
    """(account, provider, role) as AWS has them; read-only."""
    account = clients.account()
    arn = access.issuer.provider_arn(account)
    found = clients.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    provider = None if found is None else ProviderState(
        arn, tuple(found.get("ClientIDList", [])), {t["Key"]: t["Value"] for t in found.get("Tags", [])})
    return account, provider, read_role(clients, access.role_name)


def plan_access(access: CiAccess, account: str, provider: ProviderState | None, role: RoleState | None,
                adopt: bool = False) -> Plan:
    """The calls that make AWS hold ``access``; ``known`` carries ``provider_arn`` and ``role_arn``."""
    plan = Plan()
    _plan_provider(plan, access.issuer, account, provider, adopt)
    _plan_role(plan, access, account, role, adopt)
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


def _plan_role(plan: Plan, access: CiAccess, account: str, role: RoleState | None, adopt: bool) -> None:
    resource = f"role {access.role_name}"
    trust = policies.ci_trust(access.issuer, account)
    permissions = policies.ci_deploy_policy(account, access.cache)
    name = access.role_name
    if role is None:
        plan.call("iam", "create_role", resource, outputs={"role_arn": "Role.Arn"}, RoleName=name,
                  AssumeRolePolicyDocument=json.dumps(trust), Description=access.description, Tags=MARKER)
        plan.call("iam", "put_role_policy", resource, RoleName=name, PolicyName=policies.CI_POLICY,
                  PolicyDocument=json.dumps(permissions))
        plan.known["role_arn"] = f"arn:aws:iam::{account}:role/{name}"
        plan.change(resource, "create", [("trusts", None, list(access.issuer.subjects)),
                                         ("policies", None, [policies.CI_POLICY])])
        return
    plan.known["role_arn"] = role.arn
    scratch = Plan()
    if role.trust != trust:
        scratch.call("iam", "update_assume_role_policy", resource, RoleName=name, PolicyDocument=json.dumps(trust))
    if role.inline.get(policies.CI_POLICY) != permissions:
        scratch.call("iam", "put_role_policy", resource, RoleName=name, PolicyName=policies.CI_POLICY,
                     PolicyDocument=json.dumps(permissions))
    diffs = [("trust", "(old document)", "(new document)")] * (role.trust != trust) + [
        (f"policy {policies.CI_POLICY}", "(old document)" if policies.CI_POLICY in role.inline else None,
         "(new document)")] * (role.inline.get(policies.CI_POLICY) != permissions)
    if not role.marked:
        if not adopt:
            raise conflict(resource, [d[0] + " differs" for d in diffs], ["name another role with --role-name"])
        scratch.call("iam", "tag_role", resource, RoleName=name, Tags=MARKER)
        diffs.append((f"Tags.{MARKER_KEY}", None, "true"))
    plan.calls.extend(scratch.calls)
    plan.change(resource, "adopt" if not role.marked else "update" if diffs else "no change", diffs)


def plan_for(clients, access: CiAccess, adopt: bool = False) -> Plan:
    """Read the state and plan: what the caller's executor then shows or applies."""
    account, provider, role = read(clients, access)
    return plan_access(access, account, provider, role, adopt)
