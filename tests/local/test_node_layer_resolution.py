"""A Node handler finds its layer's packages as on Lambda: CommonJS through NODE_PATH,
ES modules through genesys's resolve hook (ES modules ignore NODE_PATH). Real node processes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from genesys_tasks.local import clients, scratch
from genesys_tasks.local.process import RuntimeProcess
from genesys_tasks.runtimes import DEFAULT

# Node is part of every CI run (.ci/run installs it): there a missing node fails instead.
pytestmark = pytest.mark.needs_tools("node")

HANDLERS = {
    "index.mjs": 'import shout from "shout";\nexport const handler = async (e) => ({ said: shout(e.word) });\n',
    "index.js": 'const shout = require("shout");\nexports.handler = async (e) => ({ said: shout(e.word) });\n',
}


def _unpacked(base: Path, handler_file: str) -> scratch.Scratch:
    place = scratch.Scratch(base)
    place.task.mkdir(parents=True)
    (place.task / handler_file).write_text(HANDLERS[handler_file])
    package = place.opt / "nodejs" / "node_modules" / "shout"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "shout", "version": "1.0.0", "main": "index.js"}')
    (package / "index.js").write_text("module.exports = (w) => String(w).toUpperCase() + '!';\n")
    return place


def _run(place: scratch.Scratch, argv) -> tuple[str, dict]:
    spec = SimpleNamespace(runtime=DEFAULT.lookup("nodejs22.x"))
    env = {"PATH": "/usr/bin:/bin", "LAMBDA_TASK_ROOT": str(place.task), "_HANDLER": "index.handler",
           **scratch.language_paths(spec.runtime, place)}
    process = RuntimeProcess(argv, env=env, cwd=place.task, memory_mb=128, timeout_s=5)
    try:
        result = process.invoke(b'{"word": "hi"}')
    finally:
        process.close()
    return result.kind, json.loads(result.payload)


@pytest.mark.parametrize("handler_file", ["index.mjs", "index.js"])
def test_handler_imports_a_package_from_the_layers_node_modules(tmp_path, handler_file):
    place = _unpacked(tmp_path, handler_file)
    spec = SimpleNamespace(name="fn", handler="index.handler", runtime=DEFAULT.lookup("nodejs22.x"))
    launch = clients.launch_for(spec, place, "plain")
    assert ("--import" in launch.argv) == handler_file.endswith(".mjs")  # the hook only where it is needed
    assert _run(place, launch.argv) == ("ok", {"said": "HI!"})


def test_without_the_hook_an_es_module_cannot_see_the_layer(tmp_path):
    place = _unpacked(tmp_path, "index.mjs")
    node = shutil.which("node")
    kind, error = _run(place, (node, str(clients.SHIMS / "node_plain.mjs"), "index.handler"))
    assert kind == "init_error" and error["errorType"] == "Runtime.ImportModuleError"


def test_the_scratch_folder_is_outside_the_project_so_its_node_modules_stay_unseen(tmp_path):
    root = tmp_path / "project"
    place = scratch.scratch_for(root, "fn", "x86_64")
    assert root not in place.task.parents and Path(place.task).name == "task"
    assert scratch.scratch_for(tmp_path / "other", "fn", "x86_64") != place  # one per project
