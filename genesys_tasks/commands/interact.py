"""``genesys interact``: the wizard that turns a folder, a git repository or a zip into a lambda TOML.

In a terminal it asks (menu aws → Function → Lambda Builder, then the questions of
``wizard.questions``); with ``--replay ANSWERS`` it reads the answers an earlier run saved
(``--save-answers``) and writes the same file with no terminal. Without a terminal
(stdin not a TTY, or ``CI`` set) it says to use ``genesys init`` or ``--replay`` and
exits 2 instead of waiting for keys that never come. Ctrl-C writes nothing (exit 130).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import ui
from ..config import today_default
from ..config.runtimes_file import project_registry
from ..errors import EXIT_OK, UsageError
from ..wizard.written import finish

NO_TERMINAL_HINT = ("write the TOML from flags with `genesys init --source DIR --name NAME --yes`, or replay "
                    "saved answers with `genesys interact --replay ANSWERS.json`")


def run(args) -> int:
    base = Path(args.dir)
    if not base.is_dir():
        raise UsageError(f"{base} is not a folder", hint="--dir names the folder the TOML is written to")
    if args.replay:
        return replay(Path(args.replay), base, force=args.force, save_to=args.save_answers)
    if not has_terminal():
        raise UsageError("genesys interact asks questions, and there is no terminal to ask in", hint=NO_TERMINAL_HINT)
    from ..wizard.flow import interact
    from ..wizard.prompts import Prompter

    done = interact(Prompter(), base, project_registry(base), today_default(), ui.info)
    if done is not None:
        finish(*done, save_to=args.save_answers)
    return EXIT_OK


def has_terminal() -> bool:
    """A person can answer: stdin and stdout are terminals and this is not a CI job."""
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return sys.stdin.isatty() and sys.stdout.isatty() and not ci


def replay(path: Path, base: Path, *, force: bool, save_to: str | None) -> int:
    """Write the TOML a saved answers file describes, asking nothing."""
    from ..errors import Where
    from ..wizard import answers, supply

    saved = answers.read(path)

    def place(question):
        return str(Where(path, key=question.key)), f'correct "{question.key}" in {path}, or remove it for the default'

    with supply.draft(supply.from_saved(saved), place, base, project_registry(base), today_default(),
                      ui.info) as made:
        made.write(overwrite=force)
    finish(made.answers, made.dest, save_to=save_to)
    return EXIT_OK


