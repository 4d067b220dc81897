"""Waiting for the file system's clock to pass what a test wrote, so the next change has a time of its own.

A file's change time comes from a clock coarser than an edit, so two changes a moment apart may
share one; ``build.walk`` distrusts a listing of anything changed within ``RACY_NS`` of its walk
for that reason. A test that sets ``RACY_NS`` to 0, to see a listing taken again, first waits here.
"""

from __future__ import annotations

import time
from pathlib import Path


def settled(folder: Path) -> None:
    """Return once a file written now gets a later change time than ``folder`` and everything in it."""
    newest = max(p.stat().st_ctime_ns for p in [folder, *folder.rglob("*")])
    probe = folder.parent / f"{folder.name}.probe"
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            probe.write_text("x")
            if probe.stat().st_ctime_ns > newest:
                return
        raise AssertionError(f"the file system's clock did not pass {folder}'s newest change in 10 s")
    finally:
        probe.unlink(missing_ok=True)
