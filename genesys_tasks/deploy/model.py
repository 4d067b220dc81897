"""The plan as plain data: API calls, placeholders for values not known yet, and changes to show.

An ``ApiCall`` names an adapter method (an AWS operation in snake_case) and its
parameters. Parameters may hold placeholders: ``Var`` (an earlier call's output),
``Fmt`` (a string built from variables) and ``FileBytes`` (a zip read only when
the call runs, so plans stay small and printable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Var:
    """A value an earlier call produces, e.g. the ARN of a role created in this run."""

    name: str

    def __str__(self) -> str:
        return f"<{self.name} after apply>"


@dataclass(frozen=True)
class Fmt:
    """``template.format(**variables)`` once the variables are known."""

    template: str

    def __str__(self) -> str:
        import re

        return re.sub(r"\{(\w+)\}", r"<\1>", self.template)


@dataclass(frozen=True)
class FileBytes:
    """The bytes of a file, read when the call runs."""

    path: Path

    def __str__(self) -> str:
        return f"<{self.path.name}>"


@dataclass(frozen=True)
class ApiCall:
    """One AWS call: ``service``'s adapter ``method(**params)``; ``outputs`` maps variable → dotted response path."""

    service: str
    method: str
    params: dict = field(default_factory=dict)
    resource: str = ""  # the Change this call belongs to, for progress
    outputs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """What happens to one resource: create, update (with field diffs), adopt (an update that makes
    genesys the owner of what it did not make, or another owner made), claim (an update that writes
    the owner into a mark that named none, ``marker.CLAIM``), delete or no change."""

    resource: str
    action: str  # create | update | adopt | claim | delete | no change
    changes: tuple[tuple[str, Any, Any], ...] = ()  # (field, old, new)

    def as_dict(self) -> dict:
        return {"resource": self.resource, "action": self.action,
                "changes": [{"field": f, "old": _plain(old), "new": _plain(new)} for f, old, new in self.changes]}


def shown(value) -> str:
    """A planned value as people read it: placeholders by name, ``(none)`` for nothing."""
    if value is None:
        return "(none)"
    if isinstance(value, (Var, Fmt, FileBytes)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def _plain(value):
    if isinstance(value, (Var, Fmt, FileBytes)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class Plan:
    """Calls in order, the changes they make, and the values already known (ARNs that exist)."""

    calls: list[ApiCall] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    known: dict = field(default_factory=dict)

    def extend(self, other: "Plan") -> "Plan":
        self.calls.extend(other.calls)
        self.changes.extend(other.changes)
        self.known.update(other.known)
        return self

    def change(self, resource: str, action: str, changes=()) -> None:
        self.changes.append(Change(resource, action, tuple(changes)))

    def call(self, service: str, method: str, resource: str, outputs: dict | None = None, **params) -> None:
        self.calls.append(ApiCall(service, method, params, resource, outputs or {}))

    @property
    def writes(self) -> list[ApiCall]:
        from ..aws.base import is_write

        return [c for c in self.calls if is_write(c.method)]
