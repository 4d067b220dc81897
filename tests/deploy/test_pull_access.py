"""Lambda's pull rights on another account's ECR repository, planned from in-memory state: merged into
the policy of a repository genesys made, asked of the owner of one it did not make."""

from __future__ import annotations

import json

import pytest

from genesys_tasks.deploy import marker
from genesys_tasks.deploy.planner import RepositoryState, plan_pull_access, pull_statements
from genesys_tasks.errors import UsageError

ACCOUNT, REGISTRY = "210987654321", "123456789012"
OURS = {marker.MARKER_KEY: "true", marker.OWNER_KEY: "another-project"}  # made by genesys, for whichever owner


def _state(statements, tags=None) -> RepositoryState:
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements is not None else None
    return RepositoryState("arn:aws:ecr:us-east-1:123456789012:repository/r", OURS if tags is None else tags, None,
                           policy)


def test_a_repository_genesys_made_without_a_policy_gets_both_statements():
    plan = plan_pull_access("r", REGISTRY, ACCOUNT, "us-east-1", _state(None), True)
    (call,) = plan.writes
    assert call.method == "set_repository_policy" and call.params["registryId"] == REGISTRY
    assert json.loads(call.params["policyText"])["Statement"] == pull_statements(ACCOUNT, "us-east-1")


def test_statements_already_there_plan_nothing():
    plan = plan_pull_access("r", REGISTRY, ACCOUNT, "us-east-1", _state(pull_statements(ACCOUNT, "us-east-1")), True)
    assert plan.writes == []


def test_a_foreign_repository_granting_the_account_but_not_lambda_is_used_with_a_note():
    grant = {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}, "Action": "ecr:*"}
    plan = plan_pull_access("r", REGISTRY, ACCOUNT, "us-east-1", _state([grant], tags={}), True)
    assert plan.writes == [] and "lambda.amazonaws.com" in str(plan.changes)


def test_a_foreign_repository_granting_nothing_is_bad_input_naming_the_statements():
    other = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "ecr:*"}
    with pytest.raises(UsageError) as refused:
        plan_pull_access("r", REGISTRY, ACCOUNT, "us-east-1", _state([other], tags={}), True)
    assert json.dumps(pull_statements(ACCOUNT, "us-east-1"), sort_keys=True) in refused.value.hint


def test_an_unreadable_repository_plans_nothing_and_says_what_its_policy_must_hold():
    plan = plan_pull_access("r", REGISTRY, ACCOUNT, "us-east-1", None, False)
    assert plan.writes == [] and f"GenesysPull{ACCOUNT}" in str(plan.changes)


class _Ecr:
    """An ECR adapter whose first read raises ``error``."""

    def __init__(self, error):
        self.error = error

    def describe_repositories(self, **_):
        raise self.error


class _Clients:
    def __init__(self, error):
        self.ecr = _Ecr(error)


FOREIGN = f"{REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/r"


def test_a_denied_read_of_another_accounts_repository_plans_the_statements_to_ask_for():
    from genesys_tasks.deploy.images import pull_access
    from genesys_tasks.deploy.planner import Facts
    from genesys_tasks.errors import AccessDenied

    plan = pull_access(_Clients(AccessDenied("access denied: ecr:DescribeRepositories on r: no")), FOREIGN,
                       Facts("us-east-1", ACCOUNT, {}))
    assert plan.writes == [] and f"GenesysPull{ACCOUNT}" in str(plan.changes)


def test_expired_credentials_reading_another_accounts_repository_stop_the_deploy():
    from genesys_tasks.deploy.images import pull_access
    from genesys_tasks.deploy.planner import Facts
    from genesys_tasks.errors import CredentialsError

    expired = CredentialsError("AWS credentials have expired (ecr:DescribeRepositories on r): expired")
    with pytest.raises(CredentialsError) as stopped:
        pull_access(_Clients(expired), FOREIGN, Facts("us-east-1", ACCOUNT, {}))
    assert stopped.value is expired
