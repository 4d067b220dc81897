"""Planning Lambda's pull rights on an ECR repository in another account than the function's.

AWS lets a function run an image from another account's repository (same region) when that
repository's policy has two statements for the function's account: one letting the account
(whoever creates or updates the function) ``ecr:BatchGetImage`` and ``ecr:GetDownloadUrlForLayer``,
one letting ``lambda.amazonaws.com`` do the same for that account's functions (``aws:sourceArn``),
which Lambda needs to fetch the image again for a function it made inactive. ``pull_statements``
writes them, with genesys's Sids.

A repository genesys made (its ``genesys:managed`` mark, whichever project's: the statements only add
pulls of its images) gets them merged into its policy: the other statements
are kept, genesys's replaced, nothing written when they are there already. A repository genesys did
not make is never changed: when its policy can be read and no statement lets the function's account
pull, the deploy stops before any write (exit 2) naming the statements its owner must add; when only
the Lambda statement is missing, or the policy cannot be read with the deploy's credentials, the
plan says what the policy must hold and the deploy goes on.
"""

from __future__ import annotations

import fnmatch
import json

from ...errors import UsageError
from .. import marker
from ..model import Plan
from .image import RepositoryState

PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def pull_statements(account: str, region: str) -> list[dict]:
    """The repository policy statements that let ``account``'s functions in ``region`` run its images."""
    return [
        {"Sid": f"GenesysPull{account}", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": list(PULL_ACTIONS)},
        {"Sid": f"GenesysLambdaPull{account}", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": list(PULL_ACTIONS),
         "Condition": {"StringLike": {"aws:sourceArn": f"arn:aws:lambda:{region}:{account}:function:*"}}},
    ]


def plan_pull_access(name: str, registry: str, account: str, region: str, repository: RepositoryState | None,
                     readable: bool) -> Plan:
    """``name`` in ``registry`` (another account's ECR), for a function of ``account`` in ``region``.
    ``repository``: its state, policy included (None with ``readable``: it does not exist)."""
    plan, resource = Plan(), f"ECR repository {registry}/{name}"
    wanted = pull_statements(account, region)
    if not readable:
        plan.change(resource, "no change", [("note", None, f"cannot be read with these credentials: its policy "
                                             f"must hold {_shown(wanted)}")])
        return plan
    if repository is None:
        raise UsageError(f"the ECR repository {name} does not exist in account {registry}",
                         hint="create it there (genesys makes repositories only in the deployment's account), "
                              "or name another in [deployment] image_repository")
    statements = _statements(repository.policy)
    if marker.standing(repository.tags, None) == marker.OURS:
        if all(statement in statements for statement in wanted):
            plan.change(resource, "no change")
            return plan
        sids = {statement["Sid"] for statement in wanted}
        merged = [s for s in statements if s.get("Sid") not in sids] + wanted
        text = json.dumps({"Version": "2012-10-17", "Statement": merged}, sort_keys=True, separators=(",", ":"))
        plan.call("ecr", "set_repository_policy", resource, registryId=registry, repositoryName=name, policyText=text)
        plan.change(resource, "update", [("policy", None, f"lets account {account}'s functions pull")])
        return plan
    if not any(_grants(s, account) for s in statements):
        raise UsageError(f"the ECR repository {registry}/{name} (account {registry}, not made by genesys) does not "
                         f"let account {account} pull its images, so Lambda cannot create the function",
                         hint=f"its owner adds to its repository policy: {_shown(wanted)}")
    if not any(_grants_lambda(s, account) for s in statements):
        plan.change(resource, "no change", [("note", None, f"add {_shown(wanted[1:])}: without it Lambda cannot "
                                             "fetch the image again for a function it made inactive")])
    else:
        plan.change(resource, "no change")
    return plan


def _shown(statements: list[dict]) -> str:
    return json.dumps(statements, sort_keys=True)


def _statements(policy: str | None) -> list[dict]:
    if not policy:
        return []
    found = json.loads(policy).get("Statement") or []
    return [found] if isinstance(found, dict) else list(found)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _allows_pull(statement: dict) -> bool:
    actions = [str(a).lower() for a in _listed(statement.get("Action", []))]
    return statement.get("Effect") == "Allow" and all(
        any(fnmatch.fnmatchcase(wanted.lower(), action) for action in actions) for wanted in PULL_ACTIONS)


def _grants(statement: dict, account: str) -> bool:
    """The statement lets ``account`` (or everyone) pull; its conditions are not judged (they may narrow it)."""
    principal = statement.get("Principal")
    named = _listed(principal.get("AWS", [])) if isinstance(principal, dict) else _listed(principal)
    return _allows_pull(statement) and any(p == "*" or p == account or f":{account}:" in str(p) for p in named)


def _grants_lambda(statement: dict, account: str) -> bool:
    principal = statement.get("Principal")
    services = _listed(principal.get("Service", [])) if isinstance(principal, dict) else _listed(principal)
    condition = json.dumps(statement.get("Condition") or {})
    return _allows_pull(statement) and any(s in ("*", "lambda.amazonaws.com") for s in services) and (
        account in condition or "Condition" not in statement)
