"""Stages in one file: [stages.<name>] overrides any key; the function is named <name>-<stage>
unless the stage names it; an unknown stage is exit 2 naming the stages the file defines."""

from __future__ import annotations

import pytest
from test_config import TODAY, config_error, project

from genesys_tasks import config
from genesys_tasks.deploy.planner.inputs import marker_tags

TOML = """\
[metadata]
name = "orders"

[function]
memory_mb = 256
environment = { LEVEL = "debug", REGION_NAME = "x" }

[deployment]
function_url = true

[stages.dev]

[stages.prod]
function = { memory_mb = 1024, environment = { LEVEL = "info" } }
deployment = { alias = "live", region = "eu-west-1" }

[stages.edge.metadata]
name = "orders-at-the-edge"
"""


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.delenv("GENESYS_STAGE", raising=False)
    return project(tmp_path, TOML)


def test_a_stage_overrides_keys_and_names_the_function_after_itself(path):
    prod = config.load(path, today=TODAY, stage="prod")
    assert (prod.name, prod.stage, prod.function.memory_mb) == ("orders-prod", "prod", 1024)
    assert dict(prod.function.environment) == {"LEVEL": "info", "REGION_NAME": "x"}  # tables merge key by key
    assert (prod.deployment.alias, prod.deployment.region, prod.deployment.function_url) == ("live", "eu-west-1", True)
    assert prod.iam.role_name == "genesys-lambda-orders-prod" and prod.layer.name == "orders-prod-deps"
    assert marker_tags(prod)["genesys:stage"] == "prod"
    dev = config.load(path, today=TODAY, stage="dev")
    assert (dev.name, dev.function.memory_mb, dev.deployment.alias) == ("orders-dev", 256, None)
    assert config.load(path, today=TODAY, stage="edge").name == "orders-at-the-edge"


def test_no_stage_is_the_file_as_written_and_genesys_stage_chooses_one_where_doit_enters(path, monkeypatch):
    from genesys_tasks.tasks.graph import creators

    plain = config.load(path, today=TODAY)
    assert (plain.name, plain.stage, "genesys:stage" in marker_tags(plain)) == ("orders", None, False)
    monkeypatch.setenv("GENESYS_STAGE", "prod")
    assert config.load(path, today=TODAY).name == "orders"  # the loader reads no environment: it is handed a stage
    assert [task["name"] for task in creators(path.parent, tomls=[path])["task_build"]()] == ["orders-prod"]


def test_an_unknown_stage_is_exit_2_naming_the_defined_stages(path):
    err = config_error(path, today=TODAY, stage="staging")
    assert "unknown stage 'staging'" in err.message and "dev, edge, prod" in err.hint
    assert err.where.line == TOML.splitlines().index("[stages.dev]") + 1


def test_a_bad_value_in_a_stage_fails_like_one_in_its_section(path):
    path.write_text(TOML.replace("memory_mb = 1024", "memory_mb = 99999"))
    assert "out of range" in config_error(path, today=TODAY, stage="prod").message
