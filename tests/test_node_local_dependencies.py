"""Node ``file:`` and ``link:`` dependencies: resolved against package.json's folder (not npm's scratch
folder), packed into the layer, and a build that cannot install one fails naming it. Real npm."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.paths import layer_zip
from genesys_tasks.tasks.runner import load_spec, run_tasks

pytestmark = pytest.mark.needs_tools("npm")
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "node-file-dependency"


def _project(tmp_path: Path, spec: str | None = None) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / ".git").mkdir()
    if spec is not None:
        manifest = root / "fn" / "package.json"
        data = json.loads(manifest.read_text())
        data["dependencies"]["localdep"] = spec
        manifest.write_text(json.dumps(data))
    return root / "fn" / "lambda_uses_localdep.toml"


@pytest.mark.parametrize("spec", [None, "link:../localdep"], ids=["file", "link"])
def test_a_local_dependency_is_packed_into_the_layer_and_the_handler_loads_it(tmp_path, spec):
    from genesys_tasks.local.function import Options, open_function

    toml = _project(tmp_path, spec)
    root, loaded = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=loaded) == 0
    with zipfile.ZipFile(layer_zip(root, "uses-localdep", "x86_64")) as layer:
        names = set(layer.namelist())
        shipped = json.loads(layer.read("nodejs/package.json"))
    assert "nodejs/node_modules/localdep/index.js" in names
    assert shipped == json.loads((toml.parent / "package.json").read_text())  # no path of this machine
    process, _ = open_function(loaded, root, Options(client="plain"))
    try:
        result = process.invoke(b'{"name": "ann"}')
    finally:
        process.close()
    assert json.loads(result.payload) == {"message": "hello ann from localdep"}


def test_a_local_dependency_whose_folder_is_missing_fails_the_build_naming_it(tmp_path, run_genesys):
    toml = _project(tmp_path, "file:../nowhere")
    done = run_genesys("lambda", "build", toml)
    assert done.code == 1, done.output
    assert "the dependency 'localdep' is 'file:../nowhere'" in done.output
    assert "nowhere does not exist" in done.output
