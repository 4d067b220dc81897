"""The Runtime API server alone: a client in this process speaks to it over real HTTP."""

from __future__ import annotations

import http.client
import json
import socket
import threading

from genesys_tasks.local.runtime_api import MAX_RESPONSE_BYTES, PREFIX, RuntimeApi


def _client(api: RuntimeApi) -> http.client.HTTPConnection:
    host, port = api.address.split(":")
    return http.client.HTTPConnection(host, int(port), timeout=5)


def _next(conn):
    conn.request("GET", f"{PREFIX}/invocation/next")
    response = conn.getresponse()
    return response, response.read()


def test_next_hands_over_the_event_with_lambda_headers_and_response_finishes_it():
    api = RuntimeApi()
    try:
        conn = _client(api)
        invocation = api.submit(b'{"a": 1}', timeout_s=3, function_arn="arn:fn")
        response, body = _next(conn)
        assert json.loads(body) == {"a": 1}
        assert response.getheader("Lambda-Runtime-Aws-Request-Id") == invocation.request_id
        assert response.getheader("Lambda-Runtime-Invoked-Function-Arn") == "arn:fn"
        assert int(response.getheader("Lambda-Runtime-Deadline-Ms")) > 0
        assert invocation.taken.is_set() and api.first_next.is_set()
        conn.request("POST", f"{PREFIX}/invocation/{invocation.request_id}/response", body=b'"done"')
        assert conn.getresponse().status == 202  # same keep-alive connection
        assert invocation.done.wait(2) and (invocation.kind, invocation.payload) == ("ok", b'"done"')
    finally:
        api.close()


def test_error_gets_the_header_type_when_the_body_has_none_and_unknown_ids_are_refused():
    api = RuntimeApi()
    try:
        conn = _client(api)
        invocation = api.submit(b"{}", timeout_s=3)
        _next(conn)
        conn.request("POST", f"{PREFIX}/invocation/{invocation.request_id}/error", body=b'{"errorMessage": "x"}',
                     headers={"Lambda-Runtime-Function-Error-Type": "Unhandled"})
        conn.getresponse().read()
        assert invocation.kind == "error"
        assert json.loads(invocation.payload) == {"errorMessage": "x", "errorType": "Unhandled"}
        conn.request("POST", f"{PREFIX}/invocation/no-such-id/response", body=b"1")
        assert conn.getresponse().status == 400
    finally:
        api.close()


def test_a_result_over_6_mb_is_refused_with_413_and_fails_the_invocation_as_lambda_does():
    api = RuntimeApi()
    try:
        conn = _client(api)
        fits, over = api.submit(b"{}", timeout_s=3), api.submit(b"{}", timeout_s=3)
        for invocation, size in ((fits, MAX_RESPONSE_BYTES), (over, MAX_RESPONSE_BYTES + 1)):
            _next(conn)
            conn.request("POST", f"{PREFIX}/invocation/{invocation.request_id}/response", body=b"x" * size)
            response = conn.getresponse()
            answer = response.read()
        assert MAX_RESPONSE_BYTES == 6 * 1024 * 1024 + 100 and fits.kind == "ok" and len(fits.payload) == MAX_RESPONSE_BYTES
        assert response.status == 413 and json.loads(answer)["errorType"] == "RequestEntityTooLarge"
        assert over.kind == "error" and json.loads(over.payload) == {
            "errorType": "Function.ResponseSizeTooLarge",
            "errorMessage": "Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes)."}
    finally:
        api.close()


def test_init_error_ends_the_waiting_invocation_as_an_init_error():
    api = RuntimeApi()
    try:
        invocation = api.submit(b"{}", timeout_s=3)
        conn = _client(api)
        conn.request("POST", f"{PREFIX}/init/error",
                     body=b'{"errorType": "Runtime.ImportModuleError", "errorMessage": "no module"}')
        assert conn.getresponse().status == 202
        assert invocation.done.wait(2) and invocation.kind == "init_error" and invocation.taken_at == 0
        assert json.loads(invocation.payload)["errorType"] == "Runtime.ImportModuleError"
    finally:
        api.close()


def test_accepted_connections_have_tcp_nodelay():
    api = RuntimeApi()
    seen = []
    original = api._server.get_request

    def recording():
        conn, addr = original()
        seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        return conn, addr

    api._server.get_request = recording
    try:
        conn = _client(api)
        conn.request("POST", f"{PREFIX}/invocation/x/response", body=b"1")
        conn.getresponse().read()
        assert seen and all(seen)
    finally:
        api.close()


def test_close_releases_a_runtime_waiting_for_next():
    api = RuntimeApi()
    statuses = []

    def wait_next():
        response, _ = _next(_client(api))
        statuses.append(response.status)

    waiter = threading.Thread(target=wait_next)
    waiter.start()
    assert api.first_next.wait(2)
    api.close()
    waiter.join(5)
    assert statuses == [410]
