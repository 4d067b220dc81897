"""The TOML itself: it must be a regular file of bounded size to be read, and genesys's write-back of
[iam] role_arn keeps its line endings and writes a symlinked TOML at its target."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from genesys_tasks.config import load
from genesys_tasks.config.loader import MAX_TOML_BYTES
from genesys_tasks.deploy.writeback import record_role
from genesys_tasks.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
ARN = "arn:aws:iam::123456789012:role/genesys-lambda-fn"
TOML = '[metadata]\nname = "fn"  # the function\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n'


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a read without end fails instead of eating the machine


def execute(path: Path | str):
    """``genesys execute PATH --dry-run`` with a time and memory bound; (exit code, stderr)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "genesys_tasks.cli", "execute", str(path), "--dry-run"],
                          capture_output=True, text=True, timeout=60, env=env, preexec_fn=_limited)
    return proc.returncode, proc.stderr


# --- reading ----------------------------------------------------------------------------------------

def test_a_fifo_as_the_toml_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "lambda_fn.toml")
    code, stderr = execute(tmp_path / "lambda_fn.toml")
    assert code == 2, stderr
    assert "not a regular file" in stderr and "Traceback" not in stderr


def test_a_device_as_the_toml_is_an_error_not_an_endless_read(tmp_path):
    code, stderr = execute("/dev/zero")
    assert code == 2, stderr
    assert "/dev/zero: not a regular file" in stderr and "Traceback" not in stderr


def test_a_folder_as_the_toml_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not a regular file"):
        load(tmp_path)


def test_a_toml_larger_than_the_bound_is_a_config_error(tmp_path):
    big = tmp_path / "lambda_fn.toml"
    big.write_text(TOML + "#" * MAX_TOML_BYTES + "\n")
    with pytest.raises(ConfigError, match="over 1024 KB"):
        load(big)


def test_a_symlinked_toml_is_read_through_its_link(tmp_path):
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "real.toml").write_text(TOML)
    (tmp_path / "lambda_fn.toml").symlink_to("real.toml")
    assert load(tmp_path / "lambda_fn.toml").name == "fn"


# --- writing back -----------------------------------------------------------------------------------

def test_write_back_keeps_crlf_line_endings_and_comments(tmp_path):
    toml = tmp_path / "lambda_fn.toml"
    toml.write_bytes(TOML.replace("\n", "\r\n").encode() + b"\r\n[iam]\r\nrole_name = \"r\"\r\n")

    assert record_role(toml, ARN)

    data = toml.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 0
    assert b"# the function\r\n" in data and f'role_arn = "{ARN}"\r\n'.encode() in data
    assert not record_role(toml, ARN)


def test_write_back_of_a_new_iam_table_into_a_crlf_file_is_crlf_too(tmp_path):
    toml = tmp_path / "lambda_fn.toml"
    toml.write_bytes(TOML.replace("\n", "\r\n").encode())
    record_role(toml, ARN)
    data = toml.read_bytes()
    assert b"[iam]\r\n" in data and data.count(b"\n") == data.count(b"\r\n")


def test_write_back_keeps_lf_files_lf(tmp_path):
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(TOML)
    record_role(toml, ARN)
    assert b"\r" not in toml.read_bytes() and f'role_arn = "{ARN}"'.encode() in toml.read_bytes()


def test_write_back_through_a_symlinked_toml_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "fn.toml"
    target.write_text(TOML)
    target.chmod(0o640)
    link = tmp_path / "lambda_fn.toml"
    link.symlink_to(os.path.relpath(target, tmp_path))

    record_role(link, ARN)

    assert link.is_symlink() and os.readlink(link) == "shared/fn.toml"
    assert f'role_arn = "{ARN}"' in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["fn.toml"]
