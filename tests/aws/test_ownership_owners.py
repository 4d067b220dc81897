"""The mark names its owner: two repos naming a function alike never overwrite or delete each
other's, a resource someone tagged ``genesys:managed=true`` by hand is never deleted, and what an
older genesys marked (no owner) is claimed by the first repo that deploys it, once."""

from __future__ import annotations

import subprocess


def _repo(project, folder: str, remote: str, name: str = "twin"):
    """A git repo in ``folder`` whose remote is ``remote``, with the function ``name``."""
    made = project(name, folder=folder)
    subprocess.run(["git", "init", "-q", str(made.root)], check=True)
    subprocess.run(["git", "-C", str(made.root), "remote", "add", "origin", remote], check=True)
    return made


def _tags(boto, name: str) -> dict:
    return boto("lambda").get_function(FunctionName=name)["Tags"]


def test_a_second_repo_with_the_same_function_name_neither_overwrites_nor_deletes_the_first(
        project, boto, run_genesys):
    first = _repo(project, "first", "git@github.com:Org/First.git")
    second = _repo(project, "second", "https://ci:token@gitlab.example.com/team/second.git")
    assert run_genesys("execute", first.toml).code == 0
    before = boto("lambda").get_function(FunctionName="twin")["Configuration"]
    tags = _tags(boto, "twin")
    assert tags["genesys:owner"] == "github.com/org/first" and tags["genesys:toml"] == "lambda_twin.toml"

    second.code("def handler(event, context):\n    return 'second'\n")
    result = run_genesys("execute", second.toml)
    assert result.code == 2, result.output
    assert "genesys-lambda-twin exists and was made by genesys for another owner: project github.com/org/first" in (
        result.stderr)
    assert "--adopt" in result.stderr and "token" not in result.output
    assert boto("lambda").get_function(FunctionName="twin")["Configuration"]["CodeSha256"] == before["CodeSha256"]

    deleted = run_genesys("delete", second.toml, "--yes")
    assert deleted.code == 0, deleted.output
    lam = boto("lambda")
    after = lam.get_function(FunctionName="twin")["Configuration"]
    assert after["CodeSha256"] == before["CodeSha256"] and after["Layers"] == before["Layers"]
    assert lam.list_layer_versions(LayerName="twin-deps")["LayerVersions"]  # the first's layer stays
    assert boto("iam").get_role(RoleName="genesys-lambda-twin")["Role"]["Arn"] == before["Role"]
    assert lam.get_function_url_config(FunctionName="twin")["FunctionUrl"]

    assert run_genesys("execute", first.toml).code == 0  # the first repo still owns it
    assert run_genesys("delete", first.toml, "--yes").code == 0
    assert not [f for f in lam.list_functions()["Functions"] if f["FunctionName"] == "twin"]


def test_the_project_id_of_genesys_toml_wins_over_the_git_remote(project, boto, run_genesys):
    first = _repo(project, "first", "git@github.com:org/first.git")
    (first.root / "genesys.toml").write_text('[project]\nid = "payments-team/api"\n')
    assert run_genesys("execute", first.toml).code == 0
    assert _tags(boto, "twin")["genesys:owner"] == "payments-team/api"


def test_a_function_tagged_genesys_managed_by_hand_is_never_deleted_and_its_claim_is_shown(
        project, boto, run_genesys):
    p = project("handmade")
    lam = boto("lambda")
    role = boto("iam").create_role(RoleName="theirs", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam.create_function(FunctionName="handmade", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": p.root.joinpath(".genesys/build/handmade/function-x86_64.zip").read_bytes()},
                        Tags={"genesys:managed": "true"})

    deleted = run_genesys("delete", p.toml, "--yes")
    assert deleted.code == 0, deleted.output
    assert "function handmade: no change" in deleted.stderr
    assert lam.get_function(FunctionName="handmade")["Tags"] == {"genesys:managed": "true"}

    dry = run_genesys("execute", p.toml, "--dry-run")
    assert dry.code == 0, dry.output
    assert "function handmade: claim" in dry.stderr
    assert lam.get_function(FunctionName="handmade")["Tags"] == {"genesys:managed": "true"}


def test_a_function_an_older_genesys_marked_is_claimed_once_by_the_first_repo_that_deploys_it(
        project, boto, run_genesys):
    first = _repo(project, "first", "https://github.com/org/first")
    second = _repo(project, "second", "https://github.com/org/second")
    assert run_genesys("execute", first.toml).code == 0
    lam = boto("lambda")
    arn = lam.get_function(FunctionName="twin")["Configuration"]["FunctionArn"]
    # as an older genesys left them
    lam.untag_resource(Resource=arn, TagKeys=["genesys:owner", "genesys:toml"])
    boto("iam").untag_role(RoleName="genesys-lambda-twin", TagKeys=["genesys:owner"])

    plan = run_genesys("execute", second.toml, "--dry-run")
    assert plan.code == 0, plan.output
    assert "function twin: claim" in plan.stderr and "role genesys-lambda-twin: claim" in plan.stderr
    claimed = run_genesys("execute", second.toml)
    assert claimed.code == 0, claimed.output
    assert _tags(boto, "twin")["genesys:owner"] == "github.com/org/second"

    again = run_genesys("execute", second.toml, "--dry-run")
    assert again.code == 0 and "function twin: claim" not in again.stderr, again.output
    refused = run_genesys("execute", first.toml)
    assert refused.code == 2 and "github.com/org/second" in refused.stderr, refused.output


def test_a_second_repo_cannot_roll_back_or_roll_out_the_first_repos_alias(project, boto, run_genesys):
    first = _repo(project, "first", "https://github.com/org/first")
    second = _repo(project, "second", "https://github.com/org/second")
    for p in (first, second):
        p.edit("[deployment]\n", '[deployment]\nalias = "live"\n')
    assert run_genesys("execute", first.toml).code == 0
    first.code("def handler(event, context):\n    return 2\n")
    assert run_genesys("execute", first.toml).code == 0
    assert boto("lambda").get_alias(FunctionName="twin", Name="live")["FunctionVersion"] == "2"

    for args in (("rollback", second.toml), ("rollout", second.toml, "--abort")):
        result = run_genesys(*args)
        assert result.code == 2 and "github.com/org/first" in result.stderr, result.output
    assert boto("lambda").get_alias(FunctionName="twin", Name="live")["FunctionVersion"] == "2"


def test_adopt_takes_over_another_repos_function_and_marks_it_with_the_new_owner(project, boto, run_genesys):
    first = _repo(project, "first", "https://github.com/org/first")
    second = _repo(project, "second", "https://github.com/org/second")
    assert run_genesys("execute", first.toml).code == 0
    result = run_genesys("execute", second.toml, "--adopt")
    assert result.code == 0, result.output
    tags = _tags(boto, "twin")
    assert (tags["genesys:owner"], tags["genesys:toml"]) == ("github.com/org/second", "lambda_twin.toml")
    assert run_genesys("execute", first.toml).code == 2
