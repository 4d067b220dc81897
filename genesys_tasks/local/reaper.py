"""Ending a local runtime and everything it started, however it started it.

Killing the runtime's process group is not enough: a handler's child that calls
``setsid`` (a daemon, ``subprocess.Popen(start_new_session=True)``) has left the group,
and once its parent is gone it hangs off init, out of the process tree. So every runtime
is started with a run mark in its environment (``RUN_MARK=<token>``), which its children
inherit whatever session they move to, and ``kill_all`` kills, until none is left:

- the runtime's process group,
- every descendant of the runtime (a ``/proc`` walk of parent ids), and
- every process of this user whose environment carries the run's mark.

Linux only (``/proc``); elsewhere the process group alone is killed.
"""

from __future__ import annotations

import os
import secrets
import signal
from pathlib import Path

RUN_MARK = "GENESYS_LOCAL_RUN"
PROC = Path("/proc")
ROUNDS = 5  # a process that forks while being killed is caught by the next round


def new_mark() -> str:
    return secrets.token_hex(8)


def _parents() -> dict[int, int]:
    """pid → parent pid of every process /proc shows."""
    found = {}
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")"
        fields = status.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1].isdigit():
            found[int(entry.name)] = int(fields[1])
    return found


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` in the process tree."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def marked(mark: str) -> set[int]:
    """The processes whose environment carries ``RUN_MARK=mark`` (those of other users cannot be read)."""
    wanted = f"{RUN_MARK}={mark}".encode()
    found = set()
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


def kill_all(pid: int | None, mark: str | None) -> None:
    """SIGKILL the runtime ``pid`` (None: it has exited already), its process group, its descendants
    and every process that carries its ``mark``."""
    for _ in range(ROUNDS):
        targets = marked(mark) if mark else set()
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            targets |= descendants(pid)
        alive = False
        for target in targets - {os.getpid()}:
            try:
                os.kill(target, signal.SIGKILL)
                alive = True
            except (ProcessLookupError, PermissionError):
                pass
        if not alive:
            return
