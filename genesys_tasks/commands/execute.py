"""``genesys execute X.toml``: build through the doit tasks, then deploy (or show the plan).

The options choose the executor: the real one, or for ``--dry-run`` one that shows the
plan (or, with ``--output json``, collects it as data); the deployer just runs it. The
result goes to people through ``ui`` (the URL and API endpoint), or to stdout as JSON
with ``--output json``. With ``--sandbox`` every AWS call goes to the embedded emulator,
which is said next to the URL since it does not serve it (with the ``genesys serve``
command that does), and the TOML is left as it is
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
                   sandbox=args.sandbox, debug=args.debug, adopt=args.adopt, wait=not args.no_wait,
                   keep_going=args.keep_going)


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
            debug: bool = False, adopt: bool = False, wait: bool = True, keep_going: bool = False) -> int:
    """Build the function, then deploy it (or show the plan with ``dry_run``).

    ``adopt`` lets genesys take over same-named resources it did not make (shown as
    ``adopt`` in the plan); the repo's other functions that share the role are handed
    to the planner, so the role carries the union of their needs.
    """
    from ..deploy import deployer
    from ..deploy.regions import RegionResult, region_specs, run_regions, summary_error
    from ..tasks.runner import load_spec, role_sharers_in_repo, run_tasks

    _, spec = load_spec(toml)  # with the project's own runtimes, as the build sees them
    deployer.resolve_environment(spec)  # an unset ${env:NAME} fails now, not after a long build
    code = run_tasks(spec.path, ["build:{name}"], debug=debug, spec=spec)
    if code:
        return code
    root = paths.find_root(spec.path)
    specs = region_specs(spec)
    sharers = role_sharers_in_repo(spec, root)
    run = _Run(root, dry_run, json_output, adopt, wait, record_role=not sandbox, regions=len(specs) > 1)
    with target(sandbox) as endpoint:
        if len(specs) == 1:
            results = [RegionResult(spec.deployment.region or "", run(spec, sharers))]
        else:  # the role is global: each region's needs are the union over the regions
            results = run_regions(specs, lambda s: run(s, sharers + tuple(o for o in specs if o is not s)),
                                  parallel=not dry_run, keep_going=keep_going)
    failure = summary_error(spec.name, results)  # one region's error was raised as it is
    _tell(spec, [r for r in results if r.outcome is not None], run, sandboxed=endpoint is not None)
    if failure is not None:
        raise failure
    return 0


class _Run:
    """Deploy one region's spec (or show its plan); the command's options, bound once."""

    def __init__(self, root, dry_run, json_output, adopt, wait, *, record_role, regions: bool):
        self.root, self.dry_run, self.json_output, self.adopt, self.wait = root, dry_run, json_output, adopt, wait
        self.record_role, self.regions, self.collected = record_role, regions, {}

    def __call__(self, spec, sharers):
        from ..deploy import deployer
        from ..deploy.ownership import Ownership

        region = spec.deployment.region
        label = (lambda text: ui.progress(f"[{region}] {text}")) if self.regions else ui.progress
        clients = open_clients(spec)
        if self.regions and self.dry_run and not self.json_output:
            ui.info(f"region {region}:")
        executor = executor_for(clients, dry_run=self.dry_run, json_output=self.json_output)
        outcome = deployer.deploy(spec, self.root, clients, executor, record_role=self.record_role and not self.regions,
                                  progress=label, ownership=Ownership(self.adopt, sharers))
        self.collected[region or ""] = getattr(executor, "changes", None)
        if outcome.applied and outcome.values.get("rollout_to") is not None:
            from ..tasks.deploy import finish_rollout

            finish_rollout(spec, clients, executor, outcome.values, self.wait)
        return outcome


def _tell(spec, results, run: _Run, *, sandboxed: bool) -> None:
    """What people (or, with --output json, machines) hear about the regions that were deployed."""
    outcome = results[0].outcome if results else None
    if outcome is not None and outcome.recorded_role:
        ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
    if run.dry_run and not run.json_output and spec.cost.invocations_per_month is not None:
        from ..pricing import load_prices
        from .cost import estimate_lines

        for line in estimate_lines(spec, spec.cost.invocations_per_month, spec.cost.average_duration_ms,
                                   load_prices()):
            ui.info(line)
    if run.json_output:
        shown = {r.region: r.outcome.result() if r.outcome.applied else run.collected.get(r.region) for r in results}
        ui.emit_json(shown if run.regions else next(iter(shown.values())))
        return
    for r in results:
        if r.outcome.applied:
            _report(spec, r.outcome.result(), sandboxed=sandboxed, region=r.region if run.regions else "")


def _report(spec, result: dict, *, sandboxed: bool, region: str = "") -> None:
    changed, where = len(result["changes"]), f" in {region}" if region else ""
    ui.success(f"{spec.name} deployed{where} ({changed} resource(s) changed)" if changed
               else f"{spec.name} is up to date{where}")
    note = (f" (sandbox: not served; the emulator does not run code; `genesys serve {spec.path.name}` "
            "serves it on 127.0.0.1)") if sandboxed else ""
    if result["function_url"]:
        ui.info(f"  function URL: {result['function_url']}{note}")
    if result["api_endpoint"]:
        ui.info(f"  API endpoint: {result['api_endpoint']}{note}")
