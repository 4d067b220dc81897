"""Lambda's data plane for the sandbox: the Invoke API and function URLs run the deployed code.

moto records functions but runs code only in Docker. ``DataPlane`` is a WSGI layer in front
of moto's app (``sandbox.start_server`` serves both on one port) that answers:

- ``POST /2015-03-31/functions/<name>/invocations`` (the Invoke API): the code and layers the
  emulator holds (a zip function's; an image function's Invoke is an error saying what runs it
  locally) are unpacked once per CodeSha256 and run through the local runtime
  (``local.process.RuntimeProcess``, warm between calls, as ``genesys invoke`` runs a build),
  with Lambda's response: the payload, ``X-Amz-Function-Error``, ``X-Amz-Executed-Version`` and,
  for ``LogType=Tail``, the last 4 KB of the log in ``X-Amz-Log-Result``;
- ``http://<url-id>.lambda-url.<region>.localhost:<port>/`` (a function URL): the request as a
  payload 2.0 event, the response by the function URL's rules (``local.http_bridge.to_http``).
  moto's own ``https://<id>.lambda-url.<region>.on.aws`` URLs are rewritten to that form in
  the URL-config answers (``local.sandbox_control``), so what a deploy prints is what ``curl`` answers;
- DeleteFunction (of a version, or the whole function): its warm runtimes stop with it;
- the control-plane calls where moto's answer is not Lambda's (``local.sandbox_control``).

Each invocation's output, between START and END lines and followed by the REPORT line, goes
into the emulator's CloudWatch Logs group ``/aws/lambda/<name>`` (one stream per warm
runtime), so ``genesys logs`` reads it as it reads AWS's. Everything else passes to moto.
The function runs with the sandbox's fake credentials and endpoint, so its own AWS calls
reach the emulator, and with the CPU share and memory limit of its configured memory where the
host allows (``local.quota``; where not, the first run says so once), and with the SDK Lambda's runtime
provides when the code uses it without shipping it (``local.runtime_sdk``). Functions are run with the
plain handler call (no runtime client install:
``GENESYS_SANDBOX_CLIENT=auto`` asks for the official clients).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote

from .. import paths
from . import runtime_sdk, sandbox_control as control

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
URL_HOST = re.compile(r"^(?P<id>[a-z0-9]+)\.lambda-url\.(?P<region>[a-z0-9-]+)\.localhost(?::\d+)?$")
FUNCTION_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/?$")
TAIL_BYTES = 4096  # Lambda's LogResult: the last 4 KB of the log


@dataclass
class Deployed:
    """What the emulator holds for one function, shaped as the local runtime reads a spec."""

    name: str
    handler: str
    runtime: object  # runtimes.Runtime
    function: object  # .memory_mb, .timeout_seconds
    arch: str
    environment: dict
    code: bytes
    layers: list  # bytes of each layer zip, in Lambda's order
    version: str = "$LATEST"

    def key(self) -> str:
        digest = hashlib.sha256(self.code)
        for layer in self.layers:
            digest.update(hashlib.sha256(layer).digest())
        digest.update(json.dumps([self.handler, self.runtime.id, self.environment, self.function.memory_mb,
                                  self.function.timeout_seconds, self.arch], sort_keys=True).encode())
        return digest.hexdigest()[:16]


@dataclass
class Warm:
    """One execution environment: a runtime process, its log file and its log stream."""

    process: object
    log_path: Path
    stream: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    read_to: int = 0
    log_file: object = None  # the runtime's stdout/stderr, open while it runs


class Runner:
    """Warm runtimes by function and code, made on first use; ``invoke`` runs one event."""

    def __init__(self, endpoint: str, credentials: dict):
        self.endpoint, self.credentials = endpoint, credentials  # what the function's own AWS calls use
        self._warm: dict[tuple[str, str], Warm] = {}
        self._lock = threading.Lock()

    def invoke(self, deployed: Deployed, event: bytes, region: str):
        """(process.Result, the log lines of this invocation with START/END/REPORT, the stream name)."""
        warm = self._environment(deployed, region)
        with warm.lock:
            result = warm.process.invoke(event)
            time.sleep(0.01)  # the runtime's last lines reach the log file
            with open(warm.log_path, "rb") as log:
                log.seek(warm.read_to)
                output = log.read()
                warm.read_to = log.tell()
        lines = [f"START RequestId: {result.request_id} Version: {deployed.version}"]
        lines += output.decode(errors="replace").splitlines()
        lines += [f"END RequestId: {result.request_id}", result.report()]
        return result, lines, warm.stream

    def _environment(self, deployed: Deployed, region: str) -> Warm:
        key = (f"{region}:{deployed.name}:{deployed.version}", deployed.key())
        with self._lock:
            for old_key in [k for k in self._warm if k[0] == key[0] and k != key]:  # code changed: the old goes
                _stop(self._warm.pop(old_key))
            if key not in self._warm:
                self._warm[key] = self._start(deployed, region, key[1])
            return self._warm[key]

    def _start(self, deployed: Deployed, region: str, code_key: str) -> Warm:
        from .. import ui
        from . import clients, function, scratch
        from .process import RuntimeProcess

        base = paths.cache_dir() / "sandbox" / f"{deployed.name}-{code_key}"
        base.mkdir(parents=True, exist_ok=True)
        code_zip, layer_zip = base / "function.zip", base / "layers.zip"
        paths.replace_atomic(code_zip, lambda tmp: tmp.write_bytes(deployed.code))
        paths.replace_atomic(layer_zip, lambda tmp: tmp.write_bytes(merged_layers(deployed.layers)))
        place = scratch.prepare(scratch.Scratch(base / "run"), code_zip, layer_zip)
        mode = os.environ.get("GENESYS_SANDBOX_CLIENT", "plain")
        sdk = function.runtime_sdk_for(deployed, code_zip, layer_zip, ui.info)  # boto3 / SDK v3, as Lambda's runtime has
        launch = clients.launch_for(deployed, place, mode, node_path_extra=sdk is not None)
        env = scratch.lambda_environment(deployed, place, arch=deployed.arch, region=region,
                                         own=dict(deployed.environment), extra={"PYTHONUNBUFFERED": "1"},
                                         credentials={**self.credentials, "AWS_ENDPOINT_URL": self.endpoint})
        if launch.import_path:
            name = "PYTHONPATH" if deployed.runtime.language == "python" else "NODE_PATH"
            env[name] = f"{env[name]}:{launch.import_path}" if env.get(name) else launch.import_path
        if sdk is not None:
            env.update(runtime_sdk.on_path(deployed.runtime, env, sdk))
        from .quota import tell

        tell(ui.warn)  # once per process: no CPU share or memory limit on this host
        log_path = base / f"log-{uuid.uuid4().hex[:8]}.txt"
        log = open(log_path, "ab")
        arn = f"arn:aws:lambda:{region}:000000000000:function:{deployed.name}"
        process = RuntimeProcess(launch.argv, env=env, cwd=place.task, memory_mb=deployed.function.memory_mb,
                                 timeout_s=deployed.function.timeout_seconds, function_arn=arn, log_fd=log.fileno(),
                                 limits=True)
        stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{deployed.version}]{uuid.uuid4().hex}"
        return Warm(process, log_path, stream, log_file=log)

    def close(self) -> None:
        with self._lock:
            for warm in self._warm.values():
                _stop(warm)
            self._warm.clear()

    def stop(self, region: str, name: str, version: str | None) -> None:
        """Stop the warm runtimes of a deleted version (None: of every version of the function)."""
        prefix = f"{region}:{name}:" + (version or "")
        with self._lock:
            for key in [k for k in self._warm if (k[0] == prefix if version else k[0].startswith(prefix))]:
                _stop(self._warm.pop(key))


def _stop(warm: Warm) -> None:
    with warm.lock:  # not in the middle of an invocation
        warm.process.close()
        if warm.log_file is not None:
            warm.log_file.close()


def merged_layers(layers: list) -> bytes:
    """One zip of all layers, a later layer's file over an earlier one's (as /opt is laid out)."""
    entries: dict[str, tuple[zipfile.ZipInfo, bytes]] = {}
    for layer in layers:
        with zipfile.ZipFile(io.BytesIO(layer)) as zipped:
            for info in zipped.infolist():
                entries[info.filename] = (info, zipped.read(info))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as merged:
        for info, data in entries.values():
            merged.writestr(info, data)
    return out.getvalue()


# --- the emulator's state (moto, in this process) ---------------------------------------------

def deployed_function(name: str, qualifier: str | None, region: str) -> Deployed | None:
    """The function the emulator holds under ``name`` (and ``qualifier``), or None."""
    from types import SimpleNamespace

    from ..runtimes import Registry

    backend = control.lambda_backend(region)
    try:
        fn = backend.get_function(name, qualifier)
    except Exception:  # noqa: BLE001 - moto's not-found: moto answers the call itself
        return None
    if not getattr(fn, "code_bytes", None):  # a container image: nothing to unpack here
        return None
    layers = []
    for layer in fn.layers or []:
        found = backend.layers_versions_by_arn(layer["Arn"])
        if found is not None:
            layers.append(found.code_bytes)
    try:
        runtime = Registry().lookup(fn.run_time or "")
    except Exception:  # noqa: BLE001 - an unknown runtime cannot run here
        return None
    shape = SimpleNamespace(memory_mb=int(fn.memory_size or 128), timeout_seconds=float(fn.timeout or 3))
    return Deployed(name=fn.function_name, handler=fn.handler or "", runtime=runtime, function=shape,
                    arch=(fn.architectures or ["x86_64"])[0], environment=dict(fn.environment_vars or {}),
                    code=fn.code_bytes, layers=layers, version=str(getattr(fn, "version", "$LATEST")))


def function_by_url(url_id: str, region: str) -> str | None:
    """The name of the function whose URL has ``url_id``."""
    for fn in list(control.lambda_backend(region)._lambdas.all()):
        config = getattr(fn, "url_config", None)
        if config is not None and f"//{url_id}." in config.url:
            return fn.function_name
    return None


def write_logs(name: str, region: str, stream: str, lines: list[str]) -> None:
    """The lines into ``/aws/lambda/<name>``, as Lambda's log agent puts them."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.logs.models import logs_backends

    backend = logs_backends[DEFAULT_ACCOUNT_ID][region]
    group = f"/aws/lambda/{name}"
    backend.ensure_log_group(group)
    backend.ensure_log_stream(group, stream)
    now = int(time.time() * 1000)
    backend.put_log_events(group, stream, [{"timestamp": now, "message": line} for line in lines])


