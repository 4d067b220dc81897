"""The embedded AWS emulator: moto in server mode on 127.0.0.1, with fake credentials.

``genesys sandbox`` (commands/sandbox.py) keeps one running until Ctrl-C and records its pid
and port in ``<cache>/sandbox.json`` (``record``) so later commands share it; ``--sandbox`` on a command uses
that one when it is alive, else starts one for the command alone. The emulator
records the deployment calls; the Invoke API and function URLs run the deployed code
locally (``local/sandbox_lambda.py``), with its log lines in the emulator's CloudWatch Logs.
Event sources are recorded, not polled. moto is optional: ``pip install 'genesys-lambda[sandbox]'``.
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
NOTE = ("the sandbox runs the code on Invoke and at function URLs (http://<id>.lambda-url.<region>.localhost:<port>/); "
        "event sources are recorded, not polled")


def record_path() -> Path:
    return paths.cache_dir() / "sandbox.json"


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
    if paths.process_running(pid) and _listening(port):
        return f"http://127.0.0.1:{port}"
    path.unlink(missing_ok=True)
    return None


def is_running_at(endpoint: str | None) -> bool:
    """Whether ``endpoint`` is the recorded ``genesys sandbox`` (e.g. exported for doit)."""
    return bool(endpoint) and endpoint.rstrip("/") == running_endpoint()


class SandboxServer:
    """moto's app behind Lambda's data plane (``local.sandbox_lambda.DataPlane``: Invoke and function
    URLs run the deployed code), served on 127.0.0.1 from a thread; ThreadedMotoServer's interface."""

    def __init__(self, port: int = 0):
        self._port = port
        self._server = None
        self._thread = None
        self.plane = None

    def start(self) -> None:
        import threading

        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from .local.sandbox_lambda import DataPlane

        self.plane = DataPlane(DomainDispatcherApplication(create_backend_app), endpoint_of=self.endpoint,
                               credentials=FAKE_CREDENTIALS)
        self._server = make_server("127.0.0.1", self._port, self.plane, True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox", daemon=True)
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), port

    def endpoint(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join()
            self.plane.close()


def start_server() -> SandboxServer:
    """A started sandbox on a free port of 127.0.0.1, with AWS managed policies loaded."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # read when the IAM backend starts
    try:
        import moto.moto_server.werkzeug_app  # noqa: F401 - the check that moto[server] is there
    except ImportError:
        raise UsageError("the sandbox needs moto, which is not installed",
                         hint="pip install 'genesys-lambda[sandbox]'") from None
    server = SandboxServer()
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
        endpoint = server.endpoint()
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
    endpoint, (_, port) = server.endpoint(), server.get_host_and_port()
    path = record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    paths.write_text_atomic(path, json.dumps({"pid": os.getpid(), "port": port, "endpoint": endpoint}))
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
