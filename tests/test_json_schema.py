"""`genesys schema`: a JSON Schema generated from the format table, that editors can trust.

Every example TOML validates; documents the loader rejects for their shape, the
schema rejects too; every key of every section carries its documentation.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from genesys_tasks.config.schema import SECTIONS
from genesys_tasks.config.triggers import TRIGGERS
from seed_toml import SEED_TOML

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_TOMLS = sorted((REPO / "examples").rglob("lambda_*.toml"))

# The specification's example plus the optional tables it leaves out.
FULL = "#:schema ./genesys.schema.json\n" + SEED_TOML.replace(
    'auth_type = "AWS_IAM"\n', 'auth_type = "AWS_IAM"\n\n[deployment.cors]\nallow_origins = ["https://example.com"]\nmax_age = 600\n'
).replace("auto_cleanup = true\n", 'auto_cleanup = true\n\n[iam.resources]\ns3_buckets = ["my-bucket"]\n')
MINIMAL = '[metadata]\nname = "tiny"\n'
STAGED = MINIMAL + '[stages.prod]\nfunction = { memory_mb = 1024 }\ndeployment = { alias = "live" }\n'
GO = '[metadata]\nname = "go-fn"\nruntime = "go1.x"\nhandler = "bootstrap"\n[build]\narchitectures = ["arm64"]\n'

# (what is wrong, a change to FULL that makes it wrong)
INVALID = {
    "memory too small": ("memory_mb = 512", "memory_mb = 64"),
    "memory too large": ("memory_mb = 512", "memory_mb = 20000"),
    "timeout zero": ("timeout_seconds = 30", "timeout_seconds = 0"),
    "timeout a string": ("timeout_seconds = 30", 'timeout_seconds = "30"'),
    "unknown key": ("layer_auto = true", "layer_autoo = true"),
    "unknown section": ("[tags]", "[tagz]"),
    "build method": ('build_method = "local"', 'build_method = "kubernetes"'),
    "architecture": ('architectures = ["x86_64", "arm64"]', 'architectures = ["sparc"]'),
    "unknown runtime": ('runtime = "python3.11"', 'runtime = "python9.99"'),
    "trigger type": ('type = "api_gateway"', 'type = "carrier_pigeon"'),
    "trigger method": ('method = "ANY"', 'method = "FETCH"'),
    "environment value not a string": ('API_KEY = "your-api-key"', "API_KEY = 42"),
    "auth type": ('auth_type = "AWS_IAM"', 'auth_type = "OPEN"'),
    "cors key": ("max_age = 600", "max_agee = 600"),
    "log retention CloudWatch refuses": ("memory_mb = 512", "memory_mb = 512\nlog_retention_days = 13"),
    "tracing mode": ("memory_mb = 512", 'memory_mb = 512\ntracing = "On"'),
    "negative reserved concurrency": ("memory_mb = 512", "memory_mb = 512\nreserved_concurrency = -1"),
    "vpc key": ("memory_mb = 512", 'memory_mb = 512\nvpc = { subnets = ["subnet-0aaa1111"] }'),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "genesys_tasks.cli", "schema"], cwd=tmp_path_factory.mktemp("any"),
                         capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": ""}, check=True)
    document = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def _errors(schema: dict, text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(tomllib.loads(text))]


def test_the_examples_are_there_to_validate():
    names = {p.parent.name for p in EXAMPLE_TOMLS}
    assert {"go-hello", "java-hello", "python-api"} <= names


@pytest.mark.parametrize("path", EXAMPLE_TOMLS, ids=lambda p: p.parent.name)
def test_every_example_toml_validates(schema, path):
    assert _errors(schema, path.read_text()) == []


@pytest.mark.parametrize("text", [FULL, MINIMAL, GO, STAGED], ids=["full", "minimal", "go-alias", "stages"])
def test_documented_forms_validate(schema, text):
    assert _errors(schema, text) == []


@pytest.mark.parametrize("case", sorted(INVALID))
def test_what_the_loader_rejects_the_schema_rejects(schema, case, tmp_path):
    from genesys_tasks.config import load
    from genesys_tasks.errors import ConfigError

    old, new = INVALID[case]
    assert old in FULL
    text = FULL.replace(old, new)
    assert _errors(schema, text), f"schema accepted: {case}"
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text("")
    toml = tmp_path / "lambda_x.toml"
    toml.write_text(text)
    with pytest.raises(ConfigError):
        load(toml, today=dt.date(2026, 11, 26))


def test_a_stage_with_an_unknown_key_is_rejected(schema):
    assert _errors(schema, STAGED.replace("memory_mb", "memory"))


def test_every_key_of_every_section_is_documented_with_type_and_default(schema):
    def section(path: str) -> dict:
        node = schema
        for part in path.split("."):
            node = node["properties"][part]
        return node

    for name, keys in SECTIONS.items():
        node = section(name)
        if not keys:
            assert node["additionalProperties"] == {"type": "string"}
            continue
        assert node["additionalProperties"] is False
        for key, spec in keys.items():
            prop = node["properties"][key]
            assert prop["description"] == spec.doc, f"{name}.{key}"
            if spec.default is not None:
                assert prop["default"] == spec.default, f"{name}.{key}"
            if spec.minimum is not None:
                assert prop["minimum"] == spec.minimum
    variants = schema["properties"]["triggers"]["items"]["oneOf"]
    assert {v["properties"]["type"]["const"] for v in variants} == set(TRIGGERS)


def test_project_runtimes_appear_in_the_schema(tmp_path, run_genesys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "genesys-runtimes.toml").write_text('[runtimes."lua5"]\nlanguage = "lua"\nversion = "5.4"\n'
                                                    'layer_path = "lua"\n')
    result = run_genesys("schema", cwd=tmp_path)
    runtimes = json.loads(result.stdout)["properties"]["metadata"]["properties"]["runtime"]["enum"]
    assert "lua5" in runtimes and "ruby3.4" in runtimes and "go1.x" in runtimes


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_the_runtime_file_schema_accepts_the_shipped_ruby_file_and_rejects_typos(run_genesys, tmp_path):
    result = run_genesys("schema", "--runtimes", cwd=tmp_path)
    runtime_schema = json.loads(result.stdout)
    validator = jsonschema.Draft202012Validator(runtime_schema)
    shipped = tomllib.loads((REPO / "genesys_tasks" / "data" / "runtimes-ruby.toml").read_text())
    assert list(validator.iter_errors(_json_ready(shipped))) == []
    assert list(validator.iter_errors({"runtimes": {"x": {"langauge": "lua"}}}))
