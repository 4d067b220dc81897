"""One function as its doit tasks are made: ``Function``.

Its name, source files, the problems its source listing found (``build.walk.Listing.problems``) and ``facts`` (what making its tasks reads of its spec:
``tasks.build.facts_of``) are at hand; its spec is made when first asked for, so a spec
the spec cache kept is unpickled only when one of the function's actions runs, a
deploy step is made, or it is the first to name its manifest (``build.LayerInputs``). Picklable (doit's ``-n`` sends tasks to worker processes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..config.spec import FunctionSpec


class Function:
    """``facts``: its ``tasks.build.Facts``; ``spec``: the spec at hand, else ``unpack()`` makes it (once);
    ``problems``: what its source folder holds that no zip can carry (a link leaving it...)."""

    __slots__ = ("name", "facts", "sources", "problems", "_spec", "_unpack")

    def __init__(self, name: str, facts: tuple, sources: list[str], spec: FunctionSpec | None = None,
                 unpack: Callable[[], FunctionSpec] | None = None, problems: tuple[str, ...] = ()):
        self.name, self.facts, self.sources, self._spec, self._unpack = name, facts, sources, spec, unpack
        self.problems = problems

    @property
    def spec(self) -> FunctionSpec:
        if self._spec is None:
            self._spec = self._unpack()
        return self._spec

    def __repr__(self) -> str:
        return f"<function {self.name}>"
