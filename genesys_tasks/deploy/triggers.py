"""Event triggers beside api_gateway: S3 notifications, SQS and DynamoDB stream mappings,
SNS subscriptions and EventBridge schedules — reading their state, and planning their sync.

Each trigger type has one planner in ``PLANNERS`` (type → function). Everything a
planner needs is read first by ``read_state`` with read-only calls; a source the TOML
names that does not exist (queue, topic, bucket, stream) is an ``AwsError`` naming it,
raised before any write. What genesys makes is marked: event source mappings and
schedule rules carry the tag ``genesys:managed=true`` (rules are also named
``genesys-<function>-<n>``), S3 notification ids and permission statement ids start
with ``genesys-``. Only marked things are changed or removed; a bucket's other
notifications are kept, because PutBucketNotificationConfiguration replaces them all.

The invoke permissions of push sources (S3, SNS, schedules) are planned with the
function's other permissions (``statements``), so they exist before the source is
wired. The poller permissions of polled sources (SQS, DynamoDB streams) go into the
execution role (``policies.poller_policies``), since AWS rejects a mapping without them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from ..config.locate import where_in
from ..config.spec import FunctionSpec, TriggerSpec
from ..errors import AwsError, ConfigError, Where
from .model import Plan
from .state import FUNCTION_KEY, MARKER_KEY

POLLED = ("sqs", "dynamodb")
SCHEDULE_TARGET_ID = "genesys"
RULE_NAME_MAX = 64


# --- names and ARNs genesys derives -------------------------------------------------------------

def function_arn(spec: FunctionSpec, region: str, account: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{spec.name}"


def _sid_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:80]


def notification_prefix(spec: FunctionSpec) -> str:
    """Ids of this function's S3 notifications; ``:`` cannot occur in a function name, so
    ``genesys-a:`` never matches ``genesys-a-b:`` entries of another function."""
    return f"genesys-{spec.name}:"


def rule_base(spec: FunctionSpec) -> str:
    base = f"genesys-{spec.name}"
    if len(base) + 4 > RULE_NAME_MAX:
        base = "genesys-" + hashlib.sha256(spec.name.encode()).hexdigest()[:16]
    return base


def rule_name(spec: FunctionSpec, position: int) -> str:
    return f"{rule_base(spec)}-{position}"


def queue_name(queue: str) -> str:
    return queue.rsplit(":", 1)[-1]


def topic_arn(topic: str, region: str, account: str) -> str:
    return topic if topic.startswith("arn:") else f"arn:aws:sns:{region}:{account}:{topic}"


def table_of(stream_arn: str) -> str:
    return stream_arn.split(":table/", 1)[-1].split("/stream/", 1)[0]


def _of(spec_or_triggers, kind: str) -> list[TriggerSpec]:
    triggers = spec_or_triggers.triggers if isinstance(spec_or_triggers, FunctionSpec) else spec_or_triggers
    return [t for t in triggers if t.type == kind]


# --- role and permissions --------------------------------------------------------------------------

def statements(spec: FunctionSpec, region: str, account: str) -> dict:
    """The invoke permissions of push sources, by statement id, each scoped by SourceArn."""
    wanted = {}
    for trigger in _of(spec, "s3"):
        bucket = trigger.get("bucket")
        wanted[f"genesys-s3-{_sid_part(bucket)}"] = {
            "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
            "SourceArn": f"arn:aws:s3:::{bucket}", "SourceAccount": account}
    for trigger in _of(spec, "sns"):
        arn = topic_arn(trigger.get("topic"), region, account)
        wanted[f"genesys-sns-{_sid_part(arn.rsplit(':', 1)[-1])}"] = {
            "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com", "SourceArn": arn}
    for position, _trigger in enumerate(_of(spec, "schedule")):
        name = rule_name(spec, position)
        wanted[f"genesys-schedule-{position}"] = {
            "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
            "SourceArn": f"arn:aws:events:{region}:{account}:rule/{name}"}
    return wanted


def _statement_source(statement: dict) -> str | None:
    condition = statement.get("Condition", {}) or {}
    return (condition.get("ArnLike", {}) or {}).get("AWS:SourceArn")


# --- state -----------------------------------------------------------------------------------------

@dataclass
class TriggerState:
    """What exists for one function's triggers; sources are resolved to ARNs."""

    function_arn: str
    queue_arns: dict = field(default_factory=dict)  # queue as written in the TOML → ARN
    notifications: dict = field(default_factory=dict)  # bucket → its whole notification configuration
    subscriptions: dict = field(default_factory=dict)  # topic ARN → this function's subscription ARNs
    mappings: list = field(default_factory=list)  # event source mappings genesys made for this function
    rules: dict = field(default_factory=dict)  # rule name → {"rule": ..., "targets": [...]}


