"""A Node function's GitLab jobs, run in the image the generated child pipeline names for them.

``genesys ci gitlab-child`` gives a nodejs22.x function's jobs ``node:22-bookworm``. The image here is
the local stand-in ci/podman/setup.sh builds under that name from Debian bookworm packages (node, npm,
git, bash, apt and python3 without pip or venv, as the official image has). Each job's
``before_script`` and ``script`` lines run as written, one after another in one bash as a runner's
shell does, in a ``podman run`` of the job's ``image:`` with the clone mounted as ``$CI_PROJECT_DIR``
and the host's network (the embedded emulator is reached on 127.0.0.1). The install step installs
this checkout's wheel from a local index folder by its hash (``ci_release``), after the prelude has
made a venv out of the image's python3. Nothing is pulled: ``--pull=never``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ci_project import commit, make_repo, write
from ci_release import Release, from_index, release

pytestmark = pytest.mark.podman
PROJECT_DIR = "/builds/project"
NODE_FUNCTION = {"node-fn/package.json": '{"name": "node-fn", "version": "1.0.0", '
                                         '"dependencies": {"is-number": "7.0.0"}}\n'}


def _need_image(image: str) -> None:
    give_up = pytest.fail if os.environ.get("GENESYS_REQUIRE_PODMAN") else pytest.skip
    if shutil.which("podman") is None:
        give_up("podman is not installed (run ci/podman/setup.sh as root)")
    if subprocess.run(["podman", "image", "exists", image], capture_output=True).returncode != 0:
        give_up(f"the local image {image} is absent (run ci/podman/setup.sh as root)")


def expand(value: str, known: dict[str, str]) -> str:
    """A GitLab variable's value as the runner hands it to the job: ``$$`` is a ``$``, ``$X``/``${X}`` expand."""
    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return known.get(match.group(1) or match.group(2), "")
    return re.sub(r"\$\$|\$\{(\w+)\}|\$(\w+)", one, value)


def job_script(child: dict, job: dict, known: dict[str, str]) -> str:
    """The job's variables, then its before_script and script lines, as a runner's bash runs them."""
    lines = ["set -eo pipefail"]
    for name, value in {**child.get("variables", {}), **job.get("variables", {})}.items():
        known[name] = expand(str(value), known)
        lines.append(f"export {name}={shlex.quote(known[name])}")
    for line in [*job.get("before_script", []), *job["script"]]:
        lines += [f"echo {shlex.quote('$ ' + line)}", line]
    return "\n".join(lines) + "\n"


def run_job(child: dict, name: str, clone: Path, found: Release, endpoint: str, sha: str) -> subprocess.CompletedProcess:
    job = child[name]
    known = {"CI_PROJECT_DIR": PROJECT_DIR, "CI_COMMIT_SHA": sha, "CI_SERVER_URL": "https://gitlab.example"}
    script = clone.parent / f"{name.replace(':', '-')}.sh"
    script.write_text(job_script(child, job, known))
    index = found.index.resolve()
    purelib = Path(found.env()["PYTHONPATH"])
    # The install step's index and the dependencies' folder (the job venv finds them as the shell test's does).
    env = {"PIP_INDEX_URL": index.as_uri() + "/", "PIP_NO_INPUT": "1", "PYTHONPATH": str(purelib),
           "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_MAX_ATTEMPTS": "1", "DEBIAN_FRONTEND": "noninteractive", **known}
    words = [word for key, value in env.items() for word in ("--env", f"{key}={value}")]
    return subprocess.run(
        ["podman", "run", "--rm", "--pull=never", "--network=host", *words,
         "--volume", f"{clone}:{PROJECT_DIR}", "--volume", f"{index}:{index}:ro",
         "--volume", f"{purelib}:{purelib}:ro", "--volume", f"{script}:/job.sh:ro",
         "--workdir", PROJECT_DIR, job["image"], "bash", "/job.sh"],
        capture_output=True, text=True, timeout=900)


def test_a_node_function_builds_and_deploys_in_the_image_its_gitlab_jobs_name(aws, boto, tmp_path):
    origin = tmp_path / "origin"
    first = make_repo(origin)
    write(origin, NODE_FUNCTION)
    sha = commit(origin, "node-fn depends on is-number")
    found = release(tmp_path / "release")
    writer = from_index(found, tmp_path / "writer")
    done = subprocess.run([str(writer / "bin/python"), "-m", "genesys_tasks.cli", "ci", "gitlab-child", "--auth", "env",
                           "--since", first, "--mode", "deploy",
                           "--out", "child.yml"], cwd=origin, env=found.env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    child = yaml.safe_load((origin / "child.yml").read_text())
    plan, deploy = child["plan:node-fn"], child["deploy:node-fn"]
    assert plan["image"] == deploy["image"] == "node:22-bookworm"
    _need_image("docker.io/library/node:22-bookworm")
    # As in the official image, python3 has no venv module: the jobs' prelude must install it.
    bare = subprocess.run(["podman", "run", "--rm", "--pull=never", plan["image"], "python3", "-c", "import ensurepip"],
                          capture_output=True, text=True)
    assert bare.returncode != 0 and "ensurepip" in bare.stderr

    ran = run_job(child, "plan:node-fn", origin, found, aws, sha)
    print(ran.stdout[-3000:])
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert (origin / ".genesys/venv/bin/genesys").exists()
    assert "node-fn" in (origin / "genesys-plan-node-fn.txt").read_text()
    assert boto("lambda").list_functions()["Functions"] == []  # a plan deploys nothing

    ran = run_job(child, "deploy:node-fn", origin, found, aws, sha)
    print(ran.stdout[-3000:])
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    client = boto("lambda")
    deployed = client.get_function(FunctionName="node-fn")["Configuration"]
    assert deployed["Runtime"] == "nodejs22.x"
    assert client.list_tags(Resource=deployed["FunctionArn"])["Tags"]["genesys:commit"] == sha
