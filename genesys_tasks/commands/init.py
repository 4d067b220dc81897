"""``genesys init``: the wizard's answers from flags, for scripts and CI; no questions asked.

Its flags come from the wizard's question table (one per question, ``arguments``), so
``init``, ``interact`` and ``interact --replay`` share one model of the answers. It
shows the TOML, then writes it with ``--yes`` (or when a person confirms at a terminal);
an existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import ui
from ..config import today_default
from ..config.runtimes_file import project_registry
from ..errors import EXIT_OK, UsageError
from ..wizard.written import finish


def arguments() -> list[tuple[tuple[str, ...], dict]]:
    """init's flags, as (names, argparse options): the question table's, then the command's own."""
    from ..wizard.questions import QUESTIONS
    from ..wizard.supply import flag_options

    own = [
        (("--ref",), {"default": None, "help": "with a git --source: the branch, tag or commit"}),
        (("--into",), {"default": None, "metavar": "DIR",
                       "help": "with a git or zip --source: the folder it goes into (default: named after it)"}),
        (("--dir",), {"default": ".", "help": "where the TOML is written (default: here)"}),
        (("--yes",), {"action": "store_true", "help": "write without asking"}),
        (("--force",), {"action": "store_true", "help": "replace the TOML when it exists"}),
        (("--save-answers",), {"default": None, "metavar": "FILE", "help": "also save the answers for --replay"}),
    ]
    return [((q.flag,), flag_options(q)) for q in QUESTIONS] + own


def run(args) -> int:
    from ..wizard import supply

    base = Path(args.dir)
    if not base.is_dir():
        raise UsageError(f"{base} is not a folder", hint="--dir names the folder the TOML is written to")
    with supply.draft(supply.from_flags(args), lambda q: (q.flag, f"{q.flag}: {q.help}"), base,
                      project_registry(base), today_default(), ui.info) as made:
        ui.info(f"--- {made.dest.name} ---\n{made.text}---")
        if not args.yes and not _confirmed(made.dest):
            ui.info("nothing written")
            return EXIT_OK
        made.write(overwrite=args.force)
    finish(made.answers, made.dest, save_to=args.save_answers)
    return EXIT_OK


def _confirmed(dest: Path) -> bool:
    if not sys.stdin.isatty():
        raise UsageError(f"init shows {dest.name} and writes it only when told to", hint="pass --yes to write it")
    return input(f"write {dest.name}? [y/N] ").strip().lower() in ("y", "yes")
