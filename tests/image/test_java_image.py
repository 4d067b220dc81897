"""Java image functions: examples/java-hello built (Maven, offline, Debian's repository) as an image on a
stand-in base named like AWS's Java image, laid out as that image expects (classes in /var/task, the
dependency jars in /var/task/lib, Cmd the handler), pushed to a real registry on 127.0.0.1 and read back."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from genesys_tasks.build.image.blobs import BlobStore
from genesys_tasks.build.image.registry import Registry
from genesys_tasks.config.image_ref import parse
from registry_fixture import needs_tools

pytestmark = [*needs_tools, pytest.mark.needs_tools("mvn"), pytest.mark.slow_builds]
EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "java-hello"
MAVEN = {"GENESYS_MAVEN_REPO": "/usr/share/maven-repo"}
HANDLER = "example.Hello::handleRequest"


@pytest.fixture(scope="module")
def java_base(local_registry) -> str:
    """The stand-in base, also under AWS's Java image path (lambda/java:17) in the local registry."""
    reference = f"{local_registry.host}/lambda/java:17"
    local_registry.skopeo("copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false",
                          f"docker://{local_registry.base}", f"docker://{reference}")
    return reference


def java_image_project(folder: Path, base: str) -> Path:
    shutil.copytree(EXAMPLE, folder)
    (folder / ".git").mkdir()
    toml = folder / "lambda_java_hello.toml"
    toml.write_text(toml.read_text().replace(
        'architectures = ["x86_64"]', f'architectures = ["x86_64"]\npackage_type = "image"\nimage = "{base}"'))
    return toml


def _record(run_genesys, toml: Path) -> dict:
    result = run_genesys("lambda", "build", "--output", "json", toml, env=MAVEN)
    assert result.code == 0, result.output
    return json.loads(result.stdout)["records"][0]


