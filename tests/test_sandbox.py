"""The embedded emulator: `genesys sandbox` keeps one running and records it; `--sandbox` shares it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from genesys_tasks import sandbox
from genesys_tasks.local.sandbox_lambda import DataPlane

REPO = Path(__file__).resolve().parent.parent


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")

TOML = """\
[metadata]
name = "sandboxed"
runtime = "python3.12"
handler = "app.handler"
"""


def _function(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_sandboxed.toml"
    toml.write_text(TOML)
    return toml


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file():
            return json.loads(path.read_text())
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    raise AssertionError("the sandbox did not record itself")


def test_sandbox_records_its_port_is_shared_and_cleans_up_on_ctrl_c(tmp_path, run_genesys):
    record = Path(os.environ["GENESYS_CACHE_DIR"]) / "sandbox.json"
    server = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "sandbox"], env=_env(), cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        recorded = _wait_for(record, server)
        assert recorded["pid"] == server.pid
        assert sandbox.running_endpoint() == f"http://127.0.0.1:{recorded['port']}"

        result = run_genesys("delete", _function(tmp_path), "--yes", "--sandbox")
        assert result.code == 0, result.output
        assert f"using the sandbox at http://127.0.0.1:{recorded['port']}" in result.stderr
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in err
    assert "runs the code on Invoke and at function URLs" in err and ".localhost:<port>/" in err
    assert not record.exists()


def test_a_stale_record_is_detected_and_removed(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    record = sandbox.record_path()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"pid": finished.pid, "port": 1}))
    assert sandbox.running_endpoint() is None
    assert not record.exists()


def test_a_record_whose_pid_no_process_can_have_is_stale_not_a_traceback():
    record = sandbox.record_path()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"pid": 10 ** 20, "port": 1}))  # past a C long: os.kill overflows
    assert sandbox.running_endpoint() is None
    assert not record.exists()


def test_sandbox_flag_without_a_running_sandbox_starts_one_for_the_command(tmp_path, run_genesys):
    result = run_genesys("delete", _function(tmp_path), "--yes", "--sandbox")
    assert result.code == 0, result.output
    assert "started a sandbox for this command" in result.stderr
    assert "nothing to delete" in result.stderr


def test_sandbox_flag_ignores_the_tomls_aws_profile_and_uses_fake_credentials(tmp_path, run_genesys):
    toml = _function(tmp_path)
    toml.write_text(TOML + '\n[deployment]\nprofile = "prod-only-on-another-machine"\n')
    result = run_genesys("delete", toml, "--yes", "--sandbox",
                         env={"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    assert result.code == 0, result.output
    assert "nothing to delete" in result.stderr


def test_sandbox_without_moto_says_how_to_install_it(tmp_path, run_genesys):
    fake = tmp_path / "no_moto" / "moto"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('moto is not installed')\n")
    result = run_genesys("sandbox", env={"PYTHONPATH": f"{REPO}{os.pathsep}{fake.parent}"})
    assert result.code == 2
    assert "pip install 'genesys-lambda[sandbox]'" in result.stderr
    assert "Traceback" not in result.output



def test_parallel_first_invokes_share_one_runner_so_no_warm_runtime_is_lost():
    def slow_endpoint() -> str:  # the first request's thread is still making the Runner when the others arrive
        time.sleep(0.05)
        return "http://127.0.0.1:1"

    plane = DataPlane(app=None, endpoint_of=slow_endpoint)
    start = threading.Barrier(8)
    runners = []

    def first_request():
        start.wait()
        runners.append(plane.runner)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(runners) == 8
    assert {id(runner) for runner in runners} == {id(plane.runner)}
