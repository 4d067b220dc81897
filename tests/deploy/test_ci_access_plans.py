"""`genesys ci bootstrap-oidc` without AWS: the command line → issuer and subjects, the plan from
hand-built state, and the deploy role's policy against every call genesys's adapters make."""

from __future__ import annotations

import argparse
import json

import pytest
from deployed import ACCOUNT

from genesys_tasks.aws.base import action_name
from genesys_tasks.aws.session import ADAPTERS
from genesys_tasks.commands.ci_oidc import access
from genesys_tasks.deploy import ci_policies, policies
from genesys_tasks.deploy.ci_oidc import BoundaryState, ProviderState, plan_access
from genesys_tasks.deploy.ownership import ConflictError
from genesys_tasks.deploy.state import RoleState
from genesys_tasks.errors import GenesysError


def args(**given) -> argparse.Namespace:
    base = {"github": None, "gitlab": None, "branch": None, "environment": None, "gitlab_url": "https://gitlab.com",
            "role_name": None, "cache_url": None, "pull_requests": False}
    return argparse.Namespace(**{**base, **given})


def test_a_self_managed_gitlab_gets_its_own_provider_audience_and_branch_subject():
    wanted = access(args(gitlab="team/sub/api", gitlab_url="https://gitlab.example.com/", branch="prod",
                         pull_requests=True))
    plan = plan_access(wanted, ACCOUNT, None, {})

    assert [(c.method, c.resource) for c in plan.calls] == [
        ("create_open_id_connect_provider", "OIDC provider https://gitlab.example.com"),
        ("create_policy", "policy genesys-lambda-boundary"), ("create_role", "role genesys-ci-team-sub-api"), ("put_role_policy", "role genesys-ci-team-sub-api"),
        ("create_role", "role genesys-ci-team-sub-api-plan"), ("put_role_policy", "role genesys-ci-team-sub-api-plan")]
    assert plan.calls[0].params["ClientIDList"] == ["https://gitlab.example.com"]
    trust = json.loads(plan.calls[2].params["AssumeRolePolicyDocument"])["Statement"][0]
    assert trust["Principal"]["Federated"] == f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.example.com"
    assert trust["Condition"] == {"StringEquals": {
        "gitlab.example.com:aud": "https://gitlab.example.com",
        "gitlab.example.com:sub": ["project_path:team/sub/api:ref_type:branch:ref:prod"]}}
    plans = json.loads(plan.calls[4].params["AssumeRolePolicyDocument"])["Statement"][0]["Condition"]
    assert plans == {"StringEquals": {"gitlab.example.com:aud": "https://gitlab.example.com"},
                     "StringLike": {"gitlab.example.com:sub": ["project_path:team/sub/api:ref_type:branch:ref:*"]}}
    assert plan.calls[5].params["PolicyName"] == "genesys-ci-plan"
    assert plan.known["plan_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/genesys-ci-team-sub-api-plan"


@pytest.mark.parametrize("given, says", [
    ({}, "name one repository"),
    ({"github": "acme/shop", "gitlab": "team/api"}, "name one repository"),
    ({"github": "acme"}, "is not OWNER/REPO"),
    ({"github": "acme/shop", "branch": "main", "environment": "prod"}, "--branch and --environment together"),
    ({"gitlab": "team/api", "environment": "prod"}, "--environment is for GitHub"),
    ({"gitlab": "team/api", "gitlab_url": "http://gitlab.example.com"}, "is not an https URL"),
    ({"github": "acme/shop", "branch": "feat/*"}, "is not a branch name"),
    ({"github": "acme/shop", "environment": "*"}, "is not an environment name"),
    ({"github": "acme/shop", "environment": "prod*"}, "is not an environment name"),
    ({"github": "acme/shop", "environment": "prod:ref:refs/heads/x"}, "is not an environment name"),
    ({"github": "acme/shop", "cache_url": "https://bucket/x"}, "not an S3 location"),
])
def test_a_command_line_that_cannot_be_scoped_is_refused_before_any_aws_call(given, says):
    with pytest.raises(GenesysError) as raised:
        access(args(**given))
    assert says in str(raised.value) and raised.value.exit_code == 2


def test_a_role_genesys_made_with_its_documents_in_place_plans_no_call():
    wanted = access(args(github="acme/shop"))
    (deploy_role,) = wanted.roles
    provider = ProviderState(wanted.issuer.provider_arn(ACCOUNT), ("sts.amazonaws.com",), {"genesys:managed": "true"})
    role = RoleState(deploy_role.name, f"arn:aws:iam::{ACCOUNT}:role/{deploy_role.name}",
                     {"genesys:managed": "true"}, ("arn:aws:iam::aws:policy/SomeoneElses",),
                     {ci_policies.CI_POLICY: ci_policies.ci_deploy_policy(ACCOUNT), "theirs": {}},
                     policies.ci_trust(wanted.issuer, deploy_role.subjects, ACCOUNT))
    boundary = BoundaryState(ci_policies.lambda_boundary(), (("v1", True),), {"genesys:managed": "true"})
    plan = plan_access(wanted, ACCOUNT, provider, {role.name: role}, boundary=boundary)
    assert plan.calls == [] and [c.action for c in plan.changes] == ["no change"] * 3
    unmarked = RoleState(role.name, role.arn, {}, (), {}, {})
    with pytest.raises(ConflictError, match=f"role {role.name} exists and was not made by genesys"):
        plan_access(wanted, ACCOUNT, provider, {role.name: unmarked})


# --- the deploy role's permissions against what the adapters call -------------------------------------

NOT_FOR_DEPLOYS = {"iam:ListRoles": "genesys config verify", "s3:GetObject": "the shared layer cache (--cache-url)",
                   "lambda:Invoke": "genesys invoke --remote", "logs:FilterLogEvents": "genesys logs",
                   "logs:StartLiveTail": "genesys logs --tail",
                   "lambda:WaitPublishedVersionActive": "genesys tune (a tuning version, read by GetFunctionConfiguration)",
                   # only a deploy with ${ssm:...}/${secretsmanager:...} references: read on those names alone
                   "ssm:GetParameter": "${ssm:...}", "secretsmanager:GetSecretValue": "${secretsmanager:...}"}
IAM_NAMES = {  # where IAM's action name is not the operation's
    "s3:GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "s3:PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "lambda:WaitFunctionUpdatedV2": "lambda:GetFunction", "lambda:WaitFunctionActiveV2": "lambda:GetFunction",
    "lambda:AllFunctions": "lambda:ListFunctions", "logs:LogGroupArn": "logs:DescribeLogGroups",
    # the registry calls of image functions: a manifest read, a blob's HEAD (what a push checks), a push
    "ecr:ImagePushed": "ecr:BatchGetImage", "ecr:BlobPushed": "ecr:BatchCheckLayerAvailability",
    "ecr:PushImage": "ecr:PutImage",
}
HTTP = {"get": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


def adapter_actions() -> set[str]:
    """The IAM action of every AWS call a genesys adapter can make."""
    found = set()
    for adapter in ADAPTERS.values():
        for name, value in vars(adapter).items():
            if name.startswith("_") or not callable(value) or "open_id_connect" in name or (
                    adapter.service == "iam" and name.endswith(("_policy", "_policy_version", "_policy_versions"))
                    and "role" not in name):
                continue  # bootstrap-oidc's own calls (provider, boundary), made with the user's credentials
            if adapter.service == "apigateway":
                found.add(f"apigateway:{HTTP[name.split('_')[0]]}")
                continue
            action = action_name(adapter.service, name)
            found.add(IAM_NAMES.get(action, action))
    return found


REPO = ci_policies.RepoScope(("shop-api",), ("shop-api-deps",), ("uploads",), ("big-zips",), ("genesys/shop-api",),
                             ("orders",), ("genesys-shop-api",), ("github.com/acme/shop",))


def test_the_deploy_role_may_make_every_call_a_deploy_makes_and_no_other_action():
    document = ci_policies.ci_deploy_policy(ACCOUNT, repo=REPO)
    allowed = {a for s in document["Statement"] for a in s["Action"]}
    needed = adapter_actions() - set(NOT_FOR_DEPLOYS) - {"sts:GetCallerIdentity"}  # that one needs no permission
    assert needed - allowed == {"iam:UpdateAssumeRolePolicy"}  # repairing a trust takes the user's own rights
    # what AWS checks inside CreateFunction and UpdateFunctionConfiguration (the role, the layers), inside a
    # CreateRepository with tags (ecr:TagResource), and waits
    extra = allowed - needed - {"iam:PassRole", "lambda:GetLayerVersion", "lambda:GetFunctionConfiguration",
                                "ecr:TagResource",
                                "lambda:GetEventSourceMapping", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
                                "ec2:DescribeVpcs", *ci_policies.IMAGE_READS, *ci_policies.IMAGE_PUSHES}
    assert extra == set()
    assert not [a for a in allowed if "*" in a]


def test_the_deploy_role_passes_and_changes_only_genesys_lambda_roles():
    document = ci_policies.ci_deploy_policy(ACCOUNT, cache=("team-cache", "genesys/"), repo=REPO)
    iam = [s for s in document["Statement"] if any(a.startswith("iam:") for a in s["Action"])]
    assert {s["Resource"] for s in iam} == {f"arn:aws:iam::{ACCOUNT}:role/genesys-lambda-*"}
    (passing,) = [s for s in iam if "iam:PassRole" in s["Action"]]
    assert passing["Action"] == ["iam:PassRole"]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    (attach,) = [s for s in iam if "iam:AttachRolePolicy" in s["Action"]]
    for writes in [s for s in iam if set(s["Action"]) & {"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"}]:
        assert writes["Condition"]["StringEquals"]["iam:PermissionsBoundary"] == ci_policies.boundary_arn(ACCOUNT)
    assert set(attach["Condition"]["ArnEquals"]["iam:PolicyARN"]) == policies.MANAGED_ARNS
    (cache,) = [s for s in document["Statement"] if s["Sid"] == "SharedLayerCache"]
    assert cache["Resource"] == "arn:aws:s3:::team-cache/genesys/layers/*"


def test_the_plan_role_may_make_every_read_a_dry_run_makes_and_nothing_that_writes():
    document = ci_policies.ci_plan_policy(ACCOUNT, repo=REPO)
    allowed = {a for s in document["Statement"] for a in s["Action"]}
    reads = {a for a in adapter_actions() - set(NOT_FOR_DEPLOYS) - {"sts:GetCallerIdentity"}
             if a.split(":")[1].startswith(("Get", "List", "Describe")) or a == "apigateway:GET"}
    # GetFunction: only `genesys info` and the deploy's waits; ListFunctions: only when a role or layer could go
    assert reads - allowed == {"lambda:GetFunction", "lambda:ListFunctions"}
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe")) or a in ("apigateway:GET", *ci_policies.IMAGE_READS)
               for a in allowed)


def test_the_repo_scope_names_every_function_stage_layer_and_bucket_the_tomls_name(tmp_path):
    from genesys_tasks.commands.ci_oidc import repo_specs

    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "api" / "lambda_api.toml").write_text(
        '[metadata]\nname = "api"\nruntime = "python3.12"\nhandler = "app.handler"\n\n'
        '[deployment]\nartifact_bucket = "big-zips"\n\n'
        '[[triggers]]\ntype = "s3"\nbucket = "uploads"\n\n'
        '[stages.prod.deployment]\nregion = "eu-west-1"\n')
    scope = ci_policies.RepoScope.of(repo_specs(tmp_path))
    assert scope == ci_policies.RepoScope(("api", "api-prod"), ("api-deps", "api-prod-deps"), ("uploads",),
                                          ("big-zips",), rule_bases=("genesys-api", "genesys-api-prod"),
                                          owners=("local/api",))  # no git remote: the folder names the project


