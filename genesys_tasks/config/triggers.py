"""The trigger types, one row each (``TYPES``): the TOML keys of a ``[[triggers]]`` entry, the
checks the key table cannot express (patterns and rules that span keys), the key naming its
source, whether Lambda polls it (an event source mapping, and the poller permissions the
role needs: ``Poller``), the module that reads and plans it in AWS, and its sample event.

Every reader takes the row: the loader, the JSON Schema and the wizard the keys (``TRIGGERS``
is a live view of the rows' keys, the wizard also asks with the row's ``doc``),
``config/checks`` the source keys, ``deploy/policies`` the poller permissions, the doit deploy
task which types are polled, ``deploy/triggers`` the ``planner`` module (state, plan, invoke
permissions), ``local/events`` and ``genesys event`` the ``sample``. Modules are named by
dotted path and imported only by the reader that needs them, so config imports neither
deploy nor local. A new trigger type is its planner module plus one row here.

``problem(kind, values)`` looks at one ``[[triggers]]`` entry (already type- and
range-checked against the row's keys) and returns ``(key, message, hint)`` for
the first thing AWS would reject, or None. The loader turns it into a ConfigError
with the line, so bad input stops before any AWS call. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable

from .aws_limits import BUCKET_HINT, bucket_problem
from .schema import S3_EVENTS, Key

RATE = re.compile(r"^rate\((\d+) ([a-z]+)\)$")
RATE_UNITS = {"minute": "minutes", "hour": "hours", "day": "days"}
CRON = re.compile(r"^cron\((.*)\)$")
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
STREAM_ARN = re.compile(r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}/stream/\S+$")
QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}(\.fifo)?$")
QUEUE_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}(\.fifo)?$")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
SQS_PLAIN_BATCH_MAX = 10  # above this AWS requires a batching window of at least 1 second
FIFO_BATCH_MAX = 10

Problem = tuple[str, str, str]


def schedule_problem(expression: str) -> Problem | None:
    """Why EventBridge would reject ``expression``, or None when it is a valid rate/cron."""
    text = expression.strip()
    rate = RATE.match(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        singular = unit in RATE_UNITS
        if not singular and unit not in RATE_UNITS.values():
            return ("expression", f"{expression!r}: unknown rate unit {unit!r}",
                    "use minute(s), hour(s) or day(s), e.g. rate(5 minutes)")
        base = unit if singular else unit[:-1]
        if value < 1:
            return "expression", f"{expression!r}: the rate must be at least 1", "e.g. rate(1 minute)"
        if value == 1 and not singular:
            return ("expression", f"{expression!r}: a rate of 1 takes the singular unit",
                    f"write rate(1 {base})")
        if value > 1 and singular:
            return ("expression", f"{expression!r}: a rate above 1 takes the plural unit",
                    f"write rate({value} {RATE_UNITS[base]})")
        return None
    cron = CRON.match(text)
    if cron:
        fields = cron.group(1).split()
        if len(fields) != len(CRON_FIELDS):
            return ("expression", f"{expression!r} has {len(fields)} fields; EventBridge cron needs 6: "
                                  + " ".join(CRON_FIELDS),
                    "add the year and use ? for day-of-month or day-of-week, e.g. cron(0 3 * * ? *)")
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            return ("expression", f"{expression!r}: exactly one of day-of-month and day-of-week must be ?",
                    "e.g. cron(0 3 * * ? *) for every day at 03:00 UTC")
        return None
    return ("expression", f"{expression!r} is not a schedule expression",
            "use rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year)")


def _sqs(values: dict) -> Problem | None:
    queue = values["queue"]
    if queue.startswith("arn:"):
        if not QUEUE_ARN.match(queue):
            return "queue", f"{queue!r} is not an SQS queue ARN", "use arn:aws:sqs:REGION:ACCOUNT:NAME or the name"
    elif not QUEUE_NAME.match(queue):
        return "queue", f"{queue!r} is not a valid queue name", "letters, digits, - and _, at most 80 (.fifo allowed)"
    if queue.endswith(".fifo") and values["batch_size"] > FIFO_BATCH_MAX:
        return ("batch_size", f"batch_size {values['batch_size']} is too large for a FIFO queue",
                f"use at most {FIFO_BATCH_MAX}")
    if queue.endswith(".fifo") and values["maximum_batching_window"] > 0:
        return ("maximum_batching_window", "Lambda takes no batching window for a FIFO queue",
                "remove maximum_batching_window (or set it to 0)")
    if values["batch_size"] > SQS_PLAIN_BATCH_MAX and values["maximum_batching_window"] < 1:
        return ("batch_size", f"batch_size {values['batch_size']} needs a batching window: AWS accepts more than "
                              f"{SQS_PLAIN_BATCH_MAX} messages per batch only with maximum_batching_window >= 1",
                "add maximum_batching_window = 1 (seconds) or more, or lower batch_size to 10")
    return None


def _sns(values: dict) -> Problem | None:
    topic = values["topic"]
    pattern = TOPIC_ARN if topic.startswith("arn:") else TOPIC_NAME
    if not pattern.match(topic):
        return "topic", f"{topic!r} is not an SNS topic name or ARN", "use the name, or arn:aws:sns:REGION:ACCOUNT:NAME"
    return None


def _s3(values: dict) -> Problem | None:
    found = bucket_problem(values["bucket"])
    if found:
        return "bucket", found, BUCKET_HINT
    if not values["events"]:
        return "events", "events is empty", 'name at least one, e.g. events = ["s3:ObjectCreated:*"]'
    for key in ("prefix", "suffix"):
        wild = sorted({c for c in values[key] if c in "*?"})
        if wild:
            return (key, f"{key} {values[key]!r} has {' and '.join(wild)}, which S3 matches literally: "
                         "the trigger would fire only for keys with that character in them",
                    f"S3 filters take a plain {key} (e.g. \"uploads/\" or \".jpg\"); use two triggers "
                    "for two patterns")
    return None


def _schedule(values: dict) -> Problem | None:
    return schedule_problem(values["expression"])


def _dynamodb(values: dict) -> Problem | None:
    arn = values["stream_arn"]
    if not STREAM_ARN.match(arn):
        hint = "use the table's LatestStreamArn (aws dynamodb describe-table), " \
               "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL"
        if re.match(r"^arn:aws[a-z-]*:dynamodb:[^:]*:[^:]*:table/[^/]+$", arn):
            hint = "that is the table's ARN; enable a stream on the table and " + hint
        return "stream_arn", f"{arn!r} is not a DynamoDB stream ARN", hint
    return None


def _api_gateway(values: dict) -> Problem | None:
    path = values["path"]
    if not path.startswith("/"):
        return "path", f"{path!r} is not a route path", f'start it with /: path = "/{path}"'
    return None


@dataclass(frozen=True)
class Poller:
    """What the execution role needs so Lambda can poll a source: an inline policy named ``policy``
    allowing ``actions`` on each source's ARN (a name is resolved in ``service``, the deploy region
    and account), plus ``unscoped`` actions that AWS grants only on ``*``."""

    policy: str
    service: str
    actions: tuple[str, ...]
    unscoped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sample:
    """A sample event for ``genesys event``: ``builder`` (``module:function``, imported when an event is
    made) called with ``fields``, the values a user may override (``--bucket``, ``--body``...), merged
    over these defaults."""

    builder: str
    fields: dict


@dataclass(frozen=True)
class TriggerType:
    """One trigger type, as every reader needs it.

    ``planner`` is the dotted path of the module that reads and plans it in AWS: ``read_state`` and
    ``plan`` (and for a push source ``statements`` and ``STATEMENT_ID``), see ``deploy/triggers``.
    None: planned with the function itself (the HTTP API).
    """

    keys: dict  # its keys besides ``type``: name → schema.Key
    check: Callable[[dict], Problem | None] | None = None  # what the key table cannot express
    source_key: str | None = None  # the key naming its source, when AWS allows one per function and source
    poller: Poller | None = None  # Lambda polls it (event source mapping; these permissions on the role)
    doc: str = field(default="", compare=False)
    planner: str | None = None
    sample: Sample | None = None

    @property
    def polled(self) -> bool:
        return self.poller is not None


TABLE = "trigger table (config/triggers.py)"
PLANNERS = "genesys_tasks.deploy.triggers."
EVENTS = "genesys_tasks.local.events:"
HTTP = {"path": "/", "method": "GET", "query": "", "body": None}
REGION = {"region": "us-east-1"}

# in the order their calls are planned (and their state read)
TYPES: dict[str, TriggerType] = {
    "api_gateway": TriggerType({
        "path": Key("str", "/{proxy+}", "Route path."),
        "method": Key("str", "ANY", "HTTP method or ANY.",
                      choices=("ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")),
    }, _api_gateway, doc="an HTTP API route", sample=Sample(EVENTS + "api_gateway_event", HTTP)),
    "s3": TriggerType({
        "bucket": Key("str", None, "Bucket whose object events invoke the function.", required=True),
        "events": Key("list", ["s3:ObjectCreated:*"], "S3 event types.", choices=S3_EVENTS),
        "prefix": Key("str", "", "Only keys starting with this."),
        "suffix": Key("str", "", "Only keys ending with this."),
    }, _s3, doc="object events of a bucket", planner=PLANNERS + "s3",
        sample=Sample(EVENTS + "s3_event", {"bucket": "example-bucket", "key": "uploads/example.txt", **REGION})),
    "sqs": TriggerType({
        "queue": Key("str", None, "Queue name or ARN.", required=True),
        "batch_size": Key("int", 10, "Messages per invocation; over 10 needs maximum_batching_window >= 1.",
                          minimum=1, maximum=10000),
        "maximum_batching_window": Key("int", 0, "Seconds to gather a batch.", minimum=0, maximum=300),
    }, _sqs, source_key="queue", doc="a queue Lambda polls",
        poller=Poller("genesys-sqs-poller", "sqs",
                      ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")),
        planner=PLANNERS + "sqs",
        sample=Sample(EVENTS + "sqs_event", {"body": "Hello from SQS!", "queue": "example-queue", **REGION})),
    "sns": TriggerType({
        "topic": Key("str", None, "Topic name or ARN.", required=True),
    }, _sns, source_key="topic", doc="a topic subscription", planner=PLANNERS + "sns",
        sample=Sample(EVENTS + "sns_event", {"body": "Hello from SNS!", "topic": "example-topic", **REGION})),
    "schedule": TriggerType({
        "expression": Key("str", None, "EventBridge schedule: rate(5 minutes) or cron(0 3 * * ? *).", required=True),
    }, _schedule, doc="an EventBridge schedule", planner=PLANNERS + "schedule",
        sample=Sample(EVENTS + "schedule_event", dict(REGION))),
    "dynamodb": TriggerType({
        "stream_arn": Key("str", None, "Stream ARN: arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL.",
                          required=True),
        "starting_position": Key("str", "LATEST", "Where to start reading.", choices=("LATEST", "TRIM_HORIZON")),
        "batch_size": Key("int", 100, "Records per invocation.", minimum=1, maximum=10000),
    }, _dynamodb, source_key="stream_arn", doc="a table stream Lambda polls",
        poller=Poller("genesys-dynamodb-poller", "dynamodb",
                      ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
                      unscoped=("dynamodb:ListStreams",)),  # ListStreams has no resource-level permissions
        planner=PLANNERS + "dynamodb",
        sample=Sample(EVENTS + "dynamodb_event", {"key": "item-1", "body": "Hello from DynamoDB!",
                                                  "table": "example-table", **REGION})),
}
# a sample event that is no trigger: a request to the function's own URL
FUNCTION_URL = Sample(EVENTS + "function_url_sample", HTTP)


class _Keys(Mapping):
    """Each type's keys, read from ``TYPES`` when asked (a row added later is seen)."""

    def __getitem__(self, kind: str) -> dict:
        return TYPES[kind].keys

    def __iter__(self):
        return iter(TYPES)

    def __len__(self) -> int:
        return len(TYPES)


TRIGGERS: Mapping[str, dict] = _Keys()


def polled(kind: str) -> bool:
    row = TYPES.get(kind)
    return bool(row and row.polled)


def problem(kind: str, values: dict) -> Problem | None:
    row = TYPES.get(kind)
    return row.check(values) if row and row.check else None


def samples() -> dict[str, Sample]:
    """The sample events ``genesys event`` offers, by source name (``api-gateway``, ``s3``...): each row's,
    and the function URL's."""
    found = {kind.replace("_", "-"): row.sample for kind, row in TYPES.items() if row.sample}
    return {**found, "function-url": FUNCTION_URL}

