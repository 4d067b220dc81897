"""Sample events in the shapes AWS documents, for ``genesys event`` and ``genesys serve``.

Each trigger type's row (``config/triggers.TYPES``) names its builder here and the fields a user
may override (``--bucket``, ``--body``, ...) with their defaults; ``sample`` looks the row up.
``function_url_event`` is also what ``serve`` makes of a real HTTP request (payload format 2.0).
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote_plus

from ..config.triggers import TABLE, samples
from ..contracts import EventBuilder, dotted

ACCOUNT = "123456789012"
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
              "application/x-www-form-urlencoded", "+json", "+xml")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _query(query: str) -> tuple[dict, dict]:
    pairs = parse_qsl(query, keep_blank_values=True)
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in multi.items()}, multi


def is_text(content_type: str) -> bool:
    """Whether a function URL hands this body over as text (else base64)."""
    kind = content_type.split(";")[0].strip().lower()
    return bool(kind) and any(kind.startswith(t) or kind.endswith(t) for t in TEXT_TYPES)


def function_url_event(method: str, path: str, query: str = "", headers: dict | None = None,
                       body: bytes | None = None, source_ip: str = "127.0.0.1") -> dict:
    """A function URL request (payload format 2.0): headers lower-cased, cookies apart, binary bodies base64."""
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    moment = _now()
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {name: value for name, value in headers.items() if name != "cookie"},
        "requestContext": {
            "accountId": "anonymous", "apiId": "local", "domainName": headers.get("host", "localhost"),
            "domainPrefix": "local", "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": "$default",
            "time": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(moment.timestamp() * 1000),
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": headers.get("user-agent", "")},
        },
        "isBase64Encoded": False,
    }
    if "cookie" in headers:
        event["cookies"] = [c.strip() for c in headers["cookie"].split(";") if c.strip()]
    if query:
        event["queryStringParameters"] = _query(query)[0]
    if body:
        text = is_text(headers.get("content-type", ""))
        event["body"] = body.decode("utf-8", errors="replace") if text else base64.b64encode(body).decode()
        event["isBase64Encoded"] = not text
    return event


def function_url_sample(o: dict) -> dict:
    body = o["body"].encode() if o["body"] else None
    return function_url_event(o["method"], o["path"], o["query"],
                              {"content-type": "application/json", "host": "abc123.lambda-url.localhost",
                               "user-agent": "curl/8.0"}, body)


def api_gateway_event(o: dict) -> dict:
    single, multi = _query(o["query"])
    moment = _now()
    headers = {"Accept": "*/*", "Content-Type": "application/json", "Host": "abc123.execute-api.localhost",
               "User-Agent": "curl/8.0"}
    return {
        "resource": "/{proxy+}", "path": o["path"], "httpMethod": o["method"], "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": single or None, "multiValueQueryStringParameters": multi or None,
        "pathParameters": {"proxy": o["path"].lstrip("/")}, "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT, "apiId": "abc123", "resourceId": "a1b2c3", "stage": "prod",
            "requestId": str(uuid.uuid4()), "requestTime": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(moment.timestamp() * 1000), "path": "/prod" + o["path"],
            "resourcePath": "/{proxy+}", "httpMethod": o["method"], "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "curl/8.0"},
        },
        "body": o["body"], "isBase64Encoded": False,
    }


def s3_event(o: dict) -> dict:
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": o["region"], "eventTime": _iso(_now()),
        "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": "EXAMPLE"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "genesys-sample",
               "bucket": {"name": o["bucket"], "ownerIdentity": {"principalId": "EXAMPLE"},
                          "arn": f"arn:aws:s3:::{o['bucket']}"},
               "object": {"key": quote_plus(o["key"], safe="/"), "size": 1024,
                          "eTag": "0123456789abcdef0123456789abcdef", "sequencer": "0A1B2C3D4E5F678901"}},
    }]}


def sqs_event(o: dict) -> dict:
    millis = str(int(time.time() * 1000))
    return {"Records": [{
        "messageId": str(uuid.uuid4()), "receiptHandle": "AQEB" + uuid.uuid4().hex, "body": o["body"],
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": millis, "SenderId": "AIDAEXAMPLE",
                       "ApproximateFirstReceiveTimestamp": millis},
        "messageAttributes": {}, "md5OfBody": hashlib.md5(o["body"].encode()).hexdigest(),
        "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:{o['region']}:{ACCOUNT}:{o['queue']}",
        "awsRegion": o["region"],
    }]}


def sns_event(o: dict) -> dict:
    topic = f"arn:aws:sns:{o['region']}:{ACCOUNT}:{o['topic']}"
    return {"Records": [{
        "EventVersion": "1.0", "EventSubscriptionArn": f"{topic}:{uuid.uuid4()}", "EventSource": "aws:sns",
        "Sns": {"SignatureVersion": "1", "Timestamp": _iso(_now()), "Signature": "EXAMPLE",
                "SigningCertUrl": "EXAMPLE", "MessageId": str(uuid.uuid4()), "Message": o["body"],
                "MessageAttributes": {}, "Type": "Notification", "UnsubscribeUrl": "EXAMPLE",
                "TopicArn": topic, "Subject": "genesys sample"},
    }]}


def schedule_event(o: dict) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": ACCOUNT, "time": _now().strftime("%Y-%m-%dT%H:%M:%SZ"), "region": o["region"],
            "resources": [f"arn:aws:events:{o['region']}:{ACCOUNT}:rule/genesys-sample"], "detail": {}}


def dynamodb_event(o: dict) -> dict:
    image = {"id": {"S": o["key"]}, "message": {"S": o["body"]}}
    return {"Records": [{
        "eventID": uuid.uuid4().hex, "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": o["region"],
        "dynamodb": {"ApproximateCreationDateTime": int(time.time()), "Keys": {"id": {"S": o["key"]}},
                     "NewImage": image, "SequenceNumber": "111", "SizeBytes": 26,
                     "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "eventSourceARN": f"arn:aws:dynamodb:{o['region']}:{ACCOUNT}:table/{o['table']}/stream/2024-01-01T00:00:00.000",
    }]}


def sample(source: str, overrides: dict) -> dict:
    """The sample event of ``source`` with ``overrides`` (field: value) applied; KeyError names a field it lacks."""
    row = samples()[source]
    unknown = sorted(set(overrides) - set(row.fields))
    if unknown:
        raise KeyError(unknown[0])
    return dotted(row.builder, EventBuilder, TABLE)({**row.fields, **overrides})
