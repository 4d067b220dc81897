"""What the CI roles `genesys ci bootstrap-oidc` makes reach, beyond the repo's functions: the log groups
and SNS topics of other functions stay out of the deploy role's hands, and the plan role trusts the one
job outside a pull request that assumes it (the ``changes`` job of a push, which reads what is deployed).
Evaluated with the small IAM policy simulator (``iam_simulator``)."""

from __future__ import annotations

import argparse
import json

import pytest
from deployed import ACCOUNT
from iam_simulator import Request, allowed

from genesys_tasks.commands.ci_oidc import access
from genesys_tasks.deploy.ci_oidc import plan_access
from genesys_tasks.deploy.ci_policies import RepoScope

REPO = RepoScope(functions=("shop-api",), layers=("shop-api-deps",), topics=("orders",),
                 rule_bases=("genesys-shop-api",), owners=("github.com/acme/shop",))
RULE = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/"


def github(**given) -> argparse.Namespace:
    base = {"github": "acme/shop", "gitlab": None, "branch": None, "environment": None,
            "gitlab_url": "https://gitlab.com", "role_name": None, "pull_requests": True, "cache_url": None}
    return argparse.Namespace(**{**base, **given})


def documents(args: argparse.Namespace) -> dict:
    """{role name: (trusted subjects, permissions)} as ``bootstrap-oidc`` would write them."""
    plan = plan_access(access(args, REPO), ACCOUNT, None, {})
    trusts = {c.params["RoleName"]: json.loads(c.params["AssumeRolePolicyDocument"])["Statement"][0]["Condition"]
              for c in plan.calls if c.method == "create_role"}
    found = {}
    for call in plan.calls:
        if call.method == "put_role_policy":
            condition = trusts[call.params["RoleName"]]
            subjects = [s for operator in condition.values() for key, s in operator.items() if key.endswith(":sub")]
            found[call.params["RoleName"]] = (subjects[0], json.loads(call.params["PolicyDocument"]))
    return found


@pytest.mark.parametrize("given, push", [
    ({}, "repo:acme/shop:ref:refs/heads/main"),
    ({"branch": "release"}, "repo:acme/shop:ref:refs/heads/release"),
    ({"environment": "production"}, "repo:acme/shop:ref:refs/heads/main"),
])
def test_the_github_plan_role_trusts_the_pushes_whose_changes_job_reads_what_is_deployed(given, push):
    roles = documents(github(**given))
    subjects, _ = roles["genesys-ci-acme-shop-plan"]
    assert sorted(subjects) == sorted(["repo:acme/shop:pull_request", push])
    deploy_subjects, _ = roles["genesys-ci-acme-shop"]
    assert "repo:acme/shop:pull_request" not in deploy_subjects


@pytest.mark.parametrize("request_, may", [
    (Request("logs:DeleteLogGroup", LOG_GROUP + "payroll"), False),
    (Request("logs:PutRetentionPolicy", LOG_GROUP + "payroll"), False),
    (Request("logs:DeleteLogGroup", LOG_GROUP + "shop-api-other"), False),
    (Request("sns:Subscribe", f"arn:aws:sns:us-east-1:{ACCOUNT}:payroll-events"), False),
    (Request("events:DeleteRule", RULE + "genesys-payroll-0"), False),
    (Request("events:PutTargets", RULE + "genesys-shop-api-other-0"), False),
    (Request("logs:CreateLogGroup", LOG_GROUP + "shop-api"), True),
    (Request("logs:DeleteLogGroup", LOG_GROUP + "shop-api"), True),
    (Request("logs:PutRetentionPolicy", LOG_GROUP + "shop-api:*"), True),
    (Request("logs:TagLogGroup", LOG_GROUP + "shop-api"), True),
    (Request("sns:Subscribe", f"arn:aws:sns:eu-west-1:{ACCOUNT}:orders"), True),
    (Request("events:PutRule", RULE + "genesys-shop-api-0"), True),
    (Request("events:DeleteRule", RULE + "genesys-shop-api-12"), True),
], ids=lambda v: f"{v.action} {v.resource.rsplit(':', 1)[-1]}" if isinstance(v, Request) else str(v))
def test_the_deploy_role_reaches_its_functions_log_groups_topics_and_rules_and_no_others(request_, may):
    _, deploy = documents(github())["genesys-ci-acme-shop"]
    assert allowed([deploy], request_) is may


