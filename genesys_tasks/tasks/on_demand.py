"""The task steps a no-op ``doit build`` never needs (``package`` and the deploy side), made on demand.

A run (``doit build``, ``doit deploy:fn``, a bare ``doit``) gets them through doit's declared
idiom for delayed tasks: one creator marked ``create_after(creates=[<every step>])``, for
which doit keeps a placeholder per step and calls the creator only when a task of one of
them is asked for (``doit deploy:fn``, ``doit package``). The creator makes the tasks of
every step at once, because ``deploy:fn`` waits for ``role:fn`` and ``layer_publish:fn``;
doit then replaces each placeholder with the step's real group task, so no step is made
twice and nothing is reset between loads. Commands that run nothing (``list``, ``info``,
``forget``...; ``graph.command_lists``) never call a ``creates`` creator, so for them each
step is a plain creator of its own tasks: ``doit list --all`` and ``doit info deploy:fn``
show the real tasks.
"""

from __future__ import annotations

from typing import Callable

from doit import create_after

# make(spec, specs) -> a task dict or None; specs: every function of the repo (role sharers)
Maker = Callable[[object, list], "dict | None"]


class OnDemand:
    """The on-demand steps of one repo: ``steps`` maps each step to (make, the doc `doit list` shows)."""

    def __init__(self, specs: Callable[[], list], steps: dict[str, tuple[Maker, str]]):
        self._specs, self._steps = specs, steps

    def _creator(self, steps: tuple[str, ...]):
        def creator():
            specs = list(self._specs())
            for step in steps:
                make, doc = self._steps[step]
                yield {"basename": step, "name": None, "doc": doc}
                for spec in specs:
                    task = make(spec, specs)
                    if task:
                        yield {**task, "basename": step}

        creator.__doc__ = self._steps[steps[0]][1]
        return creator

    def creators(self, listing: bool) -> dict:
        """The ``task_*`` creators: for a run, one delayed creator of every step; for a command that
        only lists or manages state (``listing``), one plain creator per step."""
        if listing:
            return {f"task_{step}": self._creator((step,)) for step in self._steps}
        steps = tuple(self._steps)
        return {f"task_{steps[0]}": create_after(creates=list(steps))(self._creator(steps))}
