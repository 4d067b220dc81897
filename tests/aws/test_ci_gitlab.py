"""The generated GitLab pipeline, run for real under gitlab-ci-local's shell executor against the emulator.

gitlab-ci-local reports a ``trigger`` job as passed without running the child pipeline, so
each pipeline is two runs: the parent (whose ``genesys-changes`` job writes the child file
as an artifact), then that child file with ``--file``. Each run starts from a fresh clone,
as a runner does. What a pipeline deployed is read from the emulator, never from the
PASS lines. The jobs install genesys with the install step as generated: this checkout's wheel,
served from a local index folder, pinned by its hash (``ci_release``). A push pipeline deploys what differs from the commit each deployed function
records (``genesys changed --since deployed``), so a deploy that failed is deployed by the
next pipeline, whatever that one changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ci_project import commit, git, make_repo, write
from ci_release import Release, from_index, release, runner
from ci_tools import need

pytestmark = pytest.mark.pipeline
NULL_SHA = "0" * 40


def gitlab_ci_local(tool: str, clone: Path, endpoint: str, found: Release, *args: str, ok: bool = True) -> str:
    variables = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "AWS_MAX_ATTEMPTS": "1"}
    words = [word for name, value in variables.items() for word in ("--variable", f"{name}={value}")]
    # The jobs' python is a venv of their own without genesys: the generated install step installs it.
    job = runner(clone.parent / f"{clone.name}-python")
    path = [part for part in os.environ["PATH"].split(os.pathsep) if Path(part) != Path(sys.executable).parent]
    env = {**found.env(), "PATH": os.pathsep.join([str(job / "bin"), *path])}
    done = subprocess.run([tool, "--shell-executor-no-image", *words, *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=600)
    if ok:
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def pipeline(tool: str, origin: Path, workdir: Path, before: str, endpoint: str, found: Release, *,
             child_endpoint: str = "", manual: str = "") -> str:
    """One push pipeline of ``origin``'s HEAD (``before`` = CI_COMMIT_BEFORE_SHA); the child pipeline's text.

    ``child_endpoint`` sends the child's AWS calls elsewhere (a port nobody listens on: the deploys fail);
    ``manual`` is a manual job of the child to run as well.
    """
    clone = workdir / f"clone-{len(list(workdir.iterdir()))}"
    git(workdir, "clone", "-q", str(origin), str(clone))
    gitlab_ci_local(tool, clone, endpoint, found, "--variable", f"CI_COMMIT_BEFORE_SHA={before}")
    child = clone / "genesys-child-run.yml"  # out of .gitlab-ci-local/, which the next run clears
    shutil.copy(clone / ".gitlab-ci-local/artifacts/genesys-changes/genesys-child.yml", child)
    extra = ("--manual", manual) if manual else ()
    gitlab_ci_local(tool, clone, child_endpoint or endpoint, found, "--file", child.name, *extra, ok=not child_endpoint)
    return child.read_text()


def functions(boto) -> dict[str, str]:
    client = boto("lambda")
    return {f["FunctionName"]: f["CodeSha256"] for f in client.list_functions()["Functions"]}


def commits(boto) -> dict[str, str]:
    client = boto("lambda")
    return {f["FunctionName"]: client.list_tags(Resource=f["FunctionArn"])["Tags"].get("genesys:commit", "")
            for f in client.list_functions()["Functions"]}


def test_the_gitlab_pipeline_reconciles_with_what_is_deployed(aws, boto, tmp_path):
    tool = need("gitlab-ci-local")
    need("rsync")
    origin = tmp_path / "origin"
    make_repo(origin)
    found = release(tmp_path / "release")
    writer = from_index(found, tmp_path / "writer")  # genesys as a user installs a release
    done = subprocess.run([str(writer / "bin/python"), "-m", "genesys_tasks.cli", "ci", "gitlab", "--auth", "env",
                           "--image", ""], cwd=origin, env=found.env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"genesys-lambda==0.1.0 --hash=sha256:{found.sha256}" in (origin / ".gitlab-ci.yml").read_text()
    first = commit(origin, "CI")
    workdir = tmp_path / "runs"
    workdir.mkdir()

    child = pipeline(tool, origin, workdir, NULL_SHA, aws, found)  # nothing deployed yet: every function
    deployed = functions(boto)
    print(f"pipeline 1 (first): deployed {sorted(deployed)}")
    assert sorted(deployed) == ["go-fn", "node-fn", "py-fn"], child
    assert set(commits(boto).values()) == {first}

    write(origin, {"py-fn/app.py": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'v2'}\n"})
    second = commit(origin, "py handler")
    child = pipeline(tool, origin, workdir, first, aws, found, child_endpoint="http://127.0.0.1:9")  # its deploy fails
    assert functions(boto) == deployed and commits(boto)["py-fn"] == first
    print("pipeline 2 (py-fn/app.py): its deploy failed")

    write(origin, {"README.md": "# only the docs changed\n"})
    third = commit(origin, "readme")
    child = pipeline(tool, origin, workdir, second, aws, found)
    now = functions(boto)
    print(f"pipeline 3 (README.md): deployed {sorted(k for k in now if now[k] != deployed[k])}")
    assert now["py-fn"] != deployed["py-fn"] and {k: now[k] for k in ("go-fn", "node-fn")} == \
        {k: deployed[k] for k in ("go-fn", "node-fn")}
    assert commits(boto) == {"py-fn": third, "go-fn": first, "node-fn": first}
    assert "deploy:py-fn" in child and "deploy:go-fn" not in child

    git(origin, "rm", "-q", "-r", "go-fn")
    commit(origin, "go-fn retired")
    child = pipeline(tool, origin, workdir, third, aws, found)
    assert "genesys-nothing-changed" not in child and '"delete:go-fn (removed)"' in child
    assert sorted(functions(boto)) == ["go-fn", "node-fn", "py-fn"]  # a manual job: nothing deleted yet
    child = pipeline(tool, origin, workdir, third, aws, found, manual="delete:go-fn (removed)")
    print(f"pipeline 4 (go-fn removed, its delete job run): {sorted(functions(boto))}")
    assert sorted(functions(boto)) == ["node-fn", "py-fn"]
