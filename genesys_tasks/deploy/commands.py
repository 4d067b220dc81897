"""``genesys execute`` and ``genesys delete``: build through the doit tasks, then deploy or delete.

The result goes to people through ``ui`` (the URL and API endpoint), or to stdout as
JSON with ``--output json``. With ``--sandbox`` every AWS call goes to the embedded
emulator, which is said next to the URL since it does not serve it, and the TOML is
left as it is (an emulator's role ARN means nothing in a real account).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from .. import paths, ui


def _target(sandbox: bool):
    if not sandbox:
        return contextlib.nullcontext(None)
    from ..sandbox import use_sandbox

    return use_sandbox()


def execute(toml: Path, *, dry_run: bool = False, json_output: bool = False, sandbox: bool = False,
            debug: bool = False) -> int:
    """Build the function, then deploy it (or show the plan with ``dry_run``)."""
    from ..runner import load_spec, run_tasks
    from . import run

    _, spec = load_spec(toml)  # with the project's own runtimes, as the build sees them
    run.resolve_environment(spec)  # an unset ${env:NAME} fails now, not after a long build
    code = run_tasks(spec.path, ["build:{name}"], debug=debug, spec=spec)
    if code:
        return code
    root = paths.find_root(spec.path)
    with _target(sandbox) as endpoint:
        outcome = run.deploy(spec, root, dry_run=dry_run, json_output=json_output, record_role=not sandbox)
    if json_output:
        ui.emit_json(outcome.result() if not dry_run else [c.as_dict() for c in outcome.plan.changes])
        return 0
    if dry_run:
        return 0
    result = outcome.result()
    changed = len(result["changes"])
    ui.success(f"{spec.name} deployed ({changed} resource(s) changed)" if changed else f"{spec.name} is up to date")
    note = " (sandbox: not served; the emulator does not run code)" if endpoint else ""
    if result["function_url"]:
        ui.info(f"  function URL: {result['function_url']}{note}")
    if result["api_endpoint"]:
        ui.info(f"  API endpoint: {result['api_endpoint']}{note}")
    return 0


def delete(toml: Path, *, yes: bool = False, sandbox: bool = False, json_output: bool = False) -> int:
    from ..runner import load_spec
    from . import run

    _, spec = load_spec(toml)
    with _target(sandbox):
        outcome = run.delete(spec, yes=yes)
    if json_output:
        ui.emit_json([c.as_dict() for c in outcome.plan.changes])
    elif not outcome.dry_run:
        deleted = [c for c in outcome.plan.changes if c.action == "delete"]
        ui.success(f"deleted {len(deleted)} resource(s) of {spec.name}" if deleted else "nothing to delete")
    return 0
