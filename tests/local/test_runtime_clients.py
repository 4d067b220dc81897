"""Local invoke through the official runtime clients, installed into genesys's cache on first use.

Marked ``runtime_clients``: the installs come from the package registries (aws-lambda-ric
compiles its native part, minutes on a small machine), so these run in their own CI step
(``.ci/run``), not in the default suite. With ``CI`` set a missing tool fails the run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from ci_tools import need
from local_functions import (AS_AWSLAMBDARIC, EXITS_AT_IMPORT, LOG_LINE, PYTHON_EXITS, PYTHON_HANDLERS,
                             invoke_once, node_function, python_function)

from genesys_tasks.local.function import Options, open_function
from genesys_tasks.tasks.runner import load_spec, run_tasks

pytestmark = pytest.mark.runtime_clients
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _need(tool: str) -> None:
    need(tool, "bash ci/runtime_clients-setup.sh")


@pytest.fixture(scope="session")
def clients_cache(tmp_path_factory):
    """One cache for the whole session: each client is installed once, by the first test that needs it."""
    return tmp_path_factory.mktemp("clients-cache")


@pytest.fixture(autouse=True)
def _shared_clients(clients_cache, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(clients_cache))


def _copy_example(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(EXAMPLES / name, folder)
    (folder / ".git").mkdir()
    return next(folder.glob("lambda_*.toml"))


def _open(toml: Path, handler: str | None = None, **options):
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    if handler:
        spec = dataclasses.replace(spec, handler=handler)
    return open_function(spec, root, Options(client="official", **options))


@pytest.fixture(scope="module")
def python_fn(tmp_path_factory):
    _need("pip3")
    return python_function(tmp_path_factory.mktemp("ric-py") / "fn", requirements="six==1.16.0\n",
                           files={"exits_at_import.py": EXITS_AT_IMPORT, "app.py": PYTHON_HANDLERS
                                  + "\n\ndef with_layer(event, context):\n    import six\n"
                                    "    return {'six': six.__version__, 'file': six.__file__}\n"})


def test_python_result_through_awslambdaric(python_fn):
    process, launch = _open(python_fn, "app.ok")
    try:
        result = process.invoke(b'{"n": 1}')
        assert launch.client == "awslambdaric" and not launch.lost
        assert result.kind == "ok" and json.loads(result.payload)["echo"] == {"n": 1}
    finally:
        process.close()


def test_python_error_init_error_and_timeout_have_lambdas_shapes(python_fn):
    cases = {"app.boom": ("error", "ValueError"), "nope.handler": ("init_error", "Runtime.ImportModuleError"),
             "app.missing": ("init_error", "Runtime.HandlerNotFound"),
             "app.unmarshalable": ("error", "Runtime.MarshalError"), "app.sleepy": ("timeout", "Sandbox.Timedout")}
    for handler, (kind, error_type) in cases.items():
        process, _ = _open(python_fn, handler, timeout_s=1)
        try:
            result = process.invoke(b'{"n": 4}')
        finally:
            process.close()
        assert (result.kind, result.error()["errorType"]) == (kind, error_type), handler
        if handler == "app.boom":
            assert result.error()["errorMessage"] == "bad input: 4" and result.error()["stackTrace"]


@pytest.mark.parametrize("client", ["official", "plain"])
def test_python_sys_exit_at_import_or_in_the_handler_is_the_same_runtime_exit_under_both_clients(python_fn, client):
    """SystemExit is no Exception: awslambdaric lets it end the process, and Lambda reports the exit."""
    for handler, event, kind, message in PYTHON_EXITS:
        root, spec = load_spec(python_fn)
        assert run_tasks(python_fn, ["build:{name}"], spec=spec) == 0
        process, launch = open_function(dataclasses.replace(spec, handler=handler), root, Options(client=client))
        try:
            result = process.invoke(event)
            warm = process.warm
        finally:
            process.close()
        assert launch.client == ("awslambdaric" if client == "official" else "plain")
        assert (result.kind, result.error()) == (kind, {
            "errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {result.request_id} Error: {message}"}), \
            (handler, event)
        assert not warm


@pytest.mark.parametrize("client", ["official", "plain"])
def test_python_logging_lines_and_trace_id_are_the_same_under_both_clients(run_genesys, python_fn, tmp_path, client):
    import re

    event = tmp_path / "event.json"
    event.write_text('{"n": 7}')
    toml = python_fn.read_text()
    python_fn.write_text(toml.replace('handler = "app.ok"', 'handler = "app.logs"'))
    try:
        result = run_genesys("invoke", python_fn, "--client", client, "--event", event,
                             env={"GENESYS_CACHE_DIR": os.environ["GENESYS_CACHE_DIR"]})
    finally:
        python_fn.write_text(toml)
    assert result.code == 0, result.stderr
    request_id = re.search(r"END RequestId: (\S+)", result.stderr).group(1)
    assert re.search(LOG_LINE % re.escape(request_id), result.stderr), result.stderr
    assert json.loads(result.stdout)["trace"].startswith("Root=1-")


@pytest.mark.parametrize("client", ["official", "plain"])
def test_python_result_over_6_mb_is_function_response_size_too_large_under_both_clients(python_fn, client):
    root, spec = load_spec(python_fn)
    assert run_tasks(python_fn, ["build:{name}"], spec=spec) == 0
    process, _ = open_function(dataclasses.replace(spec, handler="app.big"), root, Options(client=client))
    try:
        result = process.invoke(b'{"size": 7000000}')
        process._proc.wait(5)  # the client ends its process once its result is refused
        assert not process.warm
    finally:
        process.close()
    assert (result.kind, result.error()) == ("error", {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": "Response payload size (7000002 bytes) exceeded maximum allowed payload size (6291556 bytes)."})


def test_python_results_and_errors_are_the_same_bytes_under_both_clients(python_fn):
    root, spec = load_spec(python_fn)
    assert run_tasks(python_fn, ["build:{name}"], spec=spec) == 0
    answers = {}
    for client in ("official", "plain"):
        for handler in (*AS_AWSLAMBDARIC, "app.boom"):
            result, _ = invoke_once(dataclasses.replace(spec, handler=handler), root, Options(client=client),
                                    b'{"n": 1}')
            if handler in AS_AWSLAMBDARIC:
                assert (result.kind, result.payload) == ("ok", AS_AWSLAMBDARIC[handler]), (client, handler)
            else:
                error = result.error()
                assert error.pop("requestId") == result.request_id, client
                answers[client] = error
    assert answers["official"] == answers["plain"]


def test_python_handler_imports_its_layer_dependency_from_opt(python_fn):
    process, _ = _open(python_fn, "app.with_layer")
    try:
        result = process.invoke(b"{}")
    finally:
        process.close()
    body = json.loads(result.payload)
    assert body["six"] == "1.16.0" and "/opt/python/" in body["file"]


def test_python_logs_go_to_stderr_and_the_result_alone_to_stdout(run_genesys, python_fn):
    toml = python_fn.read_text().replace('handler = "app.ok"', 'handler = "app.chatty"')
    python_fn.write_text(toml)
    try:
        result = run_genesys("invoke", python_fn, "--client", "official",
                             env={"GENESYS_CACHE_DIR": os.environ["GENESYS_CACHE_DIR"]})
    finally:
        python_fn.write_text(toml.replace('handler = "app.chatty"', 'handler = "app.ok"'))
    assert result.code == 0, result.stderr
    assert "to stdout from the handler" in result.stderr and "to stdout" not in result.stdout
    assert json.loads(result.stdout)["stage"] is None and "REPORT RequestId" in result.stderr


@pytest.mark.parametrize("example, arch, event, expected", [
    ("node-cjs", "x86_64", b'{"ms": 5000}', {"ms": 5000, "human": "5 seconds"}),
    ("node-esm", "arm64", b'{"title": "Hi There"}', {"slug": "hi-there"}),
])
@pytest.mark.parametrize("client", ["official", "plain"])
def test_node_handlers_import_their_layer_dependency(tmp_path, example, arch, event, expected, client):
    _need("npm")
    toml = _copy_example(example, tmp_path)
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    process, launch = open_function(spec, root, Options(arch=arch, client=client))
    try:
        result = process.invoke(event)
    finally:
        process.close()
    assert launch.client == ("aws-lambda-ric" if client == "official" else "plain")
    assert result.kind == "ok", result.payload
    assert json.loads(json.loads(result.payload)["body"]) == expected
    assert not (tmp_path / example / "node_modules").exists()  # the dependency came from the layer


def test_go_example_bootstrap_runs_as_its_own_runtime(run_genesys, tmp_path):
    _need("go")
    toml = _copy_example("go-hello", tmp_path)
    event = tmp_path / "event.json"
    event.write_text('{"name": "genesys"}')
    result = run_genesys("invoke", toml, "--event", event, "--arch", "x86_64")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {"message": "hello genesys"}
    event.write_text('"not an object"')
    failed = run_genesys("invoke", toml, "--event", event)
    assert failed.code == 1 and json.loads(failed.stdout)["errorType"] == "HandlerError"


NODE_HANDLERS = {
    "index.js": 'exports.boom = async (e) => { throw new TypeError("bad " + e.n); };\n'
                "exports.slow = () => new Promise((resolve) => setTimeout(resolve, 30000));\n",
    "broken.js": 'require("not-installed-anywhere");\nexports.handler = async () => 1;\n',
    "throws.js": 'throw new TypeError("TABLE is not set");\nexports.handler = async () => 1;\n',
    "package.json": '{"name": "errors", "version": "1.0.0", "private": true}\n',
}


@pytest.mark.parametrize("client", ["official", "plain"])
def test_node_error_init_error_and_timeout_have_lambdas_shapes(tmp_path, client):
    _need("npm")
    folder = tmp_path / "fn"
    (folder / ".git").mkdir(parents=True)
    for name, text in NODE_HANDLERS.items():
        (folder / name).write_text(text)
    toml = folder / "lambda_errors.toml"
    toml.write_text('[metadata]\nname = "errors"\nruntime = "nodejs22.x"\nhandler = "index.boom"\n\n'
                    '[build]\nsource_path = "."\narchitectures = ["x86_64"]\n')
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    cases = {"index.boom": ("error", "TypeError"), "broken.handler": ("init_error", "Runtime.ImportModuleError"),
             "index.missing": ("init_error", "Runtime.HandlerNotFound"), "index.slow": ("timeout", "Sandbox.Timedout"),
             "throws.handler": ("init_error", "TypeError")}  # an exception at import keeps its own type
    for handler, (kind, error_type) in cases.items():
        process, _ = open_function(dataclasses.replace(spec, handler=handler), root,
                                   Options(client=client, timeout_s=1))
        try:
            result = process.invoke(b'{"n": 2}')
        finally:
            process.close()
        assert (result.kind, result.error()["errorType"]) == (kind, error_type), (handler, result.payload)
        if handler == "index.boom":
            assert result.error()["errorMessage"] == "bad 2" and result.error()["trace"][0] == "TypeError: bad 2"


@pytest.mark.parametrize("client", ["official", "plain"])
def test_node22_runs_a_callback_handler_under_both_clients(tmp_path, client):
    """Lambda's nodejs22.x runs callback handlers (only Node.js 24 and later refuse them): the official client
    is aws-lambda-ric 3, the line nodejs22.x carries, not 4, which refuses them at init."""
    _need("npm")
    toml = node_function(tmp_path / "fn", "nodejs22.x")
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    result, launch = invoke_once(spec, root, Options(client=client), b'{"n": 2}')
    assert (result.kind, json.loads(result.payload)) == ("ok", {"n": 2}), result.payload
    assert launch.client == ("aws-lambda-ric" if client == "official" else "plain")
    assert launch.named == ("aws-lambda-ric 3" if client == "official" else "plain")


@pytest.mark.parametrize("client", ["official", "plain"])
def test_node24_refuses_a_callback_handler_and_sets_the_trace_id_under_both_clients(tmp_path, client):
    _need("npm")
    toml = node_function(tmp_path / "fn", "nodejs24.x")
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    refused, launch = invoke_once(spec, root, Options(client=client), b'{"n": 2}')
    assert launch.named == ("aws-lambda-ric 4" if client == "official" else "plain")
    assert (refused.kind, refused.error()["errorType"]) == ("init_error", "Runtime.CallbackHandlerDeprecated")
    assert refused.error()["errorMessage"].startswith("ERROR: AWS Lambda has removed support for callback-based "
                                                     "function handlers starting with Node.js 24.")
    traced, _ = invoke_once(dataclasses.replace(spec, handler="index.trace"), root, Options(client=client))
    assert traced.kind == "ok" and json.loads(traced.payload)["trace"].startswith("Root=1-")
