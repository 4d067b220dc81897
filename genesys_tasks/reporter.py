"""How doit reports genesys tasks: one line per task on stderr, failures as genesys errors.

stdout stays free for machine output (``--output json``); a failed task shows the
GenesysError message its action returned, not a doit traceback banner.
"""

from __future__ import annotations

import sys

from doit.reporter import ConsoleReporter


class GenesysReporter(ConsoleReporter):
    desc = "genesys: task lines and clear failures on stderr"

    def __init__(self, outstream, options):
        super().__init__(sys.stderr, options)

    def execute_task(self, task):
        if task.actions and task.name[0] != "_":
            self.write(f"▶ {task.title()}\n")

    def skip_uptodate(self, task):
        if task.name[0] != "_" and task.actions:
            self.write(f"  up to date: {task.title()}\n")

    def _write_failure(self, result, write_exception=True):
        self.write(f"error: {result['task'].name} failed: {result['exception'].get_msg().rstrip()}\n")

    def complete_run(self):
        for result in self.failures:
            task = result["task"]
            out = "".join(a.out for a in task.actions if getattr(a, "out", None))
            if task.executed and out.strip():
                self.write(f"{task.name} output:\n{out.rstrip()}\n")
        if self.runtime_errors:
            self.write("doit stopped:\n" + "\n".join(self.runtime_errors) + "\n")
