"""S3 triggers: Lambda notifications in a bucket's notification configuration, and the
invoke permission S3 needs (``genesys-s3-<bucket>``, scoped to the bucket and the account).

PutBucketNotificationConfiguration replaces a bucket's whole configuration, so the plan
merges: the bucket's other notifications (another function's, a queue's) are kept, and
only entries with genesys's full mark, the id ``genesys-<function>:<n>`` and this
function as target, are genesys's to change. Someone else's entry holding an id genesys
would write is a conflict, unless adopted (then replaced). A trigger that one object key
and event could match together with a notification kept (a queue's, a topic's, another
function's) is bad input before any write: S3 refuses the merged configuration. A bucket
this function was wired to before (found through its permission) is read too, so removing
a trigger removes its notifications.
"""

from __future__ import annotations

import re

from ...config.checks import overlap_key, s3_filters_overlap
from ...errors import ConfigError
from ..model import Plan
from ..ownership import conflict
from .common import TriggerState, missing, sid_part, statement_source, trigger_where

SID_PREFIX = "genesys-s3-"
STATEMENT_ID = SID_PREFIX + r"[A-Za-z0-9_-]{1,80}"  # SID_PREFIX + sid_part(bucket)


def notification_prefix(spec) -> str:
    """Ids of this function's S3 notifications; ``:`` cannot occur in a function name, so
    ``genesys-a:`` never matches ``genesys-a-b:`` entries of another function."""
    return f"genesys-{spec.name}:"


def statements(spec, triggers, region: str, account: str) -> dict:
    wanted = {}
    for trigger in triggers:
        bucket = trigger.get("bucket")
        wanted[f"{SID_PREFIX}{sid_part(bucket)}"] = {
            "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
            "SourceArn": f"arn:aws:s3:::{bucket}", "SourceAccount": account}
    return wanted


def read_state(spec, clients, triggers, state: TriggerState) -> None:
    buckets = {}  # bucket → the trigger naming it (None: wired before, found through its permission)
    for trigger in triggers:
        buckets.setdefault(trigger.get("bucket"), trigger)
    for sid, statement in state.statements.items():
        source = statement_source(statement) or ""
        if sid.startswith(SID_PREFIX) and source.startswith("arn:aws:s3:::"):
            buckets.setdefault(source.split(":::", 1)[1], None)
    for bucket, trigger in buckets.items():
        config = clients.s3.get_bucket_notification_configuration(Bucket=bucket)
        if config is None:
            if trigger is not None:
                raise missing(spec, trigger, "bucket", "S3 bucket", state.region)
            continue
        state.notifications[bucket] = {k: v for k, v in config.items() if k != "ResponseMetadata"}


def _notification(entry: dict) -> dict:
    """An S3 Lambda notification, reduced to what genesys compares."""
    rules = (entry.get("Filter", {}) or {}).get("Key", {}).get("FilterRules", [])
    found = {r["Name"].lower(): r["Value"] for r in rules}
    return {"events": sorted(entry.get("Events", [])), "prefix": found.get("prefix", ""),
            "suffix": found.get("suffix", ""), "function": entry.get("LambdaFunctionArn")}


def _notification_entry(entry_id: str, arn: str, trigger) -> dict:
    entry = {"Id": entry_id, "LambdaFunctionArn": arn, "Events": sorted(trigger.get("events"))}
    rules = [{"Name": name, "Value": trigger.get(name)} for name in ("prefix", "suffix") if trigger.get(name)]
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    return entry


def _entry_diffs(old: dict, new: dict) -> list[tuple]:
    """Field diffs per notification; entries are named by their number only when there are several."""
    found = []
    for entry_id in sorted(set(old) | set(new)):
        before, after = old.get(entry_id, {}), new.get(entry_id, {})
        found += [(f"{entry_id.rsplit(':', 1)[-1]}.{k}" if len(new) > 1 or len(old) > 1 else k,
                   before.get(k), after.get(k)) for k in ("events", "prefix", "suffix", "function")
                  if before.get(k) != after.get(k)]
    return found


