"""Planning the function URL: create, update (auth type, CORS) or delete it as ``[deployment]`` asks.

With ``[deployment] alias`` the URL is the alias's (``Qualifier``), so callers reach the version
the alias points at; an unqualified URL genesys made before is deleted (the address changes)."""

from __future__ import annotations

from ...config.spec import FunctionSpec
from ..model import Plan, Var
from ..state import FunctionState


def cors_config(spec: FunctionSpec) -> dict:
    cors = spec.deployment.cors
    if not spec.deployment.cors_enabled or cors is None:
        return {}
    return _compact({"AllowOrigins": list(cors.allow_origins), "AllowMethods": list(cors.allow_methods),
                     "AllowHeaders": list(cors.allow_headers), "ExposeHeaders": list(cors.expose_headers),
                     "AllowCredentials": cors.allow_credentials, "MaxAge": cors.max_age})


def _compact(cors: dict) -> dict:
    return {k: v for k, v in (cors or {}).items() if v not in ([], False, 0, None, "")}


def plan_url(plan: Plan, spec: FunctionSpec, function: FunctionState | None) -> None:
    name, alias = spec.name, spec.deployment.alias
    qualifier = {"Qualifier": alias} if alias else {}
    resource = f"function url {name}:{alias}" if alias else f"function url {name}"
    current = (function.alias_url if alias else function.url) if function else None
    # The URL moves to the alias. In AWS the unqualified URL and the alias's are two configs with two
    # addresses; the same address from both reads is one URL (an emulator ignoring Qualifier): the alias's.
    if alias and function is not None and function.url is not None \
            and function.url.get("FunctionUrl") != (function.alias_url or {}).get("FunctionUrl"):
        plan.call("lambda", "delete_function_url_config", f"function url {name}", FunctionName=name)
        plan.change(f"function url {name}", "delete")
    if not spec.deployment.function_url:
        if current is not None:
            plan.call("lambda", "delete_function_url_config", resource, FunctionName=name, **qualifier)
            plan.change(resource, "delete")
        return
    auth, cors = spec.deployment.auth_type, cors_config(spec)
    if current is None:
        plan.call("lambda", "create_function_url_config", resource, outputs={"function_url": "FunctionUrl"},
                  FunctionName=name, AuthType=auth, Cors=cors, **qualifier)
        plan.known["function_url"] = Var("function_url")
        plan.change(resource, "create", [("AuthType", None, auth), ("Cors", None, cors)])
        return
    plan.known["function_url"] = current.get("FunctionUrl")
    diffs = []
    if current.get("AuthType") != auth:
        diffs.append(("AuthType", current.get("AuthType"), auth))
    if _compact(current.get("Cors")) != cors:
        diffs.append(("Cors", _compact(current.get("Cors")), cors))
    if diffs:
        plan.call("lambda", "update_function_url_config", resource, FunctionName=name, AuthType=auth, Cors=cors,
                  **qualifier)
    plan.change(resource, "update" if diffs else "no change", diffs)
