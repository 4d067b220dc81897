"""``genesys changed --since deployed`` against the emulator: a deploy records its commit on the function
(``genesys:commit``), and what differs from it (or is not deployed) is what the next pipeline deploys."""

from __future__ import annotations

import json
from pathlib import Path

from genesys_tasks.cli import main

from ci_project import commit, git, make_repo, write

PY_ONLY = {"README.md": "# one function\n", ".gitignore": ".genesys/\n",
           "py-fn/lambda_py_fn.toml": '[metadata]\nname = "py-fn"\nruntime = "python3.12"\nhandler = "app.handler"\n',
           "py-fn/app.py": "def handler(event, context):\n    return 1\n",
           "other/lambda_other.toml": '[metadata]\nname = "other"\nruntime = "python3.12"\nhandler = "app.handler"\n',
           "other/app.py": "def handler(event, context):\n    return 2\n"}


def deployed_matrix(capsys) -> list[str]:
    git(Path.cwd(), "checkout", "-q", "--", ".")  # as a fresh clone: no TOML write-back
    capsys.readouterr()
    assert main(["changed", "--since", "deployed", "--output", "matrix"]) == 0
    return [row["name"] for row in json.loads(capsys.readouterr().out)]


def test_a_deploy_records_its_commit_and_changed_since_deployed_compares_with_it(aws, boto, tmp_path, monkeypatch,
                                                                                 capsys):
    root = tmp_path / "repo"
    first = make_repo(root, PY_ONLY)
    monkeypatch.chdir(root)
    assert deployed_matrix(capsys) == ["other", "py-fn"]  # nothing deployed yet
    monkeypatch.setenv("GENESYS_COMMIT", first)
    assert main(["execute", "py-fn/lambda_py_fn.toml"]) == 0
    arn = boto("lambda").get_function(FunctionName="py-fn")["Configuration"]["FunctionArn"]
    assert boto("lambda").list_tags(Resource=arn)["Tags"]["genesys:commit"] == first
    assert deployed_matrix(capsys) == ["other"]
    write(root, {"README.md": "# docs only\n"})
    commit(root, "docs")
    assert deployed_matrix(capsys) == ["other"]  # a README push after a failed deploy still names it
    write(root, {"py-fn/app.py": "def handler(event, context):\n    return 3\n"})
    second = commit(root, "py change")
    assert deployed_matrix(capsys) == ["other", "py-fn"]
    monkeypatch.setenv("GENESYS_COMMIT", second)
    assert main(["execute", "py-fn/lambda_py_fn.toml"]) == 0
    assert boto("lambda").list_tags(Resource=arn)["Tags"]["genesys:commit"] == second
    assert deployed_matrix(capsys) == ["other"]
    git(root, "rm", "-q", "-r", "other")
    commit(root, "remove other")
    capsys.readouterr()
    assert main(["changed", "--since", second, "--output", "removed"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"toml": "other/lambda_other.toml", "name": "other", "stages": []}]


def test_with_stages_a_function_counts_when_it_differs_in_any_stage_the_pipeline_deploys(aws, tmp_path, monkeypatch,
                                                                                         capsys):
    staged = dict(PY_ONLY)
    staged["py-fn/lambda_py_fn.toml"] += '[stages.prod]\n[stages.stg]\n'
    root = tmp_path / "repo"
    first = make_repo(root, staged)
    monkeypatch.chdir(root)
    monkeypatch.setenv("GENESYS_COMMIT", first)
    monkeypatch.setenv("GENESYS_STAGE", "prod")  # what --stage prod sets, undone after the test
    assert main(["execute", "py-fn/lambda_py_fn.toml"]) == 0
    monkeypatch.delenv("GENESYS_STAGE")

    def names(stages: str) -> list[str]:
        git(root, "checkout", "-q", "--", ".")
        capsys.readouterr()
        assert main(["changed", "--since", "deployed", "--stages", stages, "--output", "matrix"]) == 0
        return [row["name"] for row in json.loads(capsys.readouterr().out)]

    assert names("prod") == ["other"]  # py-fn-prod records this commit; other-prod is not deployed
    assert names("stg,prod") == ["other", "py-fn"]  # py-fn-stg is not deployed
    assert names(",prod") == ["other", "py-fn"]  # nor is py-fn without a stage


def test_a_session_made_with_a_commit_tags_it_without_the_environment(project, clients, boto, monkeypatch):
    from genesys_tasks.deploy.session import Options, Session

    monkeypatch.delenv("GENESYS_COMMIT", raising=False)
    p = project()
    session = Session(Options(commit="abc123", record_role=False), clients_factory=lambda target: clients())
    assert session.deploy(p.spec(), p.root).failure is None
    arn = boto("lambda").get_function(FunctionName="hello")["Configuration"]["FunctionArn"]
    assert boto("lambda").list_tags(Resource=arn)["Tags"]["genesys:commit"] == "abc123"