# --- the WSGI layer -------------------------------------------------------------------------

class DataPlane:
    """The sandbox's WSGI app: Invoke and function URLs here, everything else to moto's ``app``."""

    def __init__(self, app, endpoint_of=lambda: "", credentials: dict | None = None):
        self.app = app
        self.endpoint_of = endpoint_of  # the sandbox's endpoint, known once the server listens
        self.credentials = dict(credentials or {})  # the sandbox's fake ones, handed to the functions
        self._runner: Runner | None = None
        self._runner_lock = threading.Lock()  # parallel first Invokes make one Runner, not one each

    @property
    def runner(self) -> Runner:
        with self._runner_lock:
            if self._runner is None:
                self._runner = Runner(self.endpoint_of(), self.credentials)
            return self._runner

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST", "")
        path = environ.get("PATH_INFO", "")
        found = URL_HOST.match(host)
        if found:
            return self._function_url(found["id"], found["region"], environ, start_response)
        invoked = INVOKE_PATH.match(path)
        if invoked and environ.get("REQUEST_METHOD") == "POST":
            answer = self._invoke(unquote(invoked["name"]), environ)
            if answer is not None:
                return control.respond(start_response, *answer)
        answered = control.answer(self.app, environ, start_response)
        if answered is not None:
            return answered
        deleted = FUNCTION_PATH.match(path)
        if deleted and environ.get("REQUEST_METHOD") == "DELETE" and self._runner is not None:
            qualifier = (parse_qs(environ.get("QUERY_STRING", "")).get("Qualifier") or [None])[0]
            self._runner.stop(control.region_of(environ), unquote(deleted["name"]), qualifier)
        return self.app(environ, start_response)

    def _invoke(self, name: str, environ):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        region = control.region_of(environ)
        qualifier = (query.get("Qualifier") or [None])[0]
        deployed = deployed_function(name, qualifier, region)
        if deployed is None:
            note = control.image_function_note(name, qualifier, region)
            # Lambda's error shape (botocore reads the code from x-amzn-ErrorType); a 4xx: nothing to retry
            return None if note is None else (400, {"Content-Type": "application/json",
                                                    "x-amzn-ErrorType": "SandboxUnsupportedException"},
                                              json.dumps({"Type": "User", "message": note}).encode())
        kind = environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse")
        if kind == "DryRun":
            return 204, {}, b""
        event = control.body_of(environ)
        if kind == "Event":
            threading.Thread(target=self._run, args=(deployed, event, region), daemon=True).start()
            return 202, {}, b""
        result, lines = self._run(deployed, event, region)
        headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": deployed.version,
                   "X-Amzn-RequestId": result.request_id}
        if result.failed:
            headers["X-Amz-Function-Error"] = "Unhandled"
        if environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail":
            tail = ("\n".join(lines) + "\n").encode()[-TAIL_BYTES:]
            headers["X-Amz-Log-Result"] = base64.b64encode(tail).decode()
        return 200, headers, result.payload

    def _run(self, deployed: Deployed, event: bytes, region: str):
        result, lines, stream = self.runner.invoke(deployed, event, region)
        write_logs(deployed.name, region, stream, lines)
        return result, lines

    def _function_url(self, url_id: str, region: str, environ, start_response):
        from .events import function_url_event
        from .http_bridge import to_http

        name = function_by_url(url_id, region)
        deployed = deployed_function(name, None, region) if name else None
        if deployed is None:
            note = control.image_function_note(name, None, region) if name else None
            return control.respond(start_response, 501 if note else 404, {"Content-Type": "application/json"},
                            json.dumps({"Message": note or "no function has this URL in the sandbox"}).encode())
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        event = function_url_event(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/",
                                   environ.get("QUERY_STRING", ""), headers, control.body_of(environ),
                                   environ.get("REMOTE_ADDR", "127.0.0.1"))
        result, _lines = self._run(deployed, json.dumps(event).encode(), region)
        status, out_headers, raw = to_http(result)
        return control.respond(start_response, status, out_headers, raw)