def trigger_where(spec: FunctionSpec, trigger: TriggerSpec, key: str) -> Where:
    """``key`` of ``trigger`` in the TOML, named as the loader names it (``triggers[0].queue``)."""
    return replace(where_in(spec.path, "triggers", trigger.index, key), key=f"triggers[{trigger.index}].{key}")


def _missing(kind: str, name: str, region: str, hint: str) -> AwsError:
    return AwsError(f"the {kind} {name!r} named by a trigger does not exist in {region}", hint=hint)


def _check_same_region(spec: FunctionSpec, trigger: TriggerSpec, key: str, region: str) -> None:
    """Lambda polls only queues and streams of its own region: say so before any call."""
    source_region = trigger.get(key).split(":")[3]
    if source_region != region:
        raise ConfigError(f"the {trigger.type} source {trigger.get(key)} is in {source_region}, but the "
                          f"function deploys to {region}; Lambda polls only sources in its own region",
                          hint=f"deploy the function to {source_region} ([deployment] region), "
                               f"or use a source in {region}",
                          where=trigger_where(spec, trigger, key))


def read_state(clients, spec: FunctionSpec, region: str, account: str, function=None,
               triggers=None) -> TriggerState:
    """Read (never write) the sources ``triggers`` name and what genesys made for ``spec``'s function.

    ``triggers`` defaults to the spec's; pass ``()`` to read only what exists (for delete).
    """
    triggers = spec.triggers if triggers is None else triggers
    result = TriggerState(function_arn(spec, region, account))
    hint_region = "check the name and [deployment] region / AWS_REGION (and the account), or create it first"

    for trigger in _of(triggers, "sqs"):
        queue = trigger.get("queue")
        if queue.startswith("arn:"):
            # get_queue_url would find a same-named queue in the deploy region instead
            _check_same_region(spec, trigger, "queue", region)
        params = {"QueueName": queue_name(queue)}
        if queue.startswith("arn:") and queue.split(":")[4] != account:
            params["QueueOwnerAWSAccountId"] = queue.split(":")[4]
        found = clients.sqs.get_queue_url(**params)
        if found is None:
            raise _missing("SQS queue", queue, region, hint_region)
        attributes = clients.sqs.get_queue_attributes(QueueUrl=found["QueueUrl"], AttributeNames=["QueueArn"])
        if attributes is None:
            raise _missing("SQS queue", queue, region, hint_region)
        result.queue_arns[queue] = attributes["Attributes"]["QueueArn"]

    for trigger in _of(triggers, "dynamodb"):
        arn = trigger.get("stream_arn")
        _check_same_region(spec, trigger, "stream_arn", region)
        if clients.dynamodbstreams.describe_stream(StreamArn=arn) is None:
            raise _missing("DynamoDB stream", arn, region,
                           "streams get a new ARN when re-enabled: use the table's current LatestStreamArn")

    current = function.statements if function is not None else {}
    buckets = {t.get("bucket"): True for t in _of(triggers, "s3")}
    for sid, statement in current.items():
        source = _statement_source(statement) or ""
        if sid.startswith("genesys-s3-") and source.startswith("arn:aws:s3:::"):
            buckets.setdefault(source.split(":::", 1)[1], False)
    for bucket, wanted in buckets.items():
        config = clients.s3.get_bucket_notification_configuration(Bucket=bucket)
        if config is None:
            if wanted:
                raise _missing("S3 bucket", bucket, region, hint_region)
            continue
        result.notifications[bucket] = {k: v for k, v in config.items() if k != "ResponseMetadata"}

    topics = {topic_arn(t.get("topic"), region, account): t.get("topic") for t in _of(triggers, "sns")}
    for sid, statement in current.items():
        source = _statement_source(statement) or ""
        if sid.startswith("genesys-sns-") and source.startswith("arn:aws:sns:"):
            topics.setdefault(source, None)
    for arn, written in topics.items():
        if written is not None and clients.sns.get_topic_attributes(TopicArn=arn) is None:
            raise _missing("SNS topic", written, region, hint_region)
        subscriptions = clients.sns.list_subscriptions_by_topic(TopicArn=arn) or []
        result.subscriptions[arn] = [s["SubscriptionArn"] for s in subscriptions
                                     if s.get("Protocol") == "lambda" and s.get("Endpoint") == result.function_arn]

    lam = clients.adapter("lambda")
    for mapping in lam.list_event_source_mappings(FunctionName=spec.name) if function is not None else ():
        tags = lam.list_tags(Resource=mapping["EventSourceMappingArn"]).get("Tags", {}) if mapping.get(
            "EventSourceMappingArn") else {}
        if tags.get(MARKER_KEY) == "true":
            result.mappings.append(mapping)

    # genesys adds a genesys-schedule-<n> permission with every rule it makes, so without either
    # a wanted schedule or such a permission there is no rule to find (and no call to make).
    if not _of(triggers, "schedule") and not any(sid.startswith("genesys-schedule-") for sid in current):
        return result
    pattern = re.compile(re.escape(rule_base(spec)) + r"-\d+$")
    for rule in clients.events.list_rules(NamePrefix=rule_base(spec) + "-"):
        if not pattern.match(rule["Name"]):
            continue
        tags = {t["Key"]: t["Value"] for t in clients.events.list_tags_for_resource(ResourceARN=rule["Arn"])
                .get("Tags", [])}
        if tags.get(MARKER_KEY) == "true":
            result.rules[rule["Name"]] = {"rule": rule, "targets": clients.events.list_targets_by_rule(
                Rule=rule["Name"])}
    return result


