"""``genesys delete X.toml``: show what genesys made for a function, ask, then delete exactly that
(``tasks/removal.py``, shared with ``genesys execute deletion X.toml``)."""

from __future__ import annotations

from pathlib import Path


def run(args) -> int:
    from ..tasks.removal import delete

    return delete(Path(args.toml), yes=args.yes, sandbox=args.sandbox, json_output=args.output == "json",
                  stage=args.stage, region=args.region, profile=args.profile)
