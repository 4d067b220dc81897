"""A function URL on 127.0.0.1: HTTP requests in as payload-2.0 events, the function's responses out as HTTP.

The response follows the function URL's rules: an object with ``statusCode`` gives the
status, ``headers``, ``cookies`` (one Set-Cookie each) and ``body`` (base64-decoded when
``isBase64Encoded``); anything else is a 200 whose JSON body is the result. A function
error is a 502, as the real URL gives. One runtime process serves every request in turn
(warm after the first); ``replace`` swaps it for a rebuilt one between requests.

Only requests for this machine are answered: a ``Host`` of ``localhost``, ``127.0.0.1``,
``[::1]`` or a ``*.localhost`` name (with any port), or one the user named (``--host``);
any other gets a 403 and never reaches the function, so a web page whose name a DNS
rebinding points at 127.0.0.1 cannot read the function's output.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .events import function_url_event

BAD_GATEWAY = (502, [("Content-Type", "application/json")], b'{"Message":"Internal Server Error"}')
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def host_name(header: str | None) -> str | None:
    """The name in a ``Host`` header, port and IPv6 brackets taken off, lower case; None when malformed."""
    if not header:
        return None
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        return name if bracket and (not rest or rest[:1] == ":" and rest[1:].isdigit()) else None
    name, colon, port = header.partition(":")
    return name if name and (not colon or port.isdigit()) else None


def host_allowed(header: str | None, extra: tuple[str, ...] = ()) -> bool:
    """Whether a request with this ``Host`` is for this machine, or for a name in ``extra``
    (exact, or ``*.example.test`` for its subdomains)."""
    name = host_name(header)
    if name is None:
        return False
    if name in LOCAL_HOSTS or name.endswith(".localhost"):
        return True
    for allowed in (h.lower() for h in extra):
        if name == allowed or allowed.startswith("*.") and name.endswith(allowed[1:]):
            return True
    return False


def to_http(result) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) for a ``process.Result``."""
    if result.failed:
        return BAD_GATEWAY
    try:
        data = json.loads(result.payload or b"null")
    except ValueError:
        return BAD_GATEWAY
    if not (isinstance(data, dict) and "statusCode" in data):
        return 200, [("Content-Type", "application/json")], result.payload
    headers = [(str(k), str(v)) for k, v in (data.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(cookie)) for cookie in data.get("cookies") or []]
    body = data.get("body")
    if body is None:
        raw = b""
    elif not isinstance(body, str):
        raw = json.dumps(body).encode()
    else:
        raw = base64.b64decode(body) if data.get("isBase64Encoded") else body.encode()
    if not any(name.lower() == "content-type" for name, _ in headers) and raw:
        headers.append(("Content-Type", "application/json"))
    try:
        status = int(data["statusCode"])
    except (TypeError, ValueError):
        return BAD_GATEWAY
    return status, headers, raw


class FunctionUrlServer(ThreadingHTTPServer):
    """Serves ``process`` (a ``RuntimeProcess``) at ``url``; ``on_result(method, path, result)`` hears each call."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, process, port: int, on_result=lambda method, path, result: None, hosts: tuple[str, ...] = ()):
        self.process, self.on_result, self.hosts = process, on_result, tuple(hosts)
        self.lock = threading.Lock()  # one execution environment: requests take turns
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def replace(self, process) -> None:
        """Serve ``process`` from the next request on; the old one is stopped."""
        with self.lock:
            old, self.process = self.process, process
        old.close()

    def call(self, method: str, target: str, headers: dict, body: bytes, client_ip: str):
        parts = urlsplit(target)
        event = function_url_event(method, parts.path or "/", parts.query, headers, body, client_ip)
        with self.lock:
            result = self.process.invoke(json.dumps(event).encode())
        self.on_result(method, parts.path or "/", result)
        return to_http(result)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FunctionUrlServer

    def log_message(self, *args):  # the server reports each call itself, with its REPORT line
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not host_allowed(self.headers.get("Host"), self.server.hosts):
            raw = json.dumps({"Message": f"Host {self.headers.get('Host')!r} is not served here; "
                                         "genesys serve --host NAME serves it"}).encode()
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(raw)
            return
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        status, out_headers, raw = self.server.call(self.command, self.path, headers, body, self.client_address[0])
        self.send_response(status)
        for name, value in out_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
