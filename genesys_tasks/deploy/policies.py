"""Every IAM document genesys writes for a function's role, built from the policy templates.

A template (``config/policy_templates.py``) maps to an AWS managed policy where a narrow
one exists; otherwise to an inline document with only the actions it names (never a
*FullAccess policy).
When ``[iam.resources]`` names resources, every template becomes an inline
document scoped to them, by exact ARNs in the deploy region and account (``Scope``).
genesys's inline policies are named ``genesys-<id>``. A role several functions use
carries the ``union`` of what each needs.

``[function]`` settings add what they need (``setting_policies``): a VPC the managed
AWSLambdaVPCAccessExecutionRole, Active tracing AWSXRayDaemonWriteAccess, and asynchronous
invocation destinations an inline ``genesys-destinations`` document allowing the one send
action each destination's service needs, on exactly that ARN.

Polled trigger sources (SQS queues, DynamoDB streams) add the poller documents Lambda
needs to read them (``poller_policies``, from each type's ``Poller`` in config/triggers.py),
since AWS rejects a mapping without them.
The trust policy is here too, and whether a role's lets Lambda assume it: every IAM
document genesys writes or reads comes from this module.

Which managed policies genesys attached to a role is recorded on the role, in the tag
``genesys:policies`` (``RECORD_KEY``): the short names (``MANAGED_IDS``: a template's id, ``vpc``,
``xray``) of the attached ARNs, sorted, joined by ``+`` (``"logs+s3-read"``; empty when none).
genesys attaches only the ARNs of that closed table, so the value stays far under IAM's 256
characters and within its tag characters; it is one tag of the 50 (a role carries fewer of
genesys's tags than ``aws_limits.GENESYS_TAGS`` reserves; a role that has no room left, tagged
by hand, stops the deploy before any write). A name the table does not know (a
newer genesys's, or typed by hand) stands for no policy genesys may detach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..config.policy_templates import TEMPLATES, lookup_template
from ..config.spec import FunctionSpec

INLINE_PREFIX = "genesys-"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


VPC_ACCESS_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE_ARN = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
# every managed policy genesys may attach → its short name in the record (``RECORD_KEY``)
MANAGED_IDS = {**{t.managed_arn: t.id for t in TEMPLATES if t.managed_arn}, VPC_ACCESS_ARN: "vpc", XRAY_WRITE_ARN: "xray"}
MANAGED_ARNS = set(MANAGED_IDS)
RECORD_KEY = "genesys:policies"
RECORD_SEPARATOR = "+"
DESTINATION_ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
                       "events": "events:PutEvents"}
DESTINATIONS_POLICY = "genesys-destinations"


class Scope(Protocol):
    """The deploy region and account ARNs are scoped to (``planner.Facts`` is one)."""

    region: str
    account: str


@dataclass(frozen=True)
class RolePolicies:
    """What the role should carry: managed policy ARNs and inline documents by name."""

    managed: tuple[str, ...]
    inline: dict  # name → policy document


def _arn(service: str, name: str, scope: Scope) -> str:
    """The ARN of a queue or topic named in the TOML: as written when it is one, else in the deploy
    region and account (where the deploy looks it up)."""
    return name if name.startswith("arn:") else f"arn:aws:{service}:{scope.region}:{scope.account}:{name}"


def resource_arns(spec: FunctionSpec, kind: str, scope: Scope) -> list[str]:
    """The exact ARNs ``[iam.resources]`` names for a template's service, in the deploy region and account."""
    res, region, account = spec.iam.resources, scope.region, scope.account
    if kind == "logs":
        return [f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{spec.name}:*"]
    if kind == "s3":  # bucket ARNs carry neither region nor account
        return [arn for b in res.s3_buckets for arn in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]
    if kind == "dynamodb":
        tables = [f"arn:aws:dynamodb:{region}:{account}:table/{t}" for t in res.dynamodb_tables]
        return [arn for table in tables for arn in (table, f"{table}/index/*")]
    if kind == "sqs":
        return [_arn("sqs", q, scope) for q in res.sqs_queues]
    return [_arn("sns", t, scope) for t in res.sns_topics]


def record_value(arns) -> str:
    """The record of the managed policies genesys attached (each one of ``MANAGED_ARNS``), as a tag value."""
    return RECORD_SEPARATOR.join(sorted(MANAGED_IDS[arn] for arn in set(arns)))


def recorded(tags: dict) -> frozenset | None:
    """The managed policy ARNs a role's record names; None when it has no record (made by a genesys
    that did not keep one, or not by genesys)."""
    if RECORD_KEY not in tags:
        return None
    by_id = {short: arn for arn, short in MANAGED_IDS.items()}
    return frozenset(by_id[short] for short in tags[RECORD_KEY].split(RECORD_SEPARATOR) if short in by_id)


def document(actions: tuple[str, ...], resources: list[str]) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": sorted(actions), "Resource": resources or "*"}]}


def role_policies(spec: FunctionSpec, scope: Scope) -> RolePolicies:
    """The managed ARNs and inline documents ``[iam] required_policies`` asks for, scoped to
    ``scope`` (the deploy region and account)."""
    scoped = spec.iam.resources.any()
    inline = {}
    for entry in spec.iam.required_policies:
        template = lookup_template(entry)  # the loader has checked every name
        if scoped or not template.managed_arn:
            arns = resource_arns(spec, template.kind, scope) if scoped else []
            inline[INLINE_PREFIX + template.id] = document(template.actions, arns)
    inline.update(poller_policies(spec, scope))
    inline.update(setting_policies(spec)[1])
    return RolePolicies(managed_policies(spec), inline)


def managed_policies(spec: FunctionSpec) -> tuple[str, ...]:
    """The managed policy ARNs the spec's templates and settings attach (none is scoped to a region)."""
    templates = [] if spec.iam.resources.any() else [
        t.managed_arn for t in map(lookup_template, spec.iam.required_policies) if t.managed_arn]
    return tuple(dict.fromkeys(templates + setting_policies(spec)[0]))


def setting_policies(spec: FunctionSpec) -> tuple[list[str], dict]:
    """The managed ARNs and inline documents ``[function]`` settings need: VPC access, X-Ray, destinations."""
    settings = spec.function
    managed = ([VPC_ACCESS_ARN] if settings.vpc else []) + ([XRAY_WRITE_ARN] if settings.tracing == "Active" else [])
    statements = [{"Effect": "Allow", "Action": [DESTINATION_ACTIONS[arn.split(":")[2]]], "Resource": [arn]}
                  for arn in sorted(set(settings.destinations().values()))]
    inline = {DESTINATIONS_POLICY: {"Version": "2012-10-17", "Statement": statements}} if statements else {}
    return managed, inline


def poller_policies(spec: FunctionSpec, scope: Scope) -> dict:
    """Inline documents the role needs so Lambda can poll this function's queues and streams (each
    polled type's ``Poller``, config/triggers.py): each names the exact queue ARN (a named queue is
    the deploy region and account's) or stream ARN."""
    from ..config.triggers import TYPES

    policies = {}
    for kind, row in TYPES.items():
        poller = row.poller
        sources = sorted({_arn(poller.service, t.get(row.source_key), scope)
                          for t in spec.triggers if t.type == kind}) if poller else []
        if sources:
            doc = document(poller.actions, sources)
            doc["Statement"] += [{"Effect": "Allow", "Action": [action], "Resource": "*"} for action in poller.unscoped]
            policies[poller.policy] = doc
    return policies


def union(needs: list[RolePolicies]) -> RolePolicies:
    """What a role several functions use must carry: every managed ARN any of them needs, and each
    inline policy with the statements of all of them (their resources merged, ``*`` winning)."""
    managed = tuple(dict.fromkeys(arn for need in needs for arn in need.managed))
    inline: dict = {}
    for need in needs:
        for name, doc in need.inline.items():
            inline[name] = _merge(inline[name], doc) if name in inline else doc
    return RolePolicies(managed, inline)


def _merge(one: dict, other: dict) -> dict:
    statements: dict = {}  # (effect, actions) → resources
    for statement in one["Statement"] + other["Statement"]:
        key = (statement["Effect"], tuple(statement["Action"]))
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        statements[key] = statements.get(key, []) + resources
    merged = []
    for (effect, actions), resources in statements.items():
        unique = sorted(set(resources))
        merged.append({"Effect": effect, "Action": list(actions),
                       "Resource": "*" if "*" in unique else unique})
    return {"Version": one["Version"], "Statement": merged}


def document_changes(label: str, old: dict, new: dict) -> list[tuple]:
    """What differs between two versions of a policy document, as plan diffs: each statement key that
    changed (``<label>.Resource: [a] → [a, b]``; statements are numbered when there are several)."""
    before, after = _statements(old), _statements(new)
    numbered = len(before) > 1 or len(after) > 1
    found = []
    for n in range(max(len(before), len(after))):
        was = before[n] if n < len(before) else {}
        now = after[n] if n < len(after) else {}
        prefix = f"{label}.Statement[{n}]" if numbered else label
        found += [(f"{prefix}.{key}", was.get(key), now.get(key)) for key in sorted({*was, *now})
                  if was.get(key) != now.get(key)]
    return found or [(label, "(old document)", "(new document)")]  # Version or another top-level key


def _statements(document: dict) -> list[dict]:
    statements = (document or {}).get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def lambda_may_assume(trust: dict) -> bool:
    """Whether a trust policy lets Lambda assume the role (what every execution role needs)."""
    def listed(value) -> list:
        return [value] if isinstance(value, str) else list(value or [])

    for statement in trust.get("Statement", []):
        principal = statement.get("Principal")
        services = listed(principal.get("Service")) if isinstance(principal, dict) else []
        if (statement.get("Effect") == "Allow" and "lambda.amazonaws.com" in services
                and set(listed(statement.get("Action"))) & {"sts:AssumeRole", "sts:*", "*"}):
            return True
    return False


# --- CI: the role a pipeline assumes through OIDC to deploy (``genesys ci bootstrap-oidc``) -----------

@dataclass(frozen=True)
class OidcIssuer:
    """A CI system's token issuer: its host (the provider ARN's tail) and the audience its tokens
    carry for AWS."""

    host: str
    audience: str

    @property
    def url(self) -> str:
        return f"https://{self.host}"

    def provider_arn(self, account: str) -> str:
        return f"arn:aws:iam::{account}:oidc-provider/{self.host}"


def ci_trust(issuer: OidcIssuer, subjects: tuple[str, ...], account: str) -> dict:
    """Only tokens of ``issuer`` for AWS whose subject is one of ``subjects`` may assume the role."""
    condition = {"StringEquals": {f"{issuer.host}:aud": issuer.audience}}
    operator = "StringLike" if any("*" in s for s in subjects) else "StringEquals"
    condition.setdefault(operator, {})[f"{issuer.host}:sub"] = list(subjects)
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": issuer.provider_arn(account)},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]}
