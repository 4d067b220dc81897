"""``genesys serve X.toml``: the function's URL on 127.0.0.1, run locally until Ctrl-C.

Builds through the doit tasks, then serves each HTTP request as a function-URL event
to one warm runtime process (``local.http_bridge``). With ``--watch`` the sources are
checked twice a second; a change rebuilds through the same tasks and, when the build
succeeds, the next request runs the new code (a failed build keeps the old one serving).
Requests whose ``Host`` is not this machine's (or a ``--host`` name) get a 403.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from .. import ui
from ..errors import EXIT_FAILED, UsageError
from ..local.built import open_built

POLL_S = 0.5
SKIPPED = {"node_modules", "__pycache__", ".genesys", ".git", ".venv", "venv"}


def run(args) -> int:
    from ..local.http_bridge import FunctionUrlServer

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port", hint="pass 1-65535, or 0 for a free one")
    toml = Path(args.toml)
    process, launch = open_built(toml, args)
    if process is None:
        return EXIT_FAILED
    try:
        server = FunctionUrlServer(process, args.port, on_result=_report, hosts=tuple(args.host or ()))
    except OSError as err:
        process.close()
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port} ({err.strerror})",
                         hint="pass another --port, or --port 0 for a free one") from None
    ui.success(f"serving {toml.name} at {server.url} (function URL events; {launch.named} runtime client)")
    ui.info("  Ctrl-C stops" + ("; watching the sources for changes" if args.watch else ""))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _interrupt)  # a plain kill stops the runtime too, as Ctrl-C does
    if args.watch:
        threading.Thread(target=_watch, args=(toml, args, server, stop), name="watch", daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        ui.info("stopped")
    finally:
        stop.set()
        server.server_close()
        server.process.close()
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _report(method: str, path: str, result) -> None:
    status = "error " + result.error().get("errorType", "") if result.failed else "ok"
    ui.info(f"{method} {path} -> {status}")
    ui.info(result.report())


def snapshot(folder: Path) -> tuple:
    """What a change to the sources changes: every file's path, size and mtime (dependency folders left out)."""
    seen = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(current, name))
            except OSError:
                continue
            seen.append((current, name, stat.st_size, stat.st_mtime_ns))
    return tuple(seen)


def _watch(toml: Path, args, server, stop: threading.Event) -> None:
    from ..tasks.runner import load_spec

    _, spec = load_spec(toml)
    before = snapshot(spec.source_path) + snapshot(spec.path.parent)
    while not stop.wait(POLL_S):
        now = snapshot(spec.source_path) + snapshot(spec.path.parent)
        if now == before:
            continue
        before = now
        ui.step("sources changed: rebuilding")
        started = time.monotonic()
        try:
            process, _ = open_built(toml, args)
        except Exception as err:  # noqa: BLE001 - a bad edit must not stop the server
            ui.error(f"rebuild failed; still serving the previous build: {getattr(err, 'message', err)}")
            continue
        if process is None:
            ui.error("rebuild failed; still serving the previous build")
            continue
        server.replace(process)
        ui.success(f"rebuilt in {time.monotonic() - started:.1f}s; serving the new build")
