"""Trigger TOML: each type's keys and defaults, and every bad trigger as a ConfigError (exit 2)
with file, line, key and fix — found at load, before any AWS call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from genesys_tasks import config
from genesys_tasks.config.triggers import schedule_problem
from genesys_tasks.errors import ConfigError

TODAY = dt.date(2026, 11, 26)
STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"


def toml_with(tmp_path: Path, triggers: str) -> Path:
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    path = tmp_path / "lambda_fn.toml"
    path.write_text('[metadata]\nname = "fn"\n\n' + triggers)
    return path


def load_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        config.load(path, today=TODAY)
    err = caught.value
    assert err.exit_code == 2 and err.where.file == path and err.hint
    return err


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def test_the_issue_example_loads_with_defaults_filled(tmp_path):
    path = toml_with(tmp_path, f"""
[[triggers]]
type = "sqs"
queue = "jobs"                     # name or ARN
batch_size = 10

[[triggers]]
type = "schedule"
expression = "rate(5 minutes)"

[[triggers]]
type = "s3"
bucket = "uploads"
events = ["s3:ObjectCreated:*"]
prefix = "incoming/"
suffix = ".csv"

[[triggers]]
type = "sns"
topic = "alerts"                   # name or ARN

[[triggers]]
type = "dynamodb"
stream_arn = "{STREAM}"
starting_position = "LATEST"
""")
    spec = config.load(path, today=TODAY)
    by_type = {t.type: dict(t.params) for t in spec.triggers}
    assert by_type["sqs"] == {"queue": "jobs", "batch_size": 10, "maximum_batching_window": 0}
    assert by_type["s3"] == {"bucket": "uploads", "events": ("s3:ObjectCreated:*",), "prefix": "incoming/",
                             "suffix": ".csv"}
    assert by_type["dynamodb"] == {"stream_arn": STREAM, "starting_position": "LATEST", "batch_size": 100}
    assert by_type["schedule"] == {"expression": "rate(5 minutes)"}
    assert by_type["sns"] == {"topic": "alerts"}


@pytest.mark.parametrize("expression, needle", [
    ("rate(5 minute)", "rate(5 minutes)"),
    ("rate(1 minutes)", "rate(1 minute)"),
    ("rate(0 hours)", "at least 1"),
    ("rate(5 weeks)", "minute(s), hour(s) or day(s)"),
    ("cron(0 3 * * *)", "cron(0 3 * * ? *)"),
    ("cron(0 3 * * MON *)", "?"),
    ("every 5 minutes", "rate(N minutes|hours|days)"),
])
def test_invalid_schedule_expressions_are_config_errors_with_the_fix(tmp_path, expression, needle):
    path = toml_with(tmp_path, f'[[triggers]]\ntype = "schedule"\nexpression = "{expression}"\n')
    err = load_error(path)
    assert (err.where.key, err.where.line) == ("triggers[0].expression", line_of(path, "expression"))
    assert needle in err.hint or needle in err.message


@pytest.mark.parametrize("expression", ["rate(1 minute)", "rate(5 minutes)", "rate(1 day)", "rate(12 hours)",
                                        "cron(0 3 * * ? *)", "cron(0/15 * ? * MON-FRI *)"])
def test_valid_schedule_expressions_pass(expression):
    assert schedule_problem(expression) is None


def test_unknown_trigger_type_names_the_supported_ones(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "kinesis"\n')
    err = load_error(path)
    assert err.where.key == "triggers[0].type"
    for kind in ("api_gateway", "s3", "sqs", "sns", "schedule", "dynamodb"):
        assert kind in err.hint


@pytest.mark.parametrize("size", [0, 10001])
def test_sqs_batch_size_out_of_range(tmp_path, size):
    path = toml_with(tmp_path, f'[[triggers]]\ntype = "sqs"\nqueue = "jobs"\nbatch_size = {size}\n')
    err = load_error(path)
    assert err.where.key == "triggers[0].batch_size" and "1 to 10000" in err.hint


def test_sqs_batch_over_10_needs_a_batching_window(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "sqs"\nqueue = "jobs"\nbatch_size = 100\n')
    err = load_error(path)
    assert err.where.key == "triggers[0].batch_size" and "maximum_batching_window" in err.hint
    path.write_text(path.read_text() + "maximum_batching_window = 1\n")
    assert config.load(path, today=TODAY).triggers[0].get("batch_size") == 100


def test_a_fifo_queue_takes_no_batching_window(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "sqs"\nqueue = "jobs.fifo"\nmaximum_batching_window = 5\n')
    err = load_error(path)
    assert err.where.key == "triggers[0].maximum_batching_window" and err.where.line is not None
    assert "no batching window for a FIFO queue" in err.message and "remove maximum_batching_window" in err.hint
    path.write_text(path.read_text().replace("maximum_batching_window = 5", "maximum_batching_window = 0"))
    assert config.load(path, today=TODAY).triggers[0].get("queue") == "jobs.fifo"


def test_sqs_batching_window_over_300_seconds(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "sqs"\nqueue = "jobs"\nmaximum_batching_window = 301\n')
    assert load_error(path).where.key == "triggers[0].maximum_batching_window"


def test_unknown_s3_event_name(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "s3"\nbucket = "uploads"\nevents = ["s3:ObjectCreated"]\n')
    err = load_error(path)
    assert err.where.key == "triggers[0].events" and "'s3:ObjectCreated'" in err.message
    assert "s3:ObjectCreated:*" in err.hint


def test_a_table_arn_is_not_a_stream_arn(tmp_path):
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    path = toml_with(tmp_path, f'[[triggers]]\ntype = "dynamodb"\nstream_arn = "{table}"\n')
    err = load_error(path)
    assert err.where.key == "triggers[0].stream_arn" and "not a DynamoDB stream ARN" in err.message
    assert "enable a stream" in err.hint


def test_dynamodb_starting_position_must_be_latest_or_trim_horizon(tmp_path):
    path = toml_with(tmp_path, f'[[triggers]]\ntype = "dynamodb"\nstream_arn = "{STREAM}"\n'
                               'starting_position = "AT_TIMESTAMP"\n')
    assert "TRIM_HORIZON" in load_error(path).hint


def test_a_missing_required_source_key(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "sns"\n')
    err = load_error(path)
    assert "topic" in err.message


def test_a_bucket_written_as_an_arn(tmp_path):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "s3"\nbucket = "arn:aws:s3:::uploads"\n')
    assert load_error(path).where.key == "triggers[0].bucket"


def test_the_cli_exits_2_on_a_bad_schedule_before_building_or_calling_aws(tmp_path, run_genesys):
    path = toml_with(tmp_path, '[[triggers]]\ntype = "schedule"\nexpression = "cron(0 3 * * *)"\n')
    result = run_genesys("execute", path, "--dry-run", env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert result.code == 2, result.output
    assert f"{path}:{line_of(path, 'expression')}:" in result.stderr and "cron(0 3 * * ? *)" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / ".genesys").exists()


def test_a_trigger_without_a_type_says_the_type_is_missing(tmp_path):
    from genesys_tasks.config import load
    from genesys_tasks.errors import ConfigError

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_t.toml"
    toml.write_text('[metadata]\nname = "t"\nruntime = "python3.12"\n\n[[triggers]]\nqueue = "jobs"\n')
    with pytest.raises(ConfigError) as caught:
        load(toml)
    assert caught.value.message == "this trigger has no type"
    assert caught.value.where.line == 5 and "sqs" in caught.value.hint


def test_an_api_route_path_must_start_with_a_slash(tmp_path):
    from genesys_tasks.config import load
    from genesys_tasks.errors import ConfigError

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_t.toml"
    toml.write_text('[metadata]\nname = "t"\nruntime = "python3.12"\n\n[[triggers]]\ntype = "api_gateway"\n'
                    'path = "items"\n')
    with pytest.raises(ConfigError) as caught:
        load(toml)
    assert caught.value.where.line == 7 and caught.value.where.key == "triggers[0].path"
    assert caught.value.exit_code == 2 and '"/items"' in caught.value.hint