def _names(blob: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
        return [member.name for member in tar if member.isfile()]


def test_a_java_image_puts_the_classes_in_var_task_and_the_jars_in_var_task_lib_and_runs_the_handler(
        run_genesys, local_registry, java_base, tmp_path):
    one = java_image_project(tmp_path / "one", java_base)
    two = java_image_project(tmp_path / "elsewhere" / "two", java_base)
    os.utime(two.parent / "src" / "main" / "java" / "example" / "Hello.java", (1_500_000_000, 1_500_000_000))
    record = _record(run_genesys, one)
    assert _record(run_genesys, two)["digest"] == record["digest"], "two paths, other mtimes: one digest"
    assert [layer["from"] for layer in record["layers"]] == [
        "base", "dependencies in /var/task/lib", "function code in /var/task"]

    store = BlobStore(Path(os.environ["GENESYS_CACHE_DIR"]) / "oci" / "blobs")
    repo = parse(f"{local_registry.host}/genesys/java-hello")
    assert Registry.for_ref(repo).push(repo, record["digest"], store) > 0
    config = local_registry.inspect(f"genesys/java-hello@{record['digest']}", "--config")["config"]
    assert config["Cmd"] == [HANDLER] and config["Entrypoint"] == ["/lambda-entrypoint.sh"]
    pulled = tmp_path / "pulled"
    local_registry.skopeo("copy", "--src-tls-verify=false", f"docker://{repo}@{record['digest']}", f"oci:{pulled}:fn")
    manifest = json.loads((pulled / "blobs" / "sha256" / record["digest"].split(":")[1]).read_bytes())
    deps, code = (_names((pulled / "blobs" / "sha256" / layer["digest"].split(":")[1]).read_bytes())
                  for layer in manifest["layers"][-2:])
    assert deps == ["var/task/lib/commons-lang3-3.12.0.jar"]
    assert sorted(code) == ["var/task/app.properties", "var/task/example/Hello.class"]


def test_a_java_handler_edit_pushes_only_the_code_layer(run_genesys, local_registry, java_base, tmp_path):
    toml = java_image_project(tmp_path / "fn", java_base)
    store = BlobStore(Path(os.environ["GENESYS_CACHE_DIR"]) / "oci" / "blobs")
    repo = parse(f"{local_registry.host}/genesys/java-edit")
    first = _record(run_genesys, toml)
    Registry.for_ref(repo).push(repo, first["digest"], store)
    source = toml.parent / "src" / "main" / "java" / "example" / "Hello.java"
    source.write_text(source.read_text().replace('"Hello "', '"Hi "'))
    edited = _record(run_genesys, toml)
    assert edited["layers"][1] == first["layers"][1] and edited["layers"][2] != first["layers"][2]
    sent = Registry.for_ref(repo).push(repo, edited["digest"], store)
    manifest = json.loads(store.read(edited["digest"]))
    assert sent == edited["layers"][2]["size"] + manifest["config"]["size"] + len(store.read(edited["digest"])), \
        "the code layer, the config and the manifest"


def test_a_java_image_function_runs_locally_from_its_own_layers(run_genesys, local_registry, java_base, tmp_path):
    from genesys_tasks.local.scratch import scratch_for

    toml = java_image_project(tmp_path / "fn", java_base)
    record = _record(run_genesys, toml)
    result = run_genesys("invoke", toml, "--event", '{"name": "ada"}', env=MAVEN)
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {"message": "Hello Ada"} and "runtime client: plain" in result.stderr
    scratch = scratch_for(toml.parent, "java-hello", "x86_64")
    assert (scratch.task / "example" / "Hello.class").is_file()
    assert [p.name for p in (scratch.opt / "java" / "lib").iterdir()] == ["commons-lang3-3.12.0.jar"]
    # unpacked from the image's layers (the scratch markers name their digests), not from the zips
    unpacked = [(scratch.base / name).read_text() for name in (".opt.sha256", ".task.sha256")]
    assert unpacked == [layer["digest"] for layer in record["layers"][1:]]


JAVA_ENTRYPOINT = ('#!/bin/sh\nexec /var/lang/bin/java -XX:+UseSerialGC '
                   '-cp "$LAMBDA_TASK_ROOT:$LAMBDA_TASK_ROOT/lib/*:/opt/java/lib/*:/var/runtime" JavaPlain "$@"\n')


@pytest.fixture(scope="module")
def java_container_base(local_registry, tmp_path_factory):
    """A Java stand-in base for Podman: Podman's local Debian stand-in (ci/podman/setup.sh) with a Java runtime
    made by jlink from the machine's Debian JDK in /var/lang, genesys's plain Java loop as the runtime client
    in /var/runtime and a /lambda-entrypoint.sh starting it on AWS's Java class path; pushed to the registry."""
    import subprocess

    from genesys_tasks.local.clients import SHIMS

    give_up = pytest.fail if os.environ.get("GENESYS_REQUIRE_PODMAN") else pytest.skip
    podman = shutil.which("podman")
    if podman is None or subprocess.run([podman, "image", "exists", PODMAN_BASE]).returncode:
        give_up(f"podman or its local image {PODMAN_BASE} is missing (run ci/podman/setup.sh as root)")
    folder = tmp_path_factory.mktemp("java-base")
    subprocess.run(["jlink", "--add-modules", "java.base,java.net.http", "--strip-debug", "--no-man-pages",
                    "--no-header-files", "--output", str(folder / "lang")], check=True)
    subprocess.run(["javac", "--release", "11", "-nowarn", "-d", str(folder / "runtime"), str(SHIMS / "JavaPlain.java")],
                   check=True)
    (folder / "lib").mkdir()  # the JVM needs libstdc++, which Debian's Python image lacks: the machine's
    shutil.copy(Path("/usr/lib") / _MULTIARCH / "libstdc++.so.6", folder / "lib" / "libstdc++.so.6")
    (folder / "lambda-entrypoint.sh").write_text(JAVA_ENTRYPOINT)
    (folder / "lambda-entrypoint.sh").chmod(0o755)
    (folder / "Containerfile").write_text(
        f"FROM {PODMAN_BASE}\nCOPY lang /var/lang\nCOPY runtime /var/runtime\nCOPY lib /usr/lib/{_MULTIARCH}\n"
        "COPY lambda-entrypoint.sh /lambda-entrypoint.sh\n"
        'ENV LAMBDA_TASK_ROOT=/var/task\nWORKDIR /var/task\nENTRYPOINT ["/lambda-entrypoint.sh"]\n')
    tag = "localhost/genesys-test/lambda-java-entrypoint:17"
    built = subprocess.run([podman, "build", "--pull=never", "-t", tag, str(folder)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    reference = f"{local_registry.host}/lambda/java:17-podman"
    pushed = subprocess.run([podman, "push", "--tls-verify=false", tag, f"docker://{reference}"],
                            capture_output=True, text=True)
    assert pushed.returncode == 0, pushed.stderr
    yield reference
    subprocess.run([podman, "rmi", "--force", tag], capture_output=True)


PODMAN_BASE = "public.ecr.aws/lambda/python:3.11"  # Podman's local Debian stand-in (ci/podman/setup.sh)
_MULTIARCH = f"{os.uname().machine.replace('arm64', 'aarch64')}-linux-gnu"


@pytest.mark.needs_tools("jlink", "javac", "podman")
def test_invoke_container_runs_a_java_image_on_the_java_stand_in_base(
        run_genesys, local_registry, java_container_base, tmp_path):
    import subprocess

    toml = java_image_project(tmp_path / "fn", java_container_base)
    result = run_genesys("invoke", toml, "--container", "--event", '{"name": "box"}', env=MAVEN)
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {"message": "Hello Box"} and "REPORT RequestId:" in result.stderr
    left = subprocess.run(["podman", "ps", "--all", "--filter", "name=genesys-java-hello", "--format", "{{.Names}}"],
                          capture_output=True, text=True)
    assert left.stdout.strip() == ""
    subprocess.run(["podman", "rmi", "--force", "localhost/genesys/java-hello:x86_64"], capture_output=True)
