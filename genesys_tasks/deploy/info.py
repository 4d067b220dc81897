"""What is deployed for a function, read from AWS (``genesys info``): plain data, read calls only.

``describe`` gathers one region's facts: ARN, state, runtime, sizes, the code's sha256 (with
``[deployment] alias``, that of the version the alias names: what callers run) and
whether it is the local build's (the build's artifact record, ``build/record.py``), layers,
role, URL, API endpoint, aliases and versions, triggers and tags. ``status`` is the one word
a repo listing shows per function: ``deployed``, ``out of date`` (the code differs from the
local build), ``not built`` (deployed, nothing built here to compare) or ``not deployed``.
Prints nothing.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from ..config.spec import FunctionSpec
from . import state

DEPLOYED, OUT_OF_DATE, NOT_BUILT, NOT_DEPLOYED = "deployed", "out of date", "not built", "not deployed"


def local_code_sha256(spec: FunctionSpec, root: Path) -> str | None:
    """The hex sha256 (or image digest) the build recorded for the deploy architecture; None when not built."""
    from ..build.record import ZipRecord
    from ..errors import BuildError
    from .deployer import build_record

    try:
        record = build_record(spec, root)
    except BuildError:
        return None
    return record.sha256 if isinstance(record, ZipRecord) else record.digest.removeprefix("sha256:")


def deployed_code_sha256(config: dict) -> str:
    """Lambda's CodeSha256 (base64 of the digest for a zip, hex for an image) as hex."""
    value = config.get("CodeSha256", "")
    try:
        return base64.b64decode(value, validate=True).hex() if len(value) == 44 else value
    except (binascii.Error, ValueError):
        return value


def describe(spec: FunctionSpec, clients, root: Path) -> dict | None:
    """The facts of ``spec``'s function in ``clients``' region; None when it is not deployed there."""
    found = state.read_function(clients, spec.name, spec.deployment.alias)
    if found is None:
        return None
    config = found.config
    deployed_sha, local_sha = deployed_code_sha256(config), local_code_sha256(spec, root)
    versions, aliases = state.read_versions(clients, spec.name)
    live = _alias_code(spec.deployment.alias, versions, aliases)
    if live is not None:  # callers invoke the alias: its version's code is what runs (a rollback moves it)
        deployed_sha = live
    api = state.read_api(clients, spec.name)
    url = (found.alias_url or found.url or {}).get("FunctionUrl")
    mappings = clients.adapter("lambda").list_event_source_mappings(FunctionName=spec.name)
    return {
        "name": spec.name, "region": clients.region, "arn": found.arn,
        "state": config.get("State"), "last_update_status": config.get("LastUpdateStatus"),
        "runtime": config.get("Runtime") or config.get("PackageType"),
        "architecture": state.deployed_architecture(config),
        "memory_mb": config.get("MemorySize"), "timeout_s": config.get("Timeout"),
        "code_sha256": deployed_sha, "local_sha256": local_sha,
        "matches_build": None if local_sha is None else local_sha == deployed_sha,
        "layers": [layer["Arn"] for layer in config.get("Layers") or []],
        "role": config.get("Role"), "url": url, "api_endpoint": api.endpoint if api else None,
        "aliases": {name: a.version for name, a in aliases.items()},
        "alias": spec.deployment.alias if live is not None else None,
        "versions": [v.version for v in versions],
        "triggers": [{"source": m.get("EventSourceArn"), "state": m.get("State")} for m in mappings]
                    + [{"permission": sid} for sid in sorted(found.statements)],
        "tags": dict(found.tags),
    }


def _alias_code(alias: str | None, versions, aliases) -> str | None:
    """The hex sha256 of the code ``alias``'s version runs; None without the alias (or its version)."""
    target = aliases.get(alias) if alias else None
    version = next((v for v in versions if target is not None and str(v.version) == str(target.version)), None)
    return None if version is None else deployed_code_sha256({"CodeSha256": version.code_sha256})


def status(facts: dict | None) -> str:
    if facts is None:
        return NOT_DEPLOYED
    if facts["matches_build"] is None:
        return NOT_BUILT
    return DEPLOYED if facts["matches_build"] else OUT_OF_DATE
