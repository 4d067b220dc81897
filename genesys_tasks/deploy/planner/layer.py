"""Planning the dependency layer: publish a version unless one genesys made has this zip's
CodeSha256 (kept in the description), then prune to ``keep_layer_versions`` of its own.

Versions genesys did not make are never touched, and a version another function uses
(functions naming the same ``[layer] name`` share versions) is kept.
"""

from __future__ import annotations

from ...config.spec import FunctionSpec
from ..model import Plan, Var
from ..state import LAYER_MARKER, LayerVersionState
from .inputs import Artifact, code_param


def layer_description(spec: FunctionSpec, artifact: Artifact) -> str:
    return f"{LAYER_MARKER}{artifact.code_sha256} {spec.layer.description}"[:256]


def plan_layer(spec: FunctionSpec, artifact: Artifact | None, versions: list[LayerVersionState],
               layer_users: dict | None = None) -> Plan:
    """Publish unless a version genesys made has this CodeSha256; prune to the newest N it made,
    sparing versions other functions use (``layer_users``: ARN → function names)."""
    plan = Plan()
    if artifact is None:
        return plan
    name = spec.layer.name
    resource = f"layer {name}"
    ours = sorted((v for v in versions if v.marked), key=lambda v: v.version, reverse=True)
    match = next((v for v in ours if f"sha256={artifact.code_sha256}" in v.description), None)
    keep = spec.deployment.keep_layer_versions
    if match is not None:
        plan.known["layer_arn"] = match.arn
        plan.change(resource, "no change")
        kept = ours[:keep]
        if match not in kept:
            kept = ours[:keep - 1] + [match]
    else:
        content = code_param(plan, spec, artifact, resource, "layer")
        plan.call("lambda", "publish_layer_version", resource, outputs={"layer_arn": "LayerVersionArn"},
                  LayerName=name, Description=layer_description(spec, artifact), Content=content,
                  CompatibleRuntimes=list(spec.layer.compatible_runtimes),
                  CompatibleArchitectures=[spec.deployment.architecture])
        plan.known["layer_arn"] = Var("layer_arn")
        plan.change(resource, "create", [("version", ours[0].version if ours else None, "new"),
                                         ("CodeSha256", None, artifact.code_sha256)])
        kept = ours[:keep - 1]
    _prune(plan, spec, [v for v in ours if v not in kept], layer_users or {})
    return plan


def _prune(plan: Plan, spec: FunctionSpec, old: list[LayerVersionState], layer_users: dict) -> None:
    resource = f"layer {spec.layer.name}"
    for version in old:
        if layer_users.get(version.arn):
            plan.change(f"{resource}:{version.version}", "no change",
                        [("kept", None, "used by " + ", ".join(layer_users[version.arn]))])
        else:
            plan.call("lambda", "delete_layer_version", f"{resource}:{version.version}", LayerName=spec.layer.name,
                      VersionNumber=version.version)
            plan.change(f"{resource}:{version.version}", "delete",
                        [("reason", None, f"keep_layer_versions = {spec.deployment.keep_layer_versions}")])
