"""`genesys config setup`: the AWS shared config and credentials files, as boto3 then reads them."""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from genesys_tasks import cli

OTHER_CONFIG = "[profile other]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n"
OTHER_KEYS = "[other]\naws_access_key_id = AKIAOTHEROTHER0000\naws_secret_access_key = other-secret\n"


@pytest.fixture
def aws_files(tmp_path):
    config, credentials = tmp_path / "aws" / "config", tmp_path / "aws" / "credentials"
    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
           "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "CI": ""}
    return config, credentials, env


@pytest.fixture
def run_genesys(monkeypatch, capsys):
    """``genesys ARGS`` in this process (the command starts no subprocess): its code, stdout, stderr."""

    def run(*args, env) -> SimpleNamespace:
        with monkeypatch.context() as scoped:
            for name, value in env.items():
                scoped.setenv(name, value)
            code = cli.main([str(a) for a in args])
        out = capsys.readouterr()
        return SimpleNamespace(code=code, stdout=out.out, stderr=out.err, output=out.out + out.err)

    return run


def session(config, credentials, profile, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                 "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return boto3.Session(profile_name=profile)


def test_keys_from_the_environment_are_written_for_boto3_keeping_other_profiles(run_genesys, aws_files,
                                                                                  monkeypatch):
    config, credentials, env = aws_files
    config.parent.mkdir()
    config.write_text(OTHER_CONFIG)
    credentials.write_text(OTHER_KEYS)
    env.update(AWS_ACCESS_KEY_ID="AKIAEXAMPLEKEY1234", AWS_SECRET_ACCESS_KEY="s3cr3t-from-env",
               AWS_SESSION_TOKEN="token-from-env")

    result = run_genesys("config", "setup", "--provider", "aws", "--region", "eu-central-1", "--profile", "ci",
                         env=env)

    assert result.code == 0, result.output
    assert "s3cr3t-from-env" not in result.output and "token-from-env" not in result.output
    assert "AKIAEXAMPLEKEY1234" not in result.output and "****1234" in result.output
    assert "shell history" not in result.output
    for path in (config, credentials):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ours = session(config, credentials, "ci", monkeypatch)
    keys = ours.get_credentials()
    assert (ours.region_name, keys.access_key, keys.secret_key, keys.token) == (
        "eu-central-1", "AKIAEXAMPLEKEY1234", "s3cr3t-from-env", "token-from-env")
    other = session(config, credentials, "other", monkeypatch)
    assert other.region_name == "eu-west-1" and other.get_credentials().secret_key == "other-secret"
    assert other._session.get_scoped_config()["s3"] == {"max_concurrent_requests": "20"}


def test_keys_on_the_command_line_replace_the_profiles_and_warn_about_history_and_oidc(run_genesys, aws_files,
                                                                                      monkeypatch):
    config, credentials, env = aws_files
    config.parent.mkdir()
    credentials.write_text("[default]\naws_access_key_id = AKIAOLD\naws_secret_access_key = old\n"
                           "aws_session_token = stale-token\n")
    credentials.chmod(0o644)
    env["CI"] = "true"

    result = run_genesys("config", "setup", "--provider", "aws", "--region", "us-west-2",
                         "--access-key", "AKIANEWKEY99990000", "--secret-key", "typed-secret", env=env)

    assert result.code == 0, result.output
    assert "typed-secret" not in result.output
    assert "shell history" in result.stderr and "OIDC" in result.stderr
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    keys = session(config, credentials, "default", monkeypatch).get_credentials()
    assert (keys.access_key, keys.secret_key, keys.token) == ("AKIANEWKEY99990000", "typed-secret", None)


@pytest.mark.parametrize("args, env_keys, expected", [
    (["--access-key", "AKIAONLYHALF"], {}, "--access-key and --secret-key go together"),
    ([], {"AWS_ACCESS_KEY_ID": "AKIAONLYHALF"}, "AWS_SECRET_ACCESS_KEY is not set"),
    (["--region-typo"], {}, "unrecognized arguments"),
    (["--profile", "ci]\n[default"], {}, "is not a profile name"),
])
def test_half_a_key_pair_is_refused_and_nothing_is_written(run_genesys, aws_files, args, env_keys, expected):
    config, credentials, env = aws_files
    env.update(env_keys)
    result = run_genesys("config", "setup", "--provider", "aws", "--region", "us-east-1", *args, env=env)
    assert result.code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert not config.exists() and not credentials.exists()


def test_a_region_that_is_not_an_aws_region_is_exit_2_naming_the_flag_and_nothing_is_written(run_genesys, aws_files):
    config, credentials, env = aws_files
    result = run_genesys("config", "setup", "--provider", "aws", "--region", "us-est-1", env=env)
    assert result.code == 2, result.output
    assert "--region: 'us-est-1' is not an AWS region" in result.stderr and "did you mean 'us-" in result.stderr
    assert "Traceback" not in result.output and not config.exists() and not credentials.exists()


def test_a_malformed_config_file_is_named_with_its_line_and_left_as_it_is(run_genesys, aws_files):
    config, credentials, env = aws_files
    config.parent.mkdir()
    config.write_text("[default]\nregion = us-east-1\nthis line is not ini\n")
    result = run_genesys("config", "setup", "--provider", "aws", "--region", "us-east-1", env=env)
    assert result.code == 2, result.output
    assert f"{config}:3" in result.stderr and "Traceback" not in result.output
    assert config.read_text().endswith("not ini\n") and not credentials.exists()


def _setup_in_terminal(tmp_path, answers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """``genesys config setup`` without flags on a pseudo-terminal, each answer typed once its prompt shows:
    its exit code and everything it wrote."""
    import os
    import pty
    import select
    import sys
    import time

    env = {**os.environ, "AWS_CONFIG_FILE": str(tmp_path / "config"), "PYTHONPATH": str(Path(__file__).parents[1]),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "NO_COLOR": "1", "AWS_REGION": "eu-west-1"}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "CI"):
        env.pop(name, None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: genesys on the pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-m", "genesys_tasks.cli", "config", "setup"], env)
    seen, answers = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if answers and answers[0][0] in seen:
            os.write(fd, answers.pop(0)[1])
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen


def test_config_setup_without_flags_asks_its_questions_in_a_terminal(tmp_path):
    code, seen = _setup_in_terminal(tmp_path, [(b"provider", b"\n"), (b"region [eu-west-1]", b"\n"),
                                               (b"profile", b"dev\n"), (b"access key id", b"AKIAEXAMPLEKEY9876\n"),
                                               (b"secret access key", b"s3cret/key\n")])
    assert code == 0, seen.decode(errors="replace")
    assert "[profile dev]\nregion = eu-west-1" in (tmp_path / "config").read_text()
    credentials = (tmp_path / "credentials").read_text()
    assert "aws_access_key_id = AKIAEXAMPLEKEY9876" in credentials and "s3cret/key" in credentials
    assert b"s3cret/key" not in seen  # the secret is not echoed


def test_a_region_answered_in_the_terminal_that_is_not_an_aws_region_is_exit_2_and_nothing_is_written(tmp_path):
    code, seen = _setup_in_terminal(tmp_path, [(b"provider", b"\n"), (b"region [eu-west-1]", b"us-est-1\n"),
                                               (b"profile", b"dev\n"), (b"access key id", b"\n")])
    said = seen.decode(errors="replace")
    assert code == 2, said
    assert "'us-est-1' is not an AWS region" in said and "Traceback" not in said
    assert not (tmp_path / "config").exists() and not (tmp_path / "credentials").exists()


def test_config_setup_without_flags_outside_a_terminal_says_which_flags_it_needs(run_genesys, tmp_path):
    result = run_genesys("config", "setup", env={"AWS_CONFIG_FILE": str(tmp_path / "config")})
    assert result.code == 2 and "needs --provider and --region" in result.stderr, result.output
