"""Calls that get no reply: a server on 127.0.0.1 that accepts and closes without a word, one that
accepts and never answers, a port nothing listens on, and replies without an error code. Each is
retried within a bound (reads, and writes that never left), reported through ``notify`` and the
``genesys.aws`` logger, and ends as a genesys error; nothing is printed and nothing crashes."""

from __future__ import annotations

import logging
import socket
import threading
import time

import boto3
import botocore.exceptions as bx
import pytest
from botocore.stub import Stubber

from genesys_tasks.aws.base import CallLog, RetryPolicy
from genesys_tasks.aws.errors import connection_failure, error_code, reply_lost, translate
from genesys_tasks.aws.iam import IamAdapter
from genesys_tasks.aws.lambda_ import LambdaAdapter
from genesys_tasks.aws.session import Clients, boto_config
from genesys_tasks.aws.target import Target
from genesys_tasks.deploy.executor import Executor
from genesys_tasks.deploy.model import Plan
from genesys_tasks.errors import AwsError, GenesysError


class Silent:
    """A TCP server on 127.0.0.1 that reads each request and then closes (``close``) or keeps the
    connection open without answering (``hang``). It counts connections and stops with the test."""

    def __init__(self, mode: str):
        self.mode = mode
        self.connections = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def _serve(self) -> None:
        deadline = time.monotonic() + 60  # never outlives a stuck test by much
        while not self.stopped.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(1)
            try:
                conn.recv(65536)
            except OSError:
                pass
            if self.mode == "close":
                conn.close()
            else:
                self.held.append(conn)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for conn in self.held:
            conn.close()
        self.server.close()


@pytest.fixture
def silent():
    servers: list[Silent] = []

    def start(mode: str) -> Silent:
        servers.append(Silent(mode))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def closed_port() -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def adapter(url: str, heard: list, *, read_timeout: float = 2, cls=LambdaAdapter, **retry):
    service = "iam" if cls is IamAdapter else "lambda"
    client = boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x", config=boto_config(connect_timeout=1, read_timeout=read_timeout))
    retry.setdefault("sleep", lambda seconds: None)
    return cls(client, CallLog(), RetryPolicy(**retry), notify=heard.append)


def test_a_connection_closed_without_a_reply_is_retried_then_a_clear_error(silent, caplog, capsys):
    server, heard = silent("close"), []
    lam = adapter(server.url, heard)
    with caplog.at_level(logging.DEBUG, logger="genesys.aws"), pytest.raises(AwsError) as caught:
        lam.get_function(FunctionName="f")
    assert "no reply from AWS for lambda:GetFunction on f" in caught.value.message
    assert caught.value.hint and "AWS_ENDPOINT_URL" in caught.value.hint
    attempts = lam.retry.attempts
    assert lam.log.reads == ["lambda:GetFunction"] * attempts
    assert server.connections == attempts, "one connection per attempt: botocore does not retry underneath"
    assert len(heard) == attempts - 1 and "trying again" in heard[0] and "ConnectionClosedError" in heard[0]
    retries = [r.getMessage() for r in caplog.records if r.name == "genesys.aws"]
    assert retries[0] == "lambda:GetFunction on f: ConnectionClosedError; retrying in 0.5s"
    assert capsys.readouterr() == ("", ""), "aws prints nothing"


def test_a_write_whose_reply_was_lost_is_not_sent_again(silent):
    server, heard = silent("close"), []
    lam = adapter(server.url, heard)
    with pytest.raises(AwsError) as caught:
        lam.update_function_code(FunctionName="f", ZipFile=b"zip")
    assert server.connections == 1 and heard == []
    assert "lambda:UpdateFunctionCode" in caught.value.message
    assert "not sent again" in caught.value.hint and "running again" in caught.value.hint


def test_a_server_that_never_answers_fails_within_the_bound(silent):
    server, heard = silent("hang"), []
    lam = adapter(server.url, heard, read_timeout=0.3, connection_wait_seconds=1.0, base_delay=0.05,
                  sleep=time.sleep)
    started = time.monotonic()
    with pytest.raises(AwsError) as caught:
        lam.get_function(FunctionName="f")
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"gave up after {elapsed:.1f}s; the bound is 1s of retries plus one read timeout"
    assert "Read timeout" in caught.value.message
    assert server.connections >= 2 and len(heard) == server.connections - 1


def test_every_client_has_short_timeouts_and_leaves_retries_to_the_seam():
    config = boto_config()
    assert config.connect_timeout <= 5 and config.read_timeout <= 30
    assert config.retries["total_max_attempts"] == 1
    client = Clients(Target("us-east-1", None, "http://127.0.0.1:9")).client("lambda")
    assert client.meta.config.read_timeout == config.read_timeout


def test_a_refused_connection_is_retried_even_for_a_write(capsys):
    heard: list[str] = []
    iam = adapter(closed_port(), heard, cls=IamAdapter)
    with pytest.raises(AwsError) as caught:
        iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument="{}")
    assert "cannot reach AWS for iam:PutRolePolicy" in caught.value.message
    assert iam.log.writes == ["iam:PutRolePolicy"] * iam.retry.attempts  # nothing was sent: safe to send again
    assert len(heard) == iam.retry.attempts - 1
    assert capsys.readouterr() == ("", "")


