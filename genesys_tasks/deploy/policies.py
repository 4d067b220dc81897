"""Every IAM document genesys writes for a function's role, built from the policy templates.

A template (``config/policy_templates.py``) maps to an AWS managed policy where a narrow
one exists; otherwise to an inline document with only the actions it names (never a
*FullAccess policy).
When ``[iam.resources]`` names resources, every template becomes an inline
document scoped to them. genesys's inline policies are named ``genesys-<id>``.

Polled trigger sources (SQS queues, DynamoDB streams) add the poller documents Lambda
needs to read them (``poller_policies``), since AWS rejects a mapping without them.
The trust policy is here too: every IAM document genesys writes comes from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.policy_templates import TEMPLATES, lookup_template
from ..config.spec import FunctionSpec

INLINE_PREFIX = "genesys-"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


MANAGED_ARNS = {t.managed_arn for t in TEMPLATES if t.managed_arn}
SQS_POLLER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
STREAM_POLLER_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
POLLER_POLICY = {"sqs": "genesys-sqs-poller", "dynamodb": "genesys-dynamodb-poller"}


@dataclass(frozen=True)
class RolePolicies:
    """What the role should carry: managed policy ARNs and inline documents by name."""

    managed: tuple[str, ...]
    inline: dict  # name → policy document


def resource_arns(spec: FunctionSpec, kind: str) -> list[str]:
    res = spec.iam.resources
    if kind == "logs":
        return [f"arn:aws:logs:*:*:log-group:/aws/lambda/{spec.name}:*"]
    if kind == "s3":
        return [arn for b in res.s3_buckets for arn in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]
    if kind == "dynamodb":
        return [arn for t in res.dynamodb_tables
                for arn in (f"arn:aws:dynamodb:*:*:table/{t}", f"arn:aws:dynamodb:*:*:table/{t}/index/*")]
    if kind == "sqs":
        return [f"arn:aws:sqs:*:*:{q}" for q in res.sqs_queues]
    return [f"arn:aws:sns:*:*:{t}" for t in res.sns_topics]


def document(actions: tuple[str, ...], resources: list[str]) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": sorted(actions), "Resource": resources or "*"}]}


def role_policies(spec: FunctionSpec) -> RolePolicies:
    """The managed ARNs and inline documents ``[iam] required_policies`` asks for."""
    scoped = spec.iam.resources.any()
    managed, inline = [], {}
    for entry in spec.iam.required_policies:
        template = lookup_template(entry)  # the loader has checked every name
        if template.managed_arn and not scoped:
            managed.append(template.managed_arn)
        else:
            arns = resource_arns(spec, template.kind) if scoped else []
            inline[INLINE_PREFIX + template.id] = document(template.actions, arns)
    inline.update(poller_policies(spec))
    return RolePolicies(tuple(dict.fromkeys(managed)), inline)


def poller_policies(spec: FunctionSpec) -> dict:
    """Inline documents the role needs so Lambda can poll this function's queues and streams."""
    policies = {}
    queues = [t.get("queue") for t in spec.triggers if t.type == "sqs"]
    if queues:
        arns = [q if q.startswith("arn:") else f"arn:aws:sqs:*:*:{q}" for q in queues]
        policies[POLLER_POLICY["sqs"]] = document(SQS_POLLER_ACTIONS, sorted(set(arns)))
    streams = sorted({t.get("stream_arn") for t in spec.triggers if t.type == "dynamodb"})
    if streams:
        doc = document(STREAM_POLLER_ACTIONS, streams)
        # ListStreams has no resource-level permissions: it only works on *.
        doc["Statement"].append({"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": "*"})
        policies[POLLER_POLICY["dynamodb"]] = doc
    return policies
