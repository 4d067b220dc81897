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
names one; a genesys no runner can install the same way stops with exit 2. That line
installs the tree-sitter grammars of the repo's languages only, so the block records them
(``grammars``), and ``--check`` says plainly when the repo's functions now need others.
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


def _install(chosen, grammars: tuple[str, ...]) -> str | None:
    from ..cicd.install import install_line

    return None if chosen.install else install_line(grammars=grammars)


def _labels(grammars) -> str:
    from ..languages import TABLE

    return ", ".join(row.label for row in TABLE if row.grammars in grammars) or "no language"


def grammars_changed(recorded: dict, grammars: tuple[str, ...], specs, name: str, provider: str) -> str:
    """Why the file's install step no longer fits the repo's languages ("" when it does, or the file
    records no grammars): the languages it installs the grammars for, those needed now, and the fix."""
    if "grammars" not in recorded or list(recorded["grammars"]) == list(grammars):
        return ""
    before = tuple(recorded["grammars"])
    newly = sorted(str(spec.path.name) for spec in specs
                   if spec.runtime.language_row.grammars and spec.runtime.language_row.grammars not in before)
    which = f" ({', '.join(newly[:3])}{', ...' if len(newly) > 3 else ''})" if newly else ""
    return (f"{name} installs genesys with the grammars for {_labels(before)}, but the repo's functions now "
            f"need those for {_labels(grammars)}{which}: run `genesys ci {provider}` to generate it again "
            "(the options it records are kept)")


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
    from ..cicd.install import grammars_for
    from ..cicd.model import model
    from ..cicd.render import block, parsed, recorded_options, render

    provider = args.ci_command
    default_out, template = TARGETS[provider]
    root = Path.cwd().absolute()
    out = Path(args.out or default_out)
    current = out.read_text(encoding="utf-8") if out.exists() else None
    recorded = recorded_options(current)
    chosen = options(args, recorded)
    specs = _specs(root)
    grammars = grammars_for(spec.runtime.language for spec in specs)
    context = model(provider, specs, root, chosen, install=_install(chosen, grammars))
    record = chosen.record() if chosen.install else {**chosen.record(), "grammars": list(grammars)}
    text = block(render(template, context), f"genesys ci {provider}", record)
    parsed(text, str(out))
    changed = grammars_changed(recorded, grammars, specs, str(out), provider) if not chosen.install else ""
    if args.check and changed:
        ui.error(changed)
    return write(out, text, check=args.check, force=args.force, name=str(out))


def run_child(args) -> int:
    """The child pipeline of the functions changed since ``--since``, written to ``--out``."""
    from ..cicd.changed import changes_since
    from ..cicd.install import grammars_for
    from ..cicd.model import model
    from ..cicd.render import render

    from ..cicd.render import parsed
    from ..cicd.values import parse_environment

    chosen = options(args)
    stages = tuple(dict.fromkeys(stage for _, stage in map(parse_environment, chosen.environments))) or ("",)
    found = changes_since(args.since, Path.cwd().absolute(), ui.warn, removed_since=args.removed_since,
                          stages=stages)
    root = found.root
    install = _install(chosen, grammars_for(found.languages))  # every job loads every function's TOML
    context = model("gitlab-child", list(found.functions), root, chosen, mode=args.mode, since=args.since,
                    install=install, removed=found.removed, removed_since=args.removed_since)
    text = render("gitlab-child.yml.j2", context)
    out = Path(args.out)
    parsed(text, str(out))
    paths.write_text_atomic(out, text)
    names = ", ".join(spec.name for spec in found.functions) or "none"
    ui.success(f"wrote {out}: {args.mode} {names}")
    return 0
