"""The CI roles `genesys ci bootstrap-oidc` plans, evaluated with a small IAM policy simulator
(``iam_simulator``): what a deploy needs is allowed; the escalation paths a job running the
repository's code could take are not (an admin role, an admin policy, an outside trust, a role
passed to another service, someone else's function or bucket); the plan role never reads code
locations or other functions. Also: genesys's own role planning attaches the boundary."""

from __future__ import annotations

import argparse
import json

import pytest
from deployed import ACCOUNT, deployed_role
from iam_simulator import Request, allowed

from genesys_tasks.commands.ci_oidc import access
from genesys_tasks.config.policy_templates import TEMPLATES
from genesys_tasks.deploy import planner
from genesys_tasks.deploy.ci_oidc import plan_access
from genesys_tasks.deploy.ci_policies import MANAGED_ACTIONS, RepoScope

REPO = RepoScope(functions=("shop-api",), layers=("shop-api-deps",), trigger_buckets=("shop-uploads",),
                 artifact_buckets=("shop-artifacts",))
ROLE = f"arn:aws:iam::{ACCOUNT}:role/genesys-lambda-shop-api"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/genesys-lambda-boundary"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:shop-api"
THEIRS = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:payroll"
ADMIN_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def documents() -> dict:
    """The documents ``bootstrap-oidc --pull-requests --cache-url`` writes: deploy, plan, boundary."""
    args = argparse.Namespace(github="acme/shop", gitlab=None, branch=None, environment=None,
                              gitlab_url="https://gitlab.com", role_name=None, pull_requests=True,
                              cache_url="s3://team-cache/genesys/")
    plan = plan_access(access(args, REPO), ACCOUNT, None, {})
    found = {c.params["RoleName"]: json.loads(c.params["PolicyDocument"])
             for c in plan.calls if c.method == "put_role_policy"}
    (boundary,) = [json.loads(c.params["PolicyDocument"]) for c in plan.calls if c.method == "create_policy"]
    return {"deploy": found["genesys-ci-acme-shop"], "plan": found["genesys-ci-acme-shop-plan"],
            "boundary": boundary}


@pytest.fixture(scope="module")
def docs():
    return documents()


