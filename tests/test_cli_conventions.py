"""The CLI conventions people type first: the TOML found when it is obvious, usage errors in two
lines (``--debug`` or not), ``--debug`` before or after the command, ``--version``, did-you-mean
for commands and flags, and completion scripts a shell accepts."""

from __future__ import annotations

import shutil
import subprocess

import pytest

FUNCTION = """\
[metadata]
name = "{name}"
runtime = "python3.12"
handler = "app.handler"
"""


def _function(folder, name="hello"):
    (folder / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    (folder / f"lambda_{name}.toml").write_text(FUNCTION.format(name=name))


def test_lambda_build_debug_without_a_toml_builds_the_only_one_in_the_folder(run_genesys, tmp_path):
    _function(tmp_path)
    result = run_genesys("lambda", "build", "--debug", cwd=tmp_path)
    assert result.code == 0, result.output
    assert (tmp_path / ".genesys" / "build" / "hello" / "function-x86_64.zip").is_file()
    assert "Traceback" not in result.output


def test_with_several_tomls_and_none_named_the_candidates_are_listed_exit_2(run_genesys, tmp_path):
    _function(tmp_path, "one")
    (tmp_path / "lambda_two.toml").write_text(FUNCTION.format(name="two"))
    result = run_genesys("--debug", "lambda", "build", cwd=tmp_path)
    assert result.code == 2, result.output
    assert "lambda_one.toml, lambda_two.toml" in result.stderr
    assert "Traceback" not in result.output


def test_with_no_toml_in_the_folder_the_error_says_how_to_name_or_write_one(run_genesys, tmp_path):
    result = run_genesys("cost", cwd=tmp_path)
    assert result.code == 2 and "no lambda_*.toml here" in result.stderr and "genesys interact" in result.stderr


@pytest.mark.parametrize("argv", [("--debug", "execute", "--dryrun"), ("execute", "--dryrun", "--debug"),
                                  ("nosuchcommand",)])
def test_a_usage_error_is_two_lines_and_never_a_traceback_with_or_without_debug(run_genesys, tmp_path, argv):
    result = run_genesys(*argv, cwd=tmp_path)
    assert result.code == 2
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 2, result.stderr


@pytest.mark.parametrize("argv, said", [
    (("event", "api-gateway", "--path", "orders"), "--path 'orders': a path starts with /"),
    (("event", "s3", "--body", "hi"), "a s3 event has no --body"),
    (("logs", "--since", "yesterday"), "--since 'yesterday': not a duration or a time"),
    (("rollout",), "say --continue or --abort"),
    (("execute", "--apply", "--dry-run"), "--apply and --dry-run contradict each other"),
], ids=["event-path", "event-field", "logs-since", "rollout-neither", "execute-both"])
def test_a_bad_flag_value_is_a_two_line_usage_error_before_anything_runs(run_genesys, tmp_path, argv, said):
    _function(tmp_path)
    result = run_genesys(*argv, cwd=tmp_path)
    assert result.code == 2 and said in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 2 and not (tmp_path / ".genesys").exists(), result.stderr


def test_debug_is_accepted_after_the_command_name_as_before_it(run_genesys, tmp_path):
    for argv in (("--debug", "runtimes", "--output", "json"), ("runtimes", "--output", "json", "--debug"),
                 ("cache", "ls", "--debug")):
        result = run_genesys(*argv, cwd=tmp_path)
        assert result.code == 0, (argv, result.output)


def test_version_prints_the_installed_version(run_genesys):
    from importlib.metadata import PackageNotFoundError, version

    installed = []
    for name in ("genesys-lambda", "genesys"):
        try:
            installed.append(version(name))
        except PackageNotFoundError:
            pass
    result = run_genesys("--version")
    assert result.code == 0 and result.stdout.strip() == f"genesys {installed[0]}", result.output


def test_a_mistyped_command_or_flag_names_the_closest_one(run_genesys, tmp_path):
    command = run_genesys("exectue", cwd=tmp_path)
    assert command.code == 2 and "did you mean 'execute'?" in command.stderr
    nested = run_genesys("lambda", "biuld", cwd=tmp_path)
    assert nested.code == 2 and "did you mean 'build'?" in nested.stderr
    flag = run_genesys("execute", "lambda_x.toml", "--dryrun", cwd=tmp_path)
    assert flag.code == 2 and "did you mean --dry-run?" in flag.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_the_commands_and_flags_and_parse(run_genesys, tmp_path, shell):
    result = run_genesys("completion", shell)
    assert result.code == 0, result.output
    script = result.stdout
    for word in ("execute", "invoke", "completion", "dry-run"):
        assert word in script, word
    program = shutil.which(shell)
    if shell == "bash" or program:  # bash is everywhere; zsh and fish are checked where installed
        path = tmp_path / f"genesys.{shell}"
        path.write_text(script)
        checked = subprocess.run([program or "bash", "-n", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_a_mistyped_runtime_is_answered_with_a_supported_one_and_a_retired_one_is_called_retired():
    import datetime

    from genesys_tasks.errors import ConfigError
    from genesys_tasks.runtimes import DEFAULT

    today = datetime.date(2026, 11, 26)
    with pytest.raises(ConfigError) as typo:
        DEFAULT.get("nodejs20", today)  # closest row: nodejs20.x, retired on that day
    assert typo.value.hint != "did you mean 'nodejs20.x'?"
    suggested = typo.value.hint.removeprefix("did you mean ").strip("'?")
    assert DEFAULT.lookup(suggested).status(today) in ("supported", "deprecated"), typo.value.hint
    with pytest.raises(ConfigError) as retired:
        DEFAULT.get("nodejs20.x", today)
    assert "is retired" in retired.value.message


def test_errors_name_paths_relative_to_where_the_command_ran(run_genesys, tmp_path):
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "lambda_broken.toml").write_text('[metadata]\nname = "broken"\nruntime = "python3.12"\n'
                                                        'handler = "app.handler"\n\n[function]\nmemory_mb = 5\n')
    result = run_genesys("lambda", "build", tmp_path / "fn" / "lambda_broken.toml", cwd=tmp_path)
    assert result.code == 2, result.output
    assert "error: fn/lambda_broken.toml:" in result.stderr and str(tmp_path) not in result.stderr, result.stderr


AWS_COMMANDS = (("info",), ("logs",), ("invoke", "--remote"), ("sync",), ("execute",), ("execute", "--dry-run"),
                ("delete", "--yes"), ("rollback",), ("rollout", "--abort"), ("cost",), ("config", "verify"),
                ("ci", "bootstrap-oidc", "--github", "o/r"), ("ci", "github"))


@pytest.mark.parametrize("command", AWS_COMMANDS, ids=" ".join)
def test_a_region_flag_that_is_not_a_region_is_exit_2_naming_the_flag_before_any_call(command, tmp_path, monkeypatch,
                                                                                      capsys):
    from genesys_tasks.aws import session
    from genesys_tasks.cli import main

    def no_call(target):
        raise AssertionError(f"an AWS session was made for {target}")

    monkeypatch.setattr(session, "make_session", no_call)
    monkeypatch.chdir(tmp_path)
    _function(tmp_path)
    assert main([*command, "--region", "us-est-1"]) == 2
    said = capsys.readouterr().err
    assert "--region: 'us-est-1' is not an AWS region" in said and "did you mean 'us-" in said, said
    assert not (tmp_path / ".genesys").exists()


@pytest.mark.parametrize("command", (("sync",), ("execute",)))
def test_a_profile_flag_naming_no_profile_fails_before_the_build_exit_3_naming_the_flag(run_genesys, tmp_path,
                                                                                       command):
    _function(tmp_path)
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = us-east-1\n")
    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(config), "AWS_PROFILE": ""}
    result = run_genesys(*command, "lambda_hello.toml", "--profile", "nope", cwd=tmp_path, env=env)
    assert result.code == 3, result.output
    assert "fix: --profile 'nope' is not a profile" in result.stderr, result.stderr
    assert not (tmp_path / ".genesys" / "build" / "hello").exists(), "built before failing"
