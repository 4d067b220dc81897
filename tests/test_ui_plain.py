"""What people read on a stderr that is not a terminal: rich's words without rich.

Under CI, in a pipe or a log file, ``ui`` writes its lines itself; they must read exactly
as rich wrote them there, and rich must not be imported for them (a build pays for it).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.markup import escape

from genesys_tasks import ui

MESSAGES = ["built (b1fe39c7)", "[bold]not markup[/] and a \\ backslash", "tab\there\tand there", "bell\x07cr\r",
            "caf\u00e9 \u2713", "x" * 300, "two\nlines\tindented"]
# What each function printed through rich, as markup.
STYLED = {
    "info": lambda m: escape(m),
    "step": lambda m: f"[bold cyan]•[/] {escape(m)}",
    "success": lambda m: f"[bold green]✓[/] {escape(m)}",
    "warn": lambda m: f"[bold yellow]warning:[/] {escape(m)}",
    "error": lambda m: f"[bold red]error:[/] {escape(m)}",
    "debug": lambda m: f"[dim]{escape(m)}[/]",
}


def _rich_in_a_file(markup: str) -> str:
    out = io.StringIO()
    Console(file=out, highlight=False, soft_wrap=True).print(markup)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(STYLED))
def test_a_line_on_a_non_terminal_stderr_reads_as_rich_wrote_it(name, capsys, monkeypatch):
    monkeypatch.setattr(ui, "_console", None)
    monkeypatch.setattr(ui, "debug_enabled", True)
    for variable in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(variable, raising=False)
    for message in MESSAGES:
        getattr(ui, name)(message)
        assert capsys.readouterr().err == _rich_in_a_file(STYLED[name](message)), repr(message)


def test_plan_lines_and_progress_on_a_non_terminal_stderr_read_as_rich_wrote_them(capsys, monkeypatch):
    monkeypatch.setattr(ui, "_console", None)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    ui.plan_line("  + role r: create")
    ui.plan_line("Plan: 1 to create")
    assert capsys.readouterr().err == (_rich_in_a_file("  [green]+[/] role r: create")
                                       + _rich_in_a_file("Plan: 1 to create"))
    with ui.progress("publishing"):
        pass
    assert capsys.readouterr().err == (_rich_in_a_file("[bold cyan]•[/] publishing")
                                       + _rich_in_a_file("  [dim]publishing done in 0.0s[/]"))


def _shown(env: dict) -> subprocess.CompletedProcess:
    script = ("import logging, sys; from genesys_tasks import ui; ui.show_logs(); "
              "logging.getLogger('genesys.build').info('layer fn x86_64: built'); "
              "ui.warn('careful'); print('rich' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")} | env
    env["PYTHONPATH"] = str(Path(__file__).parent.parent)  # this checkout, not another genesys installed here
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)


def test_build_messages_on_a_pipe_do_not_import_rich():
    shown = _shown({})
    assert shown.stdout.strip() == "False"
    assert shown.stderr == "layer fn x86_64: built\nwarning: careful\n"


def test_force_color_on_a_pipe_still_styles_through_rich():
    shown = _shown({"FORCE_COLOR": "1"})
    assert shown.stdout.strip() == "True"
    assert "\x1b[" in shown.stderr and "careful" in shown.stderr
