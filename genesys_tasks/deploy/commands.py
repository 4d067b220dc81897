"""``genesys execute`` and ``genesys delete``: build through the doit tasks, then deploy or delete.

The command picks the executor: the real one, or for ``--dry-run`` one that shows the
plan (or, with ``--output json``, collects it as data); the deployer just runs it. The
result goes to people through ``ui`` (the URL and API endpoint), or to stdout as JSON
with ``--output json``. With ``--sandbox`` every AWS call goes to the embedded emulator,
which is said next to the URL since it does not serve it, and the TOML is left as it is
(an emulator's role ARN means nothing in a real account). ``--adopt`` and the repo's other
functions sharing the role reach the deployer as one ``Ownership``.
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


def notify(message: str) -> None:
    """What the AWS adapters say while a call waits (for IAM to propagate a role)."""
    ui.info(f"  {message}")


def role_sharers_in_repo(spec, root: Path) -> tuple:
    """The specs of the repo's other functions that use ``spec``'s role (only TOMLs that mention it are loaded)."""
    from ..config import discover, discovery_pattern, load
    from ..config.runtimes_file import load_registry
    from .deployer import role_name, role_sharers

    needle = role_name(spec).removeprefix("genesys-lambda-")  # a default role name is the function's name
    found = [p for p in discover(root, discovery_pattern()) if p.resolve() != spec.path.resolve()
             and needle in p.read_text(encoding="utf-8", errors="replace")]
    if not found:
        return ()
    registry = load_registry(root)
    return role_sharers(spec, [load(p, registry=registry) for p in found])


def execute(toml: Path, *, dry_run: bool = False, json_output: bool = False, sandbox: bool = False,
            debug: bool = False, adopt: bool = False) -> int:
    """Build the function, then deploy it (or show the plan with ``dry_run``)."""
    from ..runner import load_spec, run_tasks
    from . import deployer
    from .executor import CollectingExecutor, DisplayExecutor, Executor
    from .ownership import Ownership

    _, spec = load_spec(toml)  # with the project's own runtimes, as the build sees them
    deployer.resolve_environment(spec)  # an unset ${env:NAME} fails now, not after a long build
    code = run_tasks(spec.path, ["build:{name}"], debug=debug, spec=spec)
    if code:
        return code
    root = paths.find_root(spec.path)
    with _target(sandbox) as endpoint:
        clients = deployer.open_clients(spec, notify=notify)
        # the options choose the executor; nothing below them knows about a dry run
        executor = (Executor(clients, progress=ui.progress) if not dry_run
                    else CollectingExecutor() if json_output else DisplayExecutor(ui.info))
        outcome = deployer.deploy(spec, root, clients, executor, record_role=not sandbox, progress=ui.progress,
                                  ownership=Ownership(adopt, role_sharers_in_repo(spec, root)))
    if outcome.recorded_role:
        ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
    if json_output:
        ui.emit_json(outcome.result() if outcome.applied else executor.changes)
        return 0
    if not outcome.applied:
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


def _confirmed(spec) -> bool:
    import sys

    from ..errors import UsageError

    if not sys.stdin.isatty():
        raise UsageError("delete needs confirmation", hint="pass --yes to delete without asking")
    return input(f"delete these resources of {spec.name}? [y/N] ").strip().lower() in ("y", "yes")


def delete(toml: Path, *, yes: bool = False, sandbox: bool = False, json_output: bool = False) -> int:
    """Show what genesys made for the function, ask (unless ``yes``), then delete it."""
    from ..runner import load_spec
    from . import deployer
    from .executor import DisplayExecutor, Executor

    _, spec = load_spec(toml)
    with _target(sandbox):
        clients = deployer.open_clients(spec, notify=notify)
        plan, _account = deployer.plan_delete(spec, clients, progress=ui.progress)
        DisplayExecutor(ui.info).run(plan)
        declined = bool(plan.writes) and not yes and not _confirmed(spec)
        if not declined:
            Executor(clients, progress=ui.progress).run(plan)
    if declined:
        ui.info("nothing deleted")
    if json_output:
        ui.emit_json([c.as_dict() for c in plan.changes])
    elif not declined:
        deleted = [c for c in plan.changes if c.action == "delete"]
        ui.success(f"deleted {len(deleted)} resource(s) of {spec.name}" if deleted else "nothing to delete")
    return 0
