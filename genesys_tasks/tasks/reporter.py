"""How doit reports genesys tasks: one line per task on stderr, failures as genesys errors.

stdout stays free for machine output (``--output json``); a failed task shows the
GenesysError message its action returned, not a doit traceback banner. At the end of
a run with failures the reporter ends the process with genesys's exit code (1 failed,
2 bad input, 3 credentials), under plain ``doit`` and the in-process runner alike:
doit itself only knows "a task failed".

A run goes on past a failed task (doit's ``continue``) with every task that does not
depend on it, so one function's problem does not stop the others' builds. A task
that failed because a program is missing (``MissingTool``) is not reported on its
own: at the end each missing program is named once, with how to install it and the
tasks that needed it. A task left unrun because one it depends on failed says only
that.
"""

from __future__ import annotations

import sys

from doit.exceptions import UnmetDependency
from doit.reporter import ConsoleReporter

from ..errors import EXIT_FAILED


class GenesysReporter(ConsoleReporter):
    desc = "genesys: task lines and clear failures on stderr"

    def __init__(self, outstream, options):
        super().__init__(sys.stderr, options)
        self.ran = 0
        self.up_to_date = 0

    def execute_task(self, task):
        if task.actions and task.name[0] != "_":
            self.ran += 1
            self.write(f"▶ {task.title()}\n")

    def skip_uptodate(self, task):
        # One summary line instead of one per task: a no-op over hundreds of functions stays readable.
        if task.name[0] != "_" and task.actions:
            self.up_to_date += 1

    def _write_failure(self, result, write_exception=True):
        failure = result["exception"]
        if getattr(failure, "missing", None):
            return  # named once, with the other tasks that need the same program, at the end
        if isinstance(failure, UnmetDependency):
            self.write(f"error: {result['task'].name} not run: {failure.message} failed\n")
            return
        self.write(f"error: {result['task'].name} failed: {failure.get_msg().rstrip()}\n")

    def _write_missing_tools(self) -> None:
        """Each missing program once: how to install it and which tasks needed it."""
        needed: dict[str, tuple[str, list[str]]] = {}  # program -> (how to install it, the tasks)
        for result in self.failures:
            missing = getattr(result["exception"], "missing", None)
            if missing:
                needed.setdefault(missing[0], (missing[1], []))[1].append(result["task"].name)
        for tool, (hint, tasks) in needed.items():
            self.write(f"error: `{tool}` is not installed (not found on PATH), needed by {', '.join(tasks)}\n"
                       f"  fix: {hint}\n")

    def exit_code(self) -> int:
        """genesys's code for the run's first failure (1 when it was not a genesys step's)."""
        codes = [getattr(result["exception"], "exit_code", EXIT_FAILED) for result in self.failures]
        return codes[0] if codes else (EXIT_FAILED if self.runtime_errors else 0)

    def complete_run(self):
        self._write_missing_tools()
        for result in self.failures:
            task = result["task"]
            out = "".join(a.out for a in task.actions if getattr(a, "out", None))
            if task.executed and out.strip():
                self.write(f"{task.name} output:\n{out.rstrip()}\n")
        if self.up_to_date and not self.failures:
            self.write(f"{self.up_to_date} task(s) up to date, {self.ran} ran\n")
        if self.runtime_errors:
            self.write("doit stopped:\n" + "\n".join(self.runtime_errors) + "\n")
        code = self.exit_code()
        if code:
            raise SystemExit(code)  # doit has saved its state already; its own codes are coarser
