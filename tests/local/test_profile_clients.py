"""``genesys profile`` through the official Python runtime client (awslambdaric, installed from the
registry on first use): the client's own imports are the runtime's start, not the function's.

Marked ``runtime_clients`` like ``test_runtime_clients.py`` (its CI step installs what it needs).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.runtime_clients
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_profile_through_awslambdaric_keeps_the_clients_imports_out_of_the_functions(tmp_path, run_genesys):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "profile-python", root)
    (root / ".git").mkdir()
    done = run_genesys("profile", root / "lambda_profile_py.toml", "--client", "official", "--cold", "2",
                       "--warm", "5", "--output", "json")
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["client"] == "awslambdaric"
    packages = data["cold"]["imports"]["packages"]
    assert packages[0]["package"] == "slowpkg"
    assert "awslambdaric" not in {p["package"] for p in packages}
    runtime = data["cold"]["imports"]["tree"]["children"][0]
    assert runtime["name"] == "(runtime start)"
    assert "awslambdaric" in json.dumps(runtime)
