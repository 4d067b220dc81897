"""``genesys logs --tail`` over StartLiveTail: the emulator cannot hold a live tail session open, so its
answer is played at botocore's HTTP seam (``before-send``: the encoded event stream AWS sends, parsed by
botocore as AWS's would be) while every other call goes to the emulator. Lines show as their update
arrives, REPORT lines are summarised, a session AWS ends after its three hours is opened again, and an
endpoint or identity without StartLiveTail falls back to polling, said once."""

from __future__ import annotations

import binascii
import json
import struct
import threading
import time

import pytest

from genesys_tasks.aws.session import Clients, boto_config
from genesys_tasks.aws.target import Target
from genesys_tasks.commands.logs import _shower
from genesys_tasks.deploy.logs import follow

GROUP = "/aws/lambda/tailed"
REPORT = ("REPORT RequestId: 1f\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t"
          "Max Memory Used: 41 MB\t")


def _message(headers: dict[str, str], payload: dict) -> bytes:
    """One message of AWS's event stream encoding (prelude, headers, payload, CRCs)."""
    body = json.dumps(payload).encode()
    encoded = b"".join(bytes([len(k)]) + k.encode() + b"\x07" + struct.pack(">H", len(v)) + v.encode()
                       for k, v in headers.items())
    prelude = struct.pack(">II", 16 + len(encoded) + len(body), len(encoded))
    prelude += struct.pack(">I", binascii.crc32(prelude))
    message = prelude + encoded + body
    return message + struct.pack(">I", binascii.crc32(message))


def _event(kind: str, payload: dict) -> bytes:
    return _message({":message-type": "event", ":event-type": kind, ":content-type": "application/json"}, payload)


def _update(*messages: str, stream: str = "live") -> bytes:
    now = int(time.time() * 1000)
    return _event("sessionUpdate", {"sessionMetadata": {"sampled": False}, "sessionResults": [
        {"logStreamName": stream, "logGroupIdentifier": "arn", "message": m, "timestamp": now, "ingestionTime": now}
        for m in messages]})


def _timeout() -> bytes:
    return _message({":message-type": "exception", ":exception-type": "SessionTimeoutException",
                     ":content-type": "application/json"}, {"message": "three hours"})


class Stream:
    """The raw body of one live tail answer as AWS sends it (the JSON protocol's initial response, then
    sessionStart, then ``chunks``), each chunk sent once its ``gate`` lets it go."""

    def __init__(self, chunks, gates=()):
        opening = _event("initial-response", {}) + _event("sessionStart", {"sessionId": "s", "requestId": "r"})
        self.chunks, self.gates, self.closed = [opening, *chunks], [threading.Event(), *gates], False
        self.gates[0].set()

    def stream(self):
        for i, chunk in enumerate(self.chunks):
            if i < len(self.gates) and not self.gates[i].wait(20):
                raise AssertionError(f"chunk {i} was never let go")
            yield chunk

    def close(self):
        self.closed = True


def _clients(aws, answers: list):
    """Clients on the emulator whose StartLiveTail answers come from ``answers`` (a Stream each, or an
    error code) in order; the parameters of each StartLiveTail are recorded on the list ``asked``."""
    import boto3
    from botocore.awsrequest import AWSResponse

    client = boto3.client("logs", endpoint_url=aws, region_name="us-east-1", config=boto_config())
    asked = []

    def answer(request, **_):
        asked.append(json.loads(request.body))
        given = answers.pop(0)
        if isinstance(given, str):
            body = json.dumps({"__type": given, "message": "no"}).encode()
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))
        return AWSResponse(request.url, 200, {"Content-Type": "application/vnd.amazon.eventstream"}, given)

    client.meta.events.register("before-send.logs.StartLiveTail", answer)
    return Clients(Target("us-east-1", None, aws), overrides={"logs": client}), asked


class _Raw:
    def __init__(self, body):
        self.body = body

    def stream(self, **_):
        yield self.body


class Stop(Exception):
    """What Ctrl-C is to `genesys logs --tail`."""


def _logged(boto, *messages):
    logs = boto("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="old")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName="old",
                        logEvents=[{"timestamp": now, "message": m} for m in messages])


