"""Everything people read. Messages go to stderr; stdout is kept for machine output (JSON).

rich is imported lazily, the first time something is shown, so that loading tasks
and printing JSON never pay for it. ``GENESYS_NO_COLOR``/``NO_COLOR`` or a
non-terminal stderr give plain text.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from contextlib import contextmanager

_console = None
debug_enabled = False


def console():
    """The stderr console (rich), created on first use."""
    global _console
    if _console is None:
        from rich.console import Console

        plain = bool(os.environ.get("NO_COLOR") or os.environ.get("GENESYS_NO_COLOR"))
        _console = Console(stderr=True, highlight=False, no_color=plain, soft_wrap=True)
    return _console


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def info(message: str) -> None:
    console().print(_escape(message))


PLAN_COLOURS = {"+": "green", "~": "yellow", "-": "red"}


def plan_line(line: str) -> None:
    """A line of a shown plan: its ``+ ~ -`` sign coloured (plain when NO_COLOR or not a terminal)."""
    sign = line.strip()[:1]
    if line.startswith("  ") and sign in PLAN_COLOURS and line.strip()[1:2] == " ":
        indent = line[: len(line) - len(line.lstrip())]
        console().print(f"{indent}[{PLAN_COLOURS[sign]}]{_escape(sign)}[/]{_escape(line.lstrip()[1:])}")
    else:
        info(line)


def step(message: str) -> None:
    console().print(f"[bold cyan]•[/] {_escape(message)}")


def success(message: str) -> None:
    console().print(f"[bold green]✓[/] {_escape(message)}")


def warn(message: str) -> None:
    console().print(f"[bold yellow]warning:[/] {_escape(message)}")


def error(message: str) -> None:
    console().print(f"[bold red]error:[/] {_escape(message)}")


def debug(message: str) -> None:
    if debug_enabled:
        console().print(f"[dim]{_escape(message)}[/]")


class _Handler(logging.Handler):
    """genesys's log records (``genesys.build``, ``genesys.aws``), shown as ``ui`` messages."""

    def emit(self, record) -> None:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            warn(message)
        elif record.levelno >= logging.INFO:
            info(message)
        else:
            debug(f"{record.name}: {message}")


def show_logs(debug: bool = False) -> None:
    """Route the ``genesys`` loggers to stderr through ui (once per process); debug lines with ``debug``
    (the entry's ``--debug``, or doit's ``GENESYS_DEBUG`` read in ``creators()``), which stays on once set.

    The ``genesys`` logger's level is the one switch: the build reads it (``toolrun.debug_enabled``)."""
    global debug_enabled
    debug_enabled = debug_enabled or debug
    logger = logging.getLogger("genesys")
    if not any(isinstance(h, _Handler) for h in logger.handlers):
        logger.addHandler(_Handler())
        logger.propagate = False
    logger.setLevel(logging.DEBUG if debug_enabled else logging.INFO)


def emit_json(data) -> None:
    """Machine-readable output: the only thing genesys writes to stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    sys.stdout.flush()


@contextmanager
def progress(message: str):
    """Show ``message`` with a spinner while the block runs, then its duration."""
    started = time.monotonic()
    if console().is_terminal and not debug_enabled:
        with console().status(_escape(message)):
            yield
    else:
        step(message)
        yield
    console().print(f"  [dim]{_escape(message)} done in {time.monotonic() - started:.1f}s[/]")
