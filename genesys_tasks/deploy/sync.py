"""The fast inner loop (``genesys sync``): put a built edit live with as few calls as it needs.

``decide`` compares the build's record and the function's configuration with what the last
sync left (``.genesys/build/<fn>/synced-<region>.json``) and with the deployed CodeSha256:

- ``code``  only the code changed: ``plan_code`` is UpdateFunctionCode (then, with ``[deployment]
            alias``, a version published and the alias pointed at it; ``planner/versions.py``);
            no role, layer, URL or trigger call;
- ``full``  not deployed yet, never synced from here, the configuration changed, or the
            dependencies changed: the session's whole deploy (it publishes the layer first);
- ``none``  AWS already runs this code.

A function genesys did not make, or another project's (``marker``), is refused, as a deploy refuses
it; one with the old mark alone goes through the full deploy, which claims it. Prints nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import paths
from ..config.spec import FunctionSpec
from ..errors import UsageError
from .model import Plan
from . import marker
from .info import deployed_code_sha256
from .ownership import Ownership

CODE, FULL, NONE = "code", "full", "none"


@dataclass(frozen=True)
class Decision:
    """What a sync does for one change (CODE, FULL or NONE), and why."""

    kind: str  # CODE, FULL or NONE
    reason: str


def configuration(spec: FunctionSpec) -> str:
    """A digest of everything a deploy reads except the code: a change here needs the full plan.
    (``[build]`` only shapes the code, compared by its sha256; a recorded role ARN changes nothing.)"""
    data = asdict(spec)
    for key in ("path", "build", "cost"):
        data.pop(key, None)
    data["iam"] = {k: v for k, v in data["iam"].items() if k not in ("role_arn", "managed_by")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def state_path(root: Path, spec: FunctionSpec, region: str) -> Path:
    return paths.build_dir(root, spec.name) / f"synced-{region or 'default'}.json"


def read_synced(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_synced(path: Path, spec: FunctionSpec, record) -> None:
    layer = getattr(record, "layer", None)
    paths.write_text_atomic(path, json.dumps({"configuration": configuration(spec),
                                              "layer": layer.sha256 if layer else None}, sort_keys=True))


def decide(spec: FunctionSpec, record, synced: dict | None, deployed: dict | None) -> Decision:
    """What a sync of ``record`` (the build's) does, given the last sync and the deployed configuration."""
    if deployed is None:
        return Decision(FULL, "not deployed yet")
    if getattr(record, "kind", "zip") != "zip":
        return Decision(FULL, "a container image deploys through the full plan")
    if synced is None:
        return Decision(FULL, "first sync from this checkout")
    if synced.get("configuration") != configuration(spec):
        return Decision(FULL, "the configuration changed")
    layer = record.layer.sha256 if record.layer else None
    if synced.get("layer") != layer:
        return Decision(FULL, "the dependencies changed: the layer is published first")
    if deployed_code_sha256(deployed) == record.sha256:
        return Decision(NONE, "already live")
    return Decision(CODE, "the code changed")


def plan_code(spec: FunctionSpec, artifact, deployed: dict, versions=(), aliases=None) -> Plan:
    """UpdateFunctionCode for ``artifact`` (the planner's zip), then the alias's new version."""
    from .planner.inputs import code_param
    from .planner.versions import plan_versions

    plan, resource = Plan(), f"function {spec.name}"
    plan.change(resource, "update", [("CodeSha256", deployed.get("CodeSha256"), artifact.code_sha256)])
    plan.call("lambda", "update_function_code", resource, FunctionName=spec.name,
              **code_param(plan, spec, artifact, resource, "function"))
    plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=spec.name)
    return plan.extend(plan_versions(spec, artifact.code_sha256, True, list(versions), dict(aliases or {}),
                                     Ownership()))


def sync_region(session, spec: FunctionSpec, root: Path, sharers=()) -> Decision:
    """Sync ``spec`` (one region's) through ``session``: decide, then run the code plan or the full deploy."""
    from . import deployer, state

    record = deployer.build_record(spec, root)
    clients = session.clients(spec)
    found = clients.adapter("lambda").get_function(FunctionName=spec.name)
    standing = deployer.owned_by_project(spec).standing((found or {}).get("Tags") or {}) if found else None
    if standing in (marker.FOREIGN, marker.UNMARKED) and not session.options.adopt:
        raise UsageError(f"{spec.name} exists in {clients.region} but is not this project's "
                         f"({marker.owner_named(found.get('Tags') or {})})",
                         hint="genesys execute --adopt takes it over; sync changes only what this project made")
    where = state_path(root, spec, clients.region)
    decision = decide(spec, record, read_synced(where), found and found["Configuration"])
    if decision.kind == CODE and standing == marker.CLAIM:
        decision = Decision(FULL, "the function carries the old mark: the full deploy claims it")
    if decision.kind == FULL:
        deployment = session.deploy(spec, root, sharers=sharers)
        if deployment.failure is not None:
            raise deployment.failure
    elif decision.kind == CODE:
        versions, aliases = state.read_versions(clients, spec.name) if spec.deployment.alias else ([], {})
        plan = plan_code(spec, deployer.code_artifact(spec, root, record), found["Configuration"], versions, aliases)
        deployer.checked(plan)
        session.executor(clients).run(plan)
    if not session.options.dry_run:
        write_synced(where, spec, record)
    return decision
