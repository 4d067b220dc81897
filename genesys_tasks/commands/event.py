"""``genesys event SOURCE``: print a sample event of an AWS source as JSON, for ``genesys invoke --event -``.

Fields the source has (``--bucket``, ``--key``, ``--body``, ``--path``, ...) override its
defaults; a field the source does not have is a usage error naming the ones it has.
"""

from __future__ import annotations

from .. import ui
from ..errors import UsageError

FIELDS = ("body", "path", "method", "query", "bucket", "key", "queue", "topic", "table", "region")


def run(args) -> int:
    from ..local.events import SOURCES, sample

    overrides = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    if "path" in overrides and not overrides["path"].startswith("/"):
        raise UsageError(f"--path {overrides['path']!r}: a path starts with /", hint=f"--path /{overrides['path']}")
    try:
        event = sample(args.source, overrides)
    except KeyError as err:
        has = ", ".join(f"--{name}" for name in SOURCES[args.source][1]) or "none"
        raise UsageError(f"a {args.source} event has no --{err.args[0]}",
                         hint=f"the fields of a {args.source} event: {has}") from None
    ui.emit_json(event)
    return 0
