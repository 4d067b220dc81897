"""The sandbox runs deployed code with the SDK Lambda's runtime provides, as `genesys invoke` does:
a handler importing boto3 without shipping it (nearly every Python function) runs there instead of
failing with Runtime.ImportModuleError, and its calls reach the emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ci_tools import need

from genesys_tasks.local import runtime_sdk

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runtime-sdk-python"


def test_a_python_handler_importing_boto3_runs_in_the_sandbox_with_the_runtimes_boto3(aws, run_genesys, tmp_path):
    need("pip3")
    folder = tmp_path / "sdk"
    shutil.copytree(FIXTURE, folder)
    deployed = run_genesys("execute", "lambda_sdk_py.toml", cwd=folder)
    assert deployed.code == 0, deployed.output
    result = run_genesys("invoke", "lambda_sdk_py.toml", "--remote", cwd=folder)
    assert result.code == 0, result.output
    row = runtime_sdk.table()["python"]["3.12"]
    assert json.loads(result.stdout)["boto3"] == row["boto3"]
    assert "ImportModuleError" not in result.output
