"""The Lambda Runtime API (2018-06-01) on 127.0.0.1, for one runtime process.

A runtime client (awslambdaric, aws-lambda-ric, a Go ``bootstrap``) asks for the next
invocation (``GET /runtime/invocation/next``, which waits until there is one) and posts
its result (``/response``), its error (``/error``) or a failed init (``/init/error``). A result
over Lambda's 6 MB limit fails the invocation with ``Function.ResponseSizeTooLarge``, as Lambda's does.
``submit`` queues an invocation and returns it; its ``done`` event is set when the
outcome is known. Sockets get TCP_NODELAY: without it every small response waits for a
delayed ACK (40-90 ms a call). One server serves one process: a restarted process gets
a new server, so a dead process's pending ``next`` can never take a new invocation.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
MAX_RESPONSE_BYTES = 6291556  # Lambda's limit of a buffered response (6 MB and 100 bytes)
_STOP = object()


@dataclass
class Invocation:
    """One event on its way through the runtime; ``outcome`` is set once, then ``done``."""

    event: bytes
    timeout_s: float
    function_arn: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    taken: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    taken_at: float = 0.0  # time.monotonic() when the runtime took it
    finished_at: float = 0.0
    kind: str = ""  # "ok", "error", "init_error", "timeout", "exit"
    payload: bytes = b""

    def finish(self, kind: str, payload: bytes) -> bool:
        """Record the outcome unless one is recorded already; True when this call recorded it.

        ``taken`` is set too (``taken_at`` stays 0 when the runtime never took it), so
        nobody waits for a runtime that failed its init or died.
        """
        if self.done.is_set():
            return False
        self.kind, self.payload, self.finished_at = kind, payload, time.monotonic()
        self.done.set()
        self.taken.set()
        return True


def trace_id(request_id: str) -> str:
    """Lambda's X-Ray header for an invocation: Root, Parent and Sampled (0: nothing is sent to X-Ray here),
    which the X-Ray SDKs a function ships read from ``_X_AMZN_TRACE_ID`` and need whole."""
    return f"Root=1-{int(time.time()):08x}-{request_id.replace('-', '')[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


def error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def fault_payload(request_id: str, error_type: str, message: str) -> bytes:
    """An error Lambda itself reports for an invocation (a timeout, a runtime that died), in its words:
    ``RequestId: <id> Error: <message>``."""
    return error_payload(error_type, f"RequestId: {request_id} Error: {message}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr

    def handle_error(self, request, client_address):
        pass  # a runtime killed mid-request (a timeout) is expected, not a server fault


class RuntimeApi:
    """The Runtime API server; ``address`` is what AWS_LAMBDA_RUNTIME_API holds."""

    def __init__(self, on_ready=None, on_take=None):
        self._on_ready = on_ready  # called once, when the runtime has finished its init (its first next)
        self.on_take = on_take  # called with an invocation's request id as the runtime takes it, before its event
        self._queue: queue.Queue = queue.Queue()
        self._by_id: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self.first_next = threading.Event()  # the runtime finished init and asked for work
        self.first_next_at = 0.0
        self.init_error: bytes | None = None
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="runtime-api", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def submit(self, event: bytes, timeout_s: float, function_arn: str = "") -> Invocation:
        invocation = Invocation(event, timeout_s, function_arn)
        with self._lock:
            self._by_id[invocation.request_id] = invocation
        self._queue.put(invocation)
        return invocation

    def fail_pending(self, kind: str, payload: bytes | None = None, fault: tuple[str, str] | None = None) -> None:
        """End every invocation not answered yet (the process died or its init failed): with ``payload``,
        or with ``fault`` (error type, message) as Lambda words it for each invocation (``fault_payload``)."""
        with self._lock:
            pending = list(self._by_id.values())
        for invocation in pending:
            invocation.finish(kind, payload if fault is None else fault_payload(invocation.request_id, *fault))

    def close(self) -> None:
        self._queue.put(_STOP)
        self._server.shutdown()
        self._server.server_close()

    # --- called by the request handler ---------------------------------------------------
    def next_invocation(self) -> Invocation | None:
        if not self.first_next.is_set():
            self.first_next_at = time.monotonic()
            if self._on_ready is not None:
                self._on_ready()
            self.first_next.set()
        while True:
            item = self._queue.get()
            if item is _STOP:
                self._queue.put(_STOP)  # every other waiting handler stops too
                return None
            if not item.done.is_set():
                item.taken_at = time.monotonic()
                item.taken.set()
                return item

    def answer(self, request_id: str, kind: str, payload: bytes) -> bool:
        with self._lock:
            invocation = self._by_id.pop(request_id, None)
        return invocation is not None and invocation.finish(kind, payload)

    def init_failed(self, payload: bytes) -> None:
        self.init_error = payload
        self.fail_pending("init_error", payload)


def _handler_for(api: RuntimeApi):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: clients reuse one connection

        def log_message(self, *args):  # the function's logs are what people read, not ours
            pass

        def _reply(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self):
            if self.path != f"{PREFIX}/invocation/next":
                return self._reply(404, error_payload("NotFound", self.path))
            invocation = api.next_invocation()
            if invocation is None:
                return self._reply(410, error_payload("Gone", "the runtime API closed"))
            if api.on_take is not None:
                api.on_take(invocation.request_id)
            deadline = int((time.time() + invocation.timeout_s) * 1000)
            self._reply(200, invocation.event, {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                "Lambda-Runtime-Trace-Id": trace_id(invocation.request_id),
            })

        def do_POST(self):
            body = self._body()
            path = self.path.removeprefix(PREFIX)
            if path == "/init/error":
                api.init_failed(_with_type(body, self.headers))
                return self._reply(202, b'{"status":"OK"}')
            parts = path.strip("/").split("/")
            if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                kind = "ok" if parts[2] == "response" else "error"
                payload = body if kind == "ok" else _with_type(body, self.headers)
                if kind == "ok" and len(body) > MAX_RESPONSE_BYTES:  # Lambda refuses it, and the invocation fails
                    api.answer(parts[1], "error", error_payload(
                        "Function.ResponseSizeTooLarge", f"Response payload size ({len(body)} bytes) exceeded "
                                                         f"maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."))
                    return self._reply(413, error_payload(
                        "RequestEntityTooLarge", f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."))
                if api.answer(parts[1], kind, payload):
                    return self._reply(202, b'{"status":"OK"}')
                return self._reply(400, error_payload("InvalidRequestID", f"no pending invocation {parts[1]}"))
            self._reply(404, error_payload("NotFound", self.path))

    return Handler


def _with_type(body: bytes, headers) -> bytes:
    """An error body; when it is not JSON with an errorType, the header's type is put in."""
    header_type = headers.get("Lambda-Runtime-Function-Error-Type") or "Runtime.Unknown"
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return error_payload(header_type, body.decode(errors="replace"))
    if isinstance(data, dict) and not data.get("errorType"):
        data["errorType"] = header_type
        return json.dumps(data).encode()
    return body
