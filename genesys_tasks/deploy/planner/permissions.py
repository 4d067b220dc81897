"""Planning the function's resource policy: the statements that let callers invoke it.

A public URL needs two (InvokeFunctionUrl, and InvokeFunction via the URL); an HTTP API
needs one scoped to it; push triggers (S3, SNS, schedules) bring theirs from
``triggers.statements``. genesys's statement ids are its mark: only statements whose id
has the full form genesys gives (``genesys-url-public``, ``genesys-s3-<bucket>``, …) are
replaced or removed, so statements someone else added stay, ``genesys-``-named or not.

With ``[deployment] alias`` every statement is the alias's (``Qualifier``), since every caller
(URL, API, S3, SNS, schedules) invokes the alias; genesys's statements left on the function, and
push-trigger statements left on another alias genesys made (the alias was renamed or removed),
are removed, so a trigger that moves leaves no permission behind.
"""

from __future__ import annotations

from ...config.spec import FunctionSpec
from .. import triggers
from ..model import Fmt, Plan, Var
from ..state import FunctionState
from .api import route_keys
from .inputs import Facts

URL_PUBLIC_SID = "genesys-url-public"
URL_INVOKE_SID = "genesys-url-invoke"
API_SID = "genesys-apigw"


def owns_statement(sid: str) -> bool:
    """Whether ``sid`` is an id genesys gives the statements it adds."""
    return sid in (URL_PUBLIC_SID, URL_INVOKE_SID, API_SID) or triggers.owns_statement(sid)


def wanted_statements(spec: FunctionSpec, facts: Facts) -> dict:
    wanted = {}
    if spec.deployment.function_url and spec.deployment.auth_type == "NONE":
        # Since October 2025 a public URL needs both: InvokeFunctionUrl, and InvokeFunction via the URL.
        wanted[URL_PUBLIC_SID] = {"Action": "lambda:InvokeFunctionUrl", "Principal": "*",
                                  "FunctionUrlAuthType": "NONE"}
        wanted[URL_INVOKE_SID] = {"Action": "lambda:InvokeFunction", "Principal": "*",
                                  "InvokedViaFunctionUrl": True}
    if route_keys(spec):
        wanted[API_SID] = {"Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
                           "SourceArn": Fmt(f"arn:aws:execute-api:{facts.region}:{facts.account}:{{api_id}}/*/*")}
    wanted.update(triggers.statements(spec, facts.region, facts.account))  # S3, SNS, schedules
    return wanted


def _statement_matches(current: dict, wanted: dict, known: dict) -> bool:
    if current.get("Action") != wanted["Action"]:
        return False
    source = wanted.get("SourceArn")
    if source is None:
        return True
    if isinstance(source, Fmt):
        api_id = known.get("api_id")
        if isinstance(api_id, Var):
            return False
        source = source.template.format(api_id=api_id)
    condition = current.get("Condition", {})
    account = wanted.get("SourceAccount")
    if account is not None and condition.get("StringEquals", {}).get("AWS:SourceAccount") != account:
        return False
    return condition.get("ArnLike", {}).get("AWS:SourceArn") == source


def plan_permissions(plan: Plan, spec: FunctionSpec, facts: Facts, function: FunctionState | None) -> None:
    wanted, alias = wanted_statements(spec, facts), spec.deployment.alias
    if alias is None:
        _sync(plan, spec.name, function.statements if function else {}, wanted, {})
    else:
        _sync(plan, spec.name, function.alias_statements if function else {}, wanted, {"Qualifier": alias})
        _sync(plan, spec.name, function.statements if function else {}, {}, {})
    for other, statements in sorted((function.other_alias_statements if function else {}).items()):
        # only the push triggers' permissions: a URL genesys left on that alias keeps its own
        pushed = {sid: s for sid, s in statements.items() if triggers.owns_statement(sid)}
        _sync(plan, spec.name, pushed, {}, {"Qualifier": other})


def _sync(plan: Plan, name: str, current: dict, wanted: dict, qualifier: dict) -> None:
    """Make one resource policy (the function's, or its alias's with ``qualifier``) hold ``wanted``."""
    label = f"permission {qualifier['Qualifier']}:" if qualifier else "permission "
    for sid, statement in wanted.items():
        resource = label + sid
        existing = current.get(sid)
        if existing is not None and _statement_matches(existing, statement, plan.known):
            plan.change(resource, "no change")
            continue
        if existing is not None:
            plan.call("lambda", "remove_permission", resource, FunctionName=name, StatementId=sid, **qualifier)
        plan.call("lambda", "add_permission", resource, FunctionName=name, StatementId=sid, **statement, **qualifier)
        plan.change(resource, "update" if existing else "create",
                    [(k, None, v) for k, v in statement.items()])
    for sid in sorted(current):
        if owns_statement(sid) and sid not in wanted:
            plan.call("lambda", "remove_permission", label + sid, FunctionName=name, StatementId=sid, **qualifier)
            plan.change(label + sid, "delete")
