"""What exists in AWS for one function, read with describe/get/list calls only.

Each reader returns plain ``*State`` data (or None when the resource does not
exist); the planner compares these against the spec. Nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MARKER_KEY = "genesys:managed"
FUNCTION_KEY = "genesys:function"
LAYER_MARKER = "genesys:"


@dataclass(frozen=True)
class RoleState:
    name: str
    arn: str
    tags: dict
    managed: tuple[str, ...]  # attached managed policy ARNs
    inline: dict  # inline policy name → document

    @property
    def marked(self) -> bool:
        return self.tags.get(MARKER_KEY) == "true"


@dataclass(frozen=True)
class LayerVersionState:
    arn: str
    version: int
    description: str

    @property
    def marked(self) -> bool:
        return self.description.startswith(LAYER_MARKER)


@dataclass(frozen=True)
class ApiState:
    api_id: str
    endpoint: str
    integrations: tuple[dict, ...]
    routes: tuple[dict, ...]
    stages: tuple[str, ...]


@dataclass(frozen=True)
class FunctionState:
    config: dict  # GetFunction's Configuration
    tags: dict
    url: dict | None  # GetFunctionUrlConfig
    statements: dict = field(default_factory=dict)  # resource policy statements by Sid

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
        document = clients.iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        inline[policy_name] = json.loads(document) if isinstance(document, str) else document
    return RoleState(name, role["Arn"], tags, managed, inline)


def read_layer_versions(clients, layer_name: str) -> list[LayerVersionState]:
    versions = clients.adapter("lambda").list_layer_versions(LayerName=layer_name)
    return [LayerVersionState(v["LayerVersionArn"], v["Version"], v.get("Description", "")) for v in versions]


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


def read_function(clients, name: str) -> FunctionState | None:
    lam = clients.adapter("lambda")
    found = lam.get_function(FunctionName=name)
    if found is None:
        return None
    url = lam.get_function_url_config(FunctionName=name)
    if url is not None:
        url = {k: v for k, v in url.items() if k != "ResponseMetadata"}
    policy = lam.get_policy(FunctionName=name)
    statements = {}
    if policy is not None:
        statements = {s.get("Sid", ""): s for s in json.loads(policy["Policy"]).get("Statement", [])}
    return FunctionState(found["Configuration"], found.get("Tags", {}) or {}, url, statements)


def read_api(clients, function_name: str) -> ApiState | None:
    """The HTTP API genesys made for this function: found by its tags, never by name alone."""
    gateway = clients.apigatewayv2
    for api in gateway.get_apis():
        tags = api.get("Tags", {}) or {}
        if tags.get(MARKER_KEY) == "true" and tags.get(FUNCTION_KEY) == function_name:
            api_id = api["ApiId"]
            return ApiState(api_id, api.get("ApiEndpoint", ""), tuple(gateway.get_integrations(ApiId=api_id)),
                            tuple(gateway.get_routes(ApiId=api_id)),
                            tuple(s["StageName"] for s in gateway.get_stages(ApiId=api_id)))
    return None
