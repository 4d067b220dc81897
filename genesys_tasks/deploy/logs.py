"""Reading a function's CloudWatch Logs (``genesys logs``): FilterLogEvents over ``/aws/lambda/<name>``.

``read`` returns the events after a moment (every page). ``follow`` (what ``--tail`` runs) shows
those, then new ones as they come: over a StartLiveTail session where the target offers one,
else by polling FilterLogEvents every second, said once through ``say`` (the sandbox, an
emulator, an identity without logs:StartLiveTail, an old botocore). ``since_ms`` reads ``--since``
(``30s``, ``10m``, ``2h``, ``1d`` or an ISO time), ``parse_report`` reads Lambda's REPORT line into a
``Report`` (what ``genesys tune`` measures) and ``summary`` makes it a short line. Prints nothing:
events go to the callable the caller hands in.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from ..errors import AccessDenied, UsageError
from .state import log_group_name

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
REPORT = re.compile(r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+Billed Duration: "
                    r"(?P<billed>\d+) ms\s+Memory Size: (?P<memory>\d+) MB\s+Max Memory Used: (?P<used>\d+) MB"
                    r"(?:\s+Init Duration: (?P<init>[\d.]+) ms)?")
ERROR = re.compile(r"\[ERROR\]|\bERROR\b|Traceback \(most recent call last\)|^\S*Error:|Task timed out")


def since_ms(text: str, now_ms: int | None = None) -> int:
    """``--since``: a duration back from now (``10m``) or an ISO 8601 time, as epoch milliseconds."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    found = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if found:
        return now_ms - int(found[1]) * UNITS[found[2]] * 1000
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r}: not a duration or a time",
                         hint="e.g. --since 10m, 2h, 1d, or 2026-01-31T12:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def _pattern(text: str | None) -> str | None:
    """``--filter TEXT`` as a CloudWatch Logs filter pattern: the text as one quoted term."""
    return '"' + text.replace('"', '\\"') + '"' if text else None


def _matches(event: dict, text: str | None) -> bool:
    """The pattern's match is AWS's; a plain substring is what people mean."""
    return not text or text in event.get("message", "")


def read(clients, function_name: str, start_ms: int, text: str | None = None) -> list[dict]:
    """The function's log events from ``start_ms`` on, oldest first (``text``: only lines containing it)."""
    logs = clients.adapter("logs")
    params = {"logGroupName": log_group_name(function_name), "startTime": start_ms, "interleaved": True}
    if text:
        params["filterPattern"] = _pattern(text)
    events, token = [], None
    while True:
        page = logs.filter_log_events(**params, **({"nextToken": token} if token else {}))
        if page is None:  # no log group yet: the function has not logged
            return []
        events.extend(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            break
    events = [e for e in events if _matches(e, text)]
    return sorted(events, key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))


class _Shown:
    """Hands each event to ``show`` once, though polls overlap and a live session repeats what a read
    already gave (live events have no eventId: they are told apart by stream, time and text)."""

    KEEP = 10_000  # keys remembered; the oldest go first

    def __init__(self, show: Callable[[dict], None], start_ms: int):
        self.show = show
        self.since = start_ms  # the newest timestamp shown: where the next poll starts
        self._keys: dict = {}

    def __call__(self, event: dict) -> None:
        key = (event.get("logStreamName"), event.get("timestamp"), event.get("message"))
        if key in self._keys:
            return
        self._keys[key] = None
        if len(self._keys) > self.KEEP:
            del self._keys[next(iter(self._keys))]
        self.show(event)
        self.since = max(self.since, int(event.get("timestamp", self.since)))


def follow(clients, function_name: str, start_ms: int, show: Callable[[dict], None], text: str | None = None,
           *, say: Callable[[str], None] = lambda message: None, live: bool = True, interval_s: float = 1.0,
           sleep=time.sleep, rounds: int | None = None) -> None:
    """Show the events from ``start_ms`` on, then new ones as they come, until stopped (or for
    ``rounds`` polls): over StartLiveTail while the target offers it (a new session when AWS ends one
    after its three hours), else polling every ``interval_s``, said once through ``say``. A function
    that has not logged yet is polled until its log group appears."""
    shown = _Shown(show, start_ms)
    for event in read(clients, function_name, start_ms, text):
        shown(event)
    done = 0
    while rounds is None or done < rounds:
        if live:
            try:
                arn = clients.adapter("logs").log_group_arn(log_group_name(function_name))
            except AccessDenied as err:  # may read the events, not list the groups
                arn, reason = None, err.message
            else:
                reason = _live(clients, arn, function_name, text, shown) if arn else None
            if reason:
                say(f"live tail is not available here ({reason}): polling every {interval_s:g} s instead")
                live = False
            elif arn:
                continue  # AWS ended the session after its three hours: a new one
        for event in read(clients, function_name, shown.since, text):
            shown(event)
        done += 1
        if rounds is None or done < rounds:
            sleep(interval_s)


def _live(clients, arn: str, function_name: str, text: str | None, shown: _Shown) -> str | None:
    """Show a live tail session's events until it ends; None when AWS ended it on time, else why live
    tail cannot be used. At the first update the moments between the last read and the session's
    start are read once more (a live session shows only what arrives after it starts)."""
    from ..aws.logs import LiveTailUnavailable

    try:
        session = clients.adapter("logs").start_live_tail(arn, _pattern(text))
    except LiveTailUnavailable as why:
        return why.reason
    caught_up = False
    try:
        for events in session:
            if not caught_up:
                for event in read(clients, function_name, shown.since, text):
                    shown(event)
                caught_up = True
            for event in events:
                if _matches(event, text):
                    shown(event)
    except LiveTailUnavailable as why:
        return why.reason
    finally:
        session.close()
    return None


@dataclass(frozen=True)
class Report:
    """One invocation as Lambda's REPORT line tells it."""

    request_id: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None  # a cold start's init duration


def parse_report(line: str) -> Report | None:
    """The REPORT line in ``line`` (a log line, or a whole log tail), or None when there is none."""
    found = REPORT.search(line)
    if not found:
        return None
    return Report(found["id"], float(found["duration"]), int(found["billed"]), int(found["memory"]),
                  int(found["used"]), float(found["init"]) if found["init"] else None)


def summary(line: str) -> str | None:
    """Lambda's REPORT line, short: ``REPORT 12.3 ms (billed 13 ms), 41/128 MB, init 150.2 ms``; None for
    other lines."""
    report = parse_report(line)
    if report is None:
        return None
    text = (f"REPORT {report.duration_ms:.2f} ms (billed {report.billed_ms} ms), "
            f"{report.max_memory_mb}/{report.memory_mb} MB")
    return text + (f", init {report.init_ms:.2f} ms" if report.init_ms is not None else "")


def is_error(line: str) -> bool:
    return bool(ERROR.search(line))
