"""``genesys rollback X.toml [--to VERSION] [--dry-run]``: point ``[deployment] alias`` back at the
previous version genesys published (or the one named), with the plan shown first; nothing is built."""

from __future__ import annotations

from pathlib import Path

from .. import ui
from ..sandbox import within


def run(args) -> int:
    from ..deploy.rollback import rollback
    from ..deploy.session import Options, Session
    from ..tasks.runner import load_spec

    _, spec = load_spec(Path(args.toml), stage=args.stage)
    json_output = args.output == "json"
    session = Session(Options.from_args(args, dry_run=args.dry_run, json_output=json_output))
    spec = session.aimed(spec)
    with within(args.sandbox):
        clients = session.clients(spec)
        executor = session.executor(clients)
        outcome = rollback(spec, clients, executor, args.to, progress=ui.progress)
    moved = outcome.plan.changes[0].changes[0]
    if json_output:
        ui.emit_json(outcome.result()["changes"] if outcome.applied else executor.changes)
    elif outcome.applied:  # a dry run's display executor has shown the plan already
        ui.success(f"{spec.name}: alias {spec.deployment.alias} moved from version {moved[1]} to {moved[2]}")
    return 0
