"""Day two against the sandbox, as a user runs it: deploy, then the function answers its URL (curl)
and ``genesys invoke --remote``, its printed lines reach ``genesys logs``, ``genesys info`` says
what is deployed, ``--region`` moves a run. Real subprocesses, real HTTP, the emulator's state."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

PYTHON = {"lambda_pyday.toml": """\
[metadata]
name = "pyday"
runtime = "python3.12"
handler = "app.handler"

[deployment]
function_url = true
auth_type = "NONE"
""", "app.py": """\
def handler(event, context):
    print("handled", event.get("rawPath", event.get("name")))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"statusCode": 200, "body": "python says hi to " + str(event.get("rawPath", event.get("name")))}
"""}

NODE = {"lambda_nodeday.toml": """\
[metadata]
name = "nodeday"
runtime = "nodejs24.x"
handler = "index.handler"

[deployment]
function_url = true
auth_type = "NONE"
""", "index.js": """\
exports.handler = async (event) => {
  console.log("handled", event.rawPath || event.name);
  return { statusCode: 200, body: "node says hi to " + (event.rawPath || event.name) };
};
""", "package.json": '{"name": "nodeday", "version": "1.0.0"}\n'}


def _project(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder / next(n for n in files if n.endswith(".toml"))


def _deployed(run_genesys, folder, files):
    toml = _project(folder, files)
    result = run_genesys("execute", toml.name, cwd=folder)
    assert result.code == 0, result.output
    found = re.search(r"function URL: (\S+)", result.stderr)
    assert found, result.stderr
    return toml, found[1]


def _curl(url: str) -> str:
    done = subprocess.run(["curl", "-s", "-S", "-m", "20", url], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


needs_curl = pytest.mark.needs_tools("curl")  # skipped naming it on a laptop without curl; fails in CI


@needs_curl
@pytest.mark.parametrize("files, says", [(PYTHON, "python says hi to"), (NODE, "node says hi to")],
                         ids=["python", "node"])
def test_a_deployed_function_answers_its_sandbox_url_and_invoke_remote(aws, run_genesys, tmp_path, files, says):
    if files is NODE and shutil.which("node") is None:
        pytest.skip("needs node")
    toml, url = _deployed(run_genesys, tmp_path / "fn", files)
    assert re.fullmatch(r"http://[a-z0-9]+\.lambda-url\.us-east-1\.localhost:\d+/", url), url
    assert _curl(url + "hello") == f"{says} /hello"

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"name": "remote"}))
    remote = run_genesys("invoke", "--remote", "--event", event, cwd=toml.parent)  # the only TOML there
    assert remote.code == 0, remote.output
    assert json.loads(remote.stdout)["body"] == f"{says} remote"
    assert "handled remote" in remote.stderr and "REPORT RequestId:" in remote.stderr


@needs_curl
def test_a_function_with_a_layer_answers_its_sandbox_url_with_the_layers_code(aws, boto, run_genesys, tmp_path):
    import io
    import zipfile

    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as zipped:
        zipped.writestr("python/greeting.py", "WORDS = 'said by the layer'\n")
    arn = boto("lambda").publish_layer_version(LayerName="helpers", Content={"ZipFile": content.getvalue()},
                                               CompatibleRuntimes=["python3.12"])["LayerVersionArn"]
    files = {"lambda_layered.toml": PYTHON["lambda_pyday.toml"].replace('"pyday"', '"layered"') +
             f'\n[function]\nlayers = ["{arn}"]\n',
             "app.py": "import greeting\n\ndef handler(event, context):\n"
                       "    return {'statusCode': 200, 'body': greeting.WORDS}\n"}
    _toml, url = _deployed(run_genesys, tmp_path / "fn", files)
    assert _curl(url) == "said by the layer"


def test_invoke_remote_of_a_failing_function_prints_its_error_and_exits_1(aws, run_genesys, tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    event = tmp_path / "event.json"
    event.write_text('{"fail": true}')
    result = run_genesys("invoke", toml.name, "--remote", "--event", event, cwd=toml.parent)
    assert result.code == 1, result.output
    assert json.loads(result.stdout)["errorType"] == "ValueError"
    assert "asked to fail" in result.stderr and "pyday failed (Unhandled)" in result.stderr


def test_invoke_remote_of_a_function_not_deployed_says_so_exit_2(aws, run_genesys, tmp_path):
    toml = _project(tmp_path / "fn", PYTHON)
    result = run_genesys("invoke", toml.name, "--remote", cwd=toml.parent)
    assert result.code == 2 and "pyday is not deployed in us-east-1" in result.stderr, result.output


def test_the_invoke_api_answers_in_lambdas_shape_with_the_log_tail(aws, boto, run_genesys, tmp_path):
    import base64

    _deployed(run_genesys, tmp_path / "fn", PYTHON)
    lam = boto("lambda")
    ok = lam.invoke(FunctionName="pyday", Payload=b'{"name": "api"}', LogType="Tail")
    assert ok["StatusCode"] == 200 and "FunctionError" not in ok
    tail = base64.b64decode(ok["LogResult"]).decode()
    assert tail.startswith("START RequestId:") and "handled api" in tail and "\nREPORT RequestId:" in tail
    failed = lam.invoke(FunctionName="pyday", Payload=b'{"fail": 1}')
    assert failed["FunctionError"] == "Unhandled" and "LogResult" not in failed
    assert json.loads(failed["Payload"].read())["errorMessage"] == "asked to fail"
    assert lam.invoke(FunctionName="pyday", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202


def test_execute_with_region_deploys_there_and_not_in_the_tomls_region(aws, boto, run_genesys, tmp_path):
    import boto3

    toml = _project(tmp_path / "fn", PYTHON)
    result = run_genesys("execute", toml.name, "--region", "eu-west-1", cwd=toml.parent)
    assert result.code == 0, result.output
    assert ".lambda-url.eu-west-1.localhost:" in result.stderr
    there = boto3.client("lambda", endpoint_url=aws, region_name="eu-west-1")
    assert there.get_function(FunctionName="pyday")["Configuration"]["FunctionName"] == "pyday"
    assert [f["FunctionName"] for f in boto("lambda").list_functions()["Functions"]] == []
    remote = run_genesys("invoke", toml.name, "--remote", "--region", "eu-west-1", cwd=toml.parent)
    assert remote.code == 0, remote.output


def test_config_verify_of_a_toml_uses_its_region_unless_region_names_another(aws, run_genesys, tmp_path):
    toml = _project(tmp_path / "fn", {**PYTHON, "lambda_pyday.toml": PYTHON["lambda_pyday.toml"].replace(
        "[deployment]\n", '[deployment]\nregion = "eu-west-1"\n')})
    tomls = run_genesys("config", "verify", toml.name, "--output", "json", cwd=toml.parent)
    flags = run_genesys("config", "verify", toml.name, "--region", "ap-south-1", "--output", "json", cwd=toml.parent)
    assert tomls.code == 0 and flags.code == 0, tomls.output + flags.output
    assert (json.loads(tomls.stdout)["region"], json.loads(flags.stdout)["region"]) == ("eu-west-1", "ap-south-1")


def test_execute_prints_the_function_arn_and_a_dry_run_ends_with_the_plan_summary(aws, run_genesys, tmp_path):
    toml = _project(tmp_path / "fn", PYTHON)
    toml.write_text(toml.read_text() + '\n[function.environment]\nSTAGE = "dev"\nAPI_TOKEN = "abc"\n')
    plan = run_genesys("execute", toml.name, "--dry-run", cwd=toml.parent)
    assert plan.code == 0, plan.output
    assert re.search(r"^Plan: \d+ to create, 0 to update, 0 to delete\.$", plan.stderr, re.MULTILINE), plan.stderr
    assert "Environment.STAGE: (none) → dev" in plan.stderr and "Environment.API_TOKEN: (none) → ****" in plan.stderr
    done = run_genesys("execute", toml.name, cwd=toml.parent)
    assert "ARN: arn:aws:lambda:us-east-1:123456789012:function:pyday" in done.stderr, done.output


def test_info_json_names_the_deployed_function_and_that_its_code_is_the_local_build(aws, run_genesys, tmp_path):
    toml, url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    result = run_genesys("info", toml.name, "--output", "json", cwd=toml.parent)
    assert result.code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:pyday"
    assert (facts["runtime"], facts["architecture"], facts["region"], facts["url"]) == \
        ("python3.12", "x86_64", "us-east-1", url)
    assert facts["matches_build"] is True and facts["code_sha256"] == facts["local_sha256"]
    assert facts["tags"]["genesys:managed"] == "true" and facts["role"].endswith("genesys-lambda-pyday")
    people = run_genesys("info", toml.name, cwd=toml.parent)
    assert "pyday in us-east-1: deployed" in people.stderr and "(matches the local build)" in people.stderr


def test_info_over_a_repo_says_deployed_out_of_date_or_not_deployed_per_function(aws, run_genesys, tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path, PYTHON)
    other = _project(tmp_path / "node", NODE)
    assert run_genesys("info", cwd=tmp_path).stderr.count("deployed") == 2
    (tmp_path / "app.py").write_text(PYTHON["app.py"].replace("python says", "python now says"))
    assert run_genesys("lambda", "build", toml.name, cwd=tmp_path).code == 0
    listing = run_genesys("info", "--output", "json", cwd=tmp_path)
    assert listing.code == 0, listing.output
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["pyday"]["status"] == "out of date" and rows["nodeday"]["status"] == "not deployed"
    assert rows["nodeday"]["toml"] == str(other.relative_to(tmp_path))


def test_logs_show_a_line_the_handler_printed_and_summarise_report(aws, boto, run_genesys, tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    boto("lambda").invoke(FunctionName="pyday", Payload=b'{"name": "for the logs"}')
    boto("lambda").invoke(FunctionName="pyday", Payload=b'{"fail": true}')
    result = run_genesys("logs", toml.name, "--since", "5m", cwd=toml.parent)
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.endswith("handled for the logs") for line in lines), lines
    assert any(re.search(r"REPORT [\d.]+ ms \(billed \d+ ms\), \d+/128 MB", line) for line in lines), lines
    assert any("[ERROR] ValueError: asked to fail" in line for line in lines), lines
    assert not any(line.split(" ", 1)[1].startswith("REPORT RequestId") for line in lines)
    only = run_genesys("logs", toml.name, "--filter", "for the logs", cwd=toml.parent)
    assert [line.split(" ", 1)[1] for line in only.stdout.splitlines()] == ["handled for the logs"], only.output


def test_logs_tail_follows_new_lines_until_interrupted_polling_the_sandbox(aws, boto, run_genesys, tmp_path):
    import os
    import signal
    import sys
    import threading
    import time
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    toml, _url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    tail = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "logs", toml.name, "--tail"],
                            cwd=toml.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        boto("lambda").invoke(FunctionName="pyday", Payload=b'{"name": "while tailing"}')
        lines: list[str] = []
        told: list[str] = []
        threading.Thread(target=lambda: lines.extend(tail.stdout), daemon=True).start()
        threading.Thread(target=lambda: told.extend(tail.stderr), daemon=True).start()
        deadline = time.monotonic() + 30
        # the live tail is tried once the log group exists, which may be after the first poll showed the line
        while time.monotonic() < deadline and not (any("handled while tailing" in line for line in lines)
                                                   and any("polling every" in line for line in told)):
            time.sleep(0.2)
        assert any("handled while tailing" in line for line in lines), lines
    finally:
        tail.send_signal(signal.SIGINT)
        tail.wait(timeout=30)
    assert tail.returncode == 0
    time.sleep(0.5)  # the reader threads see the end of the streams
    said = "".join(told)  # the sandbox has no StartLiveTail host: polling, said once
    assert said.count("live tail is not available here") == 1 and "polling every 1 s" in said, said


def test_since_reads_durations_and_iso_times_and_refuses_the_rest():
    from genesys_tasks.deploy.logs import since_ms, summary
    from genesys_tasks.errors import UsageError

    assert since_ms("10m", now_ms=1_000_000) == 400_000 and since_ms("2h", now_ms=10**8) == 10**8 - 7_200_000
    assert since_ms("2026-01-31T12:00:00+00:00") == 1769860800000
    with pytest.raises(UsageError):
        since_ms("yesterday")
    assert summary("REPORT RequestId: x\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t"
                   "Max Memory Used: 40 MB\tInit Duration: 99.10 ms") == "REPORT 1.50 ms (billed 2 ms), 40/128 MB, init 99.10 ms"


def test_sync_after_an_edit_is_one_code_update_and_the_next_invoke_answers_the_new_code(aws, boto, run_genesys,
                                                                                       tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path, PYTHON)
    first = run_genesys("sync", toml.name, "--output", "json", cwd=tmp_path)  # records what it synced
    assert first.code == 0, first.output
    (tmp_path / "app.py").write_text(PYTHON["app.py"].replace("python says", "python now says"))
    result = run_genesys("sync", toml.name, "--output", "json", cwd=tmp_path)
    assert result.code == 0, result.output
    [region] = json.loads(result.stdout)
    assert (region["kind"], region["writes"]) == ("code", ["lambda:UpdateFunctionCode"])
    answer = boto("lambda").invoke(FunctionName="pyday", Payload=b'{"name": "x"}')["Payload"].read()
    assert json.loads(answer)["body"] == "python now says hi to x"
    again = run_genesys("sync", toml.name, "--output", "json", cwd=tmp_path)
    assert json.loads(again.stdout)[0]["kind"] == "none" and json.loads(again.stdout)[0]["writes"] == []


def test_sync_of_a_configuration_change_runs_the_full_deploy(aws, boto, run_genesys, tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path, PYTHON)
    assert run_genesys("sync", toml.name, cwd=tmp_path).code == 0
    toml.write_text(toml.read_text() + "\n[function]\nmemory_mb = 512\n")
    result = run_genesys("sync", toml.name, "--output", "json", cwd=tmp_path)
    assert result.code == 0, result.output
    assert json.loads(result.stdout)[0]["kind"] == "full"
    assert boto("lambda").get_function(FunctionName="pyday")["Configuration"]["MemorySize"] == 512


def test_sync_watch_puts_each_edit_live_and_says_how_fast(aws, boto, run_genesys, tmp_path):
    import os
    import signal
    import sys
    import threading
    import time
    from pathlib import Path

    toml, _url = _deployed(run_genesys, tmp_path, PYTHON)
    toml.write_text(toml.read_text() + '\n[build]\nexclude = ["notes.txt"]\n')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    watching = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "sync", toml.name, "--watch"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(watching.stderr), daemon=True).start()

    def wait_for(text, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not any(text in line for line in lines):
            assert watching.poll() is None, lines
            time.sleep(0.1)
        return next(line for line in lines if text in line)

    try:
        wait_for("watching")
        time.sleep(0.5)
        said = len(lines)
        (tmp_path / "notes.txt").write_text("not shipped: no sync\n")
        time.sleep(1.5)
        assert lines[said:] == [], lines[said:]
        (tmp_path / "app.py").write_text(PYTHON["app.py"].replace("python says", "python watched says"))
        live = wait_for("code only: UpdateFunctionCode")
        assert re.search(r"live in \d+\.\d s", live), live
        answer = boto("lambda").invoke(FunctionName="pyday", Payload=b'{"name": "w"}')["Payload"].read()
        assert json.loads(answer)["body"] == "python watched says hi to w"
    finally:
        watching.send_signal(signal.SIGINT)
        watching.wait(timeout=30)


def test_a_schedule_event_fires_the_deployed_function_through_invoke_remote(aws, run_genesys, tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    schedule = run_genesys("event", "schedule")
    assert schedule.code == 0, schedule.output
    result = run_genesys("invoke", toml.name, "--remote", "--event", schedule.stdout, cwd=toml.parent)
    assert result.code == 0, result.output
    assert "handled None" in result.stderr and "REPORT RequestId:" in result.stderr


def test_sync_refuses_a_protected_stage_without_force(aws, run_genesys, tmp_path):
    toml = _project(tmp_path, PYTHON)
    toml.write_text(toml.read_text() + "\n[stages.dev]\n\n[stages.prod]\nprotected = true\n")
    refused = run_genesys("sync", toml.name, "--stage", "prod", cwd=tmp_path)
    assert refused.code == 2 and "pyday-prod is protected (stage prod)" in refused.stderr, refused.output
    assert "--force" in refused.stderr
    assert run_genesys("sync", toml.name, "--stage", "dev", cwd=tmp_path).code == 0
    forced = run_genesys("sync", toml.name, "--stage", "prod", "--force", cwd=tmp_path)
    assert forced.code == 0, forced.output


def test_sync_refuses_another_projects_function(aws, boto, run_genesys, tmp_path):
    toml, _url = _deployed(run_genesys, tmp_path, PYTHON)
    lam = boto("lambda")
    arn = lam.get_function(FunctionName="pyday")["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"genesys:owner": "example.com/someone/else"})
    (tmp_path / "app.py").write_text(PYTHON["app.py"].replace("python says", "python now says"))
    result = run_genesys("sync", toml.name, cwd=tmp_path)
    assert result.code == 2 and "is not this project's" in result.stderr, result.output
    assert "example.com/someone/else" in result.stderr


def test_a_deployed_handler_importing_boto3_gets_the_runtimes_boto3_and_reaches_the_sandbox(
        aws, boto, run_genesys, tmp_path):
    """Lambda's Python runtimes provide boto3: a function that imports it without shipping it (AWS's own
    samples do) runs in the sandbox as on Lambda, instead of failing with Runtime.ImportModuleError."""
    from ci_tools import need

    from genesys_tasks.local import runtime_sdk

    need("pip3")
    files = {"lambda_sdkday.toml": PYTHON["lambda_pyday.toml"].replace('"pyday"', '"sdkday"')
             + "\n[function]\ntimeout_seconds = 30\n",
             "app.py": "import boto3\n\nsqs = boto3.client('sqs')\n\n"
                       "def handler(event, context):\n"
                       "    url = sqs.create_queue(QueueName='made-by-the-function')['QueueUrl']\n"
                       "    return {'boto3': boto3.__version__, 'queue': url}\n"}
    toml, _url = _deployed(run_genesys, tmp_path / "fn", files)
    result = run_genesys("invoke", toml.name, "--remote", cwd=toml.parent)
    assert result.code == 0, result.output
    body = json.loads(result.stdout)
    assert body["boto3"] == runtime_sdk.table()["python"]["3.12"]["boto3"]
    assert body["queue"] in boto("sqs").list_queues()["QueueUrls"]


def test_the_sandbox_answers_get_account_settings_in_lambdas_shape(aws, boto, run_genesys, tmp_path):
    """AWS's own 'blank' samples call GetAccountSettings as they start; moto has no such route (a 404 page)."""
    _deployed(run_genesys, tmp_path / "fn", PYTHON)
    settings = boto("lambda").get_account_settings()
    limit, usage = settings["AccountLimit"], settings["AccountUsage"]
    assert (limit["CodeSizeZipped"], limit["CodeSizeUnzipped"]) == (52_428_800, 262_144_000)
    assert limit["ConcurrentExecutions"] == limit["UnreservedConcurrentExecutions"] == 1000
    assert usage["FunctionCount"] == 1 and usage["TotalCodeSize"] > 0
    boto("lambda").put_function_concurrency(FunctionName="pyday", ReservedConcurrentExecutions=100)
    assert boto("lambda").get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 900


