"""The import check after a build: what the handler imports must be in the function zip, the layer,
the standard library or the runtime; a warning naming file:line and the module, an error (exit 2)
with ``[build] strict_imports = true``."""

from __future__ import annotations

import zipfile
from pathlib import Path

from genesys_tasks.build.imports import Missing, missing_imports


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


PY_APP = """import json
import os.path
from typing import TYPE_CHECKING

import boto3
import requests
from lib import helpers

try:
    import ujson
except ImportError:
    ujson = None

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def lambda_handler(event, context):
    import lazy_only_at_call_time
    return helpers.run(requests)
"""


def test_python_imports_nothing_ships_are_named_with_file_and_line(tmp_path):
    function = _zip(tmp_path / "f.zip", {"app.py": PY_APP, "lib/helpers.py": "import yaml\nfrom . import util\n",
                                         "lib/util.py": "from lib.deep import x\nimport numpy.linalg\n",
                                         "lib/deep.py": "x = 1\n"})
    assert missing_imports("python", "app.lambda_handler", function, [], "3.12") == [
        Missing("app.py", 6, "requests"), Missing("lib/helpers.py", 1, "yaml"), Missing("lib/util.py", 2, "numpy")]


def test_python_layer_and_site_packages_folders_provide_modules(tmp_path):
    function = _zip(tmp_path / "f.zip",
                    {"src/app.py": "import requests, yaml, _cffi_backend\nimport google.protobuf\n"})
    layer = _zip(tmp_path / "l.zip", {"python/requests/__init__.py": "", "python/google/protobuf/__init__.py": "",
                                      "python/lib/python3.12/site-packages/yaml/__init__.py": "",
                                      "python/_cffi_backend.cpython-312-x86_64-linux-gnu.so": ""})
    assert missing_imports("python", "src.app.lambda_handler", function, [layer], "3.12") == []
    assert missing_imports("python", "src.app.lambda_handler", function, [], "3.12") == [
        Missing("src/app.py", 1, "requests"), Missing("src/app.py", 1, "yaml"),
        Missing("src/app.py", 1, "_cffi_backend"), Missing("src/app.py", 2, "google")]


def test_python_a_layer_rebuilt_with_a_package_provides_it_to_the_next_check(tmp_path):
    function = _zip(tmp_path / "f.zip", {"app.py": "import requests\n"})
    layer = _zip(tmp_path / "l.zip", {"python/six.py": ""})
    assert missing_imports("python", "app.lambda_handler", function, [layer], "3.12") == [
        Missing("app.py", 1, "requests")]
    _zip(tmp_path / "l.zip", {"python/six.py": "", "python/requests/__init__.py": ""})
    assert missing_imports("python", "app.lambda_handler", function, [layer], "3.12") == []


def test_python_handler_in_a_folder_imports_its_siblings_through_the_package(tmp_path):
    function = _zip(tmp_path / "f.zip", {"src/app.py": "from . import db\nfrom src.util import x\nimport util\n",
                                         "src/db.py": "import pymysql\n", "src/util.py": "x = 1\n"})
    expected = [Missing("src/app.py", 3, "util"), Missing("src/db.py", 1, "pymysql")]
    assert missing_imports("python", "src/app.handler", function, [], "3.12") == expected
    assert missing_imports("python", "src.app.handler", function, [], "3.12") == expected


def test_python_standard_library_is_the_runtime_s_not_the_host_s(tmp_path):
    function = _zip(tmp_path / "f.zip", {"app.py": "import cgi\nimport distutils.util\nimport json\n"})
    assert missing_imports("python", "app.handler", function, [], "3.11") == []
    assert missing_imports("python", "app.handler", function, [], "3.12") == [Missing("app.py", 2, "distutils")]
    assert missing_imports("python", "app.handler", function, [], "3.13") == [
        Missing("app.py", 1, "cgi"), Missing("app.py", 2, "distutils")]


def test_python_dependencies_shipped_in_the_function_zip_count(tmp_path):
    function = _zip(tmp_path / "f.zip", {"app.py": "import requests\n", "requests/__init__.py": "import idna\n",
                                         "requests-2.32.3.dist-info/RECORD": "requests/__init__.py,sha256=x,12\n"})
    assert missing_imports("python", "app.handler", function, [], "3.12") == []


