"""``genesys ci github|gitlab|gitlab-child``: CI files from the templates, written without losing edits.

``github`` writes ``.github/workflows/genesys.yml``, ``gitlab`` writes ``.gitlab-ci.yml``
(``--out`` for another path). ``--check`` writes nothing and exits 1 when the file is
not what would be written (for CI itself). A file with no genesys block, or whose block
was edited by hand, is only overwritten with ``--force``; otherwise the diff is shown
and the exit code is 2. ``gitlab-child`` is what the GitLab pipeline runs: the child
pipeline for the functions changed since ``--since``.
"""

from __future__ import annotations

from pathlib import Path

from .. import paths, ui
from ..errors import EXIT_BAD_INPUT, EXIT_FAILED

TARGETS = {"github": (".github/workflows/genesys.yml", "github.yml.j2"),
           "gitlab": (".gitlab-ci.yml", "gitlab-ci.yml.j2")}


def options(args):
    from ..cicd.model import CiOptions

    return CiOptions(branch=args.branch, region=args.region, auth=args.auth, role_arn=args.role_arn,
                     plan_role_arn=args.plan_role_arn,
                     environments=tuple(args.environment or ()), install=args.install,
                     image=getattr(args, "image", None), cache_bucket=args.cache_bucket, python=args.python)


def _specs(root: Path):
    from ..cicd.changed import load_project
    from ..config import discovery_pattern

    return load_project(root, discovery_pattern(), ui.warn)


def write(path: Path, text: str, *, check: bool, force: bool, name: str) -> int:
    """Write ``text`` (one genesys block) into ``path``, keeping what is outside the block."""
    from ..cicd.render import merge

    current = path.read_text(encoding="utf-8") if path.exists() else None
    outcome = merge(current, text, name)
    if check:
        if outcome.changed:
            ui.error(f"{name} is not what genesys would write"
                     + (f":\n{outcome.diff}" if outcome.diff else " (it does not exist)"))
            return EXIT_FAILED
        ui.success(f"{name} is up to date")
        return 0
    if outcome.refused and not force:
        ui.error(f"{outcome.refused}; not overwritten. What would change:\n{outcome.diff}")
        ui.info("keep your edits outside the genesys block, or pass --force to replace the file as shown")
        return EXIT_BAD_INPUT
    if not outcome.changed:
        ui.success(f"{name} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    paths.write_text_atomic(path, outcome.text)
    ui.success(f"wrote {name}")
    return 0


def run(args) -> int:
    from ..cicd.model import model
    from ..cicd.render import block, render

    provider = args.ci_command
    default_out, template = TARGETS[provider]
    root = Path.cwd().absolute()
    context = model(provider, _specs(root), root, options(args))
    out = Path(args.out or default_out)
    text = block(render(template, context), f"genesys ci {provider}")
    return write(out, text, check=args.check, force=args.force, name=str(out))


def run_child(args) -> int:
    """The child pipeline of the functions changed since ``--since``, written to ``--out``."""
    from ..cicd.changed import changes_since
    from ..cicd.model import model
    from ..cicd.render import render

    found = changes_since(args.since, Path.cwd().absolute(), ui.warn)
    root = found.root
    context = model("gitlab-child", list(found.functions), root, options(args), mode=args.mode, since=args.since)
    text = render("gitlab-child.yml.j2", context)
    out = Path(args.out)
    paths.write_text_atomic(out, text)
    names = ", ".join(spec.name for spec in found.functions) or "none"
    ui.success(f"wrote {out}: {args.mode} {names}")
    return 0
