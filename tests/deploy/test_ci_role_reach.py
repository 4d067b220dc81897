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
                 rule_bases=("genesys-shop-api",))
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
