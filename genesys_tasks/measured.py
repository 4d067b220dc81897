"""The last measurement of a function: what ``genesys profile`` (local) or ``genesys tune``
(deployed) saw, kept in ``.genesys/measured/<name>.json`` so ``genesys cost --from-profile``
prices the function from measured figures instead of typed ones.

One record a function, the newest wins; it is a convenience, never the truth: a record that is
missing or unreadable is ``None`` and the caller says so.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .paths import STATE_DIR, replace_atomic

SOURCES = ("profile", "tune")


@dataclass(frozen=True)
class Measurement:
    """A duration measured for one function at one memory size and architecture."""

    source: str  # "profile" or "tune"
    function: str
    memory_mb: int
    architecture: str
    duration_ms: float  # the typical (p50) warm duration at memory_mb
    init_ms: float | None  # the typical cold start's init duration, when measured
    measured_at: str  # ISO 8601 UTC

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Measurement":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        record = cls(**known)
        if record.source not in SOURCES or record.memory_mb < 1 or record.duration_ms < 0:
            raise ValueError(f"not a measurement: {data!r}")
        return record


def record_path(root: Path, name: str) -> Path:
    return Path(root, STATE_DIR, "measured", f"{name}.json")


def save(root: Path, measurement: Measurement) -> Path:
    """Write ``measurement`` as the function's last one (atomically) and return its path."""
    path = record_path(root, measurement.function)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(measurement.as_dict(), indent=2, sort_keys=True) + "\n"
    replace_atomic(path, lambda tmp: tmp.write_text(text))
    return path


def last(root: Path, name: str) -> Measurement | None:
    """The function's last measurement, or None when there is none or it cannot be read."""
    try:
        return Measurement.from_dict(json.loads(record_path(root, name).read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None