def test_the_retry_time_bound_holds_whatever_the_attempt_count():
    now = [0.0]
    heard: list[str] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    lam = adapter(closed_port(), heard, attempts=100, sleep=sleep, clock=lambda: now[0],
                  connection_wait_seconds=20)
    with pytest.raises(AwsError):
        lam.get_function(FunctionName="f")
    assert now[0] <= 20 and len(heard) == len(lam.log.reads) - 1 < 100


def test_the_executor_still_says_what_was_applied_when_a_reply_is_lost(silent):
    server = silent("close")
    iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    lam = boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x", config=boto_config(connect_timeout=1, read_timeout=2))
    plan = Plan()
    plan.change("role genesys-lambda-f", "update")
    plan.call("iam", "put_role_policy", "role genesys-lambda-f", RoleName="genesys-lambda-f",
              PolicyName="genesys-logs", PolicyDocument="{}")
    plan.change("function f", "update")
    plan.call("lambda", "update_function_code", "function f", FunctionName="f", ZipFile=b"zip")
    clients = Clients(Target("us-east-1", None, None), overrides={"iam": iam, "lambda": lam},
                      retry=RetryPolicy(sleep=lambda s: None))
    with Stubber(iam) as stub, pytest.raises(AwsError) as caught:
        stub.add_response("put_role_policy", {})
        Executor(clients).run(plan)
    assert "lambda:UpdateFunctionCode" in caught.value.message
    assert "already applied: update role genesys-lambda-f" in caught.value.hint


CLIENT_ERROR_SHAPES = {
    "no Error": {"ResponseMetadata": {"HTTPStatusCode": 502}},
    "nothing at all": {},
    "Error without a code": {"Error": {"Message": "the service is unavailable"}},
}


@pytest.mark.parametrize("response", CLIENT_ERROR_SHAPES.values(), ids=CLIENT_ERROR_SHAPES.keys())
def test_a_client_error_without_a_code_is_still_an_aws_error(response):
    err = bx.ClientError(response, "GetFunction")
    assert error_code(err) == ""
    translated = translate(err, "lambda:GetFunction", "f")
    assert isinstance(translated, AwsError) and "lambda:GetFunction on f failed" in translated.message


EXCEPTIONS = {
    "ConnectionClosedError": (bx.ConnectionClosedError(endpoint_url="http://x"), True, True),
    "ReadTimeoutError": (bx.ReadTimeoutError(endpoint_url="http://x"), True, True),
    "ResponseStreamingError": (bx.ResponseStreamingError(error="cut"), True, True),
    "EndpointConnectionError": (bx.EndpointConnectionError(endpoint_url="http://x"), True, False),
    "ConnectTimeoutError": (bx.ConnectTimeoutError(endpoint_url="http://x"), True, False),
    "ProxyConnectionError": (bx.ProxyConnectionError(proxy_url="http://proxy"), True, False),
    "SSLError": (bx.SSLError(endpoint_url="http://x", error="bad certificate"), False, False),
    "HTTPClientError": (bx.HTTPClientError(error="boom"), True, True),
}


@pytest.mark.parametrize("err, retried, lost", EXCEPTIONS.values(), ids=EXCEPTIONS.keys())
def test_every_failure_without_a_reply_translates(err, retried, lost):
    assert error_code(err) == ""
    assert (connection_failure(err), reply_lost(err)) == (retried, lost)
    translated = translate(err, "lambda:GetFunction", "f")
    assert isinstance(translated, GenesysError) and translated.hint
    assert "lambda:GetFunction" in translated.message


def test_a_5xx_without_an_error_code_is_retried(stubbed):
    adapter_, stub, sleeps = stubbed
    failures = [bx.ClientError({"ResponseMetadata": {"HTTPStatusCode": 503}}, "GetFunction")] * 2

    def fail_first(**_):
        if failures:
            raise failures.pop()

    adapter_.client.meta.events.register_first("before-parameter-build.lambda.GetFunction", fail_first)
    stub.add_response("get_function", {"Configuration": {"FunctionName": "f"}})
    assert adapter_.get_function(FunctionName="f")["Configuration"]["FunctionName"] == "f"
    assert sleeps == [0.5, 1.0]


def test_listings_are_retried_by_the_seam_too(stubbed):
    adapter_, stub, sleeps = stubbed
    stub.add_client_error("list_layer_versions", "TooManyRequestsException", "Rate exceeded", 429)
    stub.add_response("list_layer_versions", {"LayerVersions": [{"Version": 1}]})
    assert adapter_.list_layer_versions(LayerName="l") == [{"Version": 1}]
    assert sleeps == [0.5]


def test_a_throttled_poll_while_waiting_for_a_function_is_retried(stubbed):
    adapter_, stub, sleeps = stubbed
    stub.add_client_error("get_function", "TooManyRequestsException", "Rate exceeded", 429)
    stub.add_response("get_function", {"Configuration": {"FunctionName": "f", "State": "Active",
                                                          "LastUpdateStatus": "Successful"}})
    adapter_.wait_function_updated_v2(FunctionName="f")
    assert sleeps == [0.5] and adapter_.log.reads == ["lambda:GetFunction"] * 2
