"""The composition root of a deploy: one ``Session`` per command, and one per doit process.

The entry parses the options once (the CLI from its argparse result, doit from its
environment in ``creators()``, ``Options.from_environment``) and makes a ``Session``;
below it, options travel as the session's fields, never as environment variables.
The session owns what every deploying entry needs, written once:

- ``clients(spec)``: the one factory of AWS clients, one ``Clients`` per target and process
  (the tasks of a doit process share them, so the account is asked once);
- ``executor(clients)``: the options choose it (apply, show the plan, or collect it as data);
- ``deploy(spec, root)`` and ``plan(spec, root)``: every region of ``[deployment] regions`` (the
  first alone, the others in parallel), the role recorded in the TOML (not from the sandbox,
  nor per region), a gradual rollout's remaining steps (or, without ``wait``, the command that
  finishes it); the result is one ``Deployment`` the entry reports;
- ``delete(spec, root, confirm)``: what genesys made, region by region, shown, asked, removed;
  then ``forget`` (the entry's hook: doit's saved state of the function's deploy tasks).

What people see goes through ``ui``; the deployer below prints nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .. import ui
from ..config.spec import FunctionSpec
from ..shell import command
from .regions import RegionResult, region_specs, run_regions, summary_error

COMMIT_ENV = "GENESYS_COMMIT"  # doit's and the CLI's spelling of the commit being deployed, read at the entry
STAGES = ("role", "layer", "function")  # the deployer's, in order; this module loads without it (doit's no-op path)


def _flag(env, name: str) -> bool:
    return env.get(name, "") in ("1", "true", "yes")


@dataclass(frozen=True)
class Options:
    """What the entry decided, parsed once."""

    adopt: bool = False  # take over same-named resources genesys did not make (`--adopt`, GENESYS_ADOPT=1)
    wait: bool = True  # take a gradual rollout's steps now (`--no-wait`, GENESYS_NO_WAIT=1, leaves the first)
    # nobody watches (CI=true): a rollout a stopped run left is named (exit 2), not resumed
    unattended: bool = field(default_factory=lambda: _flag(os.environ, "CI"))
    record_role: bool = True  # write a created role's ARN into the TOML (never from the sandbox)
    dry_run: bool = False  # show (or collect) the plan; change nothing
    json_output: bool = False  # a dry run's plan as data, for `--output json`
    keep_going: bool = False  # a region's failure does not stop the regions not started
    debug: bool = False
    region: str | None = None  # `--region`: this run's region, over the TOML's region(s) and the environment
    profile: str | None = None  # `--profile`: this run's profile, over the TOML's and the environment's
    replace: bool = False  # replace a function AWS cannot change in place (`--replace`, GENESYS_REPLACE=1)
    commit: str = ""  # the git commit being deployed, tagged on the function (GENESYS_COMMIT, set by the generated CI)

    @classmethod
    def from_args(cls, args, **fields) -> Options:
        """The options every AWS command shares (``--region``, ``--profile``, ``--debug``) from its
        argparse result, with the command's own ``fields``."""
        return cls(region=getattr(args, "region", None), profile=getattr(args, "profile", None),
                   debug=bool(getattr(args, "debug", False)), commit=getattr(args, "commit", "") or "", **fields)

    @classmethod
    def from_environment(cls, env=None) -> Options:
        """doit's spelling of the CLI's options, read once where doit enters."""
        env = os.environ if env is None else env
        return cls(adopt=_flag(env, "GENESYS_ADOPT"), wait=not _flag(env, "GENESYS_NO_WAIT"),
                   debug=_flag(env, "GENESYS_DEBUG"), replace=_flag(env, "GENESYS_REPLACE"),
                   commit=env.get(COMMIT_ENV, ""))


def notify(message: str) -> None:
    """What the AWS adapters say while a call waits (e.g. for IAM to propagate a new role)."""
    ui.info(f"  {message}")


@dataclass
class Deployment:
    """One function's deploy (or plan) in each of its regions."""

    spec: FunctionSpec
    results: list  # RegionResult per region, outcome a deployer.Outcome
    regions: bool  # more than one region: results are said per region

    @property
    def failure(self):
        """None when every region succeeded; else one error naming each region's fate."""
        return summary_error(self.spec.name, self.results)

    @property
    def done(self) -> list:
        return [r for r in self.results if r.outcome is not None]


