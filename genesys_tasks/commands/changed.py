"""``genesys changed [--since REF|deployed] [--output text|json|matrix|removed]``: the functions a change touched.

``--since deployed`` compares each function with the commit its deployed copy records (the
``genesys:commit`` tag, read with one ListTags call per function); ``removed`` prints the
TOMLs removed since ``--since`` as one line of JSON (for the generated delete jobs).

The one source of truth the generated CI files call (``cicd.changed``). ``matrix``
prints the changed functions as one line of JSON, ready for a GitHub Actions matrix.
TOMLs that were removed are listed apart, with the command that deletes what genesys
deployed for them; nothing is deleted here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import ui


def changes(since: str, root: Path | None = None, removed_since: str = "", stages: tuple[str, ...] = ("",)):
    """The ``Changes`` of the project in the current folder since ``since`` (a commit, or ``deployed``);
    ``removed_since`` (a commit) lists the TOMLs removed since then, whatever ``since`` is.

    With ``deployed``, ``stages`` are the stages the pipeline deploys ("" for none): a function
    counts when it differs in any of them (the answer names it as the TOML without a stage).
    """
    from dataclasses import replace

    from ..cicd.changed import DEPLOYED, Changes, changed, changed_since_deployed, load_project, removed_since as removed
    from ..config import discovery_pattern

    root = (root or Path.cwd()).absolute()
    pattern = discovery_pattern()
    specs = load_project(root, pattern, ui.warn)
    if since != DEPLOYED:
        found = changed(specs, root, since, pattern)
    else:
        commits, touched = DeployedCommits(), set()
        for stage in stages:
            staged = load_project(root, pattern, ui.warn, stage=stage or None) if stage else specs
            touched |= {spec.path for spec in changed_since_deployed(staged, root, pattern, commits).functions}
        found = Changes(DEPLOYED, False, tuple(spec for spec in specs if spec.path in touched), (), root.resolve())
    return replace(found, removed=removed(root, removed_since, pattern)) if removed_since else found


class DeployedCommits:
    """The commit each deployed function records (``genesys:commit``), one ListTags call per function
    (clients shared by the functions of one region and profile); None: not deployed or not recorded."""

    def __init__(self):
        self.clients: dict[tuple, object] = {}

    def __call__(self, spec) -> str | None:
        from ..deploy.planner import COMMIT_KEY
        from .aws_target import open_clients

        where = (spec.deployment.region, spec.deployment.profile)
        clients = self.clients.get(where) or self.clients.setdefault(where, open_clients(spec))
        arn = f"arn:aws:lambda:{clients.region}:{clients.account()}:function:{spec.name}"
        found = clients.adapter("lambda").call("list_tags", spec.name, missing_ok=True, Resource=arn)
        return (found or {}).get("Tags", {}).get(COMMIT_KEY)


def run(args) -> int:
    found = changes(args.since, stages=tuple(args.stages.split(",")) if args.stages is not None else ("",))
    if args.output == "removed":
        sys.stdout.write(json.dumps([{"toml": r.toml, "name": r.name} for r in found.removed],
                                    separators=(",", ":")) + "\n")
        return 0
    if args.output == "json":
        ui.emit_json(found.to_json())
    elif args.output == "matrix":
        sys.stdout.write(json.dumps(found.rows(), separators=(",", ":")) + "\n")
    if found.everything:
        ui.warn(f"{args.since or 'the ref'} is not a commit this clone has (a new branch, a shallow clone, "
                "a typo): every function counts as changed")
    for gone in found.removed:
        ui.warn(f"{gone.toml} was removed: genesys deletes nothing by itself; to delete what it deployed for "
                f"{gone.name}, run `genesys delete {gone.toml}` from a checkout that still has it")
    if args.output == "text":
        for row in found.rows():
            ui.info(f"{row['name']}  ({row['toml']})")
        if not found.functions:
            ui.info(f"no function changed since {args.since}")
    return 0
