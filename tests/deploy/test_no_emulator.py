"""The planner unit tests need no AWS: in a fresh process they run without importing moto or boto3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECK = """
import sys, pytest
code = pytest.main(["-q", "-p", "no:cacheprovider", {here!r}, "-k", "not no_emulator"])
loaded = sorted(m for m in ("moto", "boto3", "botocore") if m in sys.modules)
print("LOADED", loaded)
sys.exit(code or bool(loaded) * 10)
"""


def test_the_planner_tests_run_without_moto_or_boto3():
    proc = subprocess.run([sys.executable, "-c", CHECK.format(here=str(HERE))], capture_output=True, text=True,
                          cwd=HERE.parent.parent, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "LOADED []" in proc.stdout
