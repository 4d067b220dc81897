"""Local runs get the SDK the Lambda runtime provides (boto3, the AWS SDK for JavaScript v3), behind
the function and its layers, at the version data/runtime-sdks.toml gives the runtime.

The installs are real (pip, npm, from the package registries), once per test cache.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from ci_tools import need
from local_functions import invoke_once

from genesys_tasks.local import runtime_sdk
from genesys_tasks.local.function import Options
from genesys_tasks.tasks.runner import load_spec, run_tasks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _copy(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    (folder / ".git").mkdir()
    return next(folder.glob("lambda_*.toml"))


def _invoke(fixture: str, tmp_path: Path) -> tuple[dict, list[str]]:
    """The fixture's function built and invoked once (plain client): its result, and what was said."""
    toml = _copy(fixture, tmp_path)
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    said: list[str] = []
    result, _ = invoke_once(spec, root, Options(client="plain", notify=said.append))
    assert result.kind == "ok", result.payload
    return json.loads(result.payload), said


def test_a_python_handler_importing_boto3_gets_the_runtimes_boto3_from_the_cache(tmp_path):
    need("pip3")
    body, said = _invoke("runtime-sdk-python", tmp_path)
    row = runtime_sdk.table()["python"]["3.12"]
    assert (body["boto3"], body["botocore"]) == (row["boto3"], row["botocore"])
    assert body["file"].startswith(os.environ["GENESYS_CACHE_DIR"])
    assert any(f"boto3 {row['boto3']}" in line for line in said)


def test_a_node_es_module_importing_the_sdk_v3_gets_the_runtimes_release(tmp_path):
    need("npm")
    body, said = _invoke("runtime-sdk-node", tmp_path)
    release = runtime_sdk.table()["nodejs"]["22"]["aws_sdk"]
    assert body["client"] == "S3Client" and f"node22-aws-sdk-{release}-" in body["from"]
    assert any(f"AWS SDK for JavaScript {release} (@aws-sdk/client-s3)" in line for line in said)


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zipped:
        for name, text in files.items():
            zipped.writestr(name, text)
    return path


def test_the_functions_own_boto3_wins_so_nothing_is_provided(tmp_path):
    code = _zip(tmp_path / "f.zip", {"app.py": "import boto3\n", "boto3/__init__.py": ""})
    assert not runtime_sdk.python_uses_sdk(code, None, "3.12")
    code = _zip(tmp_path / "g.zip", {"app.py": "def h(e, c):\n    from botocore import session\n"})
    layer = _zip(tmp_path / "l.zip", {"python/lib/python3.12/site-packages/boto3/__init__.py": ""})
    assert not runtime_sdk.python_uses_sdk(code, layer, "3.12")
    assert runtime_sdk.python_uses_sdk(code, None, "3.12")


def test_an_import_in_a_list_counts_as_using_the_sdk_and_a_comment_does_not(tmp_path):
    listed = _zip(tmp_path / "h.zip", {"app.py": "import json, os.path, boto3\n", "other.py": "# boto3 later\n"})
    assert runtime_sdk.python_uses_sdk(listed, None, "3.12")
    assert not runtime_sdk.python_uses_sdk(_zip(tmp_path / "i.zip", {"app.py": "# import boto3 later\n"}), None, "3.12")


def test_a_layer_package_requiring_boto3_counts_as_using_it(tmp_path):
    code = _zip(tmp_path / "f.zip", {"app.py": "import powertools\n"})
    layer = _zip(tmp_path / "l.zip", {"python/powertools-1.dist-info/METADATA": "Name: x\nRequires-Dist: boto3>=1\n"})
    assert runtime_sdk.python_uses_sdk(code, layer, "3.12")


def test_node_packages_named_but_shipped_are_not_provided(tmp_path):
    code = _zip(tmp_path / "f.zip", {
        "index.js": 'const { S3 } = require("@aws-sdk/client-s3");\nimport("@aws-sdk/lib-dynamodb/dist");\n',
        "node_modules/@aws-sdk/lib-dynamodb/package.json": "{}",
        "node_modules/other/x.js": 'require("@aws-sdk/client-sqs")',
        "notes.js": '// see "@aws-sdk/client-imaginary" for more\nimport "@aws-sdk/client-sts";\n'})
    assert runtime_sdk.node_sdk_packages(code, None) == ["@aws-sdk/client-s3", "@aws-sdk/client-sts"]


@pytest.mark.parametrize("language, before, expected", [
    ("python", "/t:/o/python/lib/python3.12/site-packages:/o/python", "/t:/o/python/lib/python3.12/site-packages:/o/python:/sdk"),
    ("nodejs", "/o/nodejs/node22/node_modules:/o/nodejs/node_modules:/t", "/o/nodejs/node22/node_modules:/o/nodejs/node_modules:/sdk:/t"),
])
def test_the_sdk_goes_after_the_layers_where_lambda_has_var_runtime(language, before, expected):
    key = "PYTHONPATH" if language == "python" else "NODE_PATH"
    runtime = SimpleNamespace(language=language)
    sdk = runtime_sdk.RuntimeSdk(Path("/sdk"), "x")
    assert runtime_sdk.on_path(runtime, {key: before, "LAMBDA_TASK_ROOT": "/t"}, sdk) == {key: expected}


def test_every_python_and_node18_plus_runtime_has_a_dated_sdk_row():
    from genesys_tasks.runtimes import RUNTIME_TABLE

    text = runtime_sdk.TABLE.read_text()
    assert "Checked 20" in text
    for runtime_id, row in RUNTIME_TABLE.items():
        if row["language"] in ("python", "nodejs"):
            assert row["version"] in runtime_sdk.table()[row["language"]], runtime_id


@pytest.mark.parametrize("module", ["six", "dateutil.parser", "urllib3", "jmespath"])
def test_importing_what_boto3_brings_into_the_runtime_counts_as_using_it(tmp_path, module):
    # Lambda's /var/runtime has boto3's dependencies too, and the build's import check accepts them
    code = _zip(tmp_path / "f.zip", {"app.py": f"import {module}\n\ndef handler(event, context):\n    return 1\n"})
    assert runtime_sdk.python_uses_sdk(code, None, "3.12")
    assert not runtime_sdk.python_uses_sdk(_zip(tmp_path / "g.zip", {"app.py": "import sixty\n"}), None, "3.12")
