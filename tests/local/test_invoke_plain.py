"""Local invoke with the plain handler call (no runtime client to install): real runtime processes.

The CLI runs twice (a result, an error); the other outcomes drive ``open_function`` and
its ``RuntimeProcess`` directly, each a real Python process talking to the Runtime API.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from local_functions import (AS_AWSLAMBDARIC, EXITS_AT_IMPORT, LOG_LINE, PYTHON_EXITS, PYTHON_HANDLERS,
                             python_function)

from genesys_tasks.local.function import Options, open_function
from genesys_tasks.tasks.runner import load_spec, run_tasks


def test_invoke_prints_the_result_on_stdout_and_logs_and_report_on_stderr(run_genesys, tmp_path):
    # a real `genesys` process, once; the other CLI tests call main() in this process
    toml = python_function(tmp_path / "fn", "app.chatty",
                           extra='\n[function.environment]\nSTAGE = "${env:LOCAL_STAGE}"\n')
    event = tmp_path / "event.json"
    event.write_text('{"hello": "world"}')
    env_file = tmp_path / "local.env"
    env_file.write_text('# overrides\nEXTRA="from the env file"\n')
    result = run_genesys("invoke", toml, "--event", event, "--client", "plain", "--env-file", env_file,
                         env={"LOCAL_STAGE": "dev", "AWS_SECRET_ACCESS_KEY": "host-secret", "AWS_REGION": "eu-west-1"})
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)  # stdout is the result alone: the handler's prints went to stderr
    assert (out["stage"], out["extra"], out["region"]) == ("dev", "from the env file", "eu-west-1")
    assert out["secret"] is None  # the host's credentials stay out without --pass-credentials
    task = [p for p in out["path"] if p.endswith("/task")]
    assert task and Path(task[0]).parent.name.startswith("local-py-x86_64-")
    assert not [p for p in out["path"] if "site-packages" in p and "/opt/python/" not in p]
    assert "to stdout from the handler" in result.stderr and "to stderr from the handler" in result.stderr
    report = [line for line in result.stderr.splitlines() if line.startswith("REPORT RequestId: ")]
    assert len(report) == 1
    request_id = report[0].split()[2]
    lines = result.stderr.splitlines()  # Lambda's START line comes before what the function logs
    assert lines.index(f"START RequestId: {request_id} Version: $LATEST") < lines.index("to stdout from the handler")
    for part in ("Duration: ", "Billed Duration: ", "Memory Size: 256 MB", "Max Memory Used: ", "Init Duration: "):
        assert part in report[0]


def _invoke_cli(tmp_path, capfd, handler: str, event: str):
    """``genesys invoke --client plain`` of a new function whose handler is ``handler``: (exit code, output)."""
    from genesys_tasks.cli import main

    toml = python_function(tmp_path / "fn", handler)
    event_file = tmp_path / "event.json"
    event_file.write_text(event)
    code = main(["invoke", str(toml), "--event", str(event_file), "--client", "plain"])
    return code, capfd.readouterr()


def test_invoke_of_a_raising_handler_prints_lambdas_error_shape_and_exits_1(tmp_path, capfd):
    code, result = _invoke_cli(tmp_path, capfd, "app.boom", '{"n": 3}')
    assert code == 1
    error = json.loads(result.out)
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad input: 3"
    assert any("app.py" in frame and "boom" in frame for frame in error["stackTrace"])
    assert "REPORT RequestId: " in result.err


def test_logging_records_show_in_lambdas_format_and_the_trace_id_is_in_the_environment(tmp_path, capfd):
    import re

    code, result = _invoke_cli(tmp_path, capfd, "app.logs", '{"n": 7}')
    assert code == 0
    request_id = re.search(r"END RequestId: (\S+)", result.err).group(1)
    assert re.search(LOG_LINE % re.escape(request_id), result.err), result.err
    assert json.loads(result.out)["trace"].startswith("Root=1-")


def test_an_event_that_is_not_json_is_a_usage_error_naming_it(tmp_path, capfd):
    from genesys_tasks.cli import main

    toml = python_function(tmp_path / "fn")
    event = tmp_path / "event.json"
    event.write_text('{"a": 1,\n oops}')
    assert main(["invoke", str(toml), "--event", str(event)]) == 2
    assert f"{event}:2: the event is not valid JSON" in capfd.readouterr().err


# a module that reads its settings when imported, as many do (os.environ["TABLE"]): KeyError is a LookupError
NEEDS_ENV = 'import os\n\nTABLE = os.environ["GENESYS_TEST_NO_SUCH_TABLE"]\n\n\ndef handler(event, context):\n    return TABLE\n'


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One built function whose handler each test picks (the zip is the same for all)."""
    toml = python_function(tmp_path_factory.mktemp("plain") / "fn",
                           files={"app.py": PYTHON_HANDLERS, "needs_env.py": NEEDS_ENV,
                                  "exits_at_import.py": EXITS_AT_IMPORT})
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    return root, spec