def test_a_topic_named_by_arn_is_the_one_the_deploy_role_may_subscribe_to():
    scope = RepoScope(functions=("shop-api",), topics=("arn:aws:sns:eu-west-1:210987654321:shared-orders",))
    plan = plan_access(access(github(pull_requests=False), scope), ACCOUNT, None, {})
    (deploy,) = [json.loads(c.params["PolicyDocument"]) for c in plan.calls if c.method == "put_role_policy"]
    assert allowed([deploy], Request("sns:Subscribe", "arn:aws:sns:eu-west-1:210987654321:shared-orders"))
    assert not allowed([deploy], Request("sns:Subscribe", "arn:aws:sns:eu-west-1:210987654321:other"))


def test_a_repo_named_by_patterns_reaches_its_long_named_functions_rules_by_their_hash():
    from genesys_tasks.commands.ci_oidc import by_patterns
    from genesys_tasks.deploy.triggers.schedule import rule_base_of

    long_name = "shop-" + "x" * 60
    scope = RepoScope(functions=("shop-api", long_name), rule_bases=(rule_base_of("shop-api"), rule_base_of(long_name)))
    found = by_patterns(scope, ["shop-*"])
    assert found.rule_bases == tuple(sorted({"genesys-shop-*", rule_base_of(long_name)}))
    assert rule_base_of(long_name).startswith("genesys-") and len(rule_base_of(long_name)) == 24


TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:"


@pytest.mark.parametrize("resource, may", [
    (TOPIC + "orders", True),  # what IAM checks for Unsubscribe: the subscription's topic
    (TOPIC + "orders:0b7b9a1e-4c1f-4a5e-9d0e-2f1c3b4a5d6e", True),
    (TOPIC + "payroll-events", False),
    (TOPIC + "payroll-events:0b7b9a1e-4c1f-4a5e-9d0e-2f1c3b4a5d6e", False),
    (TOPIC + "orders-archive:0b7b9a1e-4c1f-4a5e-9d0e-2f1c3b4a5d6e", False),
], ids=lambda v: v.split(f"{ACCOUNT}:")[-1][:24] if isinstance(v, str) else str(v))
def test_the_deploy_role_unsubscribes_only_from_the_topics_the_tomls_name(resource, may):
    _, deploy = documents(github())["genesys-ci-acme-shop"]
    assert allowed([deploy], Request("sns:Unsubscribe", resource)) is may


