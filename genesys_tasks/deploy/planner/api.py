"""Planning the HTTP API of ``api_gateway`` triggers: one API per function (found by its tags),
an AWS_PROXY integration to the function, one route per method and path, and an auto-deployed
``$default`` stage. With no such trigger left, the API genesys made is deleted.
"""

from __future__ import annotations

from ...config.spec import FunctionSpec
from ..model import Fmt, Plan, Var
from ..state import FUNCTION_KEY, MARKER_KEY, ApiState


def route_keys(spec: FunctionSpec) -> list[str]:
    return sorted({f"{t.get('method')} {t.get('path')}" for t in spec.triggers if t.type == "api_gateway"})


def plan_api(plan: Plan, spec: FunctionSpec, api: ApiState | None, function_arn, mark: dict | None = None) -> None:
    """``mark``: the tags naming the owner (``marker.owner_tags``) a new API carries."""
    resource = f"http api {spec.name}"
    routes = route_keys(spec)
    if not routes:
        if api is not None:
            plan.call("apigatewayv2", "delete_api", resource, ApiId=api.api_id)
            plan.change(resource, "delete", [("routes", sorted(r["RouteKey"] for r in api.routes), None)])
        return
    api_id, current = _api(plan, spec, api, resource, mark or {MARKER_KEY: "true"})
    before = len(plan.calls)
    integration = _integration(plan, api, api_id, function_arn, resource)
    _routes(plan, api_id, routes, current, integration, resource)
    if api is None or "$default" not in api.stages:
        plan.call("apigatewayv2", "create_stage", resource, ApiId=api_id, StageName="$default", AutoDeploy=True)
    if api is None:
        plan.change(resource, "create", [("routes", None, routes)])
    elif len(plan.calls) > before:
        plan.change(resource, "update", [("routes", sorted(current), routes)])
    else:
        plan.change(resource, "no change")


def _api(plan: Plan, spec: FunctionSpec, api: ApiState | None, resource: str, mark: dict) -> tuple:
    """The API's id (a placeholder when it is created now) and its current routes by key."""
    if api is None:
        plan.call("apigatewayv2", "create_api", resource, outputs={"api_id": "ApiId", "api_endpoint": "ApiEndpoint"},
                  Name=spec.name, ProtocolType="HTTP", Tags={**mark, FUNCTION_KEY: spec.name},
                  Description=f"HTTP API for the Lambda function {spec.name} (genesys)")
        plan.known["api_endpoint"] = Var("api_endpoint")
        plan.known["api_id"] = Var("api_id")
        return Var("api_id"), {}
    plan.known["api_endpoint"] = api.endpoint
    plan.known["api_id"] = api.api_id
    return api.api_id, {r["RouteKey"]: r for r in api.routes}


def _integration(plan: Plan, api: ApiState | None, api_id, function_arn, resource: str):
    """The id of the integration to the function; created (a placeholder) when there is none."""
    found = None if api is None else next(
        (i["IntegrationId"] for i in api.integrations
         if i.get("IntegrationType") == "AWS_PROXY" and i.get("IntegrationUri") == function_arn), None)
    if found is not None:
        return found
    plan.call("apigatewayv2", "create_integration", resource, outputs={"integration_id": "IntegrationId"},
              ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn, PayloadFormatVersion="2.0")
    return Var("integration_id")


def _routes(plan: Plan, api_id, routes: list[str], current: dict, integration, resource: str) -> None:
    target = Fmt("integrations/{integration_id}") if isinstance(integration, Var) else f"integrations/{integration}"
    for key in routes:
        route = current.get(key)
        if route is None or route.get("Target") != target:
            if route is not None:
                plan.call("apigatewayv2", "delete_route", resource, ApiId=api_id, RouteId=route["RouteId"])
            plan.call("apigatewayv2", "create_route", resource, ApiId=api_id, RouteKey=key, Target=target)
    for key, route in sorted(current.items()):
        if key not in routes:
            plan.call("apigatewayv2", "delete_route", resource, ApiId=api_id, RouteId=route["RouteId"])
