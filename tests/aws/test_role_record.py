"""A managed policy someone attached by hand to the role genesys made stays attached through
deploys, template changes and ``delete``; genesys detaches only what its record on the role
(``genesys:policies``) says it attached; a role an older genesys made (no record) is recorded on
its first deploy without losing anything."""

from __future__ import annotations

import json

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
DYNAMODB_READ = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"
LOGS = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ROLE = "genesys-lambda-hello"


def _attached(iam) -> set[str]:
    return {a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]}


def _record(iam) -> str | None:
    return {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"]}.get("genesys:policies")


def _role_change(outcome) -> dict:
    return next(c.as_dict() for c in outcome.plan.changes if c.resource == f"role {ROLE}")


def _templates(p, names: str) -> None:
    text = p.toml.read_text()
    start = text.index("required_policies = [")
    p.toml.write_text(text[:start] + f"required_policies = [{names}]" + text[text.index("]", start) + 1:])


def test_a_managed_policy_attached_by_hand_survives_deploys_template_changes_and_delete(
        project, clients, boto, deploy, run_genesys):
    p = project(extra='\n[iam]\nrequired_policies = ["logs"]\nauto_cleanup = true\n', requirements=None)
    deploy(p, clients())
    iam = boto("iam")
    assert _record(iam) == "logs"
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=S3_READ)  # a person adds read access to the role

    again = deploy(p, clients())
    assert S3_READ in _attached(iam)
    change = _role_change(again)
    assert change["action"] == "no change"
    assert {"field": "kept", "old": None, "new": f"{S3_READ}: attached by someone else (genesys detaches only "
                                                 "the managed policies it attached)"} in change["changes"]

    _templates(p, '"logs", "dynamodb-read"')  # a template genesys attaches, and later drops
    deploy(p, clients())
    assert _attached(iam) == {LOGS, S3_READ, DYNAMODB_READ} and _record(iam) == "dynamodb-read+logs"
    _templates(p, '"logs"')
    dropped = deploy(p, clients())
    assert _attached(iam) == {LOGS, S3_READ} and _record(iam) == "logs"
    assert {"field": "policies", "old": sorted([DYNAMODB_READ, LOGS]), "new": [LOGS]} in _role_change(dropped)[
        "changes"]

    _templates(p, '"logs", "s3-read"')  # the TOML now wants what the person attached: it stays theirs
    deploy(p, clients())
    assert _record(iam) == "logs"
    _templates(p, '"logs"')
    deploy(p, clients())
    assert S3_READ in _attached(iam)

    result = run_genesys("delete", p.toml, "--yes", "--output", "json")
    assert result.code == 0, result.output
    role = next(c for c in json.loads(result.stdout) if c["resource"] == f"role {ROLE}")
    assert role["action"] == "no change"
    assert f"policies genesys did not add ({S3_READ})" in json.dumps(role)
    assert _attached(iam) == {LOGS, S3_READ}  # the role is kept whole

    iam.detach_role_policy(RoleName=ROLE, PolicyArn=S3_READ)
    assert run_genesys("delete", p.toml, "--yes").code == 0
    assert iam.list_roles()["Roles"] == []


def test_a_template_genesys_attached_and_the_toml_drops_is_detached(project, clients, boto, deploy):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "s3-read"]\n', requirements=None)
    deploy(p, clients())
    iam = boto("iam")
    assert _attached(iam) == {LOGS, S3_READ} and _record(iam) == "logs+s3-read"

    _templates(p, '"logs"')
    deploy(p, clients())
    assert _attached(iam) == {LOGS} and _record(iam) == "logs"


def test_a_role_an_older_genesys_made_is_recorded_on_its_first_deploy_and_keeps_what_the_toml_does_not_want(
        project, clients, boto, deploy, run_genesys):
    p = project(extra='\n[iam]\nrequired_policies = ["logs", "dynamodb-read"]\nauto_cleanup = true\n',
                requirements=None)
    deploy(p, clients())
    iam = boto("iam")
    iam.untag_role(RoleName=ROLE, TagKeys=["genesys:policies"])  # as a genesys that kept no record left it
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=S3_READ)  # attached by someone: genesys cannot tell
    _templates(p, '"logs"')

    first = deploy(p, clients())
    assert _attached(iam) == {LOGS, S3_READ, DYNAMODB_READ}  # nothing detached on a guess
    assert _record(iam) == "logs"  # what the TOML still wants is taken as genesys's
    change = _role_change(first)
    assert change["action"] == "update"
    assert {"field": "Tags.genesys:policies", "old": None, "new": "logs"} in change["changes"]
    kept = [c["new"] for c in change["changes"] if c["field"] == "kept"]
    assert kept == [f"{DYNAMODB_READ}, {S3_READ}: attached by someone else (genesys detaches only the managed "
                    "policies it attached)"]

    second = deploy(p, clients())
    assert _role_change(second)["action"] == "no change" and _attached(iam) == {LOGS, S3_READ, DYNAMODB_READ}

    result = run_genesys("delete", p.toml, "--yes", "--output", "json")
    assert result.code == 0, result.output
    assert f"policies genesys did not add ({DYNAMODB_READ}, {S3_READ})" in result.stdout
    assert _attached(iam) == {LOGS, S3_READ, DYNAMODB_READ}


def test_adopting_a_role_tagged_to_the_limit_stops_before_any_write_naming_the_role(project, boto, run_genesys):
    iam = boto("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust),
                    Tags=[{"Key": f"team{n}", "Value": "x"} for n in range(50)])
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=S3_READ)
    p = project(requirements=None)

    result = run_genesys("execute", p.toml, "--adopt")
    assert result.code == 1, result.output
    assert f"role {ROLE} would carry" in result.stderr and "genesys:policies" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(iam.list_role_tags(RoleName=ROLE)["Tags"]) == 50 and _attached(iam) == {S3_READ}
    assert boto("lambda").list_functions()["Functions"] == []