# --- planners, one per type ------------------------------------------------------------------------

def _diffs(old: dict, new: dict) -> list[tuple]:
    return [(k, old.get(k), new.get(k)) for k in new if old.get(k) != new.get(k)]


def _notification(entry: dict) -> dict:
    """An S3 Lambda notification, reduced to what genesys compares."""
    rules = (entry.get("Filter", {}) or {}).get("Key", {}).get("FilterRules", [])
    found = {r["Name"].lower(): r["Value"] for r in rules}
    return {"events": sorted(entry.get("Events", [])), "prefix": found.get("prefix", ""),
            "suffix": found.get("suffix", ""), "function": entry.get("LambdaFunctionArn")}


def _notification_entry(entry_id: str, arn: str, trigger: TriggerSpec) -> dict:
    entry = {"Id": entry_id, "LambdaFunctionArn": arn, "Events": sorted(trigger.get("events"))}
    rules = [{"Name": name, "Value": trigger.get(name)} for name in ("prefix", "suffix") if trigger.get(name)]
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    return entry


def plan_s3(plan: Plan, spec: FunctionSpec, triggers, state: TriggerState) -> None:
    ours = notification_prefix(spec)
    by_bucket: dict[str, list] = {}
    for trigger in _of(triggers, "s3"):
        by_bucket.setdefault(trigger.get("bucket"), []).append(trigger)
    for bucket, config in sorted(state.notifications.items()):
        resource = f"s3 trigger {bucket}"
        lambdas = config.get("LambdaFunctionConfigurations", [])
        current = {e["Id"]: e for e in lambdas if e.get("Id", "").startswith(ours)}
        wanted = {f"{ours}{n}": _notification_entry(f"{ours}{n}", state.function_arn, t)
                  for n, t in enumerate(by_bucket.get(bucket, []))}
        old = {i: _notification(e) for i, e in current.items()}
        new = {i: _notification(e) for i, e in wanted.items()}
        if old == new:
            if new:
                plan.change(resource, "no change")
            continue
        merged = {k: v for k, v in config.items() if k != "LambdaFunctionConfigurations"}
        kept = [e for e in lambdas if not e.get("Id", "").startswith(ours)]
        merged["LambdaFunctionConfigurations"] = kept + [wanted[i] for i in sorted(wanted)]
        plan.call("s3", "put_bucket_notification_configuration", resource, Bucket=bucket,
                  NotificationConfiguration=merged)
        action = "create" if not old else "delete" if not new else "update"
        diffs = []
        for entry_id in sorted(set(old) | set(new)):
            before, after = old.get(entry_id, {}), new.get(entry_id, {})
            diffs += [(f"{entry_id.rsplit(':', 1)[-1]}.{k}" if len(new) > 1 or len(old) > 1 else k,
                       before.get(k), after.get(k)) for k in ("events", "prefix", "suffix")
                      if before.get(k) != after.get(k)]
        if kept:
            diffs.append(("kept notifications", None, sorted(e.get("Id", "?") for e in kept)))
        plan.change(resource, action, diffs)


