"""``genesys changed [--since REF|deployed] [--output text|json|matrix|removed]``: the functions a change touched.

``--since deployed`` compares each function with the commit its deployed copy records (the
``genesys:commit`` tag, read with one ListTags call per function: ``cicd.deployed``); ``removed`` prints the
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
from ..shell import command


def changes(since: str, root: Path | None = None, stages: tuple[str, ...] = ("",)):
    """The ``Changes`` of the project in the current folder since ``since`` (a commit, or ``deployed``)."""
    from ..cicd.changed import changes_since

    return changes_since(since, (root or Path.cwd()).absolute(), ui.warn, stages=stages)


def run(args) -> int:
    found = changes(args.since, stages=tuple(args.stages.split(",")) if args.stages is not None else ("",))
    if args.output == "removed":
        sys.stdout.write(json.dumps([r.row() for r in found.removed],
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
                f"{gone.name}, run `{command('genesys', 'delete', operands=(gone.toml,))}` from a checkout that still "
                "has it")
    if args.output == "text":
        for row in found.rows():
            ui.info(f"{row['name']}  ({row['toml']})")
        if not found.functions:
            ui.info(f"no function changed since {args.since}")
    return 0
