"""The embedded AWS emulator: moto in server mode on 127.0.0.1, with fake credentials.

``genesys sandbox`` (commands/sandbox.py) keeps one running until Ctrl-C and records its pid
and port in ``<cache>/sandbox.json`` (``record``) so later commands share it; ``--sandbox`` on a command uses
that one when it is alive, else starts one for the command alone. The emulator
accepts the deployment calls but does not serve function URLs or run code.
moto is optional: ``pip install 'genesys[sandbox]'``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from contextlib import contextmanager
from pathlib import Path

from . import paths, ui
from .errors import UsageError

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
DEFAULT_REGION = "us-east-1"
NOTE = "the sandbox records the deployment but does not serve function URLs or run code"


def record_path() -> Path:
    return paths.cache_dir() / "sandbox.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def running_endpoint() -> str | None:
    """The endpoint of the recorded sandbox if it is still up; a stale record is removed."""
    path = record_path()
    try:
        record = json.loads(path.read_text())
        pid, port = int(record["pid"]), int(record["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if _alive(pid) and _listening(port):
        return f"http://127.0.0.1:{port}"
    path.unlink(missing_ok=True)
    return None


def is_running_at(endpoint: str | None) -> bool:
    """Whether ``endpoint`` is the recorded ``genesys sandbox`` (e.g. exported for doit)."""
    return bool(endpoint) and endpoint.rstrip("/") == running_endpoint()


def start_server():
    """A started ThreadedMotoServer on a free port of 127.0.0.1, with AWS managed policies loaded."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # read when the IAM backend starts
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise UsageError("the sandbox needs moto, which is not installed",
                         hint="pip install 'genesys[sandbox]'") from None
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


def _quiet_server_logs() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def environment(endpoint: str) -> dict:
    """What points boto3 at the sandbox: the endpoint, fake credentials, a region."""
    return {"AWS_ENDPOINT_URL": endpoint, **FAKE_CREDENTIALS,
            "AWS_REGION": os.environ.get("AWS_REGION") or DEFAULT_REGION}


IN_SANDBOX = "GENESYS_IN_SANDBOX"  # set inside use_sandbox(): aws.target then ignores [deployment] profile


@contextmanager
def use_sandbox():
    """Point this process at the running sandbox, or at one started for this block."""
    endpoint = running_endpoint()
    server = None
    if endpoint is None:
        _quiet_server_logs()
        server = start_server()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        ui.info(f"started a sandbox for this command at {endpoint} (keep one running with `genesys sandbox`)")
    else:
        ui.info(f"using the sandbox at {endpoint}")
    saved = {k: os.environ.get(k) for k in (*environment(endpoint), IN_SANDBOX, "AWS_PROFILE", "AWS_SESSION_TOKEN")}
    os.environ.update(environment(endpoint), **{IN_SANDBOX: "1"})
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    try:
        yield endpoint
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if server is not None:
            server.stop()


def within(sandboxed: bool):
    """A context manager for a command's AWS calls: ``--sandbox`` points them at the emulator (the
    running ``genesys sandbox``, else one started for the block) and yields its endpoint; without
    it, None, and boto3's own chain and the TOML's ``[deployment]`` decide."""
    if not sandboxed:
        return contextlib.nullcontext(None)
    return use_sandbox()


def start_recorded():
    """Start a sandbox and record it so other commands use it; (server, endpoint)."""
    current = running_endpoint()
    if current:
        raise UsageError(f"a sandbox is already running at {current}",
                         hint="use it with --sandbox, or stop it (Ctrl-C in its terminal) first")
    _quiet_server_logs()
    server = start_server()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    path = record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".sandbox.json.{os.getpid()}")
    tmp.write_text(json.dumps({"pid": os.getpid(), "port": port, "endpoint": endpoint}))
    os.replace(tmp, path)
    return server, endpoint


def stop_recorded(server) -> None:
    """Stop a sandbox ``start_recorded`` made, and forget it."""
    server.stop()
    path = record_path()
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass
