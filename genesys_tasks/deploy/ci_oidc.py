"""The access a CI pipeline deploys with: an OIDC identity provider and a deploy role, as a plan.

Same stages as a function's deploy: ``read`` makes only get calls (the account, the
provider, the role); ``plan_access`` turns that state into a ``Plan`` with no AWS call;
the caller hands in the executor (``Executor`` applies it, ``DisplayExecutor`` or
``CollectingExecutor`` only show it). The documents come from ``policies``: a trust that
lets only the given repository's tokens (branch or environment) assume the deploy role,
with ``ci_policies.ci_deploy_policy`` as its one inline policy; optionally a second role that
pull or merge requests assume to plan, with the read-only ``ci_policies.ci_plan_policy``. Both
name the repo's functions and buckets (``RepoScope``). The managed policy
``genesys-lambda-boundary`` (``ci_policies.lambda_boundary``) is created or brought up to date
first: the deploy role may write only roles that carry it.

genesys changes only a provider, policy or role it made (tagged ``genesys:managed``): one it did
not make is a conflict (exit 2) unless adopted, as everywhere else (``ownership``). Policies
others attached to a genesys role are left alone. Nothing here prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import UsageError
from . import ci_policies, policies
from .ci_policies import RepoScope
from .model import Plan
from .ownership import conflict
from .state import MARKER_KEY, RoleState, parse_document, read_role

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
        return ci_policies.CI_POLICY if self.deploys else ci_policies.CI_PLAN_POLICY


@dataclass(frozen=True)
class CiAccess:
    """What to set up: the token issuer, its roles, the shared layer cache (bucket, prefix) the
    deploy role may use, if any, and what the repo's TOMLs name."""

    issuer: policies.OidcIssuer
    roles: tuple[CiRole, ...]
    cache: tuple[str, str] | None = None
    repo: RepoScope = RepoScope()


@dataclass(frozen=True)
class BoundaryState:
    """The managed policy ``genesys-lambda-boundary`` as IAM has it: its default document, its
    versions (oldest first) and tags."""

    document: dict
    versions: tuple[tuple[str, bool], ...]  # (version id, default)
    tags: dict

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


@dataclass(frozen=True)
class ProviderState:
    """An IAM OIDC provider as read: its ARN, audiences and tags."""

    arn: str
    audiences: tuple[str, ...]
    tags: dict

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


def read(clients, access: CiAccess) -> tuple[str, ProviderState | None, dict, BoundaryState | None]:
    """(account, provider, {role name: RoleState or None}, boundary) as AWS has them; read-only."""
    account = clients.account()
    arn = access.issuer.provider_arn(account)
    found = clients.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    provider = None if found is None else ProviderState(
        arn, tuple(found.get("ClientIDList", [])), {t["Key"]: t["Value"] for t in found.get("Tags", [])})
    roles = {role.name: read_role(clients, role.name) for role in access.roles}
    return account, provider, roles, read_boundary(clients, account)


def read_boundary(clients, account: str) -> BoundaryState | None:
    arn = ci_policies.boundary_arn(account)
    found = clients.iam.get_policy(PolicyArn=arn)
    if found is None:
        return None
    policy = found["Policy"]
    default = clients.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    versions = sorted(clients.iam.list_policy_versions(PolicyArn=arn), key=lambda v: str(v.get("CreateDate", "")))
    return BoundaryState(parse_document(default["PolicyVersion"]["Document"]),
                         tuple((v["VersionId"], bool(v.get("IsDefaultVersion"))) for v in versions),
                         {t["Key"]: t["Value"] for t in policy.get("Tags", [])})


def plan_access(access: CiAccess, account: str, provider: ProviderState | None, roles: dict,
                adopt: bool = False, boundary: BoundaryState | None = None) -> Plan:
    """The calls that make AWS hold ``access``; ``known`` carries ``provider_arn`` and each role's ARN."""
    plan = Plan()
    _plan_provider(plan, access.issuer, account, provider, adopt)
    _plan_boundary(plan, account, boundary, adopt)
    for role in access.roles:
        permissions = (ci_policies.ci_deploy_policy(account, access.cache, access.repo) if role.deploys
                       else ci_policies.ci_plan_policy(account, access.cache, access.repo))
        if ci_policies.size(permissions) > ci_policies.INLINE_LIMIT:
            raise UsageError(f"the policy of role {role.name} would be {ci_policies.size(permissions)} characters "
                             f"for the {len(access.repo.functions)} functions found; IAM takes at most "
                             f"{ci_policies.INLINE_LIMIT}",
                             hint="name the functions by prefix (--functions 'shop-*'), or bootstrap one role per "
                             "folder of functions (--root and --role-name)")
        _plan_role(plan, role, policies.ci_trust(access.issuer, role.subjects, account), permissions,
                   account, roles.get(role.name), adopt)
    return plan


def _plan_boundary(plan: Plan, account: str, boundary: BoundaryState | None, adopt: bool) -> None:
    resource, arn = f"policy {ci_policies.BOUNDARY}", ci_policies.boundary_arn(account)
    wanted = ci_policies.lambda_boundary()
    plan.known["boundary_arn"] = arn
    if boundary is None:
        plan.call("iam", "create_policy", resource, PolicyName=ci_policies.BOUNDARY, PolicyDocument=json.dumps(wanted),
                  Description="The most an execution role genesys creates from CI may do (genesys)", Tags=MARKER)
        plan.change(resource, "create", [("actions", None, len(wanted["Statement"][0]["Action"]))])
        return
    if not boundary.marked and not adopt:
        raise conflict(resource, [], ["delete it if nothing uses it"])
    diffs = []
    if boundary.document != wanted:
        if len(boundary.versions) >= 5:  # IAM keeps five versions: the oldest that is not the default goes
            oldest = next(v for v, default in boundary.versions if not default)
            plan.call("iam", "delete_policy_version", resource, PolicyArn=arn, VersionId=oldest)
        plan.call("iam", "create_policy_version", resource, PolicyArn=arn, PolicyDocument=json.dumps(wanted),
                  SetAsDefault=True)
        diffs += policies.document_changes("document", boundary.document, wanted)
    if not boundary.marked:
        plan.call("iam", "tag_policy", resource, PolicyArn=arn, Tags=MARKER)
        diffs.append((f"Tags.{MARKER_KEY}", None, "true"))
    plan.change(resource, "adopt" if not boundary.marked else "update" if diffs else "no change", diffs)


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
    diffs = policies.document_changes("trust", role.trust, trust) if role.trust != trust else []
    if policy not in role.inline:
        diffs.append((f"policy {policy}", None, "(new document)"))
    elif role.inline[policy] != permissions:
        diffs += policies.document_changes(f"policy {policy}", role.inline[policy], permissions)
    if not role.marked:
        if not adopt:
            parts = dict.fromkeys(d[0].split(".", 1)[0] for d in diffs)  # "trust", "policy <name>"
            raise conflict(resource, [f"{part} differs" for part in parts], ["name another role with --role-name"])
        scratch.call("iam", "tag_role", resource, RoleName=name, Tags=MARKER)
        diffs.append((f"Tags.{MARKER_KEY}", None, "true"))
    plan.calls.extend(scratch.calls)
    plan.change(resource, "adopt" if not role.marked else "update" if diffs else "no change", diffs)


def plan_for(clients, access: CiAccess, adopt: bool = False) -> Plan:
    """Read the state and plan: what the caller's executor then shows or applies."""
    account, provider, roles, boundary = read(clients, access)
    return plan_access(access, account, provider, roles, adopt, boundary)
