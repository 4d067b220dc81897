"""What genesys's doit processes keep out of the cyclic collector's passes: what loading the tasks made,
during the run (``graph.collector_paused``), and everything at exit (``graph.no_collection_at_exit``);
an in-process run gives it back (``runner.run_tasks``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECKOUT = str(Path(__file__).parent.parent)
# atexit runs its callbacks last registered first: this one runs after anything creators() registers
PROBE = "import atexit, gc, sys; atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0)); "


def _exit_state(tmp_path: Path, code: str) -> str:
    env = {**os.environ, "PYTHONPATH": CHECKOUT, "GENESYS_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-c", PROBE + code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_making_the_tasks_leaves_the_objects_out_of_the_collectors_pass_at_exit(tmp_path):
    script = ("from genesys_tasks.tasks import creators; made = creators('.', listing=False); "
              "[task for task in made['task_build']()]")
    assert _exit_state(tmp_path, script) == "frozen at exit: True"


def test_what_loading_made_is_out_of_the_collectors_reach_once_loaded(tmp_path):
    script = ("from genesys_tasks.tasks import creators; made = creators('.', listing=False); "
              "print('before loading:', gc.get_freeze_count() > 0, gc.isenabled()); "
              "[task for name in ('task_layer', 'task_build') for task in made[name]()]; "
              "print('after loading:', gc.get_freeze_count() > 0, gc.isenabled())")
    assert _exit_state(tmp_path, script).splitlines() == [
        "before loading: False True", "after loading: True True", "frozen at exit: True"]


def test_an_in_process_run_gives_what_loading_froze_back_to_the_collector(tmp_path):
    fn = tmp_path / "fn"
    fn.mkdir()
    (fn / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (fn / "lambda_fn.toml").write_text('[metadata]\nname = "gc-run"\nruntime = "python3.12"\nhandler = "app.handler"\n')
    script = ("from genesys_tasks.tasks.runner import run_tasks; "
              "code = run_tasks('fn/lambda_fn.toml', ['build:{name}']); "
              "print('after the run:', code, gc.get_freeze_count() > 0, gc.isenabled())")
    assert _exit_state(tmp_path, script).splitlines() == ["after the run: 0 False True", "frozen at exit: True"]


def test_a_process_that_makes_no_tasks_exits_as_python_does(tmp_path):
    assert _exit_state(tmp_path, "import genesys_tasks.tasks") == "frozen at exit: False"