class Session:
    """Options, clients and the deploy wiring, made once at the entry.

    ``forget(root, name)`` runs after a function is deleted. The other parts are the real ones
    unless handed in (tests do, to run the wiring without AWS): ``deploy_one`` the deployer's
    ``deploy``, ``clients_factory(target)`` the ``Clients`` of a target, ``executors(clients,
    options)`` the executor the options choose, ``sleep`` a rollout's wait between steps.
    """

    def __init__(self, options: Options = Options(), *, forget: Callable[[Path, str], None] | None = None,
                 deploy_one=None, clients_factory=None, executors=None, sleep=None):
        self.options = options
        self.forget = forget
        self._deploy_one = deploy_one
        self._clients_factory = clients_factory
        self._executors = executors
        self._sleep = sleep
        self._clients: dict = {}  # (process, target) → Clients
        self._functions: dict = {}  # (process, target) → the names of the functions AWS has there

    def __getstate__(self):  # `doit -n` workers make their own connections
        return {**self.__dict__, "_clients": {}, "_functions": {}}

    def with_options(self, **changes) -> Session:
        """The same session (its clients too) with some options changed: doit's plan task is a dry run."""
        other = Session(replace(self.options, **changes), forget=self.forget, deploy_one=self._deploy_one,
                        clients_factory=self._clients_factory, executors=self._executors, sleep=self._sleep)
        other._clients, other._functions = self._clients, self._functions
        return other

    def aimed(self, spec: FunctionSpec) -> FunctionSpec:
        """``spec`` with this run's ``--region``/``--profile`` over its ``[deployment]`` (a region given
        on the command line is the only one: ``[deployment] regions`` does not apply to the run)."""
        changes = {}
        if self.options.region:
            changes.update(region=self.options.region, regions=())
        if self.options.profile:
            changes["profile"] = self.options.profile
        return replace(spec, deployment=replace(spec.deployment, **changes)) if changes else spec

    # --- clients -----------------------------------------------------------------------------

    def clients_at(self, target):
        """One ``Clients`` per target and process, their waits shown to people."""
        # by process too: doit -n forks workers, which must not share the parent's connections
        key = (os.getpid(), target)
        if key not in self._clients:
            if self._clients_factory is not None:
                self._clients[key] = self._clients_factory(target)
            else:
                from ..aws.session import Clients

                self._clients[key] = Clients(target, notify=notify)
        return self._clients[key]

    def clients(self, spec: FunctionSpec):
        """The clients of ``spec``'s target (``--region/--profile``, then ``[deployment] region/profile``,
        then the environment)."""
        return self.clients_at(target(self.aimed(spec)))

    def check_profile(self, spec: FunctionSpec) -> None:
        """Fail now, before a build, when the run's AWS profile does not exist: exit 3, the hint naming
        where the profile came from (``--profile``, ``[deployment] profile`` or ``AWS_PROFILE``)."""
        from ..errors import CredentialsError

        aimed = target(self.aimed(spec))
        if aimed.profile is None:
            return
        try:
            self.clients_at(aimed).open()
        except CredentialsError as err:
            named = ("--profile" if self.options.profile else "[deployment] profile" if spec.deployment.profile
                     else "AWS_PROFILE")
            err.hint = (f"{named} {aimed.profile!r} is not a profile of this machine's AWS config: name one "
                        f"`aws configure list-profiles` lists, or add it with `genesys config setup --profile "
                        f"{aimed.profile}`")
            raise

    def executor(self, clients):
        """The options choose the executor; nothing below them knows about a dry run."""
        from .executor import CollectingExecutor, DisplayExecutor, Executor

        if self._executors is not None:
            return self._executors(clients, self.options)
        if not self.options.dry_run:
            return Executor(clients, progress=ui.progress)
        return CollectingExecutor() if self.options.json_output else DisplayExecutor(ui.plan_line)

    def account(self, spec: FunctionSpec) -> str | None:
        """The account the current credentials belong to; None when they do not work."""
        from ..errors import GenesysError

        try:
            return self.clients(spec).account()
        except GenesysError:
            return None

    def function_names(self, spec: FunctionSpec) -> frozenset | None:
        """The names of the functions at ``spec``'s target, listed once per target and process;
        None when AWS cannot say (no credentials)."""
        from ..errors import GenesysError

        key = (os.getpid(), target(self.aimed(spec)))
        if key not in self._functions:
            try:
                listed = self.clients(spec).adapter("lambda").all_functions()
                self._functions[key] = frozenset(f["FunctionName"] for f in listed)
            except GenesysError:
                return None
        return self._functions[key]

    # --- deploy ------------------------------------------------------------------------------

    def records_role(self, spec: FunctionSpec) -> bool:
        """A created role's ARN goes into the TOML, unless the options say no or the target is the
        running ``genesys sandbox`` (an emulator's ARN does not belong in the TOML)."""
        if not self.options.record_role:
            return False
        from ..sandbox import is_running_at

        # a --profile of the run may be another account: its role ARN does not belong in the TOML
        return not is_running_at(target(spec).endpoint) and not self.options.profile

    def deploy(self, spec: FunctionSpec, root: Path, stages=STAGES, sharers=()) -> Deployment:
        """Deploy (or, in a dry run, plan) ``stages`` of ``spec`` in each of its regions.

        ``sharers``: the repo's other specs using the role. One region's error is raised as it is;
        with several regions the errors are kept in the results (``Deployment.failure``)."""
        spec = self.aimed(spec)
        specs = region_specs(spec)
        several = len(specs) > 1
        record = self.records_role(spec) and not several  # one role_arn in the TOML cannot name each region's

        def one(region_spec):
            others = tuple(s for s in specs if s is not region_spec)
            return self._region(region_spec, root, stages, sharers + others, several=several, record_role=record)

        if not several:
            results = [RegionResult(spec.deployment.region or "", one(spec))]
        else:  # the role is global: each region's needs are the union over the regions
            results = run_regions(specs, one, parallel=not self.options.dry_run, keep_going=self.options.keep_going)
        return Deployment(spec, results, several)

    def plan(self, spec: FunctionSpec, root: Path, sharers=()) -> Deployment:
        """What deploying ``spec`` would change, shown (or collected); nothing changes."""
        session = self if self.options.dry_run else self.with_options(dry_run=True)
        return session.deploy(spec, root, STAGES, sharers)

    def _region(self, spec: FunctionSpec, root: Path, stages, sharers, *, several: bool, record_role: bool):
        from . import deployer
        from .ownership import Ownership

        region = spec.deployment.region
        progress = (lambda text: ui.progress(f"[{region}] {text}")) if several else ui.progress
        clients = self.clients(spec)
        if several and self.options.dry_run and not self.options.json_output:
            ui.info(f"region {region}:")  # plans are shown one region at a time
        executor = self.executor(clients)
        deploy_one = self._deploy_one or deployer.deploy
        outcome = deploy_one(spec, root, clients, executor, stages=stages, record_role=record_role,
                             progress=progress, commit=self.options.commit,
                             ownership=Ownership(self.options.adopt, sharers, replace=self.options.replace))
        outcome.collected = getattr(executor, "changes", None)
        if "function" in stages and outcome.applied and outcome.values.get("rollout_to") is not None:
            self.finish_rollout(spec, clients, executor, outcome.values)
        return outcome

    def finish_rollout(self, spec: FunctionSpec, clients, executor, values: dict) -> None:
        """Take a gradual rollout's remaining steps (watching its alarms), or without ``wait`` leave
        it at the first step and say how to finish it. A rollout a stopped run left (``rollout_share``)
        is resumed from where it stopped, unless nobody waits for it (no ``wait``, or ``unattended``):
        then ``RolloutInProgress`` (exit 2) names ``genesys rollout --continue|--abort``."""
        from . import rollout

        old, new = values["rollout_from"], values["rollout_to"]
        first = values.get("rollout_share") or spec.deployment.traffic.steps()[0]
        if values.get("rollout_share") is not None and (not self.options.wait or self.options.unattended):
            raise rollout.interrupted(spec, old, new, first)
        if not self.options.wait:
            ui.info(f"  {first}% of {spec.deployment.alias} on version {new}; finish with "
                    f"`{command('genesys', 'rollout', '--continue', operands=(spec.path.name,))}` (or --abort)")
            return
        waits = {} if self._sleep is None else {"sleep": self._sleep}
        rollout.proceed(spec, clients, executor, old, new, first, progress=ui.progress, **waits)
        ui.info(f"  {spec.deployment.alias}: 100% on version {new}")

    # --- delete ------------------------------------------------------------------------------

    def delete(self, spec: FunctionSpec, root: Path, confirm: Callable = lambda spec, plan: True):
        """Delete what genesys made for ``spec`` from each of its regions, one after the other: each
        region's plan is shown, then ``confirm(spec, plan)`` decides. Yields (region spec, plan,
        deleted) as each region is done; after a deletion, ``forget`` drops doit's saved state."""
        from . import deployer
        from .executor import DisplayExecutor, Executor

        spec = self.aimed(spec)
        for one in region_specs(spec):
            if spec.deployment.regions and not self.options.json_output:
                ui.info(f"region {one.deployment.region}:")
            clients = self.clients(one)
            plan, _account = deployer.plan_delete(one, clients, progress=ui.progress)
            DisplayExecutor(ui.plan_line).run(plan)
            deleted = not plan.writes or confirm(one, plan)
            if deleted:
                Executor(clients, progress=ui.progress).run(plan)
                if self.forget is not None:
                    self.forget(root, spec.name)  # doit must not think it deployed
            yield one, plan, deleted


