"""``genesys ci github|gitlab|gitlab-child``: CI files from the templates, written without losing edits.

``github`` writes ``.github/workflows/genesys.yml``, ``gitlab`` writes ``.gitlab-ci.yml``
(``--out`` for another path). ``--check`` writes nothing and exits 1 when the file is
not what would be written (for CI itself). A file with no genesys block, or whose block
was edited by hand, is only overwritten with ``--force``; otherwise the diff is shown
and the exit code is 2. ``gitlab-child`` is what the GitLab pipeline runs: the child
pipeline for the functions changed since ``--since``.

The options a file was generated with are recorded in its block: ``--check`` and a
regeneration start from them, and the flags given on the command line win. The install
step is the line that installs this very genesys (``cicd.install``) unless ``--install``
names one; a genesys no runner can install the same way stops with exit 2.
"""

from __future__ import annotations

from pathlib import Path

from .. import paths, ui
from ..errors import EXIT_BAD_INPUT, EXIT_FAILED

TARGETS = {"github": (".github/workflows/genesys.yml", "github.yml.j2"),
           "gitlab": (".gitlab-ci.yml", "gitlab-ci.yml.j2")}


def options(args, recorded: dict | None = None):
    """The ``CiOptions`` of the command line, over those ``recorded`` in the file being regenerated."""
    from ..cicd.model import CiOptions

    given = {"branch": args.branch, "region": args.region, "auth": args.auth, "role_arn": args.role_arn,
             "plan_role_arn": args.plan_role_arn,
             "environments": tuple(args.environment) if args.environment else None, "install": args.install,
             "manual_environments": tuple(args.manual_environment) if args.manual_environment else None,
             "image": getattr(args, "image", None), "cache_bucket": args.cache_bucket, "python": args.python,
             **{f"image_{name}": getattr(args, f"image_{name}", None) for name in ("python", "node", "go", "java")}}
    return CiOptions.from_record(recorded or {}, given)


def _install(chosen) -> str | None:
    from ..cicd.install import install_line

    return None if chosen.install else install_line()


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
    from ..cicd.render import block, parsed, recorded_options, render

    provider = args.ci_command
    default_out, template = TARGETS[provider]
    root = Path.cwd().absolute()
    out = Path(args.out or default_out)
    current = out.read_text(encoding="utf-8") if out.exists() else None
    chosen = options(args, recorded_options(current))
    context = model(provider, _specs(root), root, chosen, install=_install(chosen))
    text = block(render(template, context), f"genesys ci {provider}", chosen.record())
    parsed(text, str(out))
    return write(out, text, check=args.check, force=args.force, name=str(out))


def run_child(args) -> int:
    """The child pipeline of the functions changed since ``--since``, written to ``--out``."""
    from ..cicd.changed import changes_since
    from ..cicd.model import model
    from ..cicd.render import render

    from ..cicd.render import parsed
    from ..cicd.values import parse_environment

    chosen = options(args)
    stages = tuple(dict.fromkeys(stage for _, stage in map(parse_environment, chosen.environments))) or ("",)
    found = changes_since(args.since, Path.cwd().absolute(), ui.warn, removed_since=args.removed_since,
                          stages=stages)
    root = found.root
    context = model("gitlab-child", list(found.functions), root, chosen, mode=args.mode, since=args.since,
                    install=_install(chosen), removed=found.removed, removed_since=args.removed_since)
    text = render("gitlab-child.yml.j2", context)
    out = Path(args.out)
    parsed(text, str(out))
    paths.write_text_atomic(out, text)
    names = ", ".join(spec.name for spec in found.functions) or "none"
    ui.success(f"wrote {out}: {args.mode} {names}")
    return 0
