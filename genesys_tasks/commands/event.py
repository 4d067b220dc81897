"""``genesys event SOURCE``: print a sample event of an AWS source as JSON, for ``genesys invoke --event -``.

The sources and their fields are the trigger table's samples (``config/triggers.samples``).
Fields the source has (``--bucket``, ``--key``, ``--body``, ``--path``, ...) override its
defaults; a field the source does not have is a usage error naming the ones it has.
"""

from __future__ import annotations

from .. import ui
from ..errors import UsageError

FIELD_HELP = {"query": "a query string: a=1&b=2"}


def _fields() -> list[str]:
    from ..config.triggers import samples

    return list(dict.fromkeys(name for row in samples().values() for name in row.fields))


def arguments() -> list[tuple[tuple[str, ...], dict]]:
    """event's arguments, as (names, argparse options): the source, then every sample field as a flag."""
    from ..config.triggers import samples

    return [(("source",), {"choices": tuple(samples())}),
            *((("--" + name,), {"default": None, **({"help": FIELD_HELP[name]} if name in FIELD_HELP else {})})
              for name in _fields())]


def run(args) -> int:
    from ..config.triggers import samples
    from ..local.events import sample

    overrides = {name: getattr(args, name) for name in _fields() if getattr(args, name) is not None}
    if "path" in overrides and not overrides["path"].startswith("/"):
        raise UsageError(f"--path {overrides['path']!r}: a path starts with /", hint=f"--path /{overrides['path']}")
    try:
        event = sample(args.source, overrides)
    except KeyError as err:
        has = ", ".join(f"--{name}" for name in samples()[args.source].fields) or "none"
        raise UsageError(f"a {args.source} event has no --{err.args[0]}",
                         hint=f"the fields of a {args.source} event: {has}") from None
    ui.emit_json(event)
    return 0
