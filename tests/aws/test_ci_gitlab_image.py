"""A Node function's GitLab plan and deploy jobs, run by gitlab-ci-local's docker executor in the image they name.

``genesys ci gitlab-child`` gives a nodejs22.x function's jobs ``node:22-bookworm``. That name is the
local stand-in ci/podman/setup.sh builds from Debian bookworm packages (node, npm, git, bash, apt and
python3 with no pip and no venv module, as the official image has). gitlab-ci-local drives Podman
(``--container-executable podman``, with ci/podman/setup.sh's stand-in of its helper image), so the
job's lines run as written inside the image: the prelude makes a venv from the image's python3, the
install step installs this checkout's wheel from a local index folder by its hash (``ci_release``),
then ``genesys execute`` builds the function with the image's npm and deploys it to the embedded
emulator on the host's network. Nothing is pulled: every image is present locally.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ci_project import FILES, commit, make_repo, write
from ci_release import dependencies, from_index, release, site_packages
from ci_tools import need

pytestmark = pytest.mark.ci_images
IMAGES = ("docker.io/library/node:22-bookworm", "docker.io/firecow/gitlab-ci-local-util")


def _need_images() -> None:
    give_up = pytest.fail if os.environ.get("GENESYS_REQUIRE_PODMAN") else pytest.skip
    if shutil.which("podman") is None:
        give_up("podman is not installed (run ci/podman/setup.sh as root)")
    for image in IMAGES:
        if subprocess.run(["podman", "image", "exists", image], capture_output=True).returncode != 0:
            give_up(f"the local image {image} is absent (run ci/podman/setup.sh as root)")


def _mounted(path: str) -> list[str]:
    return ["--volume", f"{path}:{path}:ro"]


def _podman_objects() -> set[str]:
    """The containers of this test's images and gitlab-ci-local's volumes (``gcl-*``) Podman holds now."""
    found = set()
    for image in IMAGES:
        listed = subprocess.run(["podman", "ps", "-a", "-q", "--no-trunc", "--filter", f"ancestor={image}"],
                                capture_output=True, text=True).stdout
        found |= {f"container {name}" for name in listed.split()}
    volumes = subprocess.run(["podman", "volume", "ls", "-q"], capture_output=True, text=True).stdout
    return found | {f"volume {name}" for name in volumes.split() if name.startswith("gcl-")}


@pytest.fixture
def podman_leftovers():
    """Remove the containers and volumes gitlab-ci-local's runs leave behind (its cache copies keep theirs)."""
    before = _podman_objects()
    yield
    for kind, name in sorted(item.split(" ", 1) for item in _podman_objects() - before):
        subprocess.run(["podman", "rm", "-f", name] if kind == "container" else ["podman", "volume", "rm", "-f", name],
                       capture_output=True)


def child_file(writer: Path, origin: Path, env: dict, since: str, mode: str) -> dict:
    """``genesys ci gitlab-child`` as the changes job runs it: the parsed file, written to ``genesys-<mode>.yml``."""
    done = subprocess.run([str(writer / "bin/python"), "-m", "genesys_tasks.cli", "ci", "gitlab-child", "--auth", "env",
                           "--since", since, "--mode", mode, "--out", f"genesys-{mode}.yml"],
                          cwd=origin, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load((origin / f"genesys-{mode}.yml").read_text())


def test_a_node_function_builds_and_deploys_in_the_image_its_gitlab_jobs_name(aws, boto, tmp_path, podman_leftovers):
    tool = need("gitlab-ci-local")
    need("rsync")
    _need_images()
    origin = tmp_path / "origin"
    first = make_repo(origin, {name: text for name, text in FILES.items() if name.startswith("node-fn/")})
    write(origin, {"node-fn/package.json": '{"name": "node-fn", "version": "1.0.0", '
                                           '"dependencies": {"is-number": "7.0.0"}}\n'})
    found = release(tmp_path / "release")
    # Without uv beside it, the writer generates pip's form of the install step: the image's jobs take
    # genesys's dependencies from this environment through PYTHONPATH, which pip counts and uv does not.
    writer = from_index(found, tmp_path / "writer", with_uv=False)
    env = found.env()
    plan = child_file(writer, origin, env, first, "plan")["plan:node-fn"]
    deploy = child_file(writer, origin, env, first, "deploy")["deploy:node-fn"]
    assert plan["image"] == deploy["image"] == "node:22-bookworm"
    sha = commit(origin, "node-fn depends on is-number")
    # As in the official image, python3 has no venv module: the jobs' prelude has to install it.
    bare = subprocess.run(["podman", "run", "--rm", "--pull=never", deploy["image"], "python3", "-c", "import ensurepip"],
                          capture_output=True, text=True)
    assert bare.returncode != 0 and "ensurepip" in bare.stderr

    index, linked = str(found.index.resolve()), str(dependencies(tmp_path / "dependencies"))
    variables = {"AWS_ENDPOINT_URL": aws, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_MAX_ATTEMPTS": "1", "CI_COMMIT_SHA": sha, "DEBIAN_FRONTEND": "noninteractive",
                 # The install step's index, and the dependencies as the shell-executor pipeline test finds them.
                 "PIP_INDEX_URL": env["PIP_INDEX_URL"], "PYTHONPATH": linked}
    mounts = [*_mounted(index), *_mounted(linked), *_mounted(str(site_packages()))]
    if os.environ.get("NODE_EXTRA_CA_CERTS"):  # this machine's TLS interception, as a runner's admin would pass it
        variables["NODE_EXTRA_CA_CERTS"] = os.environ["NODE_EXTRA_CA_CERTS"]
        mounts += _mounted(os.environ["NODE_EXTRA_CA_CERTS"])
    words = [word for name, value in variables.items() for word in ("--variable", f"{name}={value}")]

    def pipeline(mode: str) -> str:
        ran = subprocess.run([tool, "--container-executable", "podman", "--network", "host", "--file",
                              f"genesys-{mode}.yml", *mounts, *words], cwd=origin, capture_output=True, text=True,
                             timeout=900)
        print(ran.stdout[-3000:])
        assert ran.returncode == 0, ran.stdout[-5000:] + ran.stderr[-2000:]
        assert re.search(rf"{mode}:node-fn\s+starting node:22-bookworm", ran.stdout)  # in the image, not the shell
        return (origin / ".gitlab-ci-local/output" / next(p.name for p in (origin / ".gitlab-ci-local/output").iterdir()
                                                          if p.name.endswith("node-fn.log"))).read_text()

    client = boto("lambda")
    planned = pipeline("plan")
    assert "layer node-fn x86_64: built" in planned  # the build, before any credentials
    assert "function node-fn: create" in (origin / "genesys-plan-node-fn.txt").read_text()  # the job's artifact
    assert client.list_functions()["Functions"] == []  # a plan deploys nothing

    deployed_log = pipeline("deploy")
    assert "node-fn deployed" in deployed_log
    deployed = client.get_function(FunctionName="node-fn")["Configuration"]
    assert deployed["Runtime"] == "nodejs22.x"
    assert client.list_tags(Resource=deployed["FunctionArn"])["Tags"]["genesys:commit"] == sha
    assert deployed.get("Layers"), "the npm dependencies were built into a layer in the image"
