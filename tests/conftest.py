"""Shared fixtures: run the real CLI and doit in subprocesses against this checkout."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ci_tools import need

REPO = Path(__file__).resolve().parent.parent
def pytest_runtest_setup(item):
    """``@pytest.mark.needs_tools("go")``: without the tool a developer's run skips naming it; CI fails."""
    for mark in item.iter_markers("needs_tools"):
        for tool in mark.args:
            need(tool)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["NO_COLOR"] = "1"
    env.setdefault("GENESYS_TODAY", "2026-11-26")
    env.update(extra or {})
    return env



def pytest_xdist_auto_num_workers(config):
    """``-n auto``: two workers a core. Most tests wait on a subprocess (pip, npm, doit, the
    emulator), so a second worker per core fills the waits (on 2 cores: 6.1 min against 7.2)."""
    return 2 * (os.cpu_count() or 1)

@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own layer cache unless it asks for the shared one."""
    if "GENESYS_CACHE_DIR" not in os.environ or not os.environ.get("GENESYS_TEST_SHARED_CACHE"):
        monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("GENESYS_TODAY", os.environ.get("GENESYS_TODAY", "2026-11-26"))


@pytest.fixture(autouse=True)
def _collector_given_back():
    """A test that makes tasks in-process leaves what loading froze (``graph.collector_paused``) out of the
    cyclic collector's reach, as a doit process does until it ends; this process goes on, so it is given back
    (``runner.run_tasks`` does the same), else each such test would keep its garbage cycles for the session."""
    yield
    gc.unfreeze()


@pytest.fixture
def run_genesys():
    """Run ``genesys ARGS`` from this checkout; returns a Result (exit code, stdout, stderr)."""

    def run(*args, cwd=None, env=None, timeout=600) -> Result:
        proc = subprocess.run([sys.executable, "-m", "genesys_tasks.cli", *map(str, args)], cwd=cwd,
                              env=_env(env), capture_output=True, text=True, timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def run_doit():
    """Run ``doit ARGS`` in a repo (its dodo.py) with this checkout importable."""

    def run(*args, cwd, env=None, timeout=600) -> Result:
        proc = subprocess.run([sys.executable, "-m", "doit", *map(str, args)], cwd=cwd, env=_env(env),
                              capture_output=True, text=True, timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def quotas():
    """Skip, saying why, where this host gives local runs no CPU quota or memory limit (``local/quota.py``):
    a fact of the host, not of genesys."""
    from genesys_tasks.local import quota

    host, why = quota.find_host()
    why = why or (quota.probe(host) if host else why)
    if why:
        pytest.skip(f"this host gives no CPU quotas: {why}")
