"""Java functions: offline Maven against Debian's packaged repository, layer jars, class zips."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "java-hello"
DEBIAN_REPO = "/usr/share/maven-repo"


@pytest.fixture
def maven_env():
    """Resolve every artifact from Debian's packaged Maven repository, offline."""
    return {"GENESYS_MAVEN_REPO": DEBIAN_REPO}


def _project(folder: Path) -> Path:
    shutil.copytree(EXAMPLE, folder)
    (folder / ".genesys").mkdir()
    return folder / "lambda_java_hello.toml"


def _build(run_genesys, toml: Path, env: dict) -> dict:
    result = run_genesys("lambda", "build", "--output", "json", toml, env=env)
    assert result.code == 0, result.output
    return {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]}


@pytest.mark.needs_tools("mvn")
def test_layer_holds_the_dependency_jar_and_the_function_zip_holds_the_classes(tmp_path, run_genesys, maven_env):
    toml = _project(tmp_path / "fn")
    artifacts = _build(run_genesys, toml, maven_env)

    with zipfile.ZipFile(artifacts["layer"]["path"]) as layer:
        assert layer.namelist() == ["java/lib/commons-lang3-3.12.0.jar"]
        layer.extractall(tmp_path / "layer")
    with zipfile.ZipFile(artifacts["function"]["path"]) as function:
        assert sorted(function.namelist()) == ["app.properties", "example/Hello.class"]
        function.extractall(tmp_path / "function")
    assert not (toml.parent / "target").exists(), "the build must not write into the source tree"

    # The two zips together are a working function: call the handler the way Lambda would.
    check = tmp_path / "Check.java"
    check.write_text("public class Check { public static void main(String[] a) {"
                     " System.out.println(new example.Hello().handleRequest(java.util.Map.of(\"name\", \"ada\")));"
                     " } }\n")
    classpath = f"{tmp_path / 'function'}:{tmp_path / 'layer' / 'java' / 'lib' / '*'}"
    run = subprocess.run(["java", "-cp", classpath, str(check)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "{message=Hello Ada}"


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn")
def test_same_java_sources_under_two_paths_give_the_same_zips(tmp_path, run_genesys, maven_env):
    first = _build(run_genesys, _project(tmp_path / "one" / "fn"), maven_env)
    second = _build(run_genesys, _project(tmp_path / "two" / "deeper" / "fn"), maven_env)

    assert first["function"]["sha256"] == second["function"]["sha256"]
    assert first["layer"]["sha256"] == second["layer"]["sha256"]


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn")
def test_without_a_layer_the_jars_go_into_the_function_zip_lib_folder(tmp_path, run_genesys, maven_env):
    toml = _project(tmp_path / "fn")
    toml.write_text(toml.read_text().replace('source_path = "."', 'source_path = "."\nlayer_auto = false'))

    artifacts = _build(run_genesys, toml, maven_env)

    assert "layer" not in artifacts
    with zipfile.ZipFile(artifacts["function"]["path"]) as function:
        assert "lib/commons-lang3-3.12.0.jar" in function.namelist()
        assert "example/Hello.class" in function.namelist()


@pytest.mark.needs_tools("mvn")
@pytest.mark.parametrize("named", [True, False], ids=["handler-named", "handler-detected"])
def test_java_project_without_a_handle_request_method_exits_2_with_the_fix(tmp_path, run_genesys, maven_env,
                                                                          named):
    toml = _project(tmp_path / "fn")
    if not named:
        toml.write_text(toml.read_text().replace('handler = "example.Hello::handleRequest"\n', ""))
    source = toml.parent / "src" / "main" / "java" / "example" / "Hello.java"
    source.write_text("package example;\n\npublic class Hello {\n    public String greet(String who) {"
                      " return who; }\n}\n")

    result = run_genesys("lambda", "build", toml, env=maven_env)

    assert result.code == 2, result.output
    assert "handleRequest" in result.stderr and f"{toml}:" in result.stderr
    assert "fix:" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn")
def test_a_compile_error_fails_the_build_with_the_compiler_message(tmp_path, run_genesys, maven_env):
    toml = _project(tmp_path / "fn")
    source = toml.parent / "src" / "main" / "java" / "example" / "Hello.java"
    source.write_text(source.read_text().replace("return Map.of", "return Map.off"))

    result = run_genesys("lambda", "build", toml, env=maven_env)

    assert result.code == 1, result.output
    assert "mvn compile failed" in result.stderr and "Hello.java" in result.stderr


def test_missing_maven_fails_with_an_install_hint(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    empty = tmp_path / "empty-path"
    empty.mkdir()

    result = run_genesys("lambda", "build", toml, env={"PATH": str(empty), "GENESYS_MAVEN_REPO": DEBIAN_REPO})

    assert result.code == 1, result.output
    assert "`mvn` is not installed" in result.stderr and "apt-get install maven" in result.stderr


def test_gradle_project_without_gradle_says_so(tmp_path, run_genesys):
    toml = _project(tmp_path / "fn")
    (toml.parent / "pom.xml").unlink()
    (toml.parent / "build.gradle").write_text("plugins { id 'java' }\n")
    path_without_gradle = tmp_path / "bin"
    path_without_gradle.mkdir()
    (path_without_gradle / "sh").symlink_to(shutil.which("sh"))

    result = run_genesys("lambda", "build", toml, env={"PATH": str(path_without_gradle)})

    assert result.code == 1, result.output
    assert "Gradle project" in result.stderr and "gradle" in result.stderr and "--offline" in result.stderr


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn")
def test_classes_newer_than_the_runtime_exit_2_naming_both_versions(tmp_path, run_genesys, maven_env):
    toml = _project(tmp_path / "fn")
    toml.write_text(toml.read_text().replace('runtime = "java17"', 'runtime = "java11"'))

    result = run_genesys("lambda", "build", toml, env=maven_env)

    assert result.code == 2, result.output
    line = toml.read_text().splitlines().index('runtime = "java11"') + 1
    assert f"{toml}:{line}: [metadata.runtime]" in result.stderr
    assert "compiled for Java 17" in result.stderr and "java11" in result.stderr
    assert "maven.compiler.release" in result.stderr


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn", "java", "javac")
def test_a_java_zip_function_runs_locally_with_its_layers_jars_on_the_class_path(tmp_path, run_genesys, maven_env):
    toml = _project(tmp_path / "fn")
    result = run_genesys("invoke", toml, "--event", '{"name": "grace"}', env=maven_env)
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {"message": "Hello Grace"}  # StringUtils comes from the layer's jar
    assert "runtime client: plain" in result.stderr and "REPORT RequestId: " in result.stderr
    official = run_genesys("invoke", toml, "--client", "official", env=maven_env)
    assert official.code == 2 and "--client auto" in official.stderr and "Traceback" not in official.stderr
