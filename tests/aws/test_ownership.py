"""genesys changes and deletes only what it made: a same-named resource someone else made is a
conflict (exit 2, naming it), never silently adopted, overwritten or deleted."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from genesys_tasks.commands.init_repo import DODO

EC2_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "ec2.amazonaws.com"}}]}
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                       "Principal": {"Service": "lambda.amazonaws.com"}}]}


def _zip(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def _foreign_role(boto, name: str, trust=LAMBDA_TRUST) -> str:
    return boto("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _foreign_function(boto, name: str) -> dict:
    role = _foreign_role(boto, "partner-role")
    return boto("lambda").create_function(
        FunctionName=name, Runtime="python3.11", Role=role, Handler="partner.main", MemorySize=1024,
        Code={"ZipFile": _zip("partner.py", "def main(e, c):\n    return 'partner'\n")},
        Environment={"Variables": {"PARTNER_SECRET": "s3cr3t"}})


def _unchanged(boto, name: str, before: dict) -> None:
    after = boto("lambda").get_function(FunctionName=name)
    config = after["Configuration"]
    assert (config["CodeSha256"], config["Role"], config["MemorySize"], config["Runtime"], config["Handler"]) == (
        before["CodeSha256"], before["Role"], 1024, "python3.11", "partner.main")
    assert config["Environment"]["Variables"] == {"PARTNER_SECRET": "s3cr3t"}
    assert "genesys:managed" not in after.get("Tags", {})


def test_execute_refuses_a_same_named_function_genesys_did_not_make(project, boto, run_genesys):
    before = _foreign_function(boto, "own1")
    p = project("own1", requirements=None)

    result = run_genesys("execute", p.toml)
    assert result.code == 2, result.output
    assert "own1" in result.stderr and "not made by genesys" in result.stderr and "--adopt" in result.stderr
    assert "memory" in result.stderr  # names what differs
    assert "s3cr3t" not in result.output
    _unchanged(boto, "own1", before)

    dry = run_genesys("execute", p.toml, "--dry-run")
    assert dry.code == 2 and "not made by genesys" in dry.stderr, dry.output
    _unchanged(boto, "own1", before)


def test_delete_leaves_a_same_named_function_genesys_did_not_make(project, boto, run_genesys):
    before = _foreign_function(boto, "own1")
    p = project("own1", requirements=None)
    result = run_genesys("delete", p.toml, "--yes")
    assert result.code == 0, result.output
    _unchanged(boto, "own1", before)
    assert boto("iam").get_role(RoleName="partner-role")


def test_adopt_takes_over_a_function_explicitly_and_the_plan_says_so(project, boto, run_genesys):
    _foreign_function(boto, "own1")
    p = project("own1", requirements=None)
    plan = run_genesys("execute", p.toml, "--dry-run", "--adopt", "--output", "json")
    assert plan.code == 0, plan.output
    actions = {c["resource"]: c["action"] for c in json.loads(plan.stdout)}
    assert actions["function own1"] == "adopt"

    result = run_genesys("execute", p.toml, "--adopt")
    assert result.code == 0, result.output
    function = boto("lambda").get_function(FunctionName="own1")
    assert function["Tags"]["genesys:managed"] == "true" and function["Configuration"]["MemorySize"] == 256


def test_execute_refuses_an_unmarked_role_with_genesys_s_name(project, boto, run_genesys):
    _foreign_role(boto, "genesys-lambda-own2", EC2_TRUST)
    iam = boto("iam")
    iam.attach_role_policy(RoleName="genesys-lambda-own2",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.put_role_policy(RoleName="genesys-lambda-own2", PolicyName="genesys-logs",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    p = project("own2", requirements=None)

    result = run_genesys("execute", p.toml)
    assert result.code == 2, result.output
    assert "genesys-lambda-own2" in result.stderr and "not made by genesys" in result.stderr
    attached = iam.list_attached_role_policies(RoleName="genesys-lambda-own2")["AttachedPolicies"]
    assert [a["PolicyName"] for a in attached] == ["AmazonS3ReadOnlyAccess"]
    assert iam.list_role_policies(RoleName="genesys-lambda-own2")["PolicyNames"] == ["genesys-logs"]
    assert "FunctionName" not in json.dumps(boto("lambda").list_functions()["Functions"])


def test_a_role_genesys_made_for_lambda_is_checked_for_its_trust(project, boto, run_genesys):
    """A marked role whose trust no longer lets Lambda assume it is named, not used blindly."""
    iam = boto("iam")
    iam.create_role(RoleName="genesys-lambda-own3", AssumeRolePolicyDocument=json.dumps(EC2_TRUST),
                    Tags=[{"Key": "genesys:managed", "Value": "true"}])
    p = project("own3", requirements=None)
    result = run_genesys("execute", p.toml)
    assert result.code in (0, 2), result.output
    trust = iam.get_role(RoleName="genesys-lambda-own3")["Role"]["AssumeRolePolicyDocument"]
    if result.code == 0:  # repaired, since genesys made it
        assert "lambda.amazonaws.com" in json.dumps(trust)
    else:
        assert "trust" in result.stderr


def test_an_unmarked_schedule_rule_with_genesys_s_name_is_a_conflict(project, boto, run_genesys):
    events = boto("events")
    events.put_rule(Name="genesys-own4-0", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="genesys-own4-0", Targets=[{"Id": "theirs",
                                                        "Arn": "arn:aws:sqs:us-east-1:123456789012:theirs"}])
    p = project("own4", requirements=None, extra='\n[[triggers]]\ntype = "schedule"\nexpression = "rate(5 minutes)"\n')

    result = run_genesys("execute", p.toml)
    assert result.code == 2, result.output
    assert "genesys-own4-0" in result.stderr and "not made by genesys" in result.stderr
    assert events.describe_rule(Name="genesys-own4-0")["ScheduleExpression"] == "rate(1 hour)"

    assert run_genesys("delete", p.toml, "--yes").code == 0
    assert events.describe_rule(Name="genesys-own4-0")["ScheduleExpression"] == "rate(1 hour)"
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="genesys-own4-0")["Targets"]] == ["theirs"]


def test_a_layer_version_described_genesys_colon_by_someone_else_is_never_deleted(project, boto, run_genesys):
    lam = boto("lambda")
    foreign = lam.publish_layer_version(LayerName="own5-deps", Description="genesys: look-alike",
                                        Content={"ZipFile": _zip("python/x.py", "x = 1\n")})["Version"]
    p = project("own5")
    assert run_genesys("execute", p.toml).code == 0
    assert run_genesys("delete", p.toml, "--yes").code == 0
    versions = [v["Version"] for v in lam.list_layer_versions(LayerName="own5-deps")["LayerVersions"]]
    assert versions == [foreign]


SHARED = '\n[iam]\nrole_name = "team-shared"\nrequired_policies = [{policies}]\n'


SHARED_TOML = """\
[metadata]
name = "{name}"
runtime = "python3.12"
handler = "app.handler"

