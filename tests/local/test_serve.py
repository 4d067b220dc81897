"""``genesys serve``: real HTTP requests to a real server process, and the event/response rules alone."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from local_functions import python_function

from genesys_tasks.local.events import function_url_event, sample
from genesys_tasks.local.http_bridge import to_http
from genesys_tasks.local.process import Result

WEB = '''\
import base64
import json


def web(event, context):
    if event["rawPath"] == "/bin":
        data = base64.b64decode(event["body"]) if event["isBase64Encoded"] else event["body"].encode()
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(data[::-1]).decode(), "isBase64Encoded": True}
    if event["rawPath"] == "/plain":
        return {"seen": event["requestContext"]["http"]["method"]}
    return {"statusCode": 201, "headers": {"x-seen": "yes"}, "cookies": ["a=1", "b=2"],
            "body": json.dumps({"query": event.get("queryStringParameters"), "raw": event["rawQueryString"],
                                "body": event.get("body"), "b64": event["isBase64Encoded"],
                                "method": event["requestContext"]["http"]["method"]})}
'''


def _request(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture
def served(tmp_path):
    yield from _serving(tmp_path, "--watch")


def _serving(tmp_path, *flags):
    """A real ``genesys serve`` process of the WEB function: yields its URL and the handler's file."""
    toml = python_function(tmp_path / "fn", "app.web", files={"app.py": WEB})
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "serve", str(toml), "--port", "0",
                             "--client", "plain", *flags], stderr=subprocess.PIPE, text=True, env=env)
    url, seen, deadline = None, [], time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(r"serving \S+ at (http://127\.0\.0\.1:\d+/)", line)
        url = match.group(1) if match else None
    try:
        assert url, "".join(seen)
        yield url, tmp_path / "fn" / "app.py"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_turns_requests_into_function_url_events_and_responses_back(served):
    served, app = served
    status, headers, body = _request(served + "items?color=red&color=blue&size=2")
    assert status == 201 and headers["x-seen"] == "yes"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    data = json.loads(body)
    assert data["query"] == {"color": "red,blue", "size": "2"} and data["raw"] == "color=red&color=blue&size=2"
    assert data["method"] == "GET" and data["body"] is None

    status, _, body = _request(served + "items", data=b'{"name": "x"}', headers={"Content-Type": "application/json"})
    data = json.loads(body)
    assert status == 201 and data["method"] == "POST" and json.loads(data["body"]) == {"name": "x"}
    assert data["b64"] is False

    payload = bytes(range(256))
    status, headers, body = _request(served + "bin", data=payload,
                                     headers={"Content-Type": "application/octet-stream"})
    assert status == 200 and body == payload[::-1]
    assert headers["Content-Type"] == "application/octet-stream"

    status, headers, body = _request(served + "plain", method="PUT", data=b"")
    assert status == 200 and json.loads(body) == {"seen": "PUT"}

    app.write_text(WEB.replace('{"seen": event', '{"changed": True, "seen": event'))  # --watch rebuilds
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "changed" not in json.loads(_request(served + "plain")[2]):
        time.sleep(0.2)
    assert json.loads(_request(served + "plain")[2]) == {"changed": True, "seen": "GET"}


def _status_for_host(url: str, host: str) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", "/plain", skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_answers_only_hosts_of_this_machine(tmp_path):
    for url, _ in _serving(tmp_path):
        port = url.rsplit(":", 1)[1].strip("/")
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "fn.lambda-url.localhost",
                     "LOCALHOST"):
            status, body = _status_for_host(url, host)
            assert (status, json.loads(body)) == (200, {"seen": "GET"}), host
        for host in ("evil.example.com", f"attacker.test:{port}", "localhost.evil.com", "127.0.0.1.nip.io",
                     "localhost:x", ""):
            status, body = _status_for_host(url, host)
            assert status == 403 and b"seen" not in body and b"--host" in body, host


def test_serve_host_names_more_hosts_to_answer(tmp_path):
    for url, _ in _serving(tmp_path, "--host", "api.example.test", "--host", "*.dev.test"):
        for host, status in (("api.example.test", 200), ("a.dev.test:8080", 200), ("dev.test", 403),
                             ("other.example.test", 403)):
            assert _status_for_host(url, host)[0] == status, host


def _result(payload, kind="ok"):
    return Result("id", kind, payload, 1.0, None, 128, 10)


def test_a_function_error_is_a_502_and_a_bare_result_is_a_json_200():
    assert to_http(_result(b'{"errorType": "X"}', "error"))[0] == 502
    assert to_http(_result(b'[1, 2]')) == (200, [("Content-Type", "application/json")], b"[1, 2]")
    status, headers, body = to_http(_result(b'{"statusCode": 204}'))
    assert (status, body) == (204, b"")


def test_function_url_events_carry_cookies_apart_and_binary_bodies_as_base64():
    event = function_url_event("POST", "/up", "a=1", {"Cookie": "s=1; t=2", "Content-Type": "image/png"}, b"\x89PNG")
    assert event["cookies"] == ["s=1", "t=2"] and "cookie" not in event["headers"]
    assert event["isBase64Encoded"] and base64.b64decode(event["body"]) == b"\x89PNG"
    assert event["queryStringParameters"] == {"a": "1"} and event["version"] == "2.0"


def test_sample_events_take_their_overrides_and_refuse_fields_they_lack():
    s3 = sample("s3", {"bucket": "my-bucket", "key": "in/a b.txt"})
    assert s3["Records"][0]["s3"]["bucket"]["name"] == "my-bucket"
    assert s3["Records"][0]["s3"]["object"]["key"] == "in/a+b.txt"  # S3 sends keys URL-encoded
    sqs = sample("sqs", {"body": "hi"})["Records"][0]
    assert sqs["body"] == "hi" and sqs["eventSource"] == "aws:sqs"
    api = sample("api-gateway", {"path": "/users/7", "method": "POST", "body": "{}", "query": "a=1"})
    assert (api["path"], api["httpMethod"], api["queryStringParameters"]) == ("/users/7", "POST", {"a": "1"})
    with pytest.raises(KeyError):
        sample("schedule", {"bucket": "b"})


def test_genesys_event_prints_json_and_names_the_fields_a_source_has(capsys):
    from genesys_tasks.cli import main

    assert main(["event", "sns", "--body", "hello", "--topic", "orders"]) == 0
    record = json.loads(capsys.readouterr().out)["Records"][0]
    assert record["Sns"]["Message"] == "hello" and record["Sns"]["TopicArn"].endswith(":orders")
    assert main(["event", "sqs", "--bucket", "b"]) == 2
    assert "a sqs event has no --bucket" in capsys.readouterr().err