ESCALATIONS = {
    "create an admin role (no boundary)": Request("iam:CreateRole", ROLE),
    "create a role with another boundary": Request("iam:CreateRole", ROLE, {"iam:PermissionsBoundary": ADMIN}),
    "create a role outside genesys-lambda-*": Request("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/admin",
                                                      {"iam:PermissionsBoundary": BOUNDARY}),
    "put an admin inline policy on a role without the boundary": Request("iam:PutRolePolicy", ROLE),
    "attach AdministratorAccess within the boundary": Request("iam:AttachRolePolicy", ROLE, {
        "iam:PolicyARN": ADMIN, "iam:PermissionsBoundary": BOUNDARY}),
    "attach a managed policy to a role without the boundary": Request("iam:AttachRolePolicy", ROLE, {
        "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}),
    "take the boundary off a role": Request("iam:DeleteRolePermissionsBoundary", ROLE,
                                            {"iam:PermissionsBoundary": BOUNDARY}),
    "rewrite the boundary's document": Request("iam:CreatePolicyVersion", BOUNDARY),
    "trust an outside account": Request("iam:UpdateAssumeRolePolicy", ROLE),
    "pass a role to another service": Request("iam:PassRole", ROLE, {"iam:PassedToService": "ec2.amazonaws.com"}),
    "update a function genesys does not manage": Request("lambda:UpdateFunctionCode", THEIRS),
    "open another function to the world": Request("lambda:AddPermission", THEIRS),
    "point a queue at another function": Request("lambda:CreateEventSourceMapping", "*",
                                                 {"lambda:FunctionArn": THEIRS}),
    "publish another repo's layer": Request("lambda:PublishLayerVersion",
                                            f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:payroll-deps"),
    "rewrite another bucket's notifications": Request("s3:PutBucketNotification", "arn:aws:s3:::payroll-data"),
    "write into another bucket": Request("s3:PutObject", "arn:aws:s3:::payroll-data/genesys/x.zip"),
}


@pytest.mark.parametrize("path", ESCALATIONS)
def test_the_deploy_role_cannot_escalate(docs, path):
    assert not allowed([docs["deploy"]], ESCALATIONS[path])


DEPLOY_NEEDS = [
    Request("iam:CreateRole", ROLE, {"iam:PermissionsBoundary": BOUNDARY}),
    Request("iam:PutRolePolicy", ROLE, {"iam:PermissionsBoundary": BOUNDARY}),
    Request("iam:PutRolePermissionsBoundary", ROLE, {"iam:PermissionsBoundary": BOUNDARY}),
    Request("iam:AttachRolePolicy", ROLE, {"iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN":
                                           "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}),
    Request("iam:PassRole", ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}),
    Request("lambda:CreateFunction", FUNCTION), Request("lambda:UpdateFunctionCode", FUNCTION),
    Request("lambda:UpdateAlias", FUNCTION + ":live"),
    Request("lambda:CreateEventSourceMapping", "*", {"lambda:FunctionArn": FUNCTION}),
    Request("lambda:PublishLayerVersion", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:layer:shop-api-deps"),
    Request("s3:PutBucketNotification", "arn:aws:s3:::shop-uploads"),
    Request("s3:PutObject", "arn:aws:s3:::shop-artifacts/genesys/shop-api/function-abc.zip"),
    Request("s3:PutObject", "arn:aws:s3:::team-cache/genesys/layers/k.zip"),
]


@pytest.mark.parametrize("request_", DEPLOY_NEEDS, ids=lambda r: f"{r.action} {r.resource.rsplit(':', 1)[-1]}")
def test_the_deploy_role_may_still_deploy_the_repos_functions(docs, request_):
    assert allowed([docs["deploy"]], request_)


def test_the_boundary_lets_through_what_the_templates_grant_and_nothing_else(docs):
    boundary = docs["boundary"]
    granted = {a for t in TEMPLATES for a in t.actions} | {a for acts in MANAGED_ACTIONS.values() for a in acts}
    for action in granted:
        assert allowed([ADMIN_DOCUMENT], Request(action.replace("*", "Thing"), "arn:aws:s3:::data/x"), boundary)
    for action in ("iam:CreateRole", "iam:AttachRolePolicy", "lambda:UpdateFunctionCode", "sts:AssumeRole",
                   "s3:PutBucketPolicy", "secretsmanager:GetSecretValue", "ec2:RunInstances"):
        assert not allowed([ADMIN_DOCUMENT], Request(action, "*"), boundary), action


PLAN_MUST_NOT = {
    "read a function's code location": Request("lambda:GetFunction", FUNCTION),
    "read another function's environment": Request("lambda:GetFunctionConfiguration", THEIRS),
    "list every function's environment": Request("lambda:ListFunctions", "*"),
    "write the shared layer cache": Request("s3:PutObject", "arn:aws:s3:::team-cache/genesys/layers/k.zip"),
    "change anything": Request("lambda:UpdateFunctionConfiguration", FUNCTION),
}


@pytest.mark.parametrize("path", PLAN_MUST_NOT)
def test_the_plan_role_reads_only_the_repos_functions_and_no_code(docs, path):
    assert not allowed([docs["plan"]], PLAN_MUST_NOT[path])


@pytest.mark.parametrize("request_", [
    Request("lambda:GetFunctionConfiguration", FUNCTION), Request("lambda:ListTags", FUNCTION),
    Request("lambda:GetAlias", FUNCTION + ":live"), Request("iam:GetRole", ROLE),
    Request("s3:GetObject", "arn:aws:s3:::team-cache/genesys/layers/k.zip"),
], ids=lambda r: r.action)
def test_the_plan_role_reads_what_a_dry_run_reads(docs, request_):
    assert allowed([docs["plan"]], request_)


# --- genesys's own role planning: [iam] permissions_boundary ---------------------------------------------

def test_a_role_is_created_with_the_boundary_the_toml_names_and_an_existing_one_gets_it_first(make_spec, facts):
    spec = make_spec('[iam]\npermissions_boundary = "genesys-lambda-boundary"\n')
    created = planner.plan_role(spec, None, facts)
    assert created.calls[0].method == "create_role"
    assert created.calls[0].params["PermissionsBoundary"] == BOUNDARY

    updated = planner.plan_role(spec, deployed_role(inline={}), facts)
    assert updated.calls[0].method == "put_role_permissions_boundary"
    assert updated.calls[0].params == {"RoleName": "genesys-lambda-hello", "PermissionsBoundary": BOUNDARY}

    in_place = planner.plan_role(spec, deployed_role(boundary=BOUNDARY), facts)
    assert "put_role_permissions_boundary" not in [c.method for c in in_place.calls]
    unnamed = planner.plan_role(make_spec(), None, facts)
    assert "PermissionsBoundary" not in unnamed.calls[0].params
