"""`genesys invoke --container`: the image genesys built, run by Podman against genesys's Runtime API.

The base is a stand-in made here from the local Podman image ci/podman/setup.sh tags
public.ecr.aws/lambda/python:3.11 (Debian's Python): a layer adds ``/lambda-entrypoint.sh`` and a
runtime client (genesys's plain Runtime API loop) as the AWS base images' entrypoint does, then it
is pushed into the tests' local registry, where genesys pulls it from like any base.
Run with ``CONTAINERS_CONF=$PWD/ci/podman/containers.conf python -m pytest -n 0 -m images`` (the images
step of .ci/run, after ci/podman/setup.sh); without Podman or its local image the Podman test skips (fails
under GENESYS_REQUIRE_PODMAN).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from genesys_tasks.local.clients import SHIMS
from registry_fixture import needs_tools

pytestmark = needs_tools
PYTHON_IMAGE = "public.ecr.aws/lambda/python:3.11"
ENTRYPOINT = '#!/bin/sh\nexport PYTHONPATH="$LAMBDA_TASK_ROOT:/opt/python"\nexec python3 /var/runtime/bootstrap.py "$@"\n'


def _podman(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def container_base(local_registry, tmp_path_factory):
    """The stand-in base with a Lambda entrypoint, in the local registry; its reference."""
    give_up = pytest.fail if os.environ.get("GENESYS_REQUIRE_PODMAN") else pytest.skip
    if shutil.which("podman") is None or _podman("image", "exists", PYTHON_IMAGE).returncode:
        give_up(f"podman or its local image {PYTHON_IMAGE} is missing (run ci/podman/setup.sh as root)")
    folder = tmp_path_factory.mktemp("base-context")
    (folder / "lambda-entrypoint.sh").write_text(ENTRYPOINT)
    (folder / "lambda-entrypoint.sh").chmod(0o755)
    shutil.copy(SHIMS / "python_plain.py", folder / "bootstrap.py")
    (folder / "Containerfile").write_text(
        f"FROM {PYTHON_IMAGE}\nCOPY lambda-entrypoint.sh /lambda-entrypoint.sh\nCOPY bootstrap.py /var/runtime/\n"
        'ENV LAMBDA_TASK_ROOT=/var/task\nENTRYPOINT ["/lambda-entrypoint.sh"]\n')
    tag = "localhost/genesys-test/lambda-python-entrypoint:3.11"
    built = _podman("build", "--pull=never", "-t", tag, str(folder))
    assert built.returncode == 0, built.stderr
    reference = f"{local_registry.host}/lambda/python:3.11"
    pushed = _podman("push", "--tls-verify=false", tag, f"docker://{reference}")
    assert pushed.returncode == 0, pushed.stderr
    yield reference
    _podman("rmi", "--force", tag)


def _blob(digest: str) -> bytes:
    from genesys_tasks.build.image.blobs import BlobStore

    return BlobStore(Path(os.environ["GENESYS_CACHE_DIR"]) / "oci" / "blobs").read(digest)


def _project(folder, base):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir(exist_ok=True)
    (folder / "app.py").write_text(
        "import os\n\ndef handler(event, context):\n"
        "    return {'got': event, 'file': __file__, 'cwd': os.getcwd(), 'entrypoint': os.path.exists("
        "'/lambda-entrypoint.sh'), 'name': os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'request': context.aws_request_id}\n")
    toml = folder / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "imgfn"\nruntime = "python3.11"\nhandler = "app.handler"\n\n'
                    f'[build]\npackage_type = "image"\nimage = "{base}"\n')
    return toml


def test_invoke_container_runs_the_built_image_with_its_own_entrypoint_against_genesys(
        run_genesys, container_base, tmp_path):
    toml = _project(tmp_path / "p", container_base)
    result = run_genesys("invoke", toml, "--container", "--event", '{"a": 1}')
    assert result.code == 0, result.output
    out = json.loads(result.stdout)
    assert out["got"] == {"a": 1} and out["file"] == "/var/task/app.py" and out["cwd"] == "/var/task"
    assert out["entrypoint"] is True and out["name"] == "imgfn" and out["request"]
    assert "REPORT RequestId:" in result.stderr
    left = _podman("ps", "--all", "--filter", "name=genesys-imgfn", "--format", "{{.Names}}")
    assert left.stdout.strip() == ""  # the container is gone after the run
    tagged = _podman("image", "inspect", "--format", "{{.Id}}", "localhost/genesys/imgfn:x86_64")
    record = json.loads((tmp_path / "p" / ".genesys" / "build" / "imgfn" / "artifact-x86_64.json").read_text())
    assert tagged.returncode == 0, tagged.stderr
    assert tagged.stdout.strip() == json.loads(_blob(record["digest"]))["config"]["digest"].split(":")[1]
    _podman("rmi", "--force", tagged.stdout.strip())


def test_invoke_container_of_a_zip_function_is_bad_input(run_genesys, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "zipfn"\nruntime = "python3.12"\nhandler = "app.handler"\n')
    result = run_genesys("invoke", toml, "--container")
    assert result.code == 2 and "package_type" in result.stderr and "Traceback" not in result.stderr


def test_invoke_container_without_podman_exits_2_saying_so(run_genesys, local_registry, tmp_path):
    toml = _project(tmp_path, local_registry.base)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not os.path.exists(os.path.join(p, "podman")))
    result = run_genesys("invoke", toml, "--container", env={"PATH": path})
    assert result.code == 2, result.output
    assert "Podman, which is not installed" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.needs_tools("go")
def test_invoke_container_runs_a_go_image_whose_entrypoint_is_its_bootstrap_replacing_its_previous_image(run_genesys, local_registry, tmp_path):
    from test_image_build import go_image_project

    if shutil.which("podman") is None:
        (pytest.fail if os.environ.get("GENESYS_REQUIRE_PODMAN") else pytest.skip)("podman is not installed")
    toml = go_image_project(tmp_path / "go", local_registry.base)  # the tiny stand-in: no runtime of its own
    cache = {"GENESYS_CACHE_DIR": str(tmp_path / "My Cache")}  # no reference could be named after this path
    result = run_genesys("invoke", toml, "--container", "--event", '{"name": "container"}', env=cache)
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {"message": "hello container"}
    first = _podman("image", "inspect", "--format", "{{.Id}}", "localhost/genesys/go-hello:x86_64").stdout.strip()
    main = toml.parent / "main.go"
    main.write_text(main.read_text().replace('"hello "', '"hi "'))
    again = run_genesys("invoke", toml, "--container", "--event", '{"name": "again"}', env=cache)
    assert again.code == 0 and json.loads(again.stdout) == {"message": "hi again"}, again.output
    second = _podman("image", "inspect", "--format", "{{.Id}}", "localhost/genesys/go-hello:x86_64").stdout.strip()
    assert second != first and _podman("image", "exists", first).returncode != 0  # the previous build's is gone
    _podman("rmi", "--force", second)


def test_the_pushed_image_pulled_by_podman_runs_its_handler_against_a_runtime_api(
        run_genesys, local_registry, container_base, tmp_path):
    from genesys_tasks.build.image.blobs import BlobStore
    from genesys_tasks.build.image.registry import Registry
    from genesys_tasks.config.image_ref import parse
    from genesys_tasks.local.runtime_api import RuntimeApi

    toml = _project(tmp_path / "p", container_base)
    assert run_genesys("lambda", "build", toml).code == 0
    digest = json.loads((tmp_path / "p" / ".genesys" / "build" / "imgfn" / "artifact-x86_64.json").read_text())["digest"]
    repo = parse(f"{local_registry.host}/genesys/pulled")
    Registry.for_ref(repo).push(repo, digest, BlobStore(Path(os.environ["GENESYS_CACHE_DIR"]) / "oci" / "blobs"))
    reference = f"{repo}@{digest}"
    pulled = _podman("pull", "--tls-verify=false", reference)
    assert pulled.returncode == 0, pulled.stderr
    api, name = RuntimeApi(), f"genesys-test-pulled-{os.getpid()}"
    run = subprocess.Popen(["podman", "run", "--rm", "--name", name, "--network=host", "--pull=never",
                            "-e", f"AWS_LAMBDA_RUNTIME_API={api.address}", "-e", "AWS_LAMBDA_FUNCTION_NAME=imgfn",
                            reference], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        invocation = api.submit(b'{"pulled": true}', 30)
        assert invocation.done.wait(60), "the container never answered"
        assert invocation.kind == "ok", invocation.payload
        out = json.loads(invocation.payload)
        assert out["got"] == {"pulled": True} and out["file"] == "/var/task/app.py" and out["entrypoint"] is True
    finally:
        _podman("rm", "--force", "--time", "0", name)
        run.wait(30)
        api.close()
        _podman("rmi", "--force", reference)
