"""``[build] layer_auto = false``: the function zip carries the dependencies itself.

Python packages go beside the handler and Node's ``node_modules`` to the zip's root,
where the runtimes look; there is no layer. The handler then imports from the
unzipped function alone, as it would on Lambda.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

TOML = '''[metadata]
name = "{name}"
runtime = "{runtime}"
handler = "{handler}"

[build]
layer_auto = false
{extra}
'''


def _build(run_genesys, folder: Path, name: str, runtime: str, handler: str, extra: str = "") -> dict:
    (folder / ".genesys").mkdir(exist_ok=True)
    toml = folder / f"lambda_{name}.toml"
    toml.write_text(TOML.format(name=name, runtime=runtime, handler=handler, extra=extra))
    result = run_genesys("lambda", "build", "--output", "json", toml)
    assert result.code == 0, result.output
    return {a["kind"]: a for a in json.loads(result.stdout)["artifacts"]}


def test_python_dependencies_are_installed_beside_the_handler(tmp_path, run_genesys):
    (tmp_path / "app.py").write_text("import six\n\n\ndef handler(event, context):\n    return six.PY3\n")
    (tmp_path / "requirements.txt").write_text('six==1.16.0 ; python_version >= "3.12"\n')
    artifacts = _build(run_genesys, tmp_path, "bundled-py", "python3.12", "app.handler", 'installer = "uv"')
    assert "layer" not in artifacts

    with zipfile.ZipFile(artifacts["function"]["path"]) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    assert "app.py" in names and "six.py" in names and "requirements.txt" not in names
    imported = subprocess.run([sys.executable, "-c", "import app; print(app.handler({}, None))"],
                              cwd=tmp_path / "unzipped", capture_output=True, text=True,
                              env={"PYTHONPATH": str(tmp_path / "unzipped")})
    assert imported.returncode == 0 and imported.stdout.strip() == "True", imported.stderr


def test_node_dependencies_go_into_node_modules_of_the_zip(tmp_path, run_genesys):
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed (it is in the CI image)")
    (tmp_path / "package.json").write_text('{"name": "fn", "version": "1.0.0", "private": true,\n'
                                           ' "dependencies": {"semver": "7.6.3"}}\n')
    (tmp_path / "index.js").write_text("const semver = require('semver');\n"
                                       "exports.handler = async () => semver.valid('1.2.3');\n")
    artifacts = _build(run_genesys, tmp_path, "bundled-node", "nodejs24.x", "index.handler")
    assert "layer" not in artifacts

    with zipfile.ZipFile(artifacts["function"]["path"]) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    assert "node_modules/semver/package.json" in names and "index.js" in names
    if shutil.which("node"):
        ran = subprocess.run(["node", "-e", "require('./index.js').handler().then(console.log)"],
                             cwd=tmp_path / "unzipped", capture_output=True, text=True)
        assert ran.stdout.strip() == "1.2.3", ran.stderr
