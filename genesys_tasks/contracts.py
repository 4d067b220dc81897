"""The contracts of the modules the language table (``languages.py``) and the trigger table
(``config/triggers.py``) name by string: an installer, a detector and a trigger planner are
modules, a packager and a sample-event builder are functions; each is a ``typing.Protocol``.

``named(package, name, contract)`` imports what a row names and checks it against its contract
there, so a row naming a module that lacks a function fails at its first use with the row's
name and the missing member, never later as an ``AttributeError`` deep in a build (and the
test of the table checks every row at once). Pure: imports only what it is asked to.
"""

from __future__ import annotations

import importlib
from typing import Protocol, runtime_checkable

from .errors import GenesysError


@runtime_checkable
class Installer(Protocol):
    """Fills ``job.target`` with the layer tree (``build/installers.py`` says more)."""

    def install(self, job) -> None: ...

    def version(self, job) -> str: ...


@runtime_checkable
class Detector(Protocol):
    """Recognises a language's sources: the runtime they pin, their handlers, whether a named one exists."""

    def runtime_for(self, source, registry, today): ...

    def find(self, runtime, source, files) -> list: ...

    def check(self, source, handler) -> str | None: ...


@runtime_checkable
class Packager(Protocol):
    """Writes the function zip of ``spec`` for ``arch`` to ``dest``."""

    def __call__(self, spec, arch: str, dest) -> None: ...


@runtime_checkable
class TriggerPlanner(Protocol):
    """Reads a trigger type's sources in AWS and plans its calls (``deploy/triggers`` says more)."""

    def read_state(self, spec, clients, triggers, state) -> None: ...

    def plan(self, plan, spec, triggers, state) -> None: ...


@runtime_checkable
class EventBuilder(Protocol):
    """Makes a sample event from its fields (``local/events.py``)."""

    def __call__(self, fields: dict) -> dict: ...


def members(contract: type) -> list[str]:
    return sorted(n for n, v in vars(contract).items() if callable(v) and (n == "__call__" or not n.startswith("_")))


def named(package: str, name: str, contract: type, table: str = "language table (languages.py)"):
    """``package.module`` (or ``package.module:function``) as the table names it, checked against ``contract``."""
    module_name, _, attribute = name.partition(":")
    found = importlib.import_module(f"{package}.{module_name}" if package else module_name)
    if attribute:
        found = getattr(found, attribute, None)
    missing = [m for m in members(contract) if not callable(getattr(found, m, None))]
    if found is None or missing:
        article = "an" if contract.__name__[0] in "AEIOU" else "a"
        raise GenesysError(f"{package + '.' if package else ''}{name} is not {article} {contract.__name__}: it has no "
                           f"{', '.join(missing) or 'such function'}",
                           hint=f"a bug in genesys's {table}; report it")
    return found


def dotted(path: str, contract: type, table: str):
    """What a table names by full dotted path (``pkg.module`` or ``pkg.module:function``), checked against ``contract``."""
    return named("", path, contract, table)