def _marked(spec, entry: dict, state: TriggerState) -> bool:
    """Whether a bucket's Lambda notification is one genesys made for this function (invoking it,
    or one of its aliases: moving between them replaces the entry)."""
    return (re.fullmatch(re.escape(notification_prefix(spec)) + r"\d+", entry.get("Id", "")) is not None
            and entry.get("LambdaFunctionArn") in state.function_arns)


def _check_ids(spec, bucket: str, lambdas: list, triggers, state: TriggerState) -> None:
    """Someone else's notification holding an id genesys would write: a conflict unless adopted."""
    for n, trigger in enumerate(triggers):
        entry_id = f"{notification_prefix(spec)}{n}"
        clash = next((e for e in lambdas if e.get("Id") == entry_id and not _marked(spec, e, state)), None)
        if clash is not None and not state.adopt:
            raise conflict(f"the notification {entry_id} of bucket {bucket}",
                           [f"it invokes {clash.get('LambdaFunctionArn')}, not {spec.name}"],
                           ["remove or rename that notification"], trigger_where(spec, trigger, "bucket"))


KINDS = {"LambdaFunctionConfigurations": "a Lambda function's", "QueueConfigurations": "an SQS queue's",
         "TopicConfigurations": "an SNS topic's"}  # the notifications that take key filters


def _check_overlaps(spec, bucket: str, config: dict, mine: set, triggers) -> None:
    """A trigger S3 would refuse beside a notification genesys keeps: stop before any write."""
    for kind, whose in KINDS.items():
        for entry in config.get(kind, []):
            if entry.get("Id") in mine:
                continue
            kept = _notification(entry)
            for trigger in triggers:
                if s3_filters_overlap((trigger.get("events"), trigger.get("prefix"), trigger.get("suffix")),
                                      (kept["events"], kept["prefix"], kept["suffix"])):
                    keys = [f"{k} {kept[k]!r}" for k in ("prefix", "suffix") if kept[k]] or ["every key"]
                    raise ConfigError(
                        f"this trigger overlaps the notification {entry.get('Id')!r} of bucket {bucket} ({whose}: "
                        f"{', '.join(kept['events'])}, {', '.join(keys)}): "
                        "one object key and event can match both, and S3 refuses overlapping notifications",
                        hint="give the trigger a prefix or suffix that keeps it apart from that notification's, or "
                             "other events",
                        where=trigger_where(spec, trigger, overlap_key(trigger)))


def _sync_bucket(plan: Plan, spec, bucket: str, config: dict, triggers, state: TriggerState) -> None:
    ours = notification_prefix(spec)
    resource = f"s3 trigger {bucket}"
    lambdas = config.get("LambdaFunctionConfigurations", [])
    _check_ids(spec, bucket, lambdas, triggers, state)
    wanted = {f"{ours}{n}": _notification_entry(f"{ours}{n}", state.function_arn, t) for n, t in enumerate(triggers)}
    current = {e["Id"]: e for e in lambdas if _marked(spec, e, state) or (state.adopt and e.get("Id") in wanted)}
    _check_overlaps(spec, bucket, config, set(current), triggers)
    old = {i: _notification(e) for i, e in current.items()}
    new = {i: _notification(e) for i, e in wanted.items()}
    if old == new:
        if new:
            plan.change(resource, "no change")
        return
    merged = {k: v for k, v in config.items() if k != "LambdaFunctionConfigurations"}
    kept = [e for e in lambdas if e.get("Id") not in current]
    merged["LambdaFunctionConfigurations"] = kept + [wanted[i] for i in sorted(wanted)]
    plan.call("s3", "put_bucket_notification_configuration", resource, Bucket=bucket,
              NotificationConfiguration=merged)
    action = "create" if not old else "delete" if not new else "update"
    changes = _entry_diffs(old, new)
    if kept:
        changes.append(("kept notifications", None, sorted(e.get("Id", "?") for e in kept)))
    plan.change(resource, action, changes)


def plan(plan: Plan, spec, triggers, state: TriggerState) -> None:
    by_bucket: dict[str, list] = {}
    for trigger in triggers:
        by_bucket.setdefault(trigger.get("bucket"), []).append(trigger)
    for bucket, config in sorted(state.notifications.items()):
        _sync_bucket(plan, spec, bucket, config, by_bucket.get(bucket, []), state)