NODE_INDEX = """import fs from 'node:fs';
import path from 'path';
import { S3Client } from '@aws-sdk/client-s3';
import _ from 'lodash';
import { util } from './lib/util.js';
const dayjs = require('dayjs/plugin/utc');
let optional;
try { optional = require('optional-native'); } catch (e) { optional = null; }

export const handler = async (event) => util(event);
"""


def test_node_bare_imports_resolve_against_node_modules_builtins_and_the_sdk(tmp_path):
    function = _zip(tmp_path / "f.zip", {
        "src/index.mjs": NODE_INDEX, "lib/util.js": "module.exports.util = require('uuid');\n",
        "src/lib/util.js": "const { v4 } = require('uuid');\nconst x = require('@scope/pkg');\n"
                           "const y = require('./gone');\nmodule.exports = { util: v4 };\n",
        "node_modules/dayjs/index.js": "",
    })
    layer = _zip(tmp_path / "l.zip", {"nodejs/node_modules/uuid/package.json": "{}"})
    assert missing_imports("nodejs", "src/index.handler", function, [layer]) == [
        Missing("src/index.mjs", 4, "lodash"), Missing("src/lib/util.js", 2, "@scope/pkg"),
        Missing("src/lib/util.js", 3, "./gone")]


def test_typescript_type_only_imports_load_nothing():
    from genesys_tasks.config.detect.javascript import imports
    from genesys_tasks.config.detect.syntax import parse_text

    source = ("import type { Handler } from 'aws-lambda';\nexport type { T } from './types';\n"
              "import { type A, b } from 'x';\nimport y = require('y');\nconst z = await import('z');\n")
    assert imports(parse_text(source, "typescript")) == [("x", 3), ("y", 4), ("z", 5)]


def test_languages_without_a_check_and_missing_handlers_report_nothing(tmp_path):
    function = _zip(tmp_path / "f.zip", {"app.py": "import requests\n"})
    assert missing_imports("java", "a.B::handleRequest", function, []) == []
    assert missing_imports("python", "other.handler", function, [], "3.12") == []


# ----------------------------------------------------------------------------- through a real build


def _function(folder: Path, strict: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir()
    (folder / "app.py").write_text("import json\nimport requests\n\n\ndef lambda_handler(event, context):\n"
                                   "    return requests.get('http://example.invalid').status_code\n")
    toml = folder / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\n'
                    + ("[build]\nstrict_imports = true\n" if strict else ""))
    return toml


def test_build_warns_about_a_module_nothing_ships(tmp_path, run_genesys):
    toml = _function(tmp_path / "fn")
    result = run_genesys("lambda", "build", toml, cwd=toml.parent)
    assert result.code == 0, result.output
    assert f"{toml.parent / 'app.py'}:2: imports the module 'requests'" in result.stderr
    assert "'json'" not in result.stderr


def test_strict_imports_fails_the_build_with_exit_2(tmp_path, run_genesys):
    toml = _function(tmp_path / "fn", strict=True)
    result = run_genesys("lambda", "build", toml, cwd=toml.parent)
    assert result.code == 2, result.output
    assert "'requests'" in result.stderr and "app.py:2" in result.stderr and "Traceback" not in result.output
    assert "strict_imports = false" in result.stderr


def _spec(tmp_path: Path, build: str, function: str = ""):
    from genesys_tasks.config import load

    (tmp_path / "app.py").write_text("import json\nimport requests\n\n\ndef lambda_handler(event, context):\n"
                                     "    return 1\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(f'[metadata]\nname = "fn"\nruntime = "python3.12"\n[build]\n{build}\n[function]\n{function}\n')
    zipped = _zip(tmp_path / "f.zip", {"app.py": (tmp_path / "app.py").read_text()})
    return load(toml), zipped


def test_strict_imports_raises_a_config_error_at_the_import(tmp_path):
    import pytest

    from genesys_tasks.build.imports import check_function
    from genesys_tasks.errors import ConfigError

    spec, zipped = _spec(tmp_path, "strict_imports = true")
    with pytest.raises(ConfigError) as err:
        check_function(spec, zipped, [])
    assert (err.value.where.file, err.value.where.line, err.value.exit_code) == (tmp_path / "app.py", 2, 2)


def test_strict_imports_only_warns_when_extra_layers_may_provide_the_module(tmp_path):
    from genesys_tasks.build.imports import check_function

    layer = "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"
    spec, zipped = _spec(tmp_path, "strict_imports = true", f'layers = ["{layer}"]')
    [warning] = check_function(spec, zipped, [])
    assert "app.py:2: imports the module 'requests'" in warning and "[function] layers" in warning
