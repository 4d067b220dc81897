"""``genesys init-repo``: make any repo a genesys repo (a two-line dodo.py, .genesys/ ignored)."""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import UsageError
from ..paths import write_text_atomic

DODO = '''"""Build and deploy every lambda_*.toml in this repo: `doit` builds, `doit deploy:<name>` deploys."""

from genesys_tasks.tasks import creators

globals().update(creators())
'''


def run(args) -> int:
    init_repo(Path(args.directory))
    return 0


def init_repo(directory: Path) -> None:
    """Write dodo.py (unless one exists) and add .genesys/ to .gitignore (once)."""
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder", hint="pass the repo's root folder")
    dodo = directory / "dodo.py"
    if dodo.exists():
        if "genesys_tasks" not in dodo.read_text():
            ui.warn(f"{dodo} exists and does not load genesys; add these lines to it:\n{DODO}")
        else:
            ui.info(f"{dodo} already loads genesys")
    else:
        write_text_atomic(dodo, DODO)
        ui.success(f"wrote {dodo}")
    ignore = directory / ".gitignore"
    lines = ignore.read_text().splitlines() if ignore.exists() else []
    if not any(line.strip().rstrip("/") in (".genesys", "/.genesys") for line in lines):
        write_text_atomic(ignore, "\n".join([*lines, ".genesys/"]) + "\n")
        ui.success(f"added .genesys/ to {ignore}")
