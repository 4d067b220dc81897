"""``shell.command``: the one way genesys writes a command for a person to paste into a shell."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from genesys_tasks.shell import command


@pytest.mark.parametrize("path", ["my dir/lambda_x.toml", "$(touch x).toml", "`id`.toml", "it's.toml", "-rf.toml",
                                  "a;b|c&d>e.toml", "plain.toml"])
def test_a_printed_command_splits_back_into_its_words_with_operands_after_double_dash(path):
    line = command("genesys", "rollout", "--continue", operands=(Path(path),))
    assert shlex.split(line) == ["genesys", "rollout", "--continue", "--", path]


def test_a_command_without_operands_has_no_double_dash():
    assert command("genesys", "ci", "github") == "genesys ci github"
