"""A function folder the generated files cannot be written for (``--flag``), added by a pull request after
the workflow was generated: the GitHub jobs pass the matrix's TOML path to genesys after ``--``, so it is
a path, never an option. The jobs' ``run:`` steps run as written, with bash and this checkout's genesys
(marker ``pipeline``); GitLab's child pipeline refuses such a path when it is written (``check_path``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from genesys_tasks.cli import main

from ci_project import commit, make_repo, write

pytestmark = pytest.mark.pipeline
REPO = Path(__file__).resolve().parent.parent  # the jobs' `genesys` runs this checkout (PYTHONPATH)
INSTALL = ("--install", "pip install genesys-lambda==0.1.0")


def run_step(root: Path, step: dict, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """A ``run:`` step as the runner runs it (bash -eo pipefail, the step's env), ``genesys`` this checkout's."""
    files = {"GITHUB_OUTPUT": tmp_path / "output", "GITHUB_STEP_SUMMARY": tmp_path / "summary"}
    for path in files.values():
        path.touch()
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    (tools / "genesys").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m genesys_tasks.cli "$@"\n')
    (tools / "genesys").chmod(0o755)
    full = {**os.environ, **{k: str(v) for k, v in files.items()}, **step.get("env", {}), **env,
            "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO)}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=root,
                          env=full, capture_output=True, text=True)


def test_a_toml_path_that_looks_like_an_option_reaches_genesys_as_a_path(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    make_repo(root)
    monkeypatch.chdir(root)
    assert main(["ci", "github", *INSTALL]) == 0
    jobs = yaml.safe_load((root / ".github/workflows/genesys.yml").read_text())["jobs"]
    base = commit(root, "workflow")
    write(root, {"--flag/app.py": "def handler(event, context):\n    return 1\n",
                 "--flag/lambda_flag.toml": '[metadata]\nname = "flag-fn"\nruntime = "python3.12"\n'
                                            'handler = "app.handler"\n'})
    commit(root, "a function in a folder named like an option")

    (changes,) = [s for s in jobs["changes"]["steps"] if s.get("id") == "changed"]
    done = run_step(root, changes, {"EVENT": "pull_request", "BASE": base, "FORK": "false"}, tmp_path)
    assert done.returncode == 0, done.stderr
    output = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    (row,) = json.loads(output["functions"])
    assert row["toml"] == "--flag/lambda_flag.toml"

    (build,) = [s for s in jobs["plan"]["steps"] if s.get("name", "").startswith("Build")]
    done = run_step(root, build, {"TOML": row["toml"], "NAME": row["name"]}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (root / ".genesys/build/flag-fn/function-x86_64.zip").is_file()


def test_every_genesys_command_of_the_jobs_takes_the_toml_after_a_double_dash(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    make_repo(root)
    monkeypatch.chdir(root)
    assert main(["ci", "github", "--environment", "staging=stg", *INSTALL]) == 0
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--removed-since", "", "--mode", "deploy",
                 *INSTALL, "--out", "child.yml"]) == 0
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "plan", *INSTALL, "--out", "plan.yml"]) == 0
    github = yaml.safe_load((root / ".github/workflows/genesys.yml").read_text())["jobs"].values()
    gitlab = [job for name in ("child.yml", "plan.yml") for job in yaml.safe_load((root / name).read_text()).values()
              if isinstance(job, dict)]
    scripts = [step["run"] for job in github for step in job["steps"] if "run" in step]
    scripts += [line for job in gitlab for key in ("before_script", "script") for line in job.get(key, [])]
    lines = [line for script in scripts for line in script.splitlines()]
    commands = [line for line in lines if "genesys " in line and "TOML" in line and "dirname" not in line]
    assert len(commands) >= 6
    assert all('-- "$TOML"' in line or '-- "$GENESYS_TOML"' in line for line in commands), commands