def _collecting(capsys, last: str):
    show = _shower("", False)

    def shown(event):
        show(event)
        if last in event.get("message", ""):
            raise Stop

    return shown


def test_live_tail_shows_each_update_as_it_arrives_and_summarises_report(aws, boto, capsys):
    _logged(boto, "before the tail")
    second = threading.Event()
    stream = Stream([_update("first live line"), _update("second live line", REPORT)],
                    gates=[threading.Event(), second])
    stream.gates[1].set()
    clients, asked = _clients(aws, [stream])
    said = []
    show = _collecting(capsys, "REPORT RequestId")

    def watched(event):
        show(event)
        if "first live line" in event["message"]:
            second.set()  # the next update is sent only once the first one's line is out

    with pytest.raises(Stop):
        follow(clients, "tailed", 0, watched, say=said.append)
    lines = [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert lines == ["before the tail", "first live line", "second live line",
                     "REPORT 2.50 ms (billed 3 ms), 41/128 MB"], lines
    assert said == [] and stream.closed
    assert asked == [{"logGroupIdentifiers": ["arn:aws:logs:us-east-1:123456789012:log-group:" + GROUP]}]


def test_a_session_aws_ends_after_three_hours_is_opened_again_with_the_filter(aws, boto, capsys):
    _logged(boto, "old line")
    clients, asked = _clients(aws, [Stream([_update("keep one"), _timeout()]), Stream([_update("keep two")])])
    with pytest.raises(Stop):
        follow(clients, "tailed", 0, _collecting(capsys, "keep two"), "keep")
    assert [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()] == ["keep one", "keep two"]
    assert [a["logEventFilterPattern"] for a in asked] == ['"keep"', '"keep"']


@pytest.mark.parametrize("code", ["UnknownOperationException", "AccessDeniedException"])
def test_without_start_live_tail_it_polls_and_says_so_once(aws, boto, capsys, code):
    _logged(boto, "polled line")
    clients, asked = _clients(aws, [code])
    said = []
    follow(clients, "tailed", 0, _shower("", False), say=said.append, sleep=lambda s: None, rounds=3)
    assert [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()] == ["polled line"]
    assert len(said) == 1 and code in said[0] and "polling every 1 s" in said[0], said
    assert len(asked) == 1


def _refusing_describe_log_groups(clients, code: str, message: str) -> None:
    """DescribeLogGroups answers ``code`` (as AWS's JSON protocol does); every other call reaches the emulator."""
    def refused(request, **_):
        from botocore.awsrequest import AWSResponse

        body = json.dumps({"__type": code, "message": message}).encode()
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))

    clients.logs.client.meta.events.register("before-send.logs.DescribeLogGroups", refused)


def test_an_identity_that_may_not_list_log_groups_polls_and_says_why(aws, boto, capsys):
    _logged(boto, "read all the same")
    clients, asked = _clients(aws, [])
    _refusing_describe_log_groups(clients, "AccessDeniedException", "not logs:DescribeLogGroups")
    said = []
    follow(clients, "tailed", 0, _shower("", False), say=said.append, sleep=lambda s: None, rounds=2)
    assert [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()] == ["read all the same"]
    assert len(said) == 1 and "logs:DescribeLogGroups" in said[0] and asked == [], said


def test_credentials_that_expire_while_tailing_stop_it_instead_of_falling_back_to_polling(aws, boto, capsys):
    """Only a denial of DescribeLogGroups means "poll instead"; expired credentials are the user's to refresh
    (exit 3), not a reason to go on polling with them."""
    from genesys_tasks.errors import AccessDenied, CredentialsError

    _logged(boto, "read before they expired")
    clients, asked = _clients(aws, [])
    _refusing_describe_log_groups(clients, "ExpiredTokenException", "The security token included in the request "
                                  "is expired")
    said = []
    with pytest.raises(CredentialsError, match="expired") as raised:
        follow(clients, "tailed", 0, _shower("", False), say=said.append, sleep=lambda s: None, rounds=2)
    assert not isinstance(raised.value, AccessDenied) and raised.value.exit_code == 3
    assert said == [] and asked == []
