"""No dependencies to ship means no layer: built empty, never published, the function deploys without it.

Lambda refuses an empty layer zip ("Uploaded file must be a non-empty zip"), so each
shape that installs nothing (a Pipfile.lock with only dev packages, a requirements file
whose lines all fall out by marker, a pom without runtime dependencies) must leave
the function without a layer rather than publish one.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer, ships_nothing
from genesys_tasks.runtimes import DEFAULT

JAVA_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "java-hello"

NOTHING_TO_SHIP = {
    "requirements.txt": 'six==1.16.0 ; python_version < "3.0"\nattrs==23.2.0 ; sys_platform == "win32"\n',
    "Pipfile.lock": json.dumps({"_meta": {"sources": []}, "default": {},
                                "develop": {"pytest": {"version": "==8.0.0"}}}),
}


@pytest.mark.parametrize("manifest", sorted(NOTHING_TO_SHIP))
def test_a_manifest_with_nothing_for_the_target_builds_a_layer_that_ships_nothing(manifest, tmp_path):
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / manifest).write_text(NOTHING_TO_SHIP[manifest])
    logged: list[str] = []
    job = InstallJob(runtime=DEFAULT.lookup("python3.12"), arch="x86_64", manifest=folder / manifest,
                     source=folder, target=Path(), installer="pip", log=logged.append)
    dest = tmp_path / "layer-x86_64.zip"
    build_layer(job, dest, LayerCache(tmp_path / "cache"))
    assert ships_nothing(dest)
    assert any("nothing to install" in line for line in logged), logged


def test_a_package_json_with_only_dev_dependencies_ships_nothing(tmp_path):
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed (it is in the CI image)")
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "fn", "version": "1.0.0", "private": true,\n'
                                         ' "devDependencies": {"is-number": "7.0.0"}}\n')
    job = InstallJob(runtime=DEFAULT.lookup("nodejs24.x"), arch="x86_64", manifest=folder / "package.json",
                     source=folder, target=Path(), log=lambda line: None)
    dest = tmp_path / "layer-x86_64.zip"
    build_layer(job, dest, LayerCache(tmp_path / "cache"))
    assert ships_nothing(dest)


def _build(run_genesys, toml: Path, **env) -> tuple[int, dict, str]:
    result = run_genesys("lambda", "build", "--output", "json", toml, env=env or None)
    artifacts = {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]} if result.code == 0 else {}
    return result.code, artifacts, result.output


def test_the_build_says_the_function_has_no_layer(tmp_path, run_genesys):
    (tmp_path / ".genesys").mkdir()
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text(NOTHING_TO_SHIP["requirements.txt"])
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.handler"\n'
                    '[build]\ninstaller = "pip"\n')
    code, artifacts, output = _build(run_genesys, toml)
    assert code == 0, output
    assert "no dependencies to ship, so no layer" in output
    assert "layer" not in artifacts  # nothing to publish, so nothing listed
    assert ships_nothing(tmp_path / ".genesys" / "build" / "fn" / "layer-x86_64.zip")  # the build's own record


@pytest.mark.slow_builds
@pytest.mark.needs_tools("mvn")
def test_a_pom_without_runtime_dependencies_ships_no_layer(tmp_path, run_genesys):
    folder = tmp_path / "fn"
    shutil.copytree(JAVA_EXAMPLE, folder)
    (folder / ".genesys").mkdir()
    pom = folder / "pom.xml"
    pom.write_text(pom.read_text().replace("<version>3.12.0</version>",
                                           "<version>3.12.0</version>\n      <scope>provided</scope>"))
    code, artifacts, output = _build(run_genesys, folder / "lambda_java_hello.toml",
                                     GENESYS_MAVEN_REPO="/usr/share/maven-repo")
    assert code == 0, output
    assert "layer" not in artifacts and "no dependencies to ship, so no layer" in output
    assert ships_nothing(folder / ".genesys" / "build" / "java-hello" / "layer-x86_64.zip")
    with zipfile.ZipFile(artifacts["function"]["path"]) as function:
        assert not [n for n in function.namelist() if n.endswith(".jar")]
