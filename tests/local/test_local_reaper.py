"""A local runtime leaves nothing running: at its deadline and when it is closed, every process
it started is killed, also those that left its process group with ``setsid`` (a daemon whose
parent has exited included). Real runtime processes, real forks."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from local_functions import python_function

from genesys_tasks.local.function import Options, open_function
from genesys_tasks.tasks.runner import load_spec, run_tasks

ESCAPING = '''\
import os
import subprocess
import sys
import time

DAEMON = """import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
open(sys.argv[1] + ".tmp", "w").write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(300)
"""


def spawn(event, context):
    folder = event["folder"]
    subprocess.Popen([sys.executable, "-c", DAEMON, folder + "/daemon"], start_new_session=True).wait()
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)
    open(folder + "/setsid", "w").write(str(child.pid))
    while not os.path.exists(folder + "/daemon"):
        time.sleep(0.01)
    if event.get("hang"):
        time.sleep(60)
    return "spawned"
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    toml = python_function(tmp_path_factory.mktemp("reaper") / "fn", "app.spawn", files={"app.py": ESCAPING})
    root, spec = load_spec(toml)
    assert run_tasks(toml, ["build:{name}"], spec=spec) == 0
    return root, spec


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its (new) parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _spawned_pids(folder: Path) -> list[int]:
    return [int((folder / name).read_text()) for name in ("daemon", "setsid")]


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(p) for p in pids):
        time.sleep(0.05)
    return not any(_running(p) for p in pids)


def test_at_the_deadline_children_that_left_the_process_group_are_killed_too(built, tmp_path):
    root, spec = built
    process, _ = open_function(spec, root, Options(client="plain", timeout_s=2))
    try:
        result = process.invoke(json.dumps({"folder": str(tmp_path), "hang": True}).encode())
        assert result.kind == "timeout", result.payload
        pids = _spawned_pids(tmp_path)
        assert _gone(pids), [p for p in pids if _running(p)]
    finally:
        process.close()


def test_closing_a_warm_runtime_kills_what_its_handler_left_running(built, tmp_path):
    root, spec = built
    process, _ = open_function(spec, root, Options(client="plain", timeout_s=5))
    try:
        result = process.invoke(json.dumps({"folder": str(tmp_path)}).encode())
        assert result.kind == "ok", result.payload
        pids = _spawned_pids(tmp_path)
        assert all(_running(p) for p in pids)  # Lambda keeps them too, while the environment lives
    finally:
        process.close()
    assert _gone(pids), [p for p in pids if _running(p)]
