"""A function that deploys to some of the pipeline's stages only (its TOML defines ``[stages.stg]`` and
no ``[stages.prod]``), in a repo whose CI deploys through ``staging=stg`` then ``production=prod``: the
pipeline goes on for every function, and that one is deployed to staging only. A TOML removed is
deleted in every environment it was deployed to, as that environment's stage. Real git repos."""

from __future__ import annotations

import yaml

from genesys_tasks.cicd.changed import changes_since
from genesys_tasks.cli import main

from ci_project import FILES, commit, git, make_repo

STAGED = '\n[stages.stg]\nfunction = { memory_mb = 256 }\n\n[stages.prod]\nfunction = { memory_mb = 512 }\n'
STG_ONLY = '\n[stages.stg]\nfunction = { memory_mb = 256 }\n'
ENVIRONMENTS = ("--environment", "staging=stg", "--environment", "production=prod")
INSTALL = ("--install", "pip install genesys-lambda==0.1.0")


def repo(tmp_path):
    """py-fn and node-fn deploy to stg and prod, go-fn to stg only."""
    files = dict(FILES)
    files["py-fn/lambda_py_fn.toml"] += STAGED
    files["node-fn/lambda_node_fn.toml"] += STAGED
    files["go-fn/lambda_go_fn.toml"] += STG_ONLY
    root = tmp_path / "repo"
    make_repo(root, files)
    return root


def test_since_deployed_asks_each_function_only_about_the_stages_its_toml_defines(tmp_path):
    root = repo(tmp_path)
    asked = []

    def deployed(spec):
        asked.append((spec.name, spec.stage))
        return None  # nothing deployed yet

    found = changes_since("deployed", root, warn=lambda m: None, stages=("stg", "prod"), deployed_commit=deployed)
    assert sorted(spec.name for spec in found.functions) == ["go-fn", "node-fn", "py-fn"]
    assert ("go-fn-prod", "prod") not in asked and ("go-fn-stg", "stg") in asked
    assert {row["name"]: row["stages"] for row in found.rows()} == {
        "go-fn": ["stg"], "node-fn": ["prod", "stg"], "py-fn": ["prod", "stg"]}


def test_the_gitlab_child_pipeline_deploys_a_stage_only_function_to_its_stage_only(tmp_path, monkeypatch):
    root = repo(tmp_path)
    monkeypatch.chdir(root)
    code = main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy", *ENVIRONMENTS, *INSTALL,
                 "--out", "child.yml"])
    assert code == 0
    jobs = yaml.safe_load((root / "child.yml").read_text())
    assert "deploy:go-fn(staging)" in jobs and "deploy:go-fn(production)" not in jobs
    assert {"deploy:py-fn(production)", "deploy:node-fn(production)"} <= set(jobs)


def test_github_deploy_jobs_build_and_deploy_only_the_functions_defining_their_stage(tmp_path, monkeypatch):
    root = repo(tmp_path)
    monkeypatch.chdir(root)
    assert main(["ci", "github", *ENVIRONMENTS, *INSTALL]) == 0
    jobs = yaml.safe_load((root / ".github/workflows/genesys.yml").read_text())["jobs"]
    for job, stage in (("deploy-staging", "stg"), ("deploy-production", "prod")):
        steps = {step.get("name"): step for step in jobs[job]["steps"]}
        takes = f"!matrix.function.stages[0] || contains(matrix.function.stages, '{stage}')"
        assert steps["Build"]["if"] == takes and steps["Deploy"]["if"] == takes
        assert steps[f"Not in stage {stage}"]["if"] == f"!({takes})"


def test_a_removed_toml_is_deleted_in_every_environment_it_deployed_to(tmp_path, monkeypatch):
    root = repo(tmp_path)
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "rm", "-q", "-r", "py-fn", "go-fn")
    commit(root, "py-fn and go-fn retired")
    monkeypatch.chdir(root)
    assert main(["ci", "github", *ENVIRONMENTS, *INSTALL]) == 0
    delete = yaml.safe_load((root / ".github/workflows/genesys.yml").read_text())["jobs"]["delete-removed"]
    assert delete["strategy"]["matrix"]["target"] == [{"environment": "production", "stage": "prod"},
                                                      {"environment": "staging", "stage": "stg"}]
    assert delete["environment"] == "${{ matrix.target.environment }}"
    assert delete["env"]["GENESYS_STAGE"] == "${{ matrix.target.stage }}"

    assert main(["ci", "gitlab-child", "--since", base, "--removed-since", base, "--mode", "deploy", *ENVIRONMENTS,
                 *INSTALL, "--out", "child.yml"]) == 0
    jobs = yaml.safe_load((root / "child.yml").read_text())
    deletes = {name: job["variables"]["GENESYS_STAGE"] for name, job in jobs.items() if name.startswith("delete:")}
    assert deletes == {"delete:py-fn(production) (removed)": "prod", "delete:py-fn(staging) (removed)": "stg",
                       "delete:go-fn(staging) (removed)": "stg"}
