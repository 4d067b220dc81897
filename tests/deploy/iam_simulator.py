"""A small IAM policy evaluator for the tests: identity policies (and a permissions boundary) against
one request, as IAM's documented evaluation logic has it.

Supported: Effect Allow/Deny (an explicit Deny wins; nothing allowed is an implicit deny),
Action/NotAction and Resource/NotResource with ``*`` and ``?`` wildcards (actions case-insensitive),
and the condition operators genesys's documents use: StringEquals, StringNotEquals, StringLike,
StringNotLike, ArnEquals, ArnLike, Null, Bool, each with ``IfExists``. Values in a condition are
ORed, keys and operators ANDed; a key missing from the request fails every operator but Null and
the ``...IfExists`` forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: dict = field(default_factory=dict)  # condition key → value (a str, or a list of str)


def _listed(value) -> list:
    return [value] if isinstance(value, (str, bool)) else list(value)


def _glob(pattern: str, value: str, case: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _arn_like(pattern: str, value: str) -> bool:
    # ARNs are compared part by part (arn:partition:service:region:account:resource)
    wanted, given = pattern.split(":", 5), value.split(":", 5)
    return len(wanted) == len(given) and all(_glob(w, g) for w, g in zip(wanted, given))


OPERATORS = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringLike": lambda want, got: _glob(want, got),
    "StringNotLike": lambda want, got: not _glob(want, got),
    "ArnEquals": lambda want, got: want == got,
    "ArnLike": _arn_like,
    "Bool": lambda want, got: str(want).lower() == str(got).lower(),
}
NEGATED = {"StringNotEquals", "StringNotLike"}


def _condition_holds(operator: str, key: str, wanted, context: dict) -> bool:
    present = key in context
    if operator == "Null":
        return (str(_listed(wanted)[0]).lower() == "true") != present
    base, if_exists = (operator[:-8], True) if operator.endswith("IfExists") else (operator, False)
    if not present:
        return if_exists
    test = OPERATORS[base]
    got_values = _listed(context[key])
    if base in NEGATED:  # true when the value matches none of the listed ones
        return all(all(test(w, g) for w in _listed(wanted)) for g in got_values)
    return any(test(w, g) for w in _listed(wanted) for g in got_values)


def _matches(statement: dict, request: Request) -> bool:
    if "Action" in statement:
        if not any(_glob(a, request.action, case=False) for a in _listed(statement["Action"])):
            return False
    elif any(_glob(a, request.action, case=False) for a in _listed(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(_glob(r, request.resource) for r in _listed(statement["Resource"])):
            return False
    elif "NotResource" in statement and any(_glob(r, request.resource) for r in _listed(statement["NotResource"])):
        return False
    return all(_condition_holds(op, key, wanted, request.context)
               for op, keys in statement.get("Condition", {}).items() for key, wanted in keys.items())


def decide(policies: list[dict], request: Request) -> str:
    """"allow", "deny" (explicit) or "implicit deny" for ``request`` under the identity ``policies``."""
    matching = [s for doc in policies for s in _listed_statements(doc) if _matches(s, request)]
    if any(s["Effect"] == "Deny" for s in matching):
        return "deny"
    return "allow" if any(s["Effect"] == "Allow" for s in matching) else "implicit deny"


def allowed(policies: list[dict], request: Request, boundary: dict | None = None) -> bool:
    """Whether the identity policies allow ``request``, within ``boundary`` when the principal has one."""
    if decide(policies, request) != "allow":
        return False
    return boundary is None or decide([boundary], request) == "allow"


def _listed_statements(document: dict) -> list[dict]:
    statement = document["Statement"]
    return [statement] if isinstance(statement, dict) else statement
