"""[function] settings at load time: defaults, and every bad value as exit 2 at its line with the fix."""

from __future__ import annotations

import pytest
from test_config import TODAY, assert_at, config_error, project

from genesys_tasks import config

BASE = '[metadata]\nname = "fn"\n\n[function]\n'


def test_settings_default_to_what_aws_does_without_them(tmp_path):
    settings = config.load(project(tmp_path, BASE), today=TODAY).function
    assert (settings.vpc, settings.reserved_concurrency, settings.tracing, settings.log_retention_days,
            settings.destinations()) == (None, None, "PassThrough", None, {})


def test_every_setting_loads(tmp_path):
    toml = BASE + ('vpc = { subnet_ids = ["subnet-0aaa1111"], security_group_ids = ["sg-0ccc3333"] }\n'
                   'reserved_concurrency = 0\ntracing = "Active"\nlog_retention_days = 14\n'
                   'on_failure = "arn:aws:events:us-east-1:123456789012:event-bus/default"\n'
                   'on_success = "arn:aws:lambda:us-east-1:123456789012:function:next"\n')
    settings = config.load(project(tmp_path, toml), today=TODAY).function
    assert settings.vpc.subnet_ids == ("subnet-0aaa1111",) and settings.reserved_concurrency == 0
    assert settings.destinations() == {"OnFailure": "arn:aws:events:us-east-1:123456789012:event-bus/default",
                                       "OnSuccess": "arn:aws:lambda:us-east-1:123456789012:function:next"}


@pytest.mark.parametrize("line, key, words", [
    ("log_retention_days = 13", "function.log_retention_days", "13 is not allowed"),
    ("reserved_concurrency = -1", "function.reserved_concurrency", "out of range"),
    ('tracing = "on"', "function.tracing", "not allowed"),
    ('on_failure = "my-queue"', "function.on_failure", "is not an SQS queue"),
    ('on_success = "arn:aws:events:us-east-1:123456789012:rule/x"', "function.on_success", "EventBridge bus ARN"),
    ('vpc = { subnet_ids = ["subnet-0aaa1111"], security_group_ids = ["default"] }', "function.vpc.security_group_ids",
     "'default' is not an id"),
    ('vpc = { subnet_ids = [], security_group_ids = ["sg-0ccc3333"] }', "function.vpc.subnet_ids", "0 ids"),
    ('vpc = { subnet_ids = ["subnet-0aaa1111"] }', "function.vpc", "missing required key 'security_group_ids'"),
])
def test_a_bad_setting_is_exit_2_at_its_line(tmp_path, line, key, words):
    path = project(tmp_path, BASE + line + "\n")
    err = config_error(path, today=TODAY)
    assert words in err.message, err.render()
    assert_at(err, path, key, line.split(" =")[0])
