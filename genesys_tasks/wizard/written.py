"""What ``genesys init`` and ``genesys interact`` say once the TOML is written: the file, the saved
answers when asked, and the next commands to run."""

from __future__ import annotations

import os
from pathlib import Path

from .. import ui
from ..shell import command


def finish(made, dest: Path, *, save_to: str | None) -> None:
    """Say what was written, save the answers when asked, and print the next commands."""
    from . import answers

    ui.success(f"wrote {dest}")
    if save_to:
        answers.save(made, Path(save_to))
        ui.success(f"saved the answers to {save_to} (replay: {command('genesys', 'interact', f'--replay={save_to}')})")
    shown = os.path.relpath(dest) if not os.path.relpath(dest).startswith("..") else str(dest)
    ui.info("next:\n"
            f"  {command('genesys', 'execute', '--dry-run', operands=(shown,))}   # what would be created\n"
            f"  {command('genesys', 'execute', operands=(shown,))}   # build and deploy; prints the URL\n"
            f"  {command('genesys', 'ci', 'github')}   # a CI workflow that deploys what changed")
