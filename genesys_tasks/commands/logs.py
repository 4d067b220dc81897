"""``genesys logs X.toml [--since 10m] [--tail] [--filter TEXT]``: the function's CloudWatch Logs.

Lines go to stdout, each with its time (and region, when the function has several); REPORT
lines are summarised, error lines shown in red on a terminal (``NO_COLOR`` respected).
``--tail`` keeps showing new lines until Ctrl-C: over StartLiveTail where AWS offers it, else (said
once) by polling every second. Works against AWS and the sandbox (which polls) alike.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from .. import ui
from ..sandbox import within

RED, DIM, RESET = "\x1b[31m", "\x1b[2m", "\x1b[0m"


def run(args) -> int:
    from ..deploy import logs
    from ..deploy.regions import region_specs
    from ..deploy.session import Options, Session
    from ..tasks.runner import load_spec

    start = logs.since_ms(args.since)
    _, spec = load_spec(Path(args.toml), sources=False, stage=args.stage)
    session = Session(Options.from_args(args))
    colour = sys.stdout.isatty() and not ui.no_color()
    with within(args.sandbox):
        session.check_profile(spec)
        regions = region_specs(session.aimed(spec))
        several = len(regions) > 1
        for one in regions:
            clients = session.clients(one)
            show = _shower(clients.region if several else "", colour)
            if args.tail and not several:
                ui.info(f"following {spec.name}'s logs in {clients.region} (Ctrl-C stops)")
                try:
                    logs.follow(clients, spec.name, start, show, args.filter, say=ui.info)
                except KeyboardInterrupt:
                    return 0
            else:
                events = logs.read(clients, spec.name, start, args.filter)
                for event in events:
                    show(event)
                if not events:
                    _none(spec.name, clients.region, logs.log_group_name(spec.name), start, args.filter)
    if args.tail and several:
        ui.warn("--tail follows one region: add --region to pick it")
    return 0


def _none(name: str, region: str, group: str, start_ms: int, text: str | None) -> None:
    """Where genesys looked and since when, when it found nothing: not a silence to guess at."""
    since = datetime.fromtimestamp(start_ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    containing = f" containing {text!r}" if text else ""
    ui.info(f"no log lines of {name} in {region} ({group}) since {since}{containing}; "
            "--since 1h (or 1d) looks further back")


def _shower(region: str, colour: bool):
    from ..deploy.logs import is_error, summary

    def show(event: dict) -> None:
        moment = datetime.fromtimestamp(event.get("timestamp", 0) / 1000, timezone.utc).strftime("%H:%M:%S")
        message = event.get("message", "").rstrip("\n")
        short = summary(message)
        prefix = f"{moment} {region + ' ' if region else ''}"
        line = prefix + (short or message)
        if colour and (short or message.startswith(("START RequestId", "END RequestId"))):
            line = f"{DIM}{line}{RESET}"
        elif colour and is_error(message):
            line = f"{RED}{line}{RESET}"
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    return show
