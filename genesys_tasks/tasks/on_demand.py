"""The deploy-side task creators (``task_role`` ... ``task_delete``), whose tasks are made on demand.

When doit runs tasks, each creator is delayed (doit's ``create_after``): doit keeps a
placeholder per step and calls a creator only when a task of that step is asked for,
as in ``doit deploy:fn``. The first creator called makes the tasks of all five steps
at once, because ``deploy:fn`` waits for ``role:fn`` and ``layer_publish:fn``; the
others then make none. Commands that run nothing (``list``, ``info``, ``forget``) call
every creator at load, with the same result. So a plain ``doit build`` never pays for
the deploy side.
"""

from __future__ import annotations

from pathlib import Path

from doit import create_after

from .deploy import STEPS


class DeploySide:
    """The five deploy-side creators of one repo's specs; ``new_load`` starts over for the next load.

    ``session()`` makes the process's deploy session, once, when the first deploy-side task is made."""

    def __init__(self, specs, root: Path, session):
        self._specs, self._root, self._make_session, self._session = specs, root, session, None
        self._made = False

    def new_load(self) -> None:
        self._made = False

    def _every_step(self):
        specs = list(self._specs())
        if self._session is None:
            self._session = self._make_session()
        for step, (make, doc) in STEPS.items():
            yield {"basename": step, "name": None, "doc": doc}
            for spec in specs:
                task = make(spec, self._root, self._session, specs)
                if task:
                    yield {**task, "basename": step}

    def creators(self) -> dict:
        def delayed(step: str, doc: str):
            def creator():
                if self._made:
                    return None
                self._made = True
                return self._every_step()

            creator.__doc__ = doc
            return create_after()(creator)

        return {f"task_{step}": delayed(step, doc) for step, (_make, doc) in STEPS.items()}
