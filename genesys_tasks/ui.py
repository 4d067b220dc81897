"""Everything people read. Messages go to stderr; stdout is kept for machine output (JSON).

rich is imported lazily, the first time something is shown on a terminal, so that
loading tasks and printing JSON never pay for it. ``GENESYS_NO_COLOR``/``NO_COLOR`` or a
non-terminal stderr give plain text; on a non-terminal stderr (a build under CI, a
pipe, a log file) that text is written without rich at all: the words rich would
write there, with no styles.
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


def no_color() -> bool:
    """``NO_COLOR`` (or ``GENESYS_NO_COLOR``) is set: nothing genesys writes is coloured."""
    return bool(os.environ.get("NO_COLOR") or os.environ.get("GENESYS_NO_COLOR"))


def console():
    """The stderr console (rich), created on first use."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(stderr=True, highlight=False, no_color=no_color(), soft_wrap=True)
    return _console


def _plain_stderr() -> bool:
    """True when rich would write no styles to stderr and no console was made yet: stderr is not a
    terminal, and neither ``FORCE_COLOR`` nor ``TTY_COMPATIBLE`` says to treat it as one (rich's rule)."""
    if _console is not None or sys.stderr is None or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False  # (with no stderr at all, rich drops what is shown)
    try:
        return not sys.stderr.isatty()
    except ValueError:  # a closed stderr
        return True


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# What rich leaves out of a line it prints: bell, backspace, vertical tab, form feed, carriage return.
_CONTROL_CODES = dict.fromkeys((7, 8, 11, 12, 13))


def _say(message: str, mark: str = "", style: str = "", indent: str = "") -> None:
    """``indent``, ``mark`` (in ``style`` on a terminal) then ``message``; the whole line in ``style``
    without a mark.

    The plain line is rich's without styles: control codes dropped, tabs expanded to stops of 8
    (rich's ``:name:`` emoji codes are left as written)."""
    if _plain_stderr():
        line = f"{indent}{mark} {message}" if mark else message
        sys.stderr.write(line.translate(_CONTROL_CODES).expandtabs(8) + "\n")
        sys.stderr.flush()
    elif mark:
        console().print(f"{indent}[{style}]{_escape(mark)}[/] {_escape(message)}")
    else:
        console().print(f"[{style}]{_escape(message)}[/]" if style else _escape(message))


def info(message: str) -> None:
    _say(message)


PLAN_COLOURS = {"+": "green", "~": "yellow", "-": "red"}


def plan_line(line: str) -> None:
    """A line of a shown plan: its ``+ ~ -`` sign coloured (plain when NO_COLOR or not a terminal)."""
    body = line.lstrip()
    if line.startswith("  ") and body[:1] in PLAN_COLOURS and line.strip()[1:2] == " ":
        _say(body[2:], body[0], PLAN_COLOURS[body[0]], indent=line[: len(line) - len(body)])
    else:
        info(line)


def step(message: str) -> None:
    _say(message, "•", "bold cyan")


def success(message: str) -> None:
    _say(message, "✓", "bold green")


def warn(message: str) -> None:
    _say(message, "warning:", "bold yellow")


def error(message: str) -> None:
    _say(message, "error:", "bold red")


def debug(message: str) -> None:
    if debug_enabled:
        _say(message, style="dim")


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
    if not _plain_stderr() and console().is_terminal and not debug_enabled:
        with console().status(_escape(message)):
            yield
    else:
        step(message)
        yield
    _say(f"  {message} done in {time.monotonic() - started:.1f}s", style="dim")