def _process(built, handler: str, timeout: float = 2):
    import dataclasses

    root, spec = built
    spec = dataclasses.replace(spec, handler=handler)
    process, launch = open_function(spec, root, Options(client="plain", timeout_s=timeout))
    assert launch.client == "plain" and launch.lost
    return process


def _invoke_once(built, handler: str, timeout: float = 2, event: bytes = b"{}"):
    """One invocation on a new runtime; the result, and whether the runtime was left running."""
    process = _process(built, handler, timeout)
    try:
        result = process.invoke(event)
        return result, process.warm
    finally:
        process.close()


def test_a_handler_past_its_timeout_is_killed_and_reported_as_sandbox_timedout(built):
    result, warm = _invoke_once(built, "app.sleepy", timeout=1)
    assert result.kind == "timeout" and result.failed
    assert result.error()["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result.error()["errorMessage"]
    assert 1000 <= result.duration_ms < 3000
    assert not warm  # killed: the next invocation starts cold


@pytest.mark.parametrize("handler, error_type", [("missing_module.handler", "Runtime.ImportModuleError"),
                                                 ("app.no_such_function", "Runtime.HandlerNotFound")])
def test_a_handler_that_cannot_be_loaded_is_an_init_error(built, handler, error_type):
    result, warm = _invoke_once(built, handler)
    assert result.kind == "init_error"
    assert result.error()["errorType"] == error_type
    assert result.init_ms is not None and not warm


def test_a_module_that_raises_while_imported_is_an_init_error_naming_its_exception(built):
    result, warm = _invoke_once(built, "needs_env.handler")
    assert result.kind == "init_error" and not warm
    error = result.error()
    assert (error["errorType"], error["errorMessage"]) == ("KeyError", "'GENESYS_TEST_NO_SUCH_TABLE'")
    assert any("needs_env.py" in frame for frame in error["stackTrace"])


@pytest.mark.parametrize("handler, event, kind, message", PYTHON_EXITS)
def test_a_runtime_that_exits_is_lambdas_runtime_exit_error_and_leaves_nothing_running(
        built, handler, event, kind, message):
    result, warm = _invoke_once(built, handler, event=event)
    assert (result.kind, result.error()) == (kind, {
        "errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {result.request_id} Error: {message}"})
    assert not warm and (result.init_ms is not None)


def test_a_runtime_killed_by_a_signal_is_worded_as_lambdas_supervisor_words_it():
    from genesys_tasks.local.process import exit_reason

    assert exit_reason(-9) == "Runtime exited with error: signal: killed"
    assert exit_reason(-11) == "Runtime exited with error: signal: segmentation fault"
    assert exit_reason(-6) == "Runtime exited with error: signal: aborted"
    assert exit_reason(-40) == "Runtime exited with error: signal: signal 40"  # Go's name for one it has no word for
    assert exit_reason(0) == "Runtime exited without providing a reason"


@pytest.mark.parametrize("handler", sorted(AS_AWSLAMBDARIC))
def test_decimals_bytes_unicode_and_the_context_objects_are_what_awslambdaric_gives(built, handler):
    result, _ = _invoke_once(built, handler)
    assert (result.kind, result.payload) == ("ok", AS_AWSLAMBDARIC[handler])


def test_a_raised_error_carries_its_request_id_and_frames_without_column_markers(built):
    result, _ = _invoke_once(built, "app.boom", event=b'{"n": 1}')
    error = result.error()
    assert result.kind == "error" and error["requestId"] == result.request_id
    assert error["stackTrace"] and not any("^" in frame for frame in error["stackTrace"])


def test_a_result_over_6_mb_fails_and_ends_the_runtime_as_awslambdarics_does(built):
    process = _process(built, "app.big")
    try:
        result = process.invoke(b'{"size": 7000000}')
        process._proc.wait(5)
        assert not process.warm  # the next invocation starts cold
    finally:
        process.close()
    assert result.kind == "error" and result.error()["errorType"] == "Function.ResponseSizeTooLarge"


def test_a_result_json_cannot_carry_is_a_marshal_error(built):
    result, _ = _invoke_once(built, "app.unmarshalable")
    assert result.kind == "error" and result.error()["errorType"] == "Runtime.MarshalError"


def test_the_runtime_stays_warm_between_invocations_and_sees_lambdas_context(built):
    process = _process(built, "app.ok")
    try:
        first = process.invoke(b'{"n": 1}')
        second = process.invoke(b'{"n": 2}')
        assert first.init_ms is not None and second.init_ms is None  # one cold start, then warm
        body = json.loads(second.payload)
        assert body["echo"] == {"n": 2} and body["name"] == "local-py" and body["remaining_ok"]
        assert Path(body["task_root"]).name == "task" and first.max_memory_mb > 0
    finally:
        process.close()


def test_pass_credentials_hands_the_function_the_deploying_credentials_only_when_asked(built, monkeypatch):
    from genesys_tasks.local.function import passed_credentials

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-example")
    assert passed_credentials(built[1]) == {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
                                            "AWS_SECRET_ACCESS_KEY": "secret-example",
                                            "AWS_SESSION_TOKEN": "token-example"}
    process = _process(built, "app.chatty")
    assert "AWS_SECRET_ACCESS_KEY" not in process.env and "AWS_SESSION_TOKEN" not in process.env
    process.close()


def test_an_env_file_line_that_is_not_name_value_is_a_usage_error_with_its_line(tmp_path):
    from genesys_tasks.errors import UsageError
    from genesys_tasks.local.scratch import read_env_file

    env_file = tmp_path / "bad.env"
    env_file.write_text("A=1\nnot a pair\n")
    with pytest.raises(UsageError, match=f"{env_file}:2: expected NAME=value"):
        read_env_file(env_file)
    env_file.write_text('{"Parameters": {"A": "1", "B": 2}}')
    assert read_env_file(env_file) == {"A": "1", "B": "2"}


def test_when_the_client_cannot_be_installed_auto_falls_back_to_a_plain_call_and_says_what_is_lost(
        built, tmp_path, monkeypatch):
    root, spec = built
    links = tmp_path / "no-packages"
    links.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip finds nothing, at once and offline
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    heard: list[str] = []
    process, launch = open_function(spec, root, Options(client="auto", notify=heard.append))
    try:
        assert launch.client == "plain" and process.invoke(b'{"n": 5}').kind == "ok"
    finally:
        process.close()
    fallback = [m for m in heard if "could not be installed" in m]
    assert fallback and "running the handler with a plain call" in fallback[0] and "lost: " in fallback[0]
    again: list[str] = []
    _, launch = open_function(spec, root, Options(client="auto", notify=again.append))
    assert launch.client == "plain" and any("within the last hour" in m for m in again)  # not retried at once


def test_an_event_over_lambdas_6_mb_invoke_limit_is_a_usage_error_saying_so(tmp_path):
    from genesys_tasks.commands.invoke import read_event
    from genesys_tasks.errors import UsageError

    event = tmp_path / "big.json"
    event.write_text('"' + "x" * (6291456 - 2) + '"')  # exactly the limit: taken
    assert len(read_event(str(event))) == 6291456
    event.write_text('"' + "x" * (6291456 - 1) + '"')
    with pytest.raises(UsageError, match=f"{event}: the event is 6291457 bytes; Lambda refuses one over 6291456 bytes"):
        read_event(str(event))


def test_a_long_inline_event_is_the_json_itself_not_a_file_name_too_long():
    """`--event "$(genesys event dynamodb)"`: past the file system's 255-byte name limit, asking whether a file
    of that name exists raised OSError (ENAMETOOLONG), an internal error; the JSON is the event, and a long
    text that is no JSON is a usage error, never a traceback."""
    from genesys_tasks.local.event_file import read_event
    from genesys_tasks.errors import UsageError

    inline = json.dumps({"Records": [{"body": "x" * 400}]}, indent=2)
    assert json.loads(read_event(inline)) == json.loads(inline)
    with pytest.raises(UsageError, match="cannot be read"):
        read_event("y" * 400 + ".json")
    with pytest.raises(UsageError, match="not valid JSON"):
        read_event("{" + "x" * 400)


def test_event_dash_reads_the_event_from_stdin(monkeypatch):
    import io

    from genesys_tasks.commands.invoke import read_event

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"Records": []}')))
    assert read_event("-") == b'{"Records": []}'
    assert read_event(None) == b"{}"
