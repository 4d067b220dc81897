"""``genesys init-repo``: make any repo a genesys repo (a two-line dodo.py, .genesys/ ignored, and
``genesys.toml`` naming the project, whose id marks everything genesys deploys from it)."""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import UsageError
from ..paths import write_text_atomic
from ..project import PROJECT_FILE, default_id, read_project_id

DODO = '''"""Build and deploy every lambda_*.toml in this repo: `doit` builds, `doit deploy:<name>` deploys."""

from genesys_tasks.tasks import creators

globals().update(creators())
'''


def run(args) -> int:
    init_repo(Path(args.directory))
    return 0


def init_repo(directory: Path) -> None:
    """Write dodo.py and genesys.toml (unless they exist) and add .genesys/ to .gitignore (once)."""
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
    project_file = directory / PROJECT_FILE
    if project_file.exists():
        ui.info(f"{project_file} names the project {read_project_id(project_file)}")
    else:
        project_id = default_id(directory)
        write_text_atomic(project_file, "# genesys marks what it deploys from this repo with this id: keep it stable,\n"
                                        "# and give a fork that deploys into the same account its own\n"
                                        f'[project]\nid = "{project_id}"\n')
        ui.success(f"wrote {project_file} (project {project_id})")
    ignore = directory / ".gitignore"
    lines = ignore.read_text().splitlines() if ignore.exists() else []
    if not any(line.strip().rstrip("/") in (".genesys", "/.genesys") for line in lines):
        write_text_atomic(ignore, "\n".join([*lines, ".genesys/"]) + "\n")
        ui.success(f"added .genesys/ to {ignore}")
