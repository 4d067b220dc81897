"""The plain Node runtime (``shims/node_plain.mjs``) against what Lambda's Node runtimes do: real node processes
running a built function."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from local_functions import invoke_once, node_function

from genesys_tasks.local.function import Options
from genesys_tasks.tasks.runner import load_spec, run_tasks

pytestmark = pytest.mark.needs_tools("node")


def _invoke(toml: Path, handler: str, client: str = "plain"):
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    result, _ = invoke_once(dataclasses.replace(spec, handler=handler), root, Options(client=client), b'{"n": 2}')
    return result


def test_a_callback_handler_is_refused_at_init_from_nodejs24_as_lambda_refuses_it(tmp_path):
    result = _invoke(node_function(tmp_path / "fn", "nodejs24.x"), "index.callback")
    assert result.kind == "init_error" and result.error()["errorType"] == "Runtime.CallbackHandlerDeprecated"
    assert "starting with Node.js 24" in result.error()["errorMessage"]


def test_a_callback_handler_still_answers_on_nodejs22(tmp_path):
    result = _invoke(node_function(tmp_path / "fn", "nodejs22.x"), "index.callback")
    assert result.kind == "ok" and json.loads(result.payload) == {"n": 2}


def test_each_invocation_has_the_trace_id_in_the_environment(tmp_path):
    result = _invoke(node_function(tmp_path / "fn", "nodejs22.x"), "index.trace")
    assert result.kind == "ok" and json.loads(result.payload)["trace"].startswith("Root=1-")


def test_the_trace_id_has_lambdas_root_parent_and_sampled_parts(tmp_path):
    """Lambda's header reads Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>: the X-Ray SDK a function
    ships (aws-xray-sdk-core in AWS's blank samples) says 'missing required information' without Parent."""
    import re

    result = _invoke(node_function(tmp_path / "fn", "nodejs22.x"), "index.trace")
    trace = json.loads(result.payload)["trace"]
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]", trace), trace
