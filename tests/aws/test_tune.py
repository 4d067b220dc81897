"""`genesys tune` against the sandbox, as a user runs it: a real deploy, a real `genesys tune`
subprocess, the emulator's state looked at with boto3 after. The sandbox runs each tuning version
with its own configured memory (its REPORT lines say so) and, where the host allows cgroups, with
Lambda's CPU share and memory limit of that memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genesys_tasks.deploy.logs import parse_report
from genesys_tasks.pricing import load_prices, per_million

TOML = """\
# tuning tests
[metadata]
name = "{name}"
runtime = "python3.12"
handler = "app.handler"

[function]
memory_mb = 256  # what we run today
timeout_seconds = 60

[build]
architectures = ["x86_64", "arm64"]

[deployment]
alias = "live"
{extra}"""

APP = """\
import time


def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("mb"):
        hog = bytearray(event["mb"] * 1024 * 1024)
        hog[::4096] = b"x" * len(hog[::4096])
    total = 0
    for i in range(event.get("n", 1000)):
        total += i * i
    return {"total": total}
"""


def _deployed(run_genesys, folder, name="tuned", extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    toml = folder / f"lambda_{name}.toml"
    toml.write_text(TOML.format(name=name, extra=extra))
    (folder / "app.py").write_text(APP)
    result = run_genesys("execute", toml.name, cwd=folder)
    assert result.code == 0, result.output
    return toml


def _state(lam, name):
    """$LATEST's memory, architecture, code and description; the versions; the alias's version."""
    latest = lam.get_function_configuration(FunctionName=name)
    versions = [(v["Version"], v.get("Description", "")) for v in
                lam.list_versions_by_function(FunctionName=name)["Versions"] if v["Version"] != "$LATEST"]
    alias = lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"]
    return ((latest["MemorySize"], latest["Architectures"], latest["CodeSha256"], latest.get("Description", "")),
            versions, alias)


def test_tune_measures_each_memory_size_from_its_own_versions_report_and_leaves_everything_as_it_was(
        aws, boto, run_genesys, tmp_path):
    toml = _deployed(run_genesys, tmp_path)
    lam = boto("lambda")
    before = _state(lam, "tuned")
    result = run_genesys("tune", toml.name, "--memory", "128,512", "-n", "3", "--event", '{"n": 10}',
                         "--output", "json", cwd=tmp_path)
    assert result.code == 0, result.output
    out = json.loads(result.stdout)
    rows = {r["memory_mb"]: r for r in out["rows"]}
    assert sorted(rows) == [128, 512]
    for row in rows.values():
        assert row["architecture"] == "x86_64" and row["invocations"] == 3 and row["errors"] == 0
        assert row["duration_ms_p50"] > 0 and row["billed_ms_mean"] >= 1 and row["max_memory_used_mb"] > 0
        assert row["init_ms"] is not None  # each tuning version starts cold
    assert rows[128]["cost_per_million"] < rows[512]["cost_per_million"]  # a tiny handler: memory only costs
    assert out["picks"]["cheapest"]["toml"] == ["[function] memory_mb = 128"]
    assert _state(lam, "tuned") == before  # $LATEST as it was, the tuning versions gone, the alias unmoved
    events = boto("logs").filter_log_events(logGroupName="/aws/lambda/tuned")["events"]
    reports = [parse_report(e["message"]) for e in events if e["message"].startswith("REPORT")]
    assert sorted({r.memory_mb for r in reports}) == [128, 512]  # each version ran at its own memory size
    saved = json.loads((tmp_path / ".genesys" / "measured" / "tuned.json").read_text())
    assert saved["source"] == "tune" and saved["memory_mb"] == out["picks"]["balanced"]["memory_mb"]
    cost = run_genesys("cost", toml.name, "--from-profile", "--invocations", "1000000", "--output", "json",
                       cwd=tmp_path)
    assert cost.code == 0, cost.output
    assert json.loads(cost.stdout)["estimate"]["memory_mb"] == saved["memory_mb"]


def test_tune_saves_the_deployed_settings_figures_when_it_was_tuned_and_write_keeps_the_comments(
        aws, run_genesys, tmp_path):
    toml = _deployed(run_genesys, tmp_path)
    shown = run_genesys("tune", toml.name, "--memory", "256,1024", "-n", "2", cwd=tmp_path)
    assert shown.code == 0, shown.output
    assert "cheapest" in shown.stderr and "balanced" in shown.stderr and "memory_mb = " in shown.stderr
    result = run_genesys("tune", toml.name, "--memory", "256,1024", "-n", "2", "--write", "--output", "json",
                         cwd=tmp_path)
    assert result.code == 0, result.output
    balanced = json.loads(result.stdout)["picks"]["balanced"]["memory_mb"]
    saved = json.loads((tmp_path / ".genesys" / "measured" / "tuned.json").read_text())
    assert (saved["memory_mb"], saved["architecture"]) == (256, "x86_64")  # the deployed setting, measured
    text = toml.read_text()
    assert text.startswith("# tuning tests\n")
    assert f"memory_mb = {balanced}  # what we run today" in text  # the value changed, its comment kept


def test_tune_on_arm64_switches_the_code_and_puts_the_x86_64_code_back(aws, boto, run_genesys, tmp_path):
    toml = _deployed(run_genesys, tmp_path)
    lam = boto("lambda")
    before = _state(lam, "tuned")
    result = run_genesys("tune", toml.name, "--memory", "128", "--arch", "x86_64,arm64", "-n", "2",
                         "--event", '{"n": 10}', "--output", "json", cwd=tmp_path)
    assert result.code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [(r["memory_mb"], r["architecture"]) for r in rows] == [(128, "x86_64"), (128, "arm64")]
    prices = load_prices()
    for row in rows:  # each priced at its architecture's GB-second price
        expected = per_million(128, row["architecture"], row["billed_ms_mean"], prices)
        assert row["cost_per_million"] == pytest.approx(expected, abs=1e-6)
    assert _state(lam, "tuned") == before


def test_tune_refuses_a_protected_stage_without_force(aws, boto, run_genesys, tmp_path):
    toml = _deployed(run_genesys, tmp_path, extra="\n[stages.prod]\nprotected = true\n")
    result = run_genesys("tune", toml.name, "--stage", "prod", "--memory", "128", "-n", "1", cwd=tmp_path)
    assert result.code == 2 and "tuned-prod is protected (stage prod)" in result.stderr, result.output
    assert "--force" in result.stderr


def test_tune_of_a_function_not_deployed_says_so_exit_2(aws, run_genesys, tmp_path):
    (tmp_path / "lambda_tuned.toml").write_text(TOML.format(name="tuned", extra=""))
    (tmp_path / "app.py").write_text(APP)
    result = run_genesys("tune", "lambda_tuned.toml", "--memory", "128", "-n", "1", cwd=tmp_path)
    assert result.code == 2 and "tuned is not deployed" in result.stderr, result.output


def test_ctrl_c_during_tune_deletes_the_tuning_versions_and_puts_latest_back(aws, boto, run_genesys, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    toml = _deployed(run_genesys, tmp_path)
    lam = boto("lambda")
    before = _state(lam, "tuned")
    proc = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "tune", toml.name, "--memory",
                             "128,256,512", "-n", "20", "--event", '{"sleep": 0.2}'], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("genesys:tune" in d for _v, d in _state(lam, "tuned")[1]):
            time.sleep(0.1)
        assert any("genesys:tune" in d for _v, d in _state(lam, "tuned")[1]), "no tuning version appeared"
        time.sleep(0.5)  # in the middle of its invocations
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, err
    assert "Traceback" not in err
    assert "invoke tuned:" in err  # it was measuring when interrupted
    assert _state(lam, "tuned") == before


def test_a_cpu_bound_handler_is_at_least_4_times_slower_at_128_than_at_1769_mb(aws, run_genesys, tmp_path, quotas):
    toml = _deployed(run_genesys, tmp_path)
    result = run_genesys("tune", toml.name, "--memory", "128,1769", "-n", "3", "--event", '{"n": 600000}',
                         "--output", "json", cwd=tmp_path)
    assert result.code == 0, result.output
    rows = {r["memory_mb"]: r["duration_ms_p50"] for r in json.loads(result.stdout)["rows"]}
    assert rows[128] >= 4 * rows[1769], rows


def test_a_handler_past_its_memory_size_is_killed_as_runtime_out_of_memory(aws, boto, run_genesys, tmp_path,
                                                                          quotas):
    _deployed(run_genesys, tmp_path, name="hog")
    lam = boto("lambda")
    lam.update_function_configuration(FunctionName="hog", MemorySize=128)
    answer = lam.invoke(FunctionName="hog", Payload=b'{"mb": 300}', LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorType"] == "Runtime.OutOfMemory"
    import base64

    report = parse_report(base64.b64decode(answer["LogResult"]).decode())
    assert report.memory_mb == 128 and report.max_memory_mb >= 120
    fine = lam.invoke(FunctionName="hog", Payload=b'{"mb": 40}')  # the next one starts afresh and fits
    assert "FunctionError" not in fine, fine["Payload"].read()


def test_the_sandbox_takes_update_function_codes_architectures(aws, boto, run_genesys, tmp_path):
    toml = _deployed(run_genesys, tmp_path)
    lam = boto("lambda")
    code = (tmp_path / ".genesys" / "build" / "tuned" / "function-arm64.zip").read_bytes()
    answer = lam.update_function_code(FunctionName="tuned", ZipFile=code, Architectures=["arm64"])
    assert answer["Architectures"] == ["arm64"]
    assert lam.get_function_configuration(FunctionName="tuned")["Architectures"] == ["arm64"]
    assert toml.exists()


def test_a_tune_whose_function_goes_away_midway_fails_naming_what_is_left_to_do(aws, boto, run_genesys, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    toml = _deployed(run_genesys, tmp_path)
    lam = boto("lambda")
    proc = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "tune", toml.name, "--memory", "128,256",
                             "-n", "20", "--event", '{"sleep": 0.2}'], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("genesys:tune" in d for _v, d in _state(lam, "tuned")[1]):
            time.sleep(0.1)
        lam.delete_function(FunctionName="tuned")  # someone deletes it while it is being tuned
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert "may still be tuned" in err and "genesys:tune ... run " in err
    assert "Running again continues" not in err  # a deploy's advice, not a tune's


def test_tuning_another_architecture_of_a_function_with_layers_is_refused_before_any_change(
        aws, boto, project, deploy, clients):
    from genesys_tasks.deploy.tune import Setting, Tuning
    from genesys_tasks.errors import UsageError

    p = project("layered")  # a layer built for x86_64, the deployed architecture
    deploy(p)
    lam = boto("lambda")
    before = lam.get_function_configuration(FunctionName="layered")
    asked = []
    tuning = Tuning(clients(), "layered", b"{}", 1, code_of=lambda arch, expect=None: asked.append(arch) or {})
    with pytest.raises(UsageError, match="has layers built for x86_64"):
        tuning.run([Setting(128, "x86_64"), Setting(128, "arm64")])
    tuning.restore()
    after = lam.get_function_configuration(FunctionName="layered")
    assert (after["MemorySize"], after["Description"], after["LastModified"]) == \
        (before["MemorySize"], before["Description"], before["LastModified"])
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="layered")["Versions"]
            if v.get("Description", "").startswith("genesys:tune")] == []
    assert asked == []  # no code was even read
