"""Each trigger type is one row (config/triggers.TYPES) that the loader, the JSON Schema, the
wizard and the load checks read; a type added in a test through one row is loaded, checked and
documented, and the deploy side refuses it until it has a planner."""

from __future__ import annotations

import pytest

from genesys_tasks.config import load
from genesys_tasks.config.schema import Key
from genesys_tasks.config.triggers import TYPES, Poller, TriggerType, polled
from genesys_tasks.errors import ConfigError, GenesysError

TOML = ('[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.handler"\n\n'
        '[deployment]\nregion = "us-east-1"\n')
KINESIS = '\n[[triggers]]\ntype = "kinesis"\nstream = "{stream}"\n'


def _kinesis(values: dict):
    if not values["stream"].startswith("arn:aws:kinesis:"):
        return ("stream", f"{values['stream']!r} is not a Kinesis stream ARN",
                "use arn:aws:kinesis:REGION:ACCOUNT:stream/NAME")
    return None


@pytest.fixture
def kinesis(monkeypatch):
    row = TriggerType({"stream": Key("str", None, "Stream ARN.", required=True),
                       "batch_size": Key("int", 100, "Records per invocation.", minimum=1, maximum=10000)},
                      _kinesis, source_key="stream", doc="a Kinesis stream Lambda polls",
                      poller=Poller("genesys-kinesis-poller", "kinesis", ("kinesis:GetRecords",)))
    monkeypatch.setitem(TYPES, "kinesis", row)
    return row


def _toml(tmp_path, extra: str):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(TOML + extra)
    return toml


def test_a_type_added_through_one_row_is_loaded_with_its_defaults(tmp_path, kinesis):
    spec = load(_toml(tmp_path, KINESIS.format(stream="arn:aws:kinesis:us-east-1:123456789012:stream/s")))
    [trigger] = spec.triggers
    assert trigger.type == "kinesis" and trigger.get("batch_size") == 100 and polled("kinesis")


def test_the_rows_check_and_key_table_stop_bad_values_at_load(tmp_path, kinesis):
    with pytest.raises(ConfigError) as raised:
        load(_toml(tmp_path, KINESIS.format(stream="orders")))
    assert "'orders' is not a Kinesis stream ARN" in raised.value.message
    with pytest.raises(ConfigError) as raised:
        load(_toml(tmp_path, KINESIS.format(stream="arn:aws:kinesis:us-east-1:1:stream/s") + "batch_size = 0\n"))
    assert "batch_size" in raised.value.render()


def test_the_rows_source_key_makes_a_second_trigger_on_one_source_a_config_error(tmp_path, kinesis):
    one = KINESIS.format(stream="arn:aws:kinesis:us-east-1:123456789012:stream/s")
    with pytest.raises(ConfigError) as raised:
        load(_toml(tmp_path, one + one))
    assert "both use the kinesis source" in raised.value.message


def test_the_json_schema_documents_a_type_added_through_one_row(kinesis):
    import json

    from genesys_tasks.config.json_schema import function_schema
    from genesys_tasks.runtimes import DEFAULT

    text = json.dumps(function_schema(DEFAULT))
    assert '"kinesis"' in text and "Stream ARN." in text


def test_the_deploy_side_refuses_a_type_it_has_no_planner_for(tmp_path, kinesis):
    from genesys_tasks.deploy import triggers

    spec = load(_toml(tmp_path, KINESIS.format(stream="arn:aws:kinesis:us-east-1:123456789012:stream/s")))
    with pytest.raises(GenesysError) as raised:
        triggers.read_state(spec, None, "us-east-1", "123456789012", None)
    assert "no deploy planner for trigger type kinesis" in raised.value.message


def test_every_type_has_a_deploy_planner_or_is_the_http_api_and_a_sample_event():
    from genesys_tasks.deploy.triggers import TYPES as PLANNED
    from genesys_tasks.local.events import SOURCES

    assert set(TYPES) == set(PLANNED) | {"api_gateway"}
    assert {kind.replace("_", "-") for kind in TYPES} <= set(SOURCES)


def test_a_polled_rows_poller_permissions_go_on_the_role(tmp_path, kinesis):
    from genesys_tasks.deploy.planner import Facts
    from genesys_tasks.deploy.policies import poller_policies

    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    spec = load(_toml(tmp_path, KINESIS.format(stream=stream)))
    assert poller_policies(spec, Facts("us-east-1", "123456789012", {})) == {"genesys-kinesis-poller": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["kinesis:GetRecords"], "Resource": [stream]}]}}
