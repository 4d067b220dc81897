"""What the planner unit tests compare against: ``hello`` as genesys deployed it from the base
TOML of ``conftest``, as hand-built ``*State`` values, and short views of a plan's calls."""

from __future__ import annotations

from genesys_tasks.deploy.policies import LAMBDA_TRUST
from genesys_tasks.deploy.state import FunctionState, RoleState

REGION, ACCOUNT = "us-east-1", "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/genesys-lambda-hello"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello"
LOGS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
MARKER = {"genesys:managed": "true"}
ROLE_TAGS = {**MARKER, "genesys:policies": "logs"}  # the role's mark and its record: genesys attached the logs policy
URL = "https://abc.lambda-url.us-east-1.on.aws/"
PUBLIC = {"genesys-url-public": {"Sid": "genesys-url-public", "Action": "lambda:InvokeFunctionUrl"},
          "genesys-url-invoke": {"Sid": "genesys-url-invoke", "Action": "lambda:InvokeFunction"}}


def calls(plan) -> list[tuple]:
    return [(c.service, c.method, c.params) for c in plan.calls]


def methods(plan) -> list[str]:
    return [c.method for c in plan.calls]


def deployed_role(**changes) -> RoleState:
    fields = {"name": "genesys-lambda-hello", "arn": ROLE_ARN, "tags": ROLE_TAGS, "managed": (LOGS_POLICY,),
              "inline": {}, "trust": LAMBDA_TRUST}
    return RoleState(**{**fields, **changes})


def deployed_function(*, config=None, tags=MARKER, url=None, statements=PUBLIC) -> FunctionState:
    """What GetFunction, GetFunctionUrlConfig and GetPolicy report for ``hello`` deployed as the base TOML asks."""
    reported = {"FunctionName": "hello", "FunctionArn": FUNCTION_ARN, "Role": ROLE_ARN, "Handler": "app.handler",
                "Runtime": "python3.12", "Description": "", "Timeout": 3, "MemorySize": 128,
                "Environment": {"Variables": {}}, "EphemeralStorage": {"Size": 512},
                "CodeSha256": "code-sha-1", "Architectures": ["x86_64"], "State": "Active"}
    return FunctionState({**reported, **(config or {})}, dict(tags),
                         url or {"FunctionUrl": URL, "AuthType": "NONE", "Cors": {}}, dict(statements))
