"""Planning the function's settings that live outside its configuration: reserved concurrency
(``PutFunctionConcurrency``; 0 is a kill switch) and the destinations of asynchronous
invocations (``PutFunctionEventInvokeConfig``). Each is one call when it changes, none when not.

Retry settings someone set on the event invoke config are kept when genesys puts destinations.
With ``[deployment] alias`` the destinations are the alias's (``Qualifier``): asynchronous
invocations through the alias use its own event invoke config.
Concurrency belongs to the function's own ``Change``; destinations are their own
(``destinations <name>``), planned once the alias they may belong to exists.
"""

from __future__ import annotations

from ...config.spec import FunctionSpec
from ..model import Plan
from ..state import FunctionState

RETRY_KEYS = ("MaximumRetryAttempts", "MaximumEventAgeInSeconds")


def current_destinations(invoke_config: dict | None) -> dict:
    destinations = (invoke_config or {}).get("DestinationConfig") or {}
    return {k: v["Destination"] for k, v in destinations.items() if (v or {}).get("Destination")}


def plan_settings(plan: Plan, spec: FunctionSpec, function: FunctionState | None) -> list[tuple]:
    """Add the call that brings reserved concurrency in line; return its field diffs (the function's)."""
    resource, name = f"function {spec.name}", spec.name
    wanted, current = spec.function.reserved_concurrency, function.concurrency if function else None
    if wanted == current:
        return []
    if wanted is None:
        plan.call("lambda", "delete_function_concurrency", resource, FunctionName=name)
    else:
        plan.call("lambda", "put_function_concurrency", resource, FunctionName=name, ReservedConcurrentExecutions=wanted)
    return [("ReservedConcurrency", current, wanted)]


def plan_destinations(plan: Plan, spec: FunctionSpec, function: FunctionState | None) -> None:
    """Bring the destinations of asynchronous invocations in line (after the alias exists), as their own change."""
    resource, name = f"destinations {spec.name}", spec.name
    invoke_config = function.invoke_config if function else None
    wanted, current = spec.function.destinations(), current_destinations(invoke_config)
    if wanted == current:
        if wanted:
            plan.change(resource, "no change")
        return
    qualifier = {"Qualifier": spec.deployment.alias} if spec.deployment.alias else {}
    if not wanted and not any(k in (invoke_config or {}) for k in RETRY_KEYS):
        plan.call("lambda", "delete_function_event_invoke_config", resource, FunctionName=name, **qualifier)
    else:
        kept = {k: invoke_config[k] for k in RETRY_KEYS if k in (invoke_config or {})}
        plan.call("lambda", "put_function_event_invoke_config", resource, FunctionName=name, **qualifier,
                  **kept, DestinationConfig={k: {"Destination": v} for k, v in wanted.items()})
    plan.change(resource, "create" if not current else "delete" if not wanted else "update",
                [(k, current.get(k), wanted.get(k)) for k in ("OnFailure", "OnSuccess")
                 if current.get(k) != wanted.get(k)])