def test_logs_with_nothing_to_show_say_so_instead_of_printing_nothing(aws, boto, run_genesys, tmp_path):
    """A function that has not run, or a filter nothing matches: one line on stderr saying where genesys looked
    and since when, not silence that leaves the user guessing; stdout stays empty and the exit 0."""
    toml, _url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    quiet = run_genesys("logs", toml.name, cwd=toml.parent)
    assert quiet.code == 0 and quiet.stdout == "", quiet.output
    assert "no log lines of pyday in us-east-1" in quiet.stderr and "/aws/lambda/pyday" in quiet.stderr, quiet.stderr
    assert "--since" in quiet.stderr
    boto("lambda").invoke(FunctionName="pyday", Payload=b'{"name": "x"}')
    unmatched = run_genesys("logs", toml.name, "--filter", "never said", cwd=toml.parent)
    assert unmatched.code == 0 and unmatched.stdout == "", unmatched.output
    assert "containing 'never said'" in unmatched.stderr, unmatched.stderr


def test_invoke_remote_of_a_qualifier_the_function_lacks_names_its_aliases_and_versions(
        aws, boto, run_genesys, tmp_path):
    """The function is deployed; only the alias or version is not: 'deploy it first' would leave the user guessing."""
    toml, _url = _deployed(run_genesys, tmp_path / "fn", PYTHON)
    boto("lambda").publish_version(FunctionName="pyday")
    boto("lambda").create_alias(FunctionName="pyday", Name="blue", FunctionVersion="1")
    result = run_genesys("invoke", toml.name, "--remote", "--qualifier", "green", cwd=toml.parent)
    assert result.code == 2, result.output
    assert "pyday is deployed in us-east-1 but has no alias or version 'green'" in result.stderr, result.stderr
    assert "aliases: blue" in result.stderr and "versions: 1" in result.stderr


def test_info_after_a_rollback_says_the_alias_runs_other_code_than_the_local_build(aws, run_genesys, tmp_path):
    """With [deployment] alias, callers run the alias's version: after `genesys rollback` that is not the local
    build, though $LATEST still is, and info must not say 'deployed (matches the local build)'."""
    files = {**PYTHON, "lambda_pyday.toml": PYTHON["lambda_pyday.toml"] + 'alias = "live"\n'}
    toml, _url = _deployed(run_genesys, tmp_path / "fn", files)
    (toml.parent / "app.py").write_text(PYTHON["app.py"].replace("python says", "python now says"))
    assert run_genesys("execute", toml.name, cwd=toml.parent).code == 0
    assert "deployed" in run_genesys("info", toml.name, cwd=toml.parent).stderr
    assert run_genesys("rollback", toml.name, cwd=toml.parent).code == 0
    facts = json.loads(run_genesys("info", toml.name, "--output", "json", cwd=toml.parent).stdout)
    assert facts["aliases"] == {"live": "1"} and facts["matches_build"] is False, facts
    people = run_genesys("info", toml.name, cwd=toml.parent).stderr
    assert "pyday in us-east-1: out of date" in people and "alias live runs version 1" in people, people
