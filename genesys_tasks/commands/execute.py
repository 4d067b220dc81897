"""``genesys execute X.toml``: build through the doit tasks, then deploy (or show the plan).

The options choose the executor: the real one, or for ``--dry-run`` one that shows the
plan (or, with ``--output json``, collects it as data); the deployer just runs it. The
result goes to people through ``ui`` (the URL and API endpoint), or to stdout as JSON
with ``--output json``. With ``--sandbox`` every AWS call goes to the embedded emulator,
which is said next to the URL since it does not serve it, and the TOML is left as it is
(an emulator's role ARN means nothing in a real account).
"""

from __future__ import annotations

from pathlib import Path

from .. import paths, ui
from ..errors import UsageError
from .aws_target import open_clients, target

DELETION = "deletion"  # `genesys execute deletion X.toml`, as the original CLI spelled delete


def run(args) -> int:
    if args.toml == DELETION:
        return _deletion(args)
    if args.deletion_toml is not None:
        raise UsageError(f"unexpected argument {args.deletion_toml!r}",
                         hint="genesys execute X.toml, or genesys execute deletion X.toml")
    if args.apply and args.dry_run:
        raise UsageError("--apply and --dry-run contradict each other", hint="pass one of them")
    return execute(Path(args.toml), dry_run=args.dry_run, json_output=args.output == "json",
                   sandbox=args.sandbox, debug=args.debug, adopt=args.adopt, wait=not args.no_wait)


def _deletion(args) -> int:
    """The original CLI's `genesys execute deletion X.toml`: the same as `genesys delete X.toml`."""
    from .delete import delete

    if args.deletion_toml is None:
        raise UsageError("`genesys execute deletion` needs the function's TOML file",
                         hint="genesys execute deletion lambda_x.toml (same as genesys delete lambda_x.toml)")
    if args.dry_run or args.apply:
        raise UsageError("`execute deletion` takes neither --dry-run nor --apply",
                         hint="it lists what it would delete and asks first; --yes skips the question")
    return delete(Path(args.deletion_toml), yes=args.yes, sandbox=args.sandbox, json_output=args.output == "json")


def executor_for(clients, *, dry_run: bool, json_output: bool):
    """The options choose the executor; nothing below them knows about a dry run."""
    from ..deploy.executor import CollectingExecutor, DisplayExecutor, Executor

    if not dry_run:
        return Executor(clients, progress=ui.progress)
    return CollectingExecutor() if json_output else DisplayExecutor(ui.info)


def execute(toml: Path, *, dry_run: bool = False, json_output: bool = False, sandbox: bool = False,
            debug: bool = False, adopt: bool = False, wait: bool = True) -> int:
    """Build the function, then deploy it (or show the plan with ``dry_run``).

    ``adopt`` lets genesys take over same-named resources it did not make (shown as
    ``adopt`` in the plan); the repo's other functions that share the role are handed
    to the planner, so the role carries the union of their needs.
    """
    from ..deploy import deployer
    from ..deploy.ownership import Ownership
    from ..tasks.runner import load_spec, role_sharers_in_repo, run_tasks

    _, spec = load_spec(toml)  # with the project's own runtimes, as the build sees them
    deployer.resolve_environment(spec)  # an unset ${env:NAME} fails now, not after a long build
    code = run_tasks(spec.path, ["build:{name}"], debug=debug, spec=spec)
    if code:
        return code
    root = paths.find_root(spec.path)
    with target(sandbox) as endpoint:
        clients = open_clients(spec)
        executor = executor_for(clients, dry_run=dry_run, json_output=json_output)
        outcome = deployer.deploy(spec, root, clients, executor, record_role=not sandbox, progress=ui.progress,
                                  ownership=Ownership(adopt, role_sharers_in_repo(spec, root)))
        if outcome.applied and outcome.values.get("rollout_to") is not None:
            _rollout(spec, clients, executor, outcome.values, wait)
    if outcome.recorded_role:
        ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
    if dry_run and not json_output and spec.cost.invocations_per_month is not None:
        from ..pricing import load_prices
        from .cost import estimate_lines

        for line in estimate_lines(spec, spec.cost.invocations_per_month, spec.cost.average_duration_ms,
                                   load_prices()):
            ui.info(line)
    if json_output:
        ui.emit_json(outcome.result() if outcome.applied else executor.changes)
    elif outcome.applied:
        _report(spec, outcome.result(), sandboxed=endpoint is not None)
    return 0


def _rollout(spec, clients, executor, values: dict, wait: bool) -> None:
    """Take a gradual rollout's remaining steps, or with ``--no-wait`` leave it at the first."""
    from ..deploy import rollout

    old, new = values["rollout_from"], values["rollout_to"]
    first = spec.deployment.traffic.steps()[0]
    if not wait:
        ui.info(f"  {first}% of {spec.deployment.alias} on version {new}; finish with "
                f"`genesys rollout {spec.path.name} --continue` (or --abort)")
        return
    rollout.proceed(spec, clients, executor, old, new, first, progress=ui.progress)
    ui.info(f"  {spec.deployment.alias}: 100% on version {new}")


def _report(spec, result: dict, *, sandboxed: bool) -> None:
    changed = len(result["changes"])
    ui.success(f"{spec.name} deployed ({changed} resource(s) changed)" if changed else f"{spec.name} is up to date")
    note = " (sandbox: not served; the emulator does not run code)" if sandboxed else ""
    if result["function_url"]:
        ui.info(f"  function URL: {result['function_url']}{note}")
    if result["api_endpoint"]:
        ui.info(f"  API endpoint: {result['api_endpoint']}{note}")