LAMBDA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/genesys-lambda-shop-api"
BOUNDED = {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/genesys-lambda-boundary"}
OURS = {"aws:ResourceTag/genesys:owner": "github.com/acme/shop"}
THEIRS = {"aws:ResourceTag/genesys:owner": "github.com/acme/payroll"}


@pytest.mark.parametrize("context, may", [
    ({**BOUNDED, **OURS}, True),
    (OURS, False),  # the project's role without the boundary
    ({"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/AdminBoundary", **OURS}, False),
    ({**BOUNDED, **THEIRS}, False),  # another repo's role, made from its own CI
    (BOUNDED, False),  # no owner: made by hand, or before marks named one
], ids=["ours within the boundary", "no boundary", "another boundary", "another project's", "no owner"])
def test_the_deploy_role_deletes_only_the_projects_roles_that_carry_the_boundary(context, may):
    _, deploy = documents(github())["genesys-ci-acme-shop"]
    assert allowed([deploy], Request("iam:DeleteRole", LAMBDA_ROLE, context)) is may


@pytest.mark.parametrize("action, context, may", [
    ("iam:TagRole", OURS, True),
    ("iam:UntagRole", OURS, True),
    ("iam:TagRole", THEIRS, False),
    ("iam:UntagRole", THEIRS, False),
    ("iam:TagRole", {**THEIRS, "aws:RequestTag/genesys:owner": "github.com/acme/shop"}, False),  # no taking over
    # a new, adopted or old-marked role: only marked as the project's
    ("iam:TagRole", {"aws:RequestTag/genesys:owner": "github.com/acme/shop"}, True),
    ("iam:TagRole", {"aws:RequestTag/team": "x"}, False),
    ("iam:UntagRole", {}, False),
], ids=lambda v: v if isinstance(v, str) else str(v))
def test_the_deploy_role_tags_only_the_projects_roles_or_marks_one_without_an_owner_as_its_own(action, context, may):
    _, deploy = documents(github())["genesys-ci-acme-shop"]
    assert allowed([deploy], Request(action, LAMBDA_ROLE, context)) is may


APIS = "arn:aws:apigateway:us-east-1::/apis"


@pytest.mark.parametrize("request_, may", [
    (Request("apigateway:POST", APIS, {"aws:RequestTag/genesys:function": "shop-api"}), True),
    (Request("apigateway:POST", APIS, {"aws:RequestTag/genesys:function": "payroll"}), False),
    (Request("apigateway:POST", APIS), False),  # an API without genesys's tag: nothing the repo deploys
    (Request("apigateway:POST", APIS + "/a1b2c3/routes", {"aws:ResourceTag/genesys:function": "shop-api"}), True),
    (Request("apigateway:POST", APIS + "/a1b2c3/integrations", {"aws:ResourceTag/genesys:function": "shop-api"}),
     True),
    (Request("apigateway:POST", APIS + "/a1b2c3/routes", {"aws:ResourceTag/genesys:function": "payroll"}), False),
    (Request("apigateway:POST", APIS + "/a1b2c3/routes"), False),
    (Request("apigateway:DELETE", APIS + "/a1b2c3", {"aws:ResourceTag/genesys:function": "shop-api"}), True),
    (Request("apigateway:DELETE", APIS + "/a1b2c3/routes/r1", {"aws:ResourceTag/genesys:function": "shop-api"}),
     True),
    (Request("apigateway:DELETE", APIS + "/a1b2c3", {"aws:ResourceTag/genesys:function": "payroll"}), False),
    (Request("apigateway:DELETE", APIS + "/a1b2c3"), False),
    (Request("apigateway:GET", APIS), True),  # finding the function's API by its tags reads them all
], ids=lambda v: f"{v.action} {v.resource.split('::')[-1]} {sorted(v.context.values())}"
    if isinstance(v, Request) else str(v))
def test_the_deploy_role_creates_and_changes_only_http_apis_tagged_for_the_repos_functions(request_, may):
    _, deploy = documents(github())["genesys-ci-acme-shop"]
    assert allowed([deploy], request_) is may


def test_the_http_api_a_deploy_creates_carries_the_tag_the_deploy_role_creates_it_with(make_spec, artifact, facts):
    from genesys_tasks.deploy import planner
    from genesys_tasks.deploy.ci_policies import ci_deploy_policy
    from genesys_tasks.deploy.model import Var

    spec = make_spec('[[triggers]]\ntype = "api_gateway"\nmethod = "GET"\npath = "/x"\n')
    plan = planner.plan_function(spec, artifact(), facts, None, None, Var("role_arn"), None)
    (create,) = [c for c in plan.calls if c.method == "create_api"]
    tags = {f"aws:RequestTag/{k}": v for k, v in create.params["Tags"].items()}
    deploy = ci_deploy_policy(ACCOUNT, repo=RepoScope.of([spec]))
    assert allowed([deploy], Request("apigateway:POST", APIS, tags))
    assert not allowed([ci_deploy_policy(ACCOUNT, repo=RepoScope(functions=("other",)))], Request(
        "apigateway:POST", APIS, tags))


def test_the_role_a_deploy_creates_is_marked_with_the_owner_the_deploy_role_tags_and_deletes_by(make_spec, facts):
    from genesys_tasks.deploy import planner
    from genesys_tasks.deploy.ci_policies import ci_deploy_policy
    from genesys_tasks.deploy.ownership import Ownership
    from genesys_tasks.project import owner_of

    spec = make_spec()
    plan = planner.plan_role(spec, None, facts, Ownership(owner=owner_of(spec.path)))
    (create,) = [c for c in plan.calls if c.method == "create_role"]
    tags = {f"aws:RequestTag/{t['Key']}": t["Value"] for t in create.params["Tags"]}
    deploy = ci_deploy_policy(ACCOUNT, repo=RepoScope.of([spec]))
    role = f"arn:aws:iam::{ACCOUNT}:role/{spec.iam.role_name}"
    assert allowed([deploy], Request("iam:TagRole", role, tags))  # what IAM checks of a role created with tags
    made = {f"aws:ResourceTag/{t['Key']}": t["Value"] for t in create.params["Tags"]}
    assert allowed([deploy], Request("iam:UntagRole", role, made))
    assert allowed([deploy], Request("iam:DeleteRole", role, {**made, **BOUNDED}))
