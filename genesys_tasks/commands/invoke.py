"""``genesys invoke X.toml``: build if needed, then run the built function once, as Lambda would.

The result (or Lambda's error body) goes to stdout as JSON; the function's logs, the
START/END lines and Lambda's REPORT line go to stderr. Exit 0 when the function
returned, 1 when it raised, failed its init, timed out or its runtime died.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import ui
from ..errors import EXIT_FAILED, UsageError


def run(args) -> int:
    event = read_event(args.event)
    process, _ = open_built(Path(args.toml), args)
    if process is None:
        return EXIT_FAILED
    try:
        result = process.invoke(event)
    finally:
        process.close()
    show_result(result)
    return EXIT_FAILED if result.failed else 0


def open_built(toml: Path, args):
    """Build ``toml``'s function through the doit tasks, then open it for local runs; (None, None) if the build failed."""
    from ..local.function import Options, open_function, own_environment
    from ..tasks.runner import load_spec, run_tasks

    if args.timeout is not None and not 0 < args.timeout <= 900:
        raise UsageError(f"--timeout {args.timeout}: Lambda allows 1 to 900 seconds", hint="pass e.g. --timeout 30")
    root, spec = load_spec(toml)
    own_environment(spec)  # a missing ${env:...} is said before the build and any client install
    if run_tasks(spec.path, ["build:{name}"], debug=args.debug, spec=spec):
        return None, None
    options = Options(arch=args.arch, timeout_s=args.timeout, env_file=Path(args.env_file) if args.env_file else None,
                      pass_credentials=args.pass_credentials, client=args.client, notify=ui.warn)
    process, launch = open_function(spec, root, options)
    ui.debug(f"runtime: {' '.join(launch.argv)} ({launch.client})")
    ui.info(f"runtime client: {launch.client}")  # the plain call or the official client, as it changes
    return process, launch


def read_event(source: str | None) -> bytes:
    """The event from ``--event FILE`` (``-`` is stdin), checked to be JSON; ``{}`` without one."""
    if source is None:
        return b"{}"
    if source == "-":
        data, name = sys.stdin.buffer.read(), "stdin"
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


def show_result(result) -> None:
    """The payload on stdout; the REPORT line (and the error, when there is one) on stderr."""
    sys.stdout.buffer.write(result.payload.rstrip(b"\n") + b"\n")
    sys.stdout.flush()
    if result.failed:
        error = result.error()
        ui.error(f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}"
                 + (" (during init)" if result.kind == "init_error" else ""))
    ui.info(f"END RequestId: {result.request_id}")
    ui.info(result.report())
