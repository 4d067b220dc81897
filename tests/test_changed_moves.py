"""``genesys changed`` when a team moves a function: a TOML renamed, or its folder moved, is the same
function deployed from a new place, never a removed one (the generated delete jobs would delete the
live function). Real git repos; what the CI files run (``--output removed``, ``ci gitlab-child``)."""

from __future__ import annotations

import json

from genesys_tasks.cicd.changed import changed, load_project
from genesys_tasks.cli import main

from ci_project import commit, git, make_repo


def changes(root, since):
    return changed(load_project(root, "lambda_*.toml", warn=lambda m: None), root, since, "lambda_*.toml")


def test_a_moved_function_folder_deploys_from_its_new_place_and_is_not_removed(tmp_path, monkeypatch, capsys):
    root = tmp_path / "repo"
    base = make_repo(root)
    (root / "services").mkdir()
    git(root, "mv", "py-fn", "services/py-fn")
    commit(root, "py-fn moves under services/")

    found = changes(root, base)
    assert [spec.name for spec in found.functions] == ["py-fn"]
    assert found.removed == ()
    monkeypatch.chdir(root)
    assert main(["changed", "--since", base, "--output", "removed"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_renamed_toml_is_not_removed_but_a_deleted_one_is(tmp_path):
    root = tmp_path / "repo"
    base = make_repo(root)
    git(root, "mv", "node-fn/lambda_node_fn.toml", "node-fn/lambda_node_fn_nodejs22x.toml")
    git(root, "rm", "-q", "-r", "go-fn")
    commit(root, "node-fn's TOML renamed, go-fn retired")

    found = changes(root, base)
    assert [(gone.toml, gone.name) for gone in found.removed] == [("go-fn/lambda_go_fn.toml", "go-fn")]


def test_the_gitlab_child_pipeline_offers_no_delete_job_for_a_moved_function(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    base = make_repo(root)
    git(root, "mv", "py-fn", "py-function")
    commit(root, "py-fn's folder renamed")
    monkeypatch.chdir(root)
    assert main(["ci", "gitlab-child", "--since", base, "--removed-since", base, "--mode", "deploy",
                 "--install", "pip install genesys-lambda==0.1.0", "--out", "child.yml"]) == 0
    child = (root / "child.yml").read_text()
    assert '"deploy:py-fn":' in child
    assert "delete:" not in child and "genesys delete" not in child
