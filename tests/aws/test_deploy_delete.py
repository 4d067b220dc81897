"""Deleting and pruning touch only what genesys marked; everything else survives."""

from __future__ import annotations

import json



def _unmarked_role(boto, name: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    return boto("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _unmarked_layer(boto, name: str) -> int:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/handmade.py", "x = 1\n")
    return boto("lambda").publish_layer_version(LayerName=name, Description="built by hand",
                                                Content={"ZipFile": buffer.getvalue()})["Version"]


def test_delete_leaves_a_pre_existing_unmarked_role_and_layer_version(project, clients, boto, run_genesys, deploy):
    role_arn = _unmarked_role(boto, "team-role")
    handmade = _unmarked_layer(boto, "hello-deps")
    # used as it is: with auto_manage = true an unmarked role of that name is a conflict (test_ownership)
    p = project(extra='\n[iam]\nrole_name = "team-role"\nauto_manage = false\nauto_cleanup = true\n'
                      '\n[[triggers]]\ntype = "api_gateway"\n')
    deploy(p, clients())
    assert [v["Version"] for v in boto("lambda").list_layer_versions(LayerName="hello-deps")["LayerVersions"]] \
        == [handmade + 1, handmade]

    result = run_genesys("delete", p.toml, "--yes", "--output", "json")
    assert result.code == 0, result.output
    changes = {c["resource"]: c["action"] for c in json.loads(result.stdout)}
    assert changes["function hello"] == "delete" and changes["role team-role"] == "no change"

    lam = boto("lambda")
    assert lam.list_functions()["Functions"] == []
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="hello-deps")["LayerVersions"]] == [handmade]
    assert boto("iam").get_role(RoleName="team-role")["Role"]["Arn"] == role_arn
    assert boto("apigatewayv2").get_apis()["Items"] == []


def test_delete_removes_the_role_genesys_made_when_auto_cleanup(project, clients, boto, run_genesys, deploy):
    p = project()
    deploy(p, clients())
    result = run_genesys("delete", p.toml, "--yes")
    assert result.code == 0, result.output
    assert boto("iam").list_roles()["Roles"] == []
    assert boto("lambda").list_layer_versions(LayerName="hello-deps")["LayerVersions"] == []


def test_delete_keeps_the_role_when_auto_cleanup_is_false(project, clients, boto, run_genesys, deploy):
    p = project(extra="\n[iam]\nauto_cleanup = false\n")
    deploy(p, clients())
    assert run_genesys("delete", p.toml, "--yes").code == 0
    assert [r["RoleName"] for r in boto("iam").list_roles()["Roles"]] == ["genesys-lambda-hello"]


def test_delete_keeps_the_role_while_it_carries_policies_someone_else_added(project, clients, boto, run_genesys,
                                                                             deploy):
    p = project(requirements=None)
    deploy(p, clients())
    iam = boto("iam")
    extra = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    iam.put_role_policy(RoleName="genesys-lambda-hello", PolicyName="team-extra", PolicyDocument=json.dumps(extra))
    team = iam.create_policy(PolicyName="team-read", PolicyDocument=json.dumps(extra))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="genesys-lambda-hello", PolicyArn=team)

    result = run_genesys("delete", p.toml, "--yes", "--output", "json")
    assert result.code == 0, result.output
    changes = {c["resource"]: c for c in json.loads(result.stdout)}
    assert changes["function hello"]["action"] == "delete"
    assert changes["role genesys-lambda-hello"]["action"] == "no change"
    assert f"policies genesys did not add (team-extra, {team})" in json.dumps(changes["role genesys-lambda-hello"])
    assert iam.list_role_policies(RoleName="genesys-lambda-hello")["PolicyNames"] == ["team-extra"]
    assert team in [a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName="genesys-lambda-hello")[
        "AttachedPolicies"]]  # the role is kept whole
    assert boto("lambda").list_functions()["Functions"] == []

    iam.delete_role_policy(RoleName="genesys-lambda-hello", PolicyName="team-extra")
    iam.detach_role_policy(RoleName="genesys-lambda-hello", PolicyArn=team)
    assert run_genesys("delete", p.toml, "--yes").code == 0
    assert iam.list_roles()["Roles"] == []


