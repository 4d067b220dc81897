"""``toolrun.run_command``'s ``meanwhile``: this process's own work done while an installer runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from genesys_tasks.build import toolrun
from genesys_tasks.errors import MissingTool

# waits (up to 20 s) for a file that only the meanwhile work writes, then says whether it came
WAIT_FOR = ("import os, sys, time\n"
            "deadline = time.monotonic() + 20\n"
            "while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:\n"
            "    time.sleep(0.01)\n"
            "print('seen' if os.path.exists(sys.argv[1]) else 'never came')\n")


@pytest.mark.parametrize("debug", [False, True])
def test_the_meanwhile_work_runs_while_the_command_is_still_running(tmp_path, debug):
    flag = tmp_path / "flag"
    done = toolrun.run_command([sys.executable, "-c", WAIT_FOR, str(flag)], cwd=tmp_path, debug=debug,
                               log=lambda line: None, meanwhile=lambda: flag.write_text(""))
    assert done.ok and done.output.strip().splitlines()[-1] == "seen", done.output


def test_a_failing_meanwhile_work_leaves_the_commands_result_as_it_is(tmp_path):
    def broken():
        raise ImportError("no such module")

    done = toolrun.run_command([sys.executable, "-c", "print('out'); raise SystemExit(3)"], cwd=tmp_path,
                               meanwhile=broken)
    assert (done.code, done.output.strip()) == (3, "out")


def test_a_program_that_is_not_there_is_still_a_missing_tool_with_meanwhile_work(tmp_path):
    with pytest.raises(MissingTool):
        toolrun.run_command([str(Path(tmp_path, "no-such-installer"))], cwd=tmp_path, meanwhile=lambda: None)
