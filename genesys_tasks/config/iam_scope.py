"""How far the role's policy templates reach, checked when the TOML loads.

With ``[iam.resources]`` in the TOML the role is scoped: every template that reads or
writes data (S3, DynamoDB, SQS, SNS) must have resources of its service listed there,
since one left out would silently get ``"Resource": "*"`` while the others are scoped;
and a list that is only a wildcard (``"*"``) needs ``allow_wildcard = true`` beside it,
so every resource is granted on purpose. Without ``[iam.resources]`` those templates
grant every resource of their service: the load warns once, naming them.

The logs template is left out of both: it only lets the function write its own logs
(scoped to the function's log group when the role is scoped), and every function has it.

Pure: no I/O. ``unscoped_templates`` returns (key path, what is wrong, the fix) or None;
``broad_templates`` the warning sentence or None.
"""

from __future__ import annotations

from .policy_templates import Template, lookup_template
from .spec import FunctionSpec

# Which [iam.resources] list scopes each kind of template
RESOURCE_LIST = {"s3": "s3_buckets", "dynamodb": "dynamodb_tables", "sqs": "sqs_queues", "sns": "sns_topics"}
EXAMPLE = {"s3_buckets": "my-bucket", "dynamodb_tables": "my-table", "sqs_queues": "my-queue",
           "sns_topics": "my-topic"}


def is_wildcard(entry: str) -> bool:
    """True for an entry that names every resource: ``*`` (or only wildcards)."""
    return not entry.strip().strip("*?")


def _data_templates(spec: FunctionSpec) -> list[Template]:
    found = (lookup_template(entry) for entry in spec.iam.required_policies)
    return list(dict.fromkeys(t for t in found if t is not None and t.kind in RESOURCE_LIST))


def unscoped_templates(spec: FunctionSpec):
    resources = spec.iam.resources
    for name in RESOURCE_LIST.values():
        if any(is_wildcard(entry) for entry in getattr(resources, name)) and not resources.allow_wildcard:
            return (("iam", "resources", name), f"[iam.resources] {name} grants every resource with a wildcard",
                    "list the resources by name, or add allow_wildcard = true under [iam.resources] "
                    "to grant all of them on purpose")
    if not (resources.declared or resources.any()):
        return None
    for template in _data_templates(spec):
        name = RESOURCE_LIST[template.kind]
        if not getattr(resources, name):
            return (("iam", "required_policies"),
                    f"{template.id} ({template.name}) has no {name} in [iam.resources]: it would grant "
                    f"{template.kind} access to every resource while the rest of the role is scoped",
                    f'add {name} = ["{EXAMPLE[name]}"] under [iam.resources], or drop {template.id!r} '
                    "from required_policies")
    return None


def broad_templates(spec: FunctionSpec) -> str | None:
    """One sentence naming the templates that grant every resource of their service, or None."""
    resources = spec.iam.resources
    if resources.declared or resources.any():
        return None
    broad = _data_templates(spec)
    if not broad:
        return None
    names = ", ".join(f"{t.id} ({t.name})" for t in broad)
    return (f"{spec.name}: the role grants {names} on every resource of the service (Resource \"*\"); "
            "list the resources under [iam.resources] to scope it")
