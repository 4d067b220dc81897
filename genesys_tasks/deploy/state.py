"""What exists in AWS for one function, read with describe/get/list calls only.

Each reader returns plain ``*State`` data (or None when the resource does not
exist); the planner compares these against the spec. Nothing here writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..config.aws_limits import GENESYS_TAGS

MARKER_KEY = GENESYS_TAGS[0]  # the tags genesys puts on what it makes (config counts them)
FUNCTION_KEY = "genesys:function"  # on what serves one function without its [tags]: APIs, mappings, rules
LAYER_MARKER = "genesys:sha256="
# the whole marker ``layer_description`` writes: a description merely starting "genesys:" is someone else's
LAYER_MARKED = re.compile(r"^genesys:sha256=[A-Za-z0-9+/=_-]+(\s|$)")


def deployed_architecture(config: dict) -> str:
    """The architecture a Lambda function configuration names (``x86_64`` when it names none)."""
    return (config.get("Architectures") or ["x86_64"])[0]


@dataclass(frozen=True)
class RoleState:
    """An IAM role as read: tags, attached and inline policies, trust policy, boundary."""

    name: str
    arn: str
    tags: dict
    managed: tuple[str, ...]  # attached managed policy ARNs
    inline: dict  # inline policy name → document
    trust: dict  # the trust (assume role) policy
    boundary: str | None = None  # the permissions boundary's policy ARN

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


@dataclass(frozen=True)
class LayerVersionState:
    """A layer version as read: its ARN, number and description."""

    arn: str
    version: int
    description: str

    @property
    def marked(self) -> bool:
        return bool(LAYER_MARKED.match(self.description))


@dataclass(frozen=True)
class ApiState:
    """An HTTP API as read: its endpoint, integrations, routes, stages and tags."""

    api_id: str
    endpoint: str
    integrations: tuple[dict, ...]
    routes: tuple[dict, ...]
    stages: tuple[str, ...]
    tags: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionState:
    """A function as read: configuration, tags, URL, policy statements, aliases and settings."""

    config: dict  # GetFunction's Configuration
    tags: dict
    url: dict | None  # GetFunctionUrlConfig
    statements: dict = field(default_factory=dict)  # resource policy statements by Sid
    concurrency: int | None = None  # reserved concurrent executions; None: the unreserved pool
    invoke_config: dict | None = None  # GetFunctionEventInvokeConfig (destinations, retries)
    alias_url: dict | None = None  # with [deployment] alias: the alias's URL config
    alias_statements: dict = field(default_factory=dict)  # and the alias's resource policy statements
    aliases: tuple = ()  # the names of the aliases genesys made (the configured one among them)
    # the resource policy statements of genesys's other aliases, by alias: a trigger that moved
    # off one (to the function, or to another alias) leaves its permission there to remove
    other_alias_statements: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return self.config["FunctionArn"]

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


def read_role(clients, name: str) -> RoleState | None:
    found = clients.iam.get_role(RoleName=name)
    if found is None:
        return None
    role = found["Role"]
    tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
    managed = tuple(p["PolicyArn"] for p in clients.iam.list_attached_role_policies(RoleName=name))
    inline = {}
    for policy_name in clients.iam.list_role_policies(RoleName=name):
        inline[policy_name] = parse_document(clients.iam.get_role_policy(RoleName=name, PolicyName=policy_name)
                                        ["PolicyDocument"])
    return RoleState(name, role["Arn"], tags, managed, inline, parse_document(role.get("AssumeRolePolicyDocument")),
                     (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"))


def parse_document(document) -> dict:
    """A policy document as IAM reports it: parsed already by boto3, or URL-encoded JSON text."""
    if isinstance(document, str):
        from urllib.parse import unquote

        try:
            return json.loads(document)
        except ValueError:
            return json.loads(unquote(document))
    return document or {}


def read_layer_versions(clients, layer_name: str) -> list[LayerVersionState]:
    versions = clients.adapter("lambda").list_layer_versions(LayerName=layer_name)
    return [LayerVersionState(v["LayerVersionArn"], v["Version"], v.get("Description", "")) for v in versions]


def missing_layers(clients, arns, function: "FunctionState | None") -> list[str]:
    """Of the layer version ARNs ``[function] layers`` names, those AWS does not have (or shows this
    account none of); the ones the function already uses are not asked about again."""
    used = {layer["Arn"] for layer in function.config.get("Layers") or []} if function is not None else set()
    lam = clients.adapter("lambda")

    def found(arn: str) -> bool:  # the layer's ARN is its version's less ":<version>"
        layer, version = arn.rsplit(":", 1)
        return lam.get_layer_version(LayerName=layer, VersionNumber=int(version)) is not None

    return [arn for arn in arns if arn not in used and not found(arn)]


def layer_users(clients, layer_name: str, except_function: str) -> dict:
    """Version ARN → the other functions that use a version of ``layer_name``."""
    users: dict = {}
    for function in clients.adapter("lambda").all_functions():
        if function["FunctionName"] == except_function:
            continue
        for layer in function.get("Layers", []) or []:
            if layer["Arn"].split(":")[6] == layer_name:
                users.setdefault(layer["Arn"], []).append(function["FunctionName"])
    return users


def role_users(clients, role_arn: str, except_function: str) -> list[str]:
    """The functions other than ``except_function`` whose execution role is ``role_arn``."""
    return sorted(f["FunctionName"] for f in clients.adapter("lambda").all_functions()
                  if f.get("Role") == role_arn and f["FunctionName"] != except_function)


def _url_and_statements(lam, name: str, **qualifier) -> tuple[dict | None, dict]:
    url = lam.get_function_url_config(FunctionName=name, **qualifier)
    if url is not None:
        url = {k: v for k, v in url.items() if k != "ResponseMetadata"}
    return url, _statements(lam, name, **qualifier)


def _statements(lam, name: str, **qualifier) -> dict:
    """The resource policy statements of the function (or of its alias ``Qualifier``) by Sid: those
    whose Resource is that ARN (an emulator may answer with one policy for every qualifier)."""
    policy = lam.get_policy(FunctionName=name, **qualifier)
    if policy is None:
        return {}
    wanted = qualifier.get("Qualifier")
    return {s.get("Sid", ""): s for s in json.loads(policy["Policy"]).get("Statement", [])
            if _qualifier(s.get("Resource")) == wanted}


def _qualifier(resource) -> str | None:
    """The alias or version a statement's Resource names; None for the function itself (or no Resource)."""
    parts = resource.split(":") if isinstance(resource, str) else []
    found = parts[7] if len(parts) > 7 else None
    return None if found == "$LATEST" else found


