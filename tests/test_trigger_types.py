"""Each trigger type is one row (config/triggers.TYPES) that every reader consumes: the loader, the
JSON Schema, the load checks, the role's poller policies, the deploy planner lookup, the sample
events and `genesys event`, and the wizard. A type added in a test through one row plus its module
is loaded, checked, documented, planned, has a sample event and is offered by the wizard; without a
planner module the deploy side refuses it."""

from __future__ import annotations

import pytest

from genesys_tasks.config import load
from genesys_tasks.config.schema import Key
from genesys_tasks.config.triggers import TYPES, Poller, Sample, TriggerType, polled
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
    from genesys_tasks.config.triggers import samples
    from genesys_tasks.deploy.triggers import planners

    assert set(TYPES) == set(planners()) | {"api_gateway"}
    assert {kind.replace("_", "-") for kind in TYPES} <= set(samples())


def test_a_polled_rows_poller_permissions_go_on_the_role(tmp_path, kinesis):
    from genesys_tasks.deploy.planner import Facts
    from genesys_tasks.deploy.policies import poller_policies

    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    spec = load(_toml(tmp_path, KINESIS.format(stream=stream)))
    assert poller_policies(spec, Facts("us-east-1", "123456789012", {})) == {"genesys-kinesis-poller": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["kinesis:GetRecords"], "Resource": [stream]}]}}


KINESIS_MODULE = '''"""A Kinesis trigger, as a new trigger type's module: its planner and its sample event."""


def read_state(spec, clients, triggers, state):
    pass  # a new function: no mapping exists yet


def plan(plan, spec, triggers, state):
    for stream in (t.get("stream") for t in triggers):
        plan.call("lambda", "create_event_source_mapping", f"kinesis trigger {stream}",
                  EventSourceArn=stream, FunctionName=state.function_arn)


def sample_event(fields):
    return {"Records": [{"eventSource": "aws:kinesis", "eventSourceARN": fields["stream"]}]}
'''
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/s"


@pytest.fixture
def kinesis_module(tmp_path, monkeypatch, kinesis):
    """The kinesis row of the fixture above, now naming its own module for its planner and sample event."""
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "kinesis_trigger.py").write_text(KINESIS_MODULE)
    monkeypatch.syspath_prepend(str(folder))
    from dataclasses import replace

    row = replace(kinesis, planner="kinesis_trigger",
                  sample=Sample("kinesis_trigger:sample_event", {"stream": STREAM}))
    monkeypatch.setitem(TYPES, "kinesis", row)
    return row


def test_a_type_added_through_one_row_and_its_module_is_planned(tmp_path, kinesis_module):
    from genesys_tasks.deploy import triggers

    spec = load(_toml(tmp_path, KINESIS.format(stream=STREAM)))
    state = triggers.read_state(spec, None, "us-east-1", "123456789012", None)
    planned = triggers.plan(spec, state)
    assert [(c.method, c.params["EventSourceArn"]) for c in planned.calls] == [
        ("create_event_source_mapping", STREAM)]
    assert triggers.statements(spec, "us-east-1", "123456789012") == {}  # polled: no invoke permission


def test_a_type_added_through_one_row_has_a_sample_event_and_a_genesys_event_choice(kinesis_module, capsys):
    import json

    from genesys_tasks.cli import build_parser, main
    from genesys_tasks.local.events import sample

    assert sample("kinesis", {})["Records"][0]["eventSourceARN"] == STREAM
    assert build_parser().parse_args(["event", "kinesis"]).source == "kinesis"
    capsys.readouterr()
    assert main(["event", "kinesis", "--stream", "arn:aws:kinesis:us-east-1:1:stream/other"]) == 0
    assert json.loads(capsys.readouterr().out)["Records"][0]["eventSourceARN"].endswith("stream/other")


def test_a_planner_module_without_plan_is_named_at_its_first_use(tmp_path, kinesis_module, monkeypatch):
    from dataclasses import replace

    from genesys_tasks.deploy import triggers

    (tmp_path / "modules" / "half_trigger.py").write_text("def read_state(spec, clients, triggers, state):\n    pass\n")
    monkeypatch.setitem(TYPES, "kinesis", replace(kinesis_module, planner="half_trigger"))
    with pytest.raises(GenesysError) as raised:
        triggers.planners()
    assert "half_trigger is not a TriggerPlanner: it has no plan" in raised.value.message


class _Scripted:
    """A wizard prompter answering from a script, keeping what it was offered and asked."""

    def __init__(self, selections: list, texts: list):
        self.selections, self.texts, self.offered, self.asked = selections, texts, [], []

    def select(self, message, choices, default=None):
        self.offered.append(choices)
        return self.selections.pop(0)

    def text(self, message, default="", check=None):
        self.asked.append(message)
        answer = self.texts.pop(0)
        assert check is None or check(answer) is None
        return answer


def test_the_wizard_offers_a_type_added_through_one_row_and_asks_its_keys(tmp_path, kinesis_module):
    import datetime

    from genesys_tasks.runtimes import Registry
    from genesys_tasks.wizard import flow
    from genesys_tasks.wizard.questions import BY_KEY, Context

    prompter = _Scripted(["kinesis", ""], [STREAM, "50"])
    ctx = Context(tmp_path, Registry(), datetime.date(2026, 12, 1))
    found = flow._triggers(prompter, BY_KEY["triggers"], ctx)
    assert ("kinesis: a Kinesis stream Lambda polls", "kinesis") in prompter.offered[0]
    assert prompter.asked == ["kinesis stream (Stream ARN.)", "kinesis batch_size (Records per invocation.)"]
    assert found == [{"type": "kinesis", "stream": STREAM, "batch_size": 50}]
