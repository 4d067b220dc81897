"""The GitHub workflow's ``changes`` job on a push, run as written against the emulator (marker ``pipeline``):
it deploys what differs from what is deployed, and warns about removed functions."""

from __future__ import annotations

import pytest
import yaml

from genesys_tasks.cli import main

from ci_project import commit, git, make_repo
from test_ci_github import run_changes_job

pytestmark = pytest.mark.pipeline


def test_a_push_deploys_what_differs_from_what_is_deployed_and_warns_about_removed_functions(aws, tmp_path,
                                                                                            monkeypatch):
    repo = tmp_path / "repo"
    make_repo(repo)
    monkeypatch.chdir(repo)
    assert main(["ci", "github", "--auth", "env", "--install", "genesys --help >/dev/null"]) == 0
    data = yaml.safe_load((repo / ".github/workflows/genesys.yml").read_text())
    first = commit(repo, "workflow")
    monkeypatch.setenv("GENESYS_COMMIT", first)
    assert main(["execute", "py-fn/lambda_py_fn.toml"]) == 0
    git(repo, "checkout", "-q", "--", ".")  # as a fresh clone: no role written back
    monkeypatch.delenv("GENESYS_COMMIT")

    found = run_changes_job(repo, data, first, tmp_path, event="push")
    assert [row["name"] for row in found["functions"]] == ["go-fn", "node-fn"]  # py-fn is deployed at this commit
    assert found["removed"] == [] and "Changed functions (since deployed)" in found["summary"]

    git(repo, "rm", "-q", "-r", "go-fn")
    commit(repo, "go-fn retired")
    found = run_changes_job(repo, data, first, tmp_path, event="push")
    assert found["removed"] == [{"toml": "go-fn/lambda_go_fn.toml", "name": "go-fn", "stages": []}]
    assert "::warning::" in found["stdout"] and "Removed functions" in found["summary"]
    assert [row["name"] for row in found["functions"]] == ["node-fn"]