def _mapping_settings(kind: str, trigger: TriggerSpec) -> dict:
    if kind == "sqs":
        return {"BatchSize": trigger.get("batch_size"),
                "MaximumBatchingWindowInSeconds": trigger.get("maximum_batching_window")}
    return {"BatchSize": trigger.get("batch_size")}


def _current_settings(mapping: dict, wanted: dict) -> dict:
    # AWS reports 0 for an unset batching window; the emulator reports nothing.
    return {k: mapping.get(k) if mapping.get(k) is not None else 0 for k in wanted}


def _plan_mappings(plan: Plan, spec: FunctionSpec, kind: str, triggers, state: TriggerState) -> None:
    wanted = {}
    for trigger in _of(triggers, kind):
        if kind == "sqs":
            source, label = state.queue_arns[trigger.get("queue")], queue_name(trigger.get("queue"))
        else:
            source, label = trigger.get("stream_arn"), table_of(trigger.get("stream_arn"))
        wanted[source] = (trigger, f"{kind} trigger {label}")
    service = "sqs" if kind == "sqs" else "dynamodb"
    current = {m["EventSourceArn"]: m for m in state.mappings if m["EventSourceArn"].split(":")[2] == service}
    tags = {MARKER_KEY: "true", FUNCTION_KEY: spec.name}
    for source, (trigger, resource) in wanted.items():
        settings = _mapping_settings(kind, trigger)
        mapping = current.get(source)
        position = trigger.get("starting_position") if kind == "dynamodb" else None
        if mapping is not None and position and mapping.get("StartingPosition") != position:
            # AWS cannot change where a mapping starts reading: replace it.
            plan.call("lambda", "delete_event_source_mapping", resource, UUID=mapping["UUID"])
            plan.call("lambda", "create_event_source_mapping", resource, FunctionName=spec.name,
                      EventSourceArn=source, StartingPosition=position, Tags=tags, **settings)
            plan.change(resource, "update", [("StartingPosition", mapping.get("StartingPosition"), position)])
            continue
        if mapping is None:
            extra = {"StartingPosition": position} if position else {}
            plan.call("lambda", "create_event_source_mapping", resource, FunctionName=spec.name,
                      EventSourceArn=source, Tags=tags, **extra, **settings)
            plan.change(resource, "create", [("EventSourceArn", None, source)] + _diffs({}, {**extra, **settings}))
            continue
        diffs = _diffs(_current_settings(mapping, settings), settings)
        if diffs:
            plan.call("lambda", "update_event_source_mapping", resource, UUID=mapping["UUID"], **settings)
        plan.change(resource, "update" if diffs else "no change", diffs)
    for source, mapping in sorted(current.items()):
        if source not in wanted:
            label = queue_name(source) if kind == "sqs" else table_of(source)
            plan.call("lambda", "delete_event_source_mapping", f"{kind} trigger {label}", UUID=mapping["UUID"])
            plan.change(f"{kind} trigger {label}", "delete", [("EventSourceArn", source, None)])


