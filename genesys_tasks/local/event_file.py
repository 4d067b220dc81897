"""The event a local run is handed: ``--event FILE``, ``-`` for stdin, or the JSON itself; checked to be JSON.

``genesys invoke`` and ``genesys profile`` read it the same way; a bad one is a usage error naming it,
and so is one over the 6 MB Lambda takes in a synchronous invoke (its ``RequestTooLargeException``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError

MAX_EVENT_BYTES = 6291456  # Lambda's Invoke: "Request must be smaller than 6291456 bytes for the InvokeFunction operation"


def read_event(source: str | None) -> bytes:
    """The event from ``--event FILE`` (``-`` is stdin; text starting with ``{`` or ``[`` is the JSON
    itself), checked to be JSON; ``{}`` without one."""
    if source is None:
        return b"{}"
    if source == "-":
        data, name = sys.stdin.buffer.read(), "stdin"
    elif source.lstrip().startswith(("{", "[")) and not _is_file(source):
        data, name = source.encode(), "--event"  # inline JSON: --event "$(genesys event schedule)"
    else:
        try:
            data, name = Path(source).read_bytes(), source
        except OSError as err:
            raise UsageError(f"--event {source}: cannot be read ({err.strerror})",
                             hint="pass a JSON file, or - to read the event from stdin") from None
    if len(data) > MAX_EVENT_BYTES:
        raise UsageError(f"{name}: the event is {len(data)} bytes; Lambda refuses one over {MAX_EVENT_BYTES} bytes in a "
                         "synchronous invoke (RequestTooLargeException)",
                         hint="pass a smaller event, or put the data in S3 and pass its key")
    try:
        json.loads(data or b"null")
    except ValueError as err:
        line = getattr(err, "lineno", "?")
        raise UsageError(f"{name}:{line}: the event is not valid JSON ({getattr(err, 'msg', err)})",
                         hint="`genesys event s3` (or api-gateway, sqs, ...) prints a sample to start from") from None
    return data or b"null"


def _is_file(source: str) -> bool:
    """``source`` names an existing file; a text no file system takes as a name (longer than its limit, as
    inline JSON often is) names none, rather than raising."""
    try:
        return Path(source).exists()
    except OSError:
        return False