def test_delete_without_yes_and_without_a_terminal_asks_for_yes(project, clients, boto, run_genesys, deploy):
    p = project()
    deploy(p, clients())
    result = run_genesys("delete", p.toml)
    assert result.code == 2
    assert "--yes" in result.stderr
    assert len(boto("lambda").list_functions()["Functions"]) == 1


def test_layer_pruning_keeps_the_newest_n_genesys_versions_and_never_others(project, clients, boto, deploy):
    handmade = _unmarked_layer(boto, "hello-deps")
    p = project(extra="keep_layer_versions = 2\n")
    for content in ("one", "two", "three", "four"):
        p.layer(content)
        deploy(p, clients())
    versions = boto("lambda").list_layer_versions(LayerName="hello-deps")["LayerVersions"]
    assert sorted(v["Version"] for v in versions) == [handmade, handmade + 3, handmade + 4]
    config = boto("lambda").get_function_configuration(FunctionName="hello")
    assert config["Layers"][0]["Arn"].endswith(f":{handmade + 4}")


def test_functions_naming_the_same_layer_with_the_same_content_share_one_version(project, clients, boto, deploy):
    first = project("alpha", extra='\n[layer]\nname = "shared-deps"\n')
    second = project("beta", extra='\n[layer]\nname = "shared-deps"\n')
    deploy(first, clients())
    again = clients()
    deploy(second, again)
    assert "lambda:PublishLayerVersion" not in again.log.writes
    versions = boto("lambda").list_layer_versions(LayerName="shared-deps")["LayerVersions"]
    assert len(versions) == 1
    layer_of = {name: boto("lambda").get_function_configuration(FunctionName=name)["Layers"][0]["Arn"]
                for name in ("alpha", "beta")}
    assert layer_of["alpha"] == layer_of["beta"] == versions[0]["LayerVersionArn"]


def test_deleting_one_of_two_functions_sharing_a_layer_keeps_the_version_the_other_uses(project, clients, boto,
                                                                                         run_genesys, deploy):
    first = project("alpha", extra='\n[layer]\nname = "shared-deps"\n')
    second = project("beta", extra='\n[layer]\nname = "shared-deps"\n')
    deploy(first, clients())
    deploy(second, clients())

    result = run_genesys("delete", str(first.toml), "--yes")
    assert result.code == 0, result.output
    assert "layer shared-deps:1: no change" in result.stderr
    assert [f["FunctionName"] for f in boto("lambda").list_functions()["Functions"]] == ["beta"]
    assert len(boto("lambda").list_layer_versions(LayerName="shared-deps")["LayerVersions"]) == 1
    again = clients()
    deploy(second, again)
    assert again.log.writes == []


def test_layer_pruning_spares_a_version_another_function_still_uses(project, clients, boto, deploy):
    first = project("alpha", extra='keep_layer_versions = 1\n[layer]\nname = "shared-deps"\n')
    second = project("beta", extra='keep_layer_versions = 1\n[layer]\nname = "shared-deps"\n')
    deploy(first, clients())
    deploy(second, clients())
    used_by_beta = boto("lambda").get_function_configuration(FunctionName="beta")["Layers"][0]["Arn"]

    first.layer("new content")
    deploy(first, clients())
    arns = [v["LayerVersionArn"] for v in boto("lambda").list_layer_versions(LayerName="shared-deps")["LayerVersions"]]
    assert used_by_beta in arns and len(arns) == 2
    again = clients()
    deploy(second, again)
    assert again.log.writes == []



def test_delete_works_when_the_function_sources_are_gone(project, clients, boto, run_genesys, deploy):
    # Removing a function from a repo often starts with its code: delete needs only the TOML's facts,
    # even when the runtime was left to detection and the source folder is gone.
    p = project(extra='\n[iam]\nauto_cleanup = true\n')
    deploy(p, clients())
    (p.root / "app.py").unlink()
    (p.root / "requirements.txt").unlink()
    p.toml.write_text(p.toml.read_text().replace('runtime = "python3.12"\n', "")
                      .replace("[function]", '[build]\nsource_path = "gone"\n\n[function]'))

    result = run_genesys("delete", p.toml, "--yes")
    assert result.code == 0, result.output
    assert boto("lambda").list_functions()["Functions"] == []
    assert boto("lambda").list_layer_versions(LayerName="hello-deps")["LayerVersions"] == []
    assert boto("iam").list_roles()["Roles"] == []
