"""``genesys rollout X.toml --continue | --abort``: finish a gradual rollout that ``execute --no-wait``
left at its first step (watching the alarms between steps), or put the alias back on the old version."""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..errors import UsageError
from ..sandbox import within
from ..shell import command


def run(args) -> int:
    from ..deploy import rollout
    from ..deploy.session import Options, Session
    from ..tasks.runner import load_spec

    if args.continue_ == args.abort:
        raise UsageError("say --continue or --abort",
                         hint=command("genesys", "rollout", "--continue", operands=(args.toml,) if args.toml else ()))
    _, spec = load_spec(Path(args.toml), stage=args.stage)
    if spec.deployment.alias is None:
        raise UsageError(f"{spec.name} has no [deployment] alias, so no rollout", hint='set alias = "live"')
    session = Session(Options.from_args(args))
    spec = session.aimed(spec)
    with within(args.sandbox):
        clients = session.clients(spec)
        found = rollout.state_of(spec, clients)
        if found is None:
            ui.success(f"{spec.name}: no rollout in progress on {spec.deployment.alias}")
            return 0
        old, new, share = found
        executor = session.executor(clients)
        if args.abort:
            executor.run(rollout.revert(spec, old))
            ui.success(f"{spec.name}: rollout to version {new} aborted; {spec.deployment.alias} on version {old}")
            return 0
        rollout.proceed(spec, clients, executor, old, new, share, progress=ui.progress)
    ui.success(f"{spec.name}: {spec.deployment.alias} on version {new} (100%)")
    return 0