def target(spec: FunctionSpec):
    """Where ``spec``'s calls go: ``[deployment] region/profile`` over the environment; no network."""
    from ..aws.target import target_for

    return target_for(spec.deployment.region, spec.deployment.profile)



# --- results: what the entries tell people (or machines), written once ---------------------------

def tell(deployment: Deployment, options: Options, *, sandboxed: bool) -> None:
    """``genesys execute``'s report: a created role recorded, a dry run's cost, then per region what
    changed and where the function answers; with ``--output json`` the results (or plans) as data."""
    spec, done = deployment.spec, deployment.done
    if done and done[0].outcome.recorded_role:
        ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
    if options.dry_run and not options.json_output and spec.cost.invocations_per_month is not None:
        from ..pricing import estimate_lines, load_prices

        for line in estimate_lines(spec, spec.cost.invocations_per_month, spec.cost.average_duration_ms,
                                   load_prices()):
            ui.info(line)
    if options.json_output:
        shown = {r.region: r.outcome.result() if r.outcome.applied else r.outcome.collected for r in done}
        ui.emit_json(shown if deployment.regions else next(iter(shown.values())))
        return
    for r in done:
        if r.outcome.applied:
            _report(spec, r.outcome.result(), sandboxed=sandboxed, region=r.region if deployment.regions else "")


