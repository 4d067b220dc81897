"""The first local run of a Node function does not wait for aws-lambda-ric to compile: a missing
``${env:...}`` is said before anything is built or installed, and under ``--client auto`` the official
client installs in a background process while runs use the plain client (and say so).

npm is real; its registry is pointed at a closed local port so the background install fails in
seconds instead of compiling for minutes (the failure is then said as a foreground one is).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from local_functions import invoke_once

from genesys_tasks import paths
from genesys_tasks.errors import BuildError
from genesys_tasks.local import clients
from genesys_tasks.local.function import Options, open_function
from genesys_tasks.tasks.runner import load_spec, run_tasks

pytestmark = pytest.mark.needs_tools("npm", "node")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "node-plain-handler"
CLOSED_REGISTRY = "http://127.0.0.1:9/"
FAIL_FAST = {"npm_config_registry": CLOSED_REGISTRY, "npm_config_fetch_retries": "0",
             "npm_config_fetch_timeout": "2000"}


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "fn"
    shutil.copytree(FIXTURE, folder)
    (folder / ".git").mkdir()
    return folder / "lambda_node_plain.toml"


def test_a_missing_env_reference_is_said_before_any_build_or_client_install(tmp_path, run_genesys, monkeypatch):
    toml = _copy(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.delenv("GENESYS_TEST_STAGE", raising=False)
    done = run_genesys("invoke", toml, env={"GENESYS_CACHE_DIR": str(cache), **FAIL_FAST})
    assert done.code == 2, done.output
    assert "STAGE refers to ${env:GENESYS_TEST_STAGE}, which is not set" in done.stderr
    assert "runtime client:" not in done.stderr
    assert not (cache / "runtime-clients").exists()
    assert not (toml.parent / ".genesys" / "build").exists()


def _wait_for(marker: Path, within_s: float = 120) -> None:
    """Until the background install whose pid ``marker`` holds has ended."""
    deadline = time.monotonic() + within_s
    while marker.exists() and time.monotonic() < deadline:
        pid = int(marker.read_text() or 0)
        if not paths.process_running(pid):
            break
        time.sleep(0.2)
    assert not marker.exists() or not paths.process_running(int(marker.read_text() or 0))


def test_auto_runs_the_plain_client_while_aws_lambda_ric_installs_in_the_background(tmp_path, monkeypatch):
    for name, value in FAIL_FAST.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GENESYS_TEST_STAGE", "dev")
    toml = _copy(tmp_path)
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    said: list[str] = []
    result, launch = invoke_once(spec, root, Options(client="auto", notify=said.append), b'{"name": "ann"}')
    assert launch.client == "plain"
    assert result.kind == "ok" and b'"stage":"dev"' in result.payload
    assert any("aws-lambda-ric 3 (for nodejs22.x)" in line and "being installed in the background" in line
               and "runs use the plain client" in line for line in said), said
    folders = list(clients.client_dir("x").parent.glob(".aws-lambda-ric3-node*.installing"))
    assert folders
    for marker in folders:
        _wait_for(marker)
    failed = clients.install_failed("nodejs", "22.x")
    assert failed.is_file() and "aws-lambda-ric 3 could not be installed" in failed.read_text()
    again: list[str] = []
    _, launch = open_function(spec, root, Options(client="auto", notify=again.append))
    assert launch.client == "plain"
    assert any("aws-lambda-ric 3 could not be installed" in line for line in again)
    assert not clients.install_failed("nodejs", "24.x").exists()  # line 4 is tried on its own


def test_the_first_use_notice_names_the_client_line_it_installs_and_where(tmp_path, monkeypatch):
    for name, value in FAIL_FAST.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GENESYS_TEST_STAGE", "dev")
    toml = _copy(tmp_path)
    for runtime, line in (("nodejs22.x", 3), ("nodejs24.x", 4)):
        toml.write_text(re.sub(r'runtime = "[^"]+"', f'runtime = "{runtime}"', toml.read_text()))
        root, spec = load_spec(toml)
        assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
        said: list[str] = []
        with pytest.raises(BuildError, match=f"aws-lambda-ric {line} could not be installed"):
            open_function(spec, root, Options(client="official", notify=said.append))
        folder = clients.client_dir(f"aws-lambda-ric{line}-node")
        assert any(f"first use of aws-lambda-ric {line} (for {runtime})" in message
                   and f"installing aws-lambda-ric@{line} into {folder}" in message for message in said), said


def test_invoke_says_which_runtime_client_ran(tmp_path, run_genesys):
    toml = _copy(tmp_path)
    done = run_genesys("invoke", toml, "--client", "plain", env={"GENESYS_TEST_STAGE": "dev"})
    assert done.code == 0, done.output
    assert "runtime client: plain" in done.stderr


def test_aws_lambda_ric_3_is_refused_at_once_when_node_gyps_python_has_no_distutils(tmp_path, monkeypatch):
    """Its node-gyp 9 imports distutils, which Python 3.12 and later lack: said before a minute of compiling."""
    python312 = tmp_path / "python3"  # stands for a Python 3.12 without setuptools
    python312.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'distutils'\" >&2\nexit 1\n")
    python312.chmod(0o755)
    monkeypatch.setenv("npm_config_python", str(python312))
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GENESYS_TEST_STAGE", "dev")
    toml = _copy(tmp_path)
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    with pytest.raises(BuildError, match=f"imports distutils, which {python312} lacks") as refused:
        open_function(spec, root, Options(client="official"))
    assert "npm_config_python" in refused.value.hint
    said: list[str] = []
    result, launch = invoke_once(spec, root, Options(client="auto", notify=said.append), b'{"name": "ann"}')
    assert launch.client == "plain" and result.kind == "ok"
    assert any("aws-lambda-ric 3 could not be installed" in line and "plain call" in line for line in said), said
    assert not list(clients.client_dir("x").parent.glob(".aws-lambda-ric3-node*.installing"))  # nothing compiled
