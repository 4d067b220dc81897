"""``genesys invoke X.toml``: build if needed, then run the built function once, as Lambda would.

The result (or Lambda's error body) goes to stdout as JSON; the function's logs, the
START/END lines and Lambda's REPORT line go to stderr. ``--container`` runs an image function's
built image itself with Podman (``local.container``). Exit 0 when the function
returned, 1 when it raised, failed its init, timed out or its runtime died.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import ui
from ..errors import EXIT_FAILED, UsageError
from ..local.built import open_built
from ..local.event_file import read_event


def run(args) -> int:
    event = read_event(args.event)
    if args.remote and args.container:
        raise UsageError("--container runs the local image; --remote the deployed function", hint="pass one of them")
    if args.remote:
        return remote(args, event)
    if args.qualifier:
        raise UsageError("--qualifier names a deployed alias or version", hint="add --remote")
    process, launch = open_built(Path(args.toml), args)
    if process is None:
        return EXIT_FAILED
    ui.info(f"runtime client: {launch.named}")  # the plain call or the official client, as it changes
    # Lambda's START line, written as the runtime takes the event: before anything the function logs for it
    process.on_start = lambda request_id: ui.info(f"START RequestId: {request_id} Version: $LATEST")
    try:
        result = process.invoke(event)
    finally:
        process.close()
    show_result(result)
    return EXIT_FAILED if result.failed else 0


def remote(args, event: bytes) -> int:
    """``--remote``: the deployed function (``[deployment] alias`` unless ``--qualifier``) answers;
    payload on stdout, the log tail and REPORT line on stderr, exit 1 when it errored."""
    from ..deploy.remote import invoke_deployed
    from ..deploy.session import Options, Session
    from ..sandbox import within
    from ..tasks.runner import load_spec

    if getattr(args, "memory", None) is not None:
        raise UsageError("--memory sizes a local run", hint="measure the deployed function with `genesys tune`")
    _, spec = load_spec(Path(args.toml), sources=False, stage=args.stage)
    session = Session(Options.from_args(args))
    with within(args.sandbox):
        session.check_profile(spec)
        result = invoke_deployed(session.clients(spec), spec.name, event, args.qualifier or spec.deployment.alias)
    sys.stdout.buffer.write(result.payload.rstrip(b"\n") + b"\n")
    sys.stdout.flush()
    for line in result.log_tail.rstrip("\n").splitlines():
        (ui.error if line.startswith("[ERROR]") else ui.info)(line)
    if result.failed:
        ui.error(f"{spec.name} failed ({result.function_error})")
    return EXIT_FAILED if result.failed else 0


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
