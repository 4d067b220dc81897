"""What a dry run really reads on the emulator, checked against the pull-request plan role's policy
(with the policy simulator of tests/deploy): every call it makes is allowed, none reads a code
location or another function."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "deploy"))

from iam_simulator import Request, allowed  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
IAM_NAMES = {"GetBucketNotificationConfiguration": "GetBucketNotification"}
S3_TRIGGER = """
[[triggers]]
type = "s3"
bucket = "shop-uploads"
"""


def request_for(service: str, operation: str, params: dict) -> Request:
    """The IAM request an API call is authorised as: its action and the resource it names."""
    action = f"{service}:{IAM_NAMES.get(operation, operation)}"
    if service == "lambda" and "FunctionName" in params:
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{params['FunctionName']}"
        return Request(action, arn + (f":{params['Qualifier']}" if params.get("Qualifier") else ""))
    if service == "lambda" and "LayerName" in params:
        return Request(action, f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{params['LayerName']}")
    if service == "lambda" and "Resource" in params:
        return Request(action, params["Resource"])
    if service == "iam" and "RoleName" in params:
        return Request(action, f"arn:aws:iam::{ACCOUNT}:role/{params['RoleName']}")
    if service == "s3":
        return Request(action, f"arn:aws:s3:::{params['Bucket']}" + (f"/{params['Key']}" if "Key" in params else ""))
    return Request(action, "*")


def recording_clients(aws, made: list):
    import boto3

    from genesys_tasks.aws.session import Clients
    from genesys_tasks.aws.target import target_for

    overrides = {}
    for service in ("lambda", "iam", "s3"):
        client = boto3.client(service, endpoint_url=aws, region_name=REGION)
        client.meta.events.register(
            "provide-client-params.*.*",
            lambda params, model, service=service, **_: made.append(request_for(service, model.name, params)))
        overrides[service] = client
    return Clients(target_for(), overrides=overrides)


def test_a_dry_run_of_a_deployed_function_needs_only_what_the_plan_role_allows(aws, project, boto, deploy, dry_run):
    from genesys_tasks.deploy.ci_policies import RepoScope, ci_plan_policy

    boto("s3").create_bucket(Bucket="shop-uploads")
    p = project("shop", extra=S3_TRIGGER)
    deploy(p)
    made: list = []
    dry_run(p, recording_clients(aws, made))

    plan_role = ci_plan_policy(ACCOUNT, repo=RepoScope.of([p.spec()]))
    assert made, "the dry run read nothing"
    refused = [r for r in made if not allowed([plan_role], r)]
    print("\n".join(sorted({f"{r.action} {r.resource}" for r in made})))
    assert refused == []
    assert "lambda:GetFunction" not in {r.action for r in made}
    assert {"lambda:GetFunctionConfiguration", "lambda:ListTags", "iam:GetRole"} <= {r.action for r in made}
