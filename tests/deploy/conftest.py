"""Planner unit tests: a spec loaded from a small TOML, hand-built ``*State`` values, no AWS.

Nothing here imports moto or boto3 (``test_no_emulator`` checks it in a fresh process).
"""

from __future__ import annotations

import textwrap

import pytest
from deployed import ACCOUNT, REGION

BASE_TOML = """\
[metadata]
name = "hello"
runtime = "python3.12"
handler = "app.handler"

[deployment]
function_url = true
auth_type = "NONE"
region = "us-east-1"
{extra}
"""


@pytest.fixture
def make_spec(tmp_path):
    """``make_spec(extra="", requirements=False)``: the FunctionSpec of a TOML with ``extra`` appended."""
    from genesys_tasks.config import load

    def make(extra: str = "", *, requirements: bool = False):
        (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
        if requirements:
            (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
        toml = tmp_path / "lambda_hello.toml"
        toml.write_text(BASE_TOML.format(extra=textwrap.dedent(extra)))
        return load(toml)

    return make


@pytest.fixture
def artifact(tmp_path):
    """``artifact(sha)``: a small built zip whose CodeSha256 is ``sha``."""
    from genesys_tasks.deploy.planner import Artifact

    def make(sha: str = "code-sha-1", name: str = "function.zip"):
        path = tmp_path / name
        path.write_bytes(b"PK zip bytes")
        return Artifact(path, sha)

    return make


@pytest.fixture
def facts():
    from genesys_tasks.deploy.planner import Facts

    return Facts(REGION, ACCOUNT, {})
