"""A process that made genesys's tasks skips the cyclic collector's last pass at exit (``no_collection_at_exit``)."""

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
    assert _exit_state(tmp_path, "from genesys_tasks.tasks import creators; creators('.', listing=False)"
                       ) == "frozen at exit: True"


def test_the_collector_is_untouched_until_exit(tmp_path):
    script = ("from genesys_tasks.tasks import creators; creators('.', listing=False); "
              "print('frozen while running:', gc.get_freeze_count() > 0, gc.isenabled())")
    assert _exit_state(tmp_path, script).splitlines() == ["frozen while running: False True", "frozen at exit: True"]


def test_a_process_that_makes_no_tasks_exits_as_python_does(tmp_path):
    assert _exit_state(tmp_path, "import genesys_tasks.tasks") == "frozen at exit: False"
