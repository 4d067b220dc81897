"""The event a local run is handed: ``--event FILE``, ``-`` for stdin, or the JSON itself; checked to be JSON.

``genesys invoke`` and ``genesys profile`` read it the same way; a bad one is a usage error naming it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError


def read_event(source: str | None) -> bytes:
    """The event from ``--event FILE`` (``-`` is stdin; text starting with ``{`` or ``[`` is the JSON
    itself), checked to be JSON; ``{}`` without one."""
    if source is None:
        return b"{}"
    if source == "-":
        data, name = sys.stdin.buffer.read(), "stdin"
    elif source.lstrip().startswith(("{", "[")) and not Path(source).exists():
        data, name = source.encode(), "--event"  # inline JSON: --event "$(genesys event schedule)"
    else:
        try:
            data, name = Path(source).read_bytes(), source
        except OSError as err:
            raise UsageError(f"--event {source}: cannot be read ({err.strerror})",
                             hint="pass a JSON file, or - to read the event from stdin") from None
    try:
        json.loads(data or b"null")
    except ValueError as err:
        line = getattr(err, "lineno", "?")
        raise UsageError(f"{name}:{line}: the event is not valid JSON ({getattr(err, 'msg', err)})",
                         hint="`genesys event s3` (or api-gateway, sqs, ...) prints a sample to start from") from None
    return data or b"null"