def _report(spec: FunctionSpec, result: dict, *, sandboxed: bool, region: str = "") -> None:
    changed, where = len(result["changes"]), f" in {region}" if region else ""
    ui.success(f"{spec.name} deployed{where} ({changed} resource(s) changed)" if changed
               else f"{spec.name} is up to date{where}")
    note = " (the sandbox runs the code)" if sandboxed else ""
    api_note = (f" (recorded, not served by the sandbox: `{command('genesys', 'serve', operands=(spec.path.name,))}` "
                "serves the function "
                "on 127.0.0.1)") if sandboxed else ""
    if result.get("function_arn"):
        ui.info(f"  ARN: {result['function_arn']}")
    if result["function_url"]:
        ui.info(f"  function URL: {result['function_url']}{note}")
    if result["api_endpoint"]:
        ui.info(f"  API endpoint: {result['api_endpoint']}{api_note}")


def task_values(deployment: Deployment, stages) -> dict:
    """A doit deploy action's report (write calls, URL, API endpoint per region) and the values doit
    saves: each region's under its name, and the account the up-to-date check compares."""
    spec = deployment.spec
    saved = []
    for r in deployment.done:
        outcome, prefix = r.outcome, f"[{r.region}] " if deployment.regions else ""
        if outcome.recorded_role:
            ui.info(f"  recorded [iam] role_arn in {spec.path.name}")
        values = {k: v for k, v in outcome.values.items() if isinstance(v, str) and k != "extra_layers"}
        if outcome.applied:
            ui.info(f"  {prefix}{spec.name}: {outcome.write_calls} write call(s) to AWS")
        if "function" in stages and outcome.applied:
            for label, key in (("function URL", "function_url"), ("API endpoint", "api_endpoint")):
                if values.get(key):
                    ui.info(f"  {prefix}{spec.name} {label}: {values[key]}")
        saved.append((r.region, values, outcome.account))
    failure = deployment.failure
    if failure is not None:
        raise failure
    if not deployment.regions:
        _region, values, account = saved[0]
        return {**values, "account": account}
    result = {"account": saved[0][2]}
    for region, values, _account in saved:
        result.update({f"{region}:{k}": v for k, v in values.items()})
    return result