def plan_sqs(plan: Plan, spec: FunctionSpec, triggers, state: TriggerState) -> None:
    _plan_mappings(plan, spec, "sqs", triggers, state)


def plan_dynamodb(plan: Plan, spec: FunctionSpec, triggers, state: TriggerState) -> None:
    _plan_mappings(plan, spec, "dynamodb", triggers, state)


def plan_sns(plan: Plan, spec: FunctionSpec, triggers, state: TriggerState) -> None:
    region, account = state.function_arn.split(":")[3:5]
    wanted = {topic_arn(t.get("topic"), region, account) for t in _of(triggers, "sns")}
    for arn, subscriptions in sorted(state.subscriptions.items()):
        resource = f"sns trigger {arn.rsplit(':', 1)[-1]}"
        if arn in wanted and not subscriptions:
            plan.call("sns", "subscribe", resource, TopicArn=arn, Protocol="lambda", Endpoint=state.function_arn)
            plan.change(resource, "create", [("TopicArn", None, arn)])
        elif arn in wanted:
            plan.change(resource, "no change")
        elif subscriptions:
            for subscription in subscriptions:
                plan.call("sns", "unsubscribe", resource, SubscriptionArn=subscription)
            plan.change(resource, "delete", [("TopicArn", arn, None)])


def plan_schedule(plan: Plan, spec: FunctionSpec, triggers, state: TriggerState) -> None:
    wanted = {rule_name(spec, n): t.get("expression") for n, t in enumerate(_of(triggers, "schedule"))}
    tags = [{"Key": MARKER_KEY, "Value": "true"}, {"Key": FUNCTION_KEY, "Value": spec.name}]
    target = [{"Id": SCHEDULE_TARGET_ID, "Arn": state.function_arn}]
    description = f"Schedule for the Lambda function {spec.name} (genesys)"
    for name, expression in wanted.items():
        resource = f"schedule trigger {name}"
        current = state.rules.get(name)
        if current is None:
            plan.call("events", "put_rule", resource, Name=name, ScheduleExpression=expression, State="ENABLED",
                      Description=description, Tags=tags)
            plan.call("events", "put_targets", resource, Rule=name, Targets=target)
            plan.change(resource, "create", [("ScheduleExpression", None, expression)])
            continue
        rule, diffs = current["rule"], []
        if rule.get("ScheduleExpression") != expression or rule.get("State") != "ENABLED":
            plan.call("events", "put_rule", resource, Name=name, ScheduleExpression=expression, State="ENABLED",
                      Description=description)
            diffs += _diffs(rule, {"ScheduleExpression": expression, "State": "ENABLED"})
        if not any(t.get("Arn") == state.function_arn and t.get("Id") == SCHEDULE_TARGET_ID
                   for t in current["targets"]):
            plan.call("events", "put_targets", resource, Rule=name, Targets=target)
            diffs.append(("target", [t.get("Arn") for t in current["targets"]], state.function_arn))
        plan.change(resource, "update" if diffs else "no change", diffs)
    for name, current in sorted(state.rules.items()):
        if name not in wanted:
            resource = f"schedule trigger {name}"
            ids = [t["Id"] for t in current["targets"]]
            if ids:
                plan.call("events", "remove_targets", resource, Rule=name, Ids=ids)
            plan.call("events", "delete_rule", resource, Name=name)
            plan.change(resource, "delete", [("ScheduleExpression", current["rule"].get("ScheduleExpression"),
                                              None)])


PLANNERS = {"s3": plan_s3, "sqs": plan_sqs, "sns": plan_sns, "schedule": plan_schedule,
            "dynamodb": plan_dynamodb}


def plan(spec: FunctionSpec, state: TriggerState, triggers=None) -> Plan:
    """Calls that make AWS match ``triggers`` (default: the spec's; ``()`` removes them all)."""
    triggers = spec.triggers if triggers is None else triggers
    result = Plan()
    for planner in PLANNERS.values():
        planner(result, spec, triggers, state)
    return result