def test_a_boundary_with_an_old_document_gets_a_new_default_version_and_the_oldest_spare_one_goes():
    wanted = access(args(github="acme/shop"))
    old = BoundaryState({"Version": "2012-10-17", "Statement": []},
                        (("v1", False), ("v2", False), ("v3", True), ("v4", False), ("v5", False)),
                        {"genesys:managed": "true"})
    plan = plan_access(wanted, ACCOUNT, None, {}, boundary=old)
    boundary_calls = [c for c in plan.calls if c.resource == "policy genesys-lambda-boundary"]
    assert [(c.method, c.params.get("VersionId")) for c in boundary_calls] == [
        ("delete_policy_version", "v1"), ("create_policy_version", None)]
    assert boundary_calls[1].params["SetAsDefault"] is True
    assert json.loads(boundary_calls[1].params["PolicyDocument"]) == ci_policies.lambda_boundary()
    with pytest.raises(ConflictError, match="policy genesys-lambda-boundary exists and was not made by genesys"):
        plan_access(wanted, ACCOUNT, None, {}, boundary=BoundaryState(old.document, old.versions, {}))


def test_a_repo_too_big_for_one_role_policy_is_refused_naming_the_fix():
    scope = ci_policies.RepoScope(tuple(f"service-{i:03}-handler" for i in range(150)))
    with pytest.raises(GenesysError, match="IAM takes at most 10240") as raised:
        plan_access(access(args(github="acme/shop"), scope), ACCOUNT, None, {})
    assert raised.value.exit_code == 2 and "--root" in raised.value.hint


def test_a_big_repo_names_its_functions_by_pattern_and_every_function_must_match_one():
    from genesys_tasks.commands.ci_oidc import by_patterns

    names = tuple(f"service-{i:03}-handler" for i in range(150))
    scope = ci_policies.RepoScope(names, tuple(f"{n}-deps" for n in names), ("uploads",))
    narrowed = by_patterns(scope, ["service-*"])
    plan = plan_access(access(args(github="acme/shop", pull_requests=True), narrowed), ACCOUNT, None, {})
    deploys = json.loads(next(c for c in plan.calls if c.method == "put_role_policy").params["PolicyDocument"])
    (functions,) = [s for s in deploys["Statement"] if s["Sid"] == "Functions"]
    assert functions["Resource"] == [f"arn:aws:lambda:*:{ACCOUNT}:function:service-*",
                                     f"arn:aws:lambda:*:{ACCOUNT}:function:service-*:*"]
    with pytest.raises(GenesysError, match="the function 'service-000-handler' matches none of --functions shop-*"):
        by_patterns(scope, ["shop-*"])
    for everything in ("*", "a*", "x/*"):
        with pytest.raises(GenesysError, match="is not a name pattern"):
            by_patterns(scope, [everything])