[iam]
role_name = "team-shared"
required_policies = [{policies}]
"""


@pytest.fixture
def shared_role_repo(tmp_path):
    """One repo, two functions naming the same role, each with its own policy needs."""
    (tmp_path / "dodo.py").write_text(DODO)
    tomls = []
    for name, policies in (("share-a", '"logs", "s3-read"'), ("share-b", '"logs", "sqs-rw"')):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
        toml = folder / f"lambda_{name}.toml"
        toml.write_text(SHARED_TOML.format(name=name, policies=policies))
        tomls.append(toml)
    return tomls


def test_a_shared_role_carries_the_union_of_its_functions_needs(shared_role_repo, boto, run_genesys):
    a, b = shared_role_repo
    assert run_genesys("execute", a).code == 0
    assert run_genesys("execute", b).code == 0
    iam = boto("iam")
    inline = set(iam.list_role_policies(RoleName="team-shared")["PolicyNames"])
    attached = {p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="team-shared")["AttachedPolicies"]}
    assert "genesys-sqs-rw" in inline and "AmazonS3ReadOnlyAccess" in attached  # neither removed the other's

    again = run_genesys("execute", a, "--dry-run", "--output", "json")
    assert again.code == 0, again.output
    role = [c for c in json.loads(again.stdout) if c["resource"] == "role team-shared"]
    assert role and role[0]["action"] == "no change"


def test_a_shared_role_is_deleted_only_with_its_last_function(shared_role_repo, boto, run_genesys):
    a, b = shared_role_repo
    for toml in (a, b):
        assert run_genesys("execute", toml).code == 0
    assert run_genesys("delete", a, "--yes").code == 0
    assert boto("iam").get_role(RoleName="team-shared")
    assert boto("lambda").get_function(FunctionName="share-b")
    assert run_genesys("delete", b, "--yes").code == 0
    assert boto("iam").list_roles()["Roles"] == []


def test_doit_adopts_only_with_genesys_adopt(doit_repo, boto, run_doit):
    before = _foreign_function(boto, "plain")
    refused = run_doit("deploy:plain", cwd=doit_repo)
    assert refused.code != 0 and "not made by genesys" in refused.output and "GENESYS_ADOPT" in refused.output
    _unchanged(boto, "plain", before)

    adopted = run_doit("deploy:plain", cwd=doit_repo, env={"GENESYS_ADOPT": "1"})
    assert adopted.code == 0, adopted.output
    assert boto("lambda").get_function(FunctionName="plain")["Tags"]["genesys:managed"] == "true"