def read_function(clients, name: str, alias: str | None = None) -> FunctionState | None:
    """The function, and with ``alias`` also that alias's URL and resource policy (what callers invoke);
    the names of the aliases genesys made, and the resource policies of those other than ``alias``."""
    lam = clients.adapter("lambda")
    # the configuration and the tags, not GetFunction: a plan role never needs the code's location
    configuration = lam.get_function_configuration(FunctionName=name)
    if configuration is None:
        return None
    configuration = {k: v for k, v in configuration.items() if k != "ResponseMetadata"}
    tags = (lam.list_tags(Resource=configuration["FunctionArn"]) or {}).get("Tags", {})
    url, statements = _url_and_statements(lam, name)
    alias_url, alias_statements = _url_and_statements(lam, name, Qualifier=alias) if alias else (None, {})
    concurrency = (lam.get_function_concurrency(FunctionName=name) or {}).get("ReservedConcurrentExecutions")
    # asynchronous invocations through the alias use the alias's destinations
    invoke_config = lam.get_function_event_invoke_config(FunctionName=name, **({"Qualifier": alias} if alias else {}))
    if invoke_config is not None:
        invoke_config = {k: v for k, v in invoke_config.items() if k != "ResponseMetadata"}
    aliases = tuple(a["Name"] for a in lam.list_aliases(FunctionName=name)
                    if (a.get("Description") or "").startswith(VERSION_MARKER))
    others = {a: _statements(lam, name, Qualifier=a) for a in aliases if a != alias}
    return FunctionState(configuration, tags or {}, url, statements, concurrency,
                         invoke_config, alias_url, alias_statements, aliases,
                         {a: policy for a, policy in others.items() if policy})


VERSION_MARKER = "genesys:published"  # the start of the description of every version genesys publishes


@dataclass(frozen=True)
class VersionState:
    """A published version as read: its number, code hash and description."""

    version: int
    code_sha256: str
    description: str

    @property
    def marked(self) -> bool:
        return self.description.startswith(VERSION_MARKER)


@dataclass(frozen=True)
class AliasState:
    """An alias as read: the version it points at and its traffic weights."""

    name: str
    version: str
    weights: dict  # RoutingConfig.AdditionalVersionWeights: version → share of traffic
    description: str

    @property
    def marked(self) -> bool:
        return self.description.startswith(VERSION_MARKER)

    def versions(self) -> set[str]:
        """Every version the alias sends traffic to."""
        return {self.version, *self.weights}


def read_versions(clients, function_name: str) -> tuple[list[VersionState], dict[str, AliasState]]:
    """The function's published versions (oldest first) and its aliases by name."""
    lam = clients.adapter("lambda")
    versions = sorted((VersionState(int(v["Version"]), v.get("CodeSha256", ""), v.get("Description", "") or "")
                       for v in lam.list_versions_by_function(FunctionName=function_name)
                       if v["Version"] != "$LATEST"), key=lambda v: v.version)
    aliases = {a["Name"]: AliasState(a["Name"], a["FunctionVersion"],
                                     dict((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}),
                                     a.get("Description", "") or "")
               for a in lam.list_aliases(FunctionName=function_name)}
    return versions, aliases


@dataclass(frozen=True)
class LogGroupState:
    """A log group as read: its retention and tags."""

    name: str
    retention_days: int | None  # None: never expire
    tags: dict

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def read_log_group(clients, function_name: str) -> LogGroupState | None:
    """The function's log group, ``/aws/lambda/<name>``, when it exists (Lambda makes one when it first logs)."""
    logs = clients.adapter("logs")
    name = log_group_name(function_name)
    found = next((g for g in logs.describe_log_groups(logGroupNamePrefix=name) if g["logGroupName"] == name), None)
    if found is None:
        return None
    tags = (logs.list_tags_log_group(logGroupName=name) or {}).get("tags", {})
    return LogGroupState(name, found.get("retentionInDays"), tags)


def read_api(clients, function_name: str, owner=None) -> ApiState | None:
    """The HTTP API genesys made for this function: found by its tags, never by name alone; of
    ``owner`` (``project.Owner``) when one is given: its own first, else one with the old mark alone."""
    from .marker import CLAIM, OURS, standing

    gateway = clients.apigatewayv2
    found = {}
    for api in gateway.get_apis():
        tags = api.get("Tags", {}) or {}
        if tags.get(FUNCTION_KEY) == function_name:
            found.setdefault(standing(tags, owner), api)
    api = found.get(OURS) or found.get(CLAIM)
    if api is None:
        return None
    api_id = api["ApiId"]
    return ApiState(api_id, api.get("ApiEndpoint", ""), tuple(gateway.get_integrations(ApiId=api_id)),
                    tuple(gateway.get_routes(ApiId=api_id)),
                    tuple(s["StageName"] for s in gateway.get_stages(ApiId=api_id)), api.get("Tags", {}) or {})
