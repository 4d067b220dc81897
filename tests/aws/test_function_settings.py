"""[function] settings against the emulator: each is created, changed in place with one write,
left alone on a rerun (zero writes) and removed; tags taken out of the TOML leave AWS."""

from __future__ import annotations

import pytest

from genesys_tasks.deploy.ownership import ConflictError

pytestmark = pytest.mark.production  # several deploys each: run by .ci/run's production step

VPC_POLICY = "AWSLambdaVPCAccessExecutionRole"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:failed"
SETTINGS = f"""memory_mb = 256
reserved_concurrency = 0
log_retention_days = 14
on_failure = "{QUEUE}"
vpc = {{ subnet_ids = ["subnet-0aaa1111", "subnet-0bbb2222"], security_group_ids = ["sg-0ccc3333"] }}
"""


def _settings_project(project):
    p = project(requirements=None)
    p.edit("memory_mb = 256\n", SETTINGS)
    p.toml.write_text(p.toml.read_text() + '\n[tags]\nteam = "core"\ncost = "42"\n')
    return p


def _role_policies(boto) -> tuple[set, set]:
    iam = boto("iam")
    managed = {a["PolicyName"] for a in iam.list_attached_role_policies(RoleName="genesys-lambda-hello")
               ["AttachedPolicies"]}
    return managed, set(iam.list_role_policies(RoleName="genesys-lambda-hello")["PolicyNames"])


def test_each_setting_is_created_changed_with_one_write_kept_on_rerun_and_removed(project, clients, boto, deploy):
    p = _settings_project(project)
    deploy(p, clients())
    lam, logs = boto("lambda"), boto("logs")
    config = lam.get_function_configuration(FunctionName="hello")
    assert sorted(config["VpcConfig"]["SubnetIds"]) == ["subnet-0aaa1111", "subnet-0bbb2222"]
    assert lam.get_function_concurrency(FunctionName="hello")["ReservedConcurrentExecutions"] == 0
    assert lam.get_function_event_invoke_config(FunctionName="hello")["DestinationConfig"]["OnFailure"] == \
        {"Destination": QUEUE}
    group = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/hello")["logGroups"][0]
    assert group["retentionInDays"] == 14
    assert logs.list_tags_log_group(logGroupName="/aws/lambda/hello")["tags"]["genesys:managed"] == "true"
    managed, inline = _role_policies(boto)
    assert VPC_POLICY in managed and "genesys-destinations" in inline

    rerun = clients()
    deploy(p, rerun)
    assert rerun.log.writes == []

    for old, new, writes in [
            ("reserved_concurrency = 0", "reserved_concurrency = 5", ["lambda:PutFunctionConcurrency"]),
            ("log_retention_days = 14", "log_retention_days = 30", ["logs:PutRetentionPolicy"]),
            ('"sg-0ccc3333"', '"sg-0ddd4444"', ["lambda:UpdateFunctionConfiguration"]),
            ('cost = "42"\n', "", ["iam:UntagRole", "lambda:UntagResource", "logs:UntagLogGroup"])]:
        p.edit(old, new)
        again = clients()
        deploy(p, again)
        assert sorted(again.log.writes) == writes, old
    assert lam.get_function_concurrency(FunctionName="hello")["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName="hello")["Tags"] == {
        "genesys:managed": "true", "genesys:owner": "local/hello", "genesys:toml": "lambda_hello.toml", "team": "core"}

    # a destination changed in place is planned in tests/deploy/test_settings_plans.py: the emulator keeps
    # the first event invoke config it was given
    text = p.toml.read_text()
    kept = [line for line in text.splitlines() if not line.startswith(
        ("reserved_concurrency", "log_retention_days", "on_failure", "vpc"))]
    p.toml.write_text("\n".join(kept) + "\n")
    removed = clients()
    deploy(p, removed)
    assert sorted(removed.log.writes) == sorted([  # TagRole: the role's record of its managed policies loses vpc
        "lambda:DeleteFunctionConcurrency", "logs:DeleteRetentionPolicy", "lambda:UpdateFunctionConfiguration",
        "lambda:DeleteFunctionEventInvokeConfig", "iam:TagRole", "iam:DetachRolePolicy", "iam:DeleteRolePolicy"])
    assert lam.get_function_configuration(FunctionName="hello")["VpcConfig"]["SubnetIds"] == []
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="hello")
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/hello")["logGroups"][0]
    assert _role_policies(boto) == ({"AWSLambdaBasicExecutionRole"}, set())
    final = clients()
    deploy(p, final)
    assert final.log.writes == []


def test_delete_removes_the_log_group_genesys_made_and_keeps_one_it_did_not(project, clients, boto, deploy):
    from genesys_tasks.deploy import deployer
    from genesys_tasks.deploy.executor import Executor

    def delete(p):
        used = clients()
        deployer.delete(p.spec(), used, Executor(used))
        return used.log.writes

    p = project(requirements=None)
    p.edit("memory_mb = 256\n", "memory_mb = 256\nlog_retention_days = 7\n")
    deploy(p, clients())
    assert "logs:DeleteLogGroup" in delete(p)
    assert boto("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/hello")["logGroups"] == []

    other = project("other", requirements=None)
    boto("logs").create_log_group(logGroupName="/aws/lambda/other")  # as Lambda makes it when the function logs
    other.edit("memory_mb = 256\n", "memory_mb = 256\nlog_retention_days = 7\n")
    with pytest.raises(ConflictError, match="log group /aws/lambda/other exists and was not made by genesys"):
        deploy(other, clients())
    other.edit("log_retention_days = 7\n", "")
    deploy(other, clients())
    assert "logs:DeleteLogGroup" not in delete(other)
    assert len(boto("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/other")["logGroups"]) == 1


def test_active_tracing_is_created_and_gives_the_role_xray_access(project, clients, boto, deploy):
    p = project(requirements=None)
    p.edit("memory_mb = 256\n", 'memory_mb = 256\ntracing = "Active"\n')
    deploy(p, clients())
    assert boto("lambda").get_function_configuration(FunctionName="hello")["TracingConfig"] == {"Mode": "Active"}
    assert "AWSXRayDaemonWriteAccess" in _role_policies(boto)[0]
    again = clients()
    deploy(p, again)
    assert again.log.writes == []
