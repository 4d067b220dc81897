"""`genesys ci bootstrap-oidc` on the emulator: a dry run changes nothing, --apply makes the provider and
role (tagged), a second run writes nothing, and what genesys did not make is a conflict unless adopted."""

from __future__ import annotations

import json

import pytest

from genesys_tasks import cli

GITHUB = ["ci", "bootstrap-oidc", "--github", "acme/shop"]
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
BOUNDARY = "arn:aws:iam::123456789012:policy/genesys-lambda-boundary"


@pytest.fixture
def genesys(aws, capsys, tmp_path, monkeypatch):
    """``genesys ARGS`` in this process, on the emulator, in an empty repo: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*args):
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def iam_state(boto) -> dict:
    iam = boto("iam")
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    return {"providers": providers, "roles": roles}


def test_a_dry_run_changes_nothing_and_apply_makes_a_tagged_provider_and_a_scoped_role(genesys, boto):
    code, _, err = genesys(*GITHUB)
    assert code == 0, err
    assert "+ OIDC provider https://token.actions.githubusercontent.com: create" in err
    assert "+ role genesys-ci-acme-shop: create" in err and "--apply" in err
    assert iam_state(boto) == {"providers": [], "roles": []}

    code, out, err = genesys(*GITHUB, "--pull-requests", "--apply", "--output", "json")
    assert code == 0, err
    assert json.loads(out)["role_arn"] == "arn:aws:iam::123456789012:role/genesys-ci-acme-shop"
    assert json.loads(out)["plan_role_arn"] == "arn:aws:iam::123456789012:role/genesys-ci-acme-shop-plan"

    iam = boto("iam")
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=PROVIDER)
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert {"Key": "genesys:managed", "Value": "true"} in provider["Tags"]
    role = iam.get_role(RoleName="genesys-ci-acme-shop")["Role"]
    assert {"Key": "genesys:managed", "Value": "true"} in role["Tags"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:acme/shop:ref:refs/heads/main"]}}
    assert iam.list_role_policies(RoleName="genesys-ci-acme-shop")["PolicyNames"] == ["genesys-ci-deploy"]
    assert iam.list_attached_role_policies(RoleName="genesys-ci-acme-shop")["AttachedPolicies"] == []
    plan_trust = iam.get_role(RoleName="genesys-ci-acme-shop-plan")["Role"]["AssumeRolePolicyDocument"]
    assert plan_trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:acme/shop:pull_request", "repo:acme/shop:ref:refs/heads/main"]  # + the changes job of a push
    assert iam.list_role_policies(RoleName="genesys-ci-acme-shop-plan")["PolicyNames"] == ["genesys-ci-plan"]
    boundary = iam.get_policy(PolicyArn=BOUNDARY)["Policy"]
    assert {"Key": "genesys:managed", "Value": "true"} in boundary["Tags"]

    code, out, err = genesys(*GITHUB, "--pull-requests", "--apply", "--output", "json")
    assert code == 0, err
    assert [c["action"] for c in json.loads(out)["changes"]] == ["no change"] * 4

    code, _, err = genesys(*GITHUB, "--environment", "production", "--apply")
    assert code == 0, err
    assert "= OIDC provider https://token.actions.githubusercontent.com: no change" in err
    assert "~ role genesys-ci-acme-shop: update" in err and "(old document)" not in err
    shown = next(line for line in err.splitlines() if "trust.Condition" in line)  # what changed, not that it did
    assert "refs/heads/main" in shown and "environment:production" in shown
    trust = iam.get_role(RoleName="genesys-ci-acme-shop")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:acme/shop:environment:production"]


def test_a_provider_or_role_genesys_did_not_make_is_a_conflict_unless_adopted(genesys, boto):
    iam = boto("iam")
    iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                        ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])
    ec2_trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for name in ("genesys-ci-acme-shop", "theirs"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=ec2_trust)

    code, _, err = genesys(*GITHUB, "--apply")
    assert code == 2, err
    assert "OIDC provider https://token.actions.githubusercontent.com exists and was not made by genesys" in err
    assert "--adopt" in err
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=PROVIDER).get("Tags", []) == []
    assert iam.list_role_policies(RoleName="genesys-ci-acme-shop")["PolicyNames"] == []

    code, _, err = genesys(*GITHUB, "--apply", "--adopt")
    assert code == 0, err
    assert "~ role genesys-ci-acme-shop: adopt" in err
    assert iam.list_role_policies(RoleName="genesys-ci-acme-shop")["PolicyNames"] == ["genesys-ci-deploy"]
    assert {"Key": "genesys:managed", "Value": "true"} in iam.get_open_id_connect_provider(
        OpenIDConnectProviderArn=PROVIDER)["Tags"]

    code, _, err = genesys(*GITHUB, "--role-name", "theirs", "--apply")
    assert code == 2, err
    assert "role theirs exists and was not made by genesys" in err and "trust differs" in err
    role = iam.get_role(RoleName="theirs")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert iam.list_role_policies(RoleName="theirs")["PolicyNames"] == [] and not role.get("Tags")


def test_the_roles_name_the_repos_functions_and_genesys_roles_carry_the_boundary(genesys, boto, project, deploy):
    p = project("shop", extra='[[triggers]]\ntype = "s3"\nbucket = "shop-uploads"\n')
    boto("s3").create_bucket(Bucket="shop-uploads")
    code, _, err = genesys(*GITHUB, "--root", str(p.root), "--pull-requests", "--apply")
    assert code == 0, err
    assert "the roles name the 1 functions" in err
    assert f"{p.toml}: the CI role creates and changes only roles with a permissions boundary" in err
    iam = boto("iam")
    deploys = iam.get_role_policy(RoleName="genesys-ci-acme-shop", PolicyName="genesys-ci-deploy")["PolicyDocument"]
    resources = json.dumps(deploys)
    assert "function:shop" in resources and "function:*" not in resources
    assert "arn:aws:s3:::shop-uploads" in resources and "arn:aws:s3:::*" not in resources
    plans = json.dumps(iam.get_role_policy(RoleName="genesys-ci-acme-shop-plan",
                                           PolicyName="genesys-ci-plan")["PolicyDocument"])
    assert "lambda:GetFunction\"" not in plans and "lambda:GetFunctionConfiguration" in plans

    deploy(p)  # made before the TOML named the boundary: the role has none
    assert "PermissionsBoundary" not in iam.get_role(RoleName="genesys-lambda-shop")["Role"]
    p.edit("[iam]\n", '[iam]\npermissions_boundary = "genesys-lambda-boundary"\n')  # below what genesys wrote back
    deploy(p)
    role = iam.get_role(RoleName="genesys-lambda-shop")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY

    iam.delete_role_permissions_boundary(RoleName="genesys-lambda-shop")
    for name in [n for n in iam.list_role_policies(RoleName="genesys-lambda-shop")["PolicyNames"]]:
        iam.delete_role_policy(RoleName="genesys-lambda-shop", PolicyName=name)
    for attached in iam.list_attached_role_policies(RoleName="genesys-lambda-shop")["AttachedPolicies"]:
        iam.detach_role_policy(RoleName="genesys-lambda-shop", PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName="genesys-lambda-shop")
    deploy(p)  # made again, with the boundary from the start
    role = iam.get_role(RoleName="genesys-lambda-shop")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
