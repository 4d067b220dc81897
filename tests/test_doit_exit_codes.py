"""Plain `doit` keeps genesys's exit codes (0 ok, 1 failed, 2 bad input, 3 credentials), and an
unexpected exception in a task or while loading is one line, "internal error", never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from genesys_tasks.commands.init_repo import DODO

TOML = """\
[metadata]
name = "fn"
runtime = "python3.12"
handler = "app.handler"
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "dodo.py").write_text(DODO)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "lambda_fn.toml").write_text(TOML)
    return tmp_path


def _breaking(repo, module: str, name: str, error: str) -> None:
    """A dodo.py that replaces ``module.name`` with a function raising ``error`` before loading genesys."""
    (repo / "dodo.py").write_text(textwrap.dedent(f"""\
        from {module.rsplit('.', 1)[0]} import {module.rsplit('.', 1)[1]} as target

        def broken(*args, **kwargs):
            raise {error}

        target.{name} = broken
        """) + DODO)


def test_a_bad_config_under_plain_doit_exits_2(repo, run_doit):
    (repo / "lambda_fn.toml").write_text(TOML.replace('runtime = "python3.12"', 'runtime = "python9.99"'))
    result = run_doit("build", cwd=repo)
    assert result.code == 2, result.output
    assert "lambda_fn.toml" in result.stderr and "Traceback" not in result.output


def test_a_failing_build_step_exits_1(repo, run_doit):
    (repo / "lambda_fn.toml").write_text(TOML + '\n[build]\npre_build = ["exit 7"]\n')
    result = run_doit("build", cwd=repo)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output


def test_missing_credentials_under_plain_doit_exit_3(repo, run_doit, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    env = {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1"}
    result = run_doit("deploy:fn", cwd=repo, env=env)
    assert result.code == 3, result.output
    assert "credentials" in result.stderr and "Traceback" not in result.output


def test_an_unexpected_exception_in_a_task_is_an_internal_error_in_one_line_exit_1(repo, run_doit):
    _breaking(repo, "genesys_tasks.build.steps", "package", 'ZeroDivisionError("division by zero in a step")')
    result = run_doit("build", cwd=repo)
    assert result.code == 1, result.output
    assert "internal error" in result.stderr and "ZeroDivisionError: division by zero in a step" in result.stderr
    assert "Traceback" not in result.output


def test_an_unexpected_exception_while_loading_is_an_internal_error_exit_1(repo, run_doit):
    _breaking(repo, "genesys_tasks.tasks.spec_cache", "load", 'KeyError("surprise")')
    result = run_doit("build", cwd=repo)
    assert result.code == 1, result.output
    assert "internal error" in result.stderr and "KeyError" in result.stderr
    assert "Traceback" not in result.output


def test_with_debug_the_internal_error_carries_its_traceback(repo, run_doit):
    _breaking(repo, "genesys_tasks.build.steps", "package", 'ZeroDivisionError("boom")')
    result = run_doit("build", cwd=repo, env={"GENESYS_DEBUG": "1"})
    assert result.code == 1 and "Traceback" in result.stderr, result.output
