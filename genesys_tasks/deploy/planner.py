"""Spec + remote state → ``Plan``. Pure: no AWS calls, no file writes.

One planner per stage, in the order AWS needs them: role, layer, function (with
its URL, HTTP API and permissions). A later stage refers to an earlier stage's
output through ``Var`` when it does not exist yet. Every resource gets a
``Change`` (create, update with field diffs, delete, or no change); environment
values never appear in a change, only masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..config.spec import FunctionSpec
from ..errors import ConfigError
from . import policies, triggers
from .model import FileBytes, Fmt, Plan, Var
from .state import FUNCTION_KEY, LAYER_MARKER, MARKER_KEY, ApiState, FunctionState, LayerVersionState, RoleState

DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
MASK = "****"
URL_PUBLIC_SID = "genesys-url-public"
URL_INVOKE_SID = "genesys-url-invoke"
API_SID = "genesys-apigw"
PERMISSION_PREFIX = "genesys-"


@dataclass(frozen=True)
class Artifact:
    """A built zip and its CodeSha256 (base64 of the sha256 digest, as AWS reports it)."""

    path: Path
    code_sha256: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True)
class Facts:
    """Deploy-time values the spec does not hold: where, who, and resolved environment."""

    region: str
    account: str
    environment: dict  # ${env:NAME} resolved; never printed or written


def _marker_tags(spec: FunctionSpec) -> dict:
    return {**dict(spec.tags), MARKER_KEY: "true"}


def code_param(plan: Plan, spec: FunctionSpec, artifact: Artifact, resource: str, kind: str) -> dict:
    """``Code``/``Content`` for a zip: inline bytes, or an S3 object for zips over 50 MB."""
    if artifact.size <= DIRECT_UPLOAD_LIMIT:
        return {"ZipFile": FileBytes(artifact.path)}
    bucket = spec.deployment.artifact_bucket
    if not bucket:
        raise ConfigError(f"{artifact.path.name} is {artifact.size / 1e6:.0f} MB; Lambda takes at most 50 MB "
                          "directly, larger zips go through S3",
                          hint='set [deployment] artifact_bucket = "<an S3 bucket you own>"')
    key = f"genesys/{spec.name}/{kind}-{artifact.code_sha256.replace('/', '_').replace('+', '-')}.zip"
    plan.call("s3", "put_object", resource, Bucket=bucket, Key=key, Body=FileBytes(artifact.path))
    return {"S3Bucket": bucket, "S3Key": key}


# --- 0. role -----------------------------------------------------------------------------------

def plan_role(spec: FunctionSpec, role: RoleState | None) -> Plan:
    plan = Plan()
    resource = f"role {spec.iam.role_name}"
    if not spec.iam.auto_manage:
        if role is None:
            raise ConfigError(f"role {spec.iam.role_name!r} does not exist, and [iam] auto_manage = false "
                              "tells genesys not to create it",
                              hint="create the role, fix [iam] role_name/role_arn, or set auto_manage = true")
        plan.known["role_arn"] = role.arn
        plan.change(resource, "no change")
        return plan
    wanted = policies.role_policies(spec)
    if role is None:
        plan.call("iam", "create_role", resource, outputs={"role_arn": "Role.Arn"},
                  RoleName=spec.iam.role_name, AssumeRolePolicyDocument=json.dumps(policies.LAMBDA_TRUST),
                  Description=f"Execution role for the Lambda function {spec.name} (genesys)",
                  Tags=[{"Key": k, "Value": v} for k, v in sorted(_marker_tags(spec).items())])
        for arn in wanted.managed:
            plan.call("iam", "attach_role_policy", resource, RoleName=spec.iam.role_name, PolicyArn=arn)
        for name, document in sorted(wanted.inline.items()):
            plan.call("iam", "put_role_policy", resource, RoleName=spec.iam.role_name, PolicyName=name,
                      PolicyDocument=json.dumps(document))
        plan.known["role_arn"] = Var("role_arn")
        plan.change(resource, "create", [("policies", None, sorted(wanted.managed) + sorted(wanted.inline))])
        return plan

    plan.known["role_arn"] = role.arn
    before = len(plan.calls)
    for arn in wanted.managed:
        if arn not in role.managed:
            plan.call("iam", "attach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
    for arn in role.managed:
        if arn in policies.MANAGED_ARNS and arn not in wanted.managed:
            plan.call("iam", "detach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
    for name, document in sorted(wanted.inline.items()):
        if role.inline.get(name) != document:
            plan.call("iam", "put_role_policy", resource, RoleName=role.name, PolicyName=name,
                      PolicyDocument=json.dumps(document))
    for name in sorted(role.inline):
        if name.startswith(policies.INLINE_PREFIX) and name not in wanted.inline:
            plan.call("iam", "delete_role_policy", resource, RoleName=role.name, PolicyName=name)
    old = sorted(a for a in role.managed if a in policies.MANAGED_ARNS) + sorted(
        n for n in role.inline if n.startswith(policies.INLINE_PREFIX))
    new = sorted(wanted.managed) + sorted(wanted.inline)
    changed_docs = [n for n, d in wanted.inline.items() if n in role.inline and role.inline[n] != d]
    diffs = ([("policies", old, new)] if old != new else []) + [(f"policy {n}", "(old document)", "(new document)")
                                                                  for n in sorted(changed_docs)]
    plan.change(resource, "update" if len(plan.calls) > before else "no change", diffs)
    return plan


# --- 2. layer ----------------------------------------------------------------------------------

def layer_description(spec: FunctionSpec, artifact: Artifact) -> str:
    return f"{LAYER_MARKER}sha256={artifact.code_sha256} {spec.layer.description}"[:256]


def plan_layer(spec: FunctionSpec, artifact: Artifact | None, versions: list[LayerVersionState],
               layer_users: dict | None = None) -> Plan:
    """Publish unless a version genesys made has this CodeSha256; prune to the newest N it made,
    sparing versions other functions use (``layer_users``: ARN → function names)."""
    layer_users = layer_users or {}
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
    for old in ours:
        if old not in kept and layer_users.get(old.arn):
            plan.change(f"{resource}:{old.version}", "no change",
                        [("kept", None, "used by " + ", ".join(layer_users[old.arn]))])
        elif old not in kept:
            plan.call("lambda", "delete_layer_version", f"{resource}:{old.version}", LayerName=name,
                      VersionNumber=old.version)
            plan.change(f"{resource}:{old.version}", "delete", [("reason", None, f"keep_layer_versions = {keep}")])
    return plan


# --- 4. function -------------------------------------------------------------------------------

def desired_config(spec: FunctionSpec, facts: Facts, role_arn, layer_arn) -> dict:
    layers = ([layer_arn] if layer_arn is not None else []) + list(spec.function.layers)
    return {
        "Role": role_arn,
        "Handler": spec.handler,
        "Runtime": spec.runtime.id,
        "Description": spec.description,
        "Timeout": spec.function.timeout_seconds,
        "MemorySize": spec.function.memory_mb,
        "Environment": {"Variables": dict(facts.environment)},
        "Layers": layers,
        "EphemeralStorage": {"Size": spec.function.ephemeral_storage_mb},
    }


def current_config(config: dict) -> dict:
    return {
        "Role": config.get("Role"),
        "Handler": config.get("Handler"),
        "Runtime": config.get("Runtime"),
        "Description": config.get("Description", ""),
        "Timeout": config.get("Timeout"),
        "MemorySize": config.get("MemorySize"),
        "Environment": {"Variables": (config.get("Environment") or {}).get("Variables", {}) or {}},
        "Layers": [layer["Arn"] for layer in config.get("Layers", []) or []],
        "EphemeralStorage": {"Size": (config.get("EphemeralStorage") or {}).get("Size", 512)},
    }


def _config_diffs(old: dict, new: dict) -> list[tuple]:
    diffs = []
    for key in new:
        if key == "Environment":
            before, after = old[key]["Variables"], new[key]["Variables"]
            for name in sorted(set(before) | set(after)):
                if before.get(name) != after.get(name):
                    diffs.append((f"Environment.{name}", MASK if name in before else None,
                                  MASK if name in after else None))
        elif old.get(key) != new[key]:
            diffs.append((key, old.get(key), new[key]))
    return diffs


def plan_function(spec: FunctionSpec, code: Artifact, facts: Facts, function: FunctionState | None,
                  api: ApiState | None, role_arn, layer_arn) -> Plan:
    plan = Plan()
    name = spec.name
    resource = f"function {name}"
    arch = spec.deployment.architecture
    wanted = desired_config(spec, facts, role_arn, layer_arn)
    if function is None:
        params = {k: v for k, v in wanted.items() if k != "Layers" or v}
        plan.call("lambda", "create_function", resource, outputs={"function_arn": "FunctionArn"},
                  FunctionName=name, Code=code_param(plan, spec, code, resource, "function"), PackageType="Zip",
                  Architectures=[arch], Tags=_marker_tags(spec), **params)
        plan.call("lambda", "wait_function_active_v2", resource, FunctionName=name)
        shown = [(k, None, v) for k, v in wanted.items() if k != "Environment"]
        shown += [(f"Environment.{k}", None, MASK) for k in sorted(facts.environment)]
        plan.change(resource, "create", [("CodeSha256", None, code.code_sha256), ("Architectures", None, [arch])]
                    + shown)
        function_arn = Var("function_arn")
    else:
        function_arn = function.arn
        diffs = []
        old_arch = (function.config.get("Architectures") or ["x86_64"])[0]
        if function.config.get("CodeSha256") != code.code_sha256 or old_arch != arch:
            plan.call("lambda", "update_function_code", resource, FunctionName=name, Architectures=[arch],
                      **code_param(plan, spec, code, resource, "function"))
            plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
            diffs.append(("CodeSha256", function.config.get("CodeSha256"), code.code_sha256))
            if old_arch != arch:
                diffs.append(("Architectures", [old_arch], [arch]))
        old = current_config(function.config)
        config_diffs = _config_diffs(old, wanted)
        if config_diffs:
            changed = {k: wanted[k] for k in wanted if old.get(k) != wanted[k]}
            plan.call("lambda", "update_function_configuration", resource, FunctionName=name, **changed)
            plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
            diffs += config_diffs
        missing_tags = {k: v for k, v in _marker_tags(spec).items() if function.tags.get(k) != v}
        if missing_tags:
            plan.call("lambda", "tag_resource", resource, Resource=function_arn, Tags=missing_tags)
            diffs += [(f"Tags.{k}", function.tags.get(k), v) for k, v in sorted(missing_tags.items())]
        plan.change(resource, "update" if diffs else "no change", diffs)
    plan.known["function_arn"] = function_arn
    _plan_url(plan, spec, function)
    _plan_api(plan, spec, api, function_arn)
    _plan_permissions(plan, spec, facts, function, api)
    return plan


def cors_config(spec: FunctionSpec) -> dict:
    cors = spec.deployment.cors
    if not spec.deployment.cors_enabled or cors is None:
        return {}
    return _compact({"AllowOrigins": list(cors.allow_origins), "AllowMethods": list(cors.allow_methods),
                     "AllowHeaders": list(cors.allow_headers), "ExposeHeaders": list(cors.expose_headers),
                     "AllowCredentials": cors.allow_credentials, "MaxAge": cors.max_age})


def _compact(cors: dict) -> dict:
    return {k: v for k, v in (cors or {}).items() if v not in ([], False, 0, None, "")}


def _plan_url(plan: Plan, spec: FunctionSpec, function: FunctionState | None) -> None:
    name = spec.name
    resource = f"function url {name}"
    current = function.url if function else None
    if not spec.deployment.function_url:
        if current is not None:
            plan.call("lambda", "delete_function_url_config", resource, FunctionName=name)
            plan.change(resource, "delete")
        return
    auth, cors = spec.deployment.auth_type, cors_config(spec)
    if current is None:
        plan.call("lambda", "create_function_url_config", resource, outputs={"function_url": "FunctionUrl"},
                  FunctionName=name, AuthType=auth, Cors=cors)
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
        plan.call("lambda", "update_function_url_config", resource, FunctionName=name, AuthType=auth, Cors=cors)
    plan.change(resource, "update" if diffs else "no change", diffs)


def route_keys(spec: FunctionSpec) -> list[str]:
    return sorted({f"{t.get('method')} {t.get('path')}" for t in spec.triggers if t.type == "api_gateway"})


def _plan_api(plan: Plan, spec: FunctionSpec, api: ApiState | None, function_arn) -> None:
    name = spec.name
    resource = f"http api {name}"
    routes = route_keys(spec)
    if not routes:
        if api is not None:
            plan.call("apigatewayv2", "delete_api", resource, ApiId=api.api_id)
            plan.change(resource, "delete", [("routes", sorted(r["RouteKey"] for r in api.routes), None)])
        return
    if api is None:
        plan.call("apigatewayv2", "create_api", resource, outputs={"api_id": "ApiId", "api_endpoint": "ApiEndpoint"},
                  Name=name, ProtocolType="HTTP", Tags={MARKER_KEY: "true", FUNCTION_KEY: name},
                  Description=f"HTTP API for the Lambda function {name} (genesys)")
        api_id, integration, current_routes, stages = Var("api_id"), None, {}, ()
        plan.known["api_endpoint"] = Var("api_endpoint")
    else:
        api_id = api.api_id
        plan.known["api_endpoint"] = api.endpoint
        integration = next((i["IntegrationId"] for i in api.integrations
                            if i.get("IntegrationType") == "AWS_PROXY" and i.get("IntegrationUri") == function_arn),
                           None)
        current_routes = {r["RouteKey"]: r for r in api.routes}
        stages = api.stages
    plan.known["api_id"] = api_id
    before = len(plan.calls)
    if integration is None:
        plan.call("apigatewayv2", "create_integration", resource, outputs={"integration_id": "IntegrationId"},
                  ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn,
                  PayloadFormatVersion="2.0")
        integration = Var("integration_id")
    target = Fmt("integrations/{integration_id}") if isinstance(integration, Var) else f"integrations/{integration}"
    for key in routes:
        route = current_routes.get(key)
        if route is None or route.get("Target") != target:
            if route is not None:
                plan.call("apigatewayv2", "delete_route", resource, ApiId=api_id, RouteId=route["RouteId"])
            plan.call("apigatewayv2", "create_route", resource, ApiId=api_id, RouteKey=key, Target=target)
    for key, route in sorted(current_routes.items()):
        if key not in routes:
            plan.call("apigatewayv2", "delete_route", resource, ApiId=api_id, RouteId=route["RouteId"])
    if "$default" not in stages:
        plan.call("apigatewayv2", "create_stage", resource, ApiId=api_id, StageName="$default", AutoDeploy=True)
    if api is None:
        plan.change(resource, "create", [("routes", None, routes)])
    elif len(plan.calls) > before:
        plan.change(resource, "update", [("routes", sorted(current_routes), routes)])
    else:
        plan.change(resource, "no change")


def _wanted_statements(spec: FunctionSpec, facts: Facts) -> dict:
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


def _plan_permissions(plan: Plan, spec: FunctionSpec, facts: Facts, function: FunctionState | None,
                      api: ApiState | None) -> None:
    name = spec.name
    current = function.statements if function else {}
    wanted = _wanted_statements(spec, facts)
    for sid, statement in wanted.items():
        resource = f"permission {sid}"
        existing = current.get(sid)
        if existing is not None and _statement_matches(existing, statement, plan.known):
            plan.change(resource, "no change")
            continue
        if existing is not None:
            plan.call("lambda", "remove_permission", resource, FunctionName=name, StatementId=sid)
        plan.call("lambda", "add_permission", resource, FunctionName=name, StatementId=sid, **statement)
        plan.change(resource, "update" if existing else "create",
                    [(k, None, v) for k, v in statement.items()])
    for sid in sorted(current):
        if sid.startswith(PERMISSION_PREFIX) and sid not in wanted:
            plan.call("lambda", "remove_permission", f"permission {sid}", FunctionName=name, StatementId=sid)
            plan.change(f"permission {sid}", "delete")


# --- delete ------------------------------------------------------------------------------------

def plan_delete(spec: FunctionSpec, role: RoleState | None, versions: list[LayerVersionState],
                function: FunctionState | None, api: ApiState | None, layer_users: dict | None = None) -> Plan:
    """Remove what genesys made for this function, and nothing it did not mark.

    A layer version another function uses (``layer_users``: ARN → function names) is
    kept: functions naming the same ``[layer] name`` share versions.
    """
    layer_users = layer_users or {}
    plan = Plan()
    if api is not None:
        plan.call("apigatewayv2", "delete_api", f"http api {spec.name}", ApiId=api.api_id)
        plan.change(f"http api {spec.name}", "delete")
    if function is not None:
        if function.marked:
            if function.url is not None:
                plan.call("lambda", "delete_function_url_config", f"function url {spec.name}",
                          FunctionName=spec.name)
                plan.change(f"function url {spec.name}", "delete")
            plan.call("lambda", "delete_function", f"function {spec.name}", FunctionName=spec.name)
            plan.change(f"function {spec.name}", "delete")
        else:
            plan.change(f"function {spec.name}", "no change", [("kept", None, "not made by genesys (no tag)")])
    for version in sorted(versions, key=lambda v: v.version):
        resource = f"layer {spec.layer.name}:{version.version}"
        if version.marked and layer_users.get(version.arn):
            plan.change(resource, "no change", [("kept", None, "used by " + ", ".join(layer_users[version.arn]))])
        elif version.marked:
            plan.call("lambda", "delete_layer_version", resource, LayerName=spec.layer.name,
                      VersionNumber=version.version)
            plan.change(resource, "delete")
    if role is not None:
        resource = f"role {role.name}"
        if spec.iam.auto_cleanup and spec.iam.auto_manage and role.marked:
            for arn in role.managed:
                plan.call("iam", "detach_role_policy", resource, RoleName=role.name, PolicyArn=arn)
            for policy_name in sorted(role.inline):
                plan.call("iam", "delete_role_policy", resource, RoleName=role.name, PolicyName=policy_name)
            plan.call("iam", "delete_role", resource, RoleName=role.name)
            plan.change(resource, "delete")
        else:
            why = "not made by genesys (no tag)" if not role.marked else "auto_cleanup = false"
            plan.change(resource, "no change", [("kept", None, why)])
    return plan
