"""The generated GitLab pipeline, run for real under gitlab-ci-local's shell executor against the emulator.

gitlab-ci-local reports a ``trigger`` job as passed without running the child pipeline, so
each pipeline is two runs: the parent (whose ``genesys-changes`` job writes the child file
as an artifact), then that child file with ``--file``. Each run starts from a fresh clone,
as a runner does. What a pipeline deployed is read from the emulator, never from the
PASS lines: before each pipeline the functions it must not deploy are deleted there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from genesys_tasks.cli import main

from ci_project import commit, git, make_repo, write
from ci_tools import need

pytestmark = pytest.mark.pipeline
NULL_SHA = "0" * 40


def gitlab_ci_local(tool: str, clone: Path, endpoint: str, *args: str) -> str:
    variables = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}
    words = [word for name, value in variables.items() for word in ("--variable", f"{name}={value}")]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([tool, "--shell-executor-no-image", *words, *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def pipeline(tool: str, origin: Path, workdir: Path, before: str, endpoint: str) -> str:
    """One push pipeline of ``origin``'s HEAD (``before`` = CI_COMMIT_BEFORE_SHA); the child pipeline's text."""
    clone = workdir / f"clone-{len(list(workdir.iterdir()))}"
    git(workdir, "clone", "-q", str(origin), str(clone))
    gitlab_ci_local(tool, clone, endpoint, "--variable", f"CI_COMMIT_BEFORE_SHA={before}")
    child = clone / "genesys-child-run.yml"  # out of .gitlab-ci-local/, which the next run clears
    shutil.copy(clone / ".gitlab-ci-local/artifacts/genesys-changes/genesys-child.yml", child)
    gitlab_ci_local(tool, clone, endpoint, "--file", child.name)
    return child.read_text()


def functions(boto) -> dict[str, str]:
    client = boto("lambda")
    return {f["FunctionName"]: f["CodeSha256"] for f in client.list_functions()["Functions"]}


def test_the_gitlab_pipeline_deploys_only_what_changed(aws, boto, tmp_path, monkeypatch):
    tool = need("gitlab-ci-local")
    need("rsync")
    origin = tmp_path / "origin"
    make_repo(origin)
    monkeypatch.chdir(origin)
    assert main(["ci", "gitlab", "--auth", "env", "--image", "", "--install", "genesys --help >/dev/null"]) == 0
    first = commit(origin, "CI")
    workdir = tmp_path / "runs"
    workdir.mkdir()

    child = pipeline(tool, origin, workdir, NULL_SHA, aws)  # a new branch: every function
    deployed = functions(boto)
    print(f"pipeline 1 (new branch): deployed {sorted(deployed)}")
    assert sorted(deployed) == ["go-fn", "node-fn", "py-fn"], child

    write(origin, {"py-fn/app.py": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'v2'}\n"})
    second = commit(origin, "py handler")
    for name in ("go-fn", "node-fn"):
        boto("lambda").delete_function(FunctionName=name)  # deployed again only if the pipeline deploys it
    child = pipeline(tool, origin, workdir, first, aws)
    now = functions(boto)
    print(f"pipeline 2 (py-fn/app.py): deployed {sorted(now)}")
    assert sorted(now) == ["py-fn"], child
    assert now["py-fn"] != deployed["py-fn"]

    write(origin, {"README.md": "# only the docs changed\n"})
    commit(origin, "readme")
    boto("lambda").delete_function(FunctionName="py-fn")
    child = pipeline(tool, origin, workdir, second, aws)
    print(f"pipeline 3 (README.md): deployed {sorted(functions(boto))}")
    assert functions(boto) == {}
    assert "genesys-nothing-changed" in child
