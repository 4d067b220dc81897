"""A function whose TOML moved inside its repo (its folder renamed, as a team reorganises a monorepo)
is still its repo's: the next deploy, from the new place, updates it and its mark names the new TOML.
A second TOML of the same repo naming the function while the first is still there stays a conflict."""

from __future__ import annotations

import shutil
import subprocess


def test_a_function_whose_folder_moved_in_its_repo_deploys_from_the_new_place(project, boto, run_genesys, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "git@github.com:acme/shop.git"], check=True)
    made = project("mover", folder="repo/old-place", requirements=None)
    first = run_genesys("execute", made.toml)
    assert first.code == 0, first.output
    lam = boto("lambda")
    assert lam.get_function(FunctionName="mover")["Tags"]["genesys:toml"] == "old-place/lambda_mover.toml"
    first_code = lam.get_function(FunctionName="mover")["Configuration"]["CodeSha256"]

    (repo / "old-place").rename(repo / "new-place")
    (repo / "new-place/app.py").write_text("def handler(event, context):\n    return 'moved'\n")
    moved = run_genesys("execute", repo / "new-place/lambda_mover.toml")
    assert moved.code == 0, moved.output
    function = lam.get_function(FunctionName="mover")
    assert function["Tags"]["genesys:toml"] == "new-place/lambda_mover.toml"
    assert function["Tags"]["genesys:owner"] == "github.com/acme/shop"
    assert lam.get_function(FunctionName="mover")["Configuration"]["CodeSha256"] != first_code

    shutil.copytree(repo / "new-place", repo / "copy-place")
    copied = run_genesys("execute", repo / "copy-place/lambda_mover.toml")
    assert copied.code == 2 and "made by genesys for another owner" in copied.stderr
    assert lam.get_function(FunctionName="mover")["Tags"]["genesys:toml"] == "new-place/lambda_mover.toml"
