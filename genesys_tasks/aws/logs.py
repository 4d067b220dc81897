"""CloudWatch Logs: the function's log group, ``/aws/lambda/<name>``, its retention, and reading it
(FilterLogEvents pages, and StartLiveTail's event stream for ``genesys logs --tail``)."""

from __future__ import annotations

from typing import Iterator

from .base import Adapter, action_name, operation
from .errors import connection_failure, error_code, translate

# StartLiveTail answers these when it is not there for this caller, endpoint or log group: unknown to
# the endpoint (an emulator, an old endpoint), not granted (logs:StartLiveTail), too many sessions
# open in the account, or a log group class without live tail (Infrequent Access)
LIVE_TAIL_NOT_OFFERED = {"UnknownOperationException", "InvalidAction", "UnsupportedOperation", "NotImplemented",
                         "AccessDeniedException", "AccessDenied", "LimitExceededException",
                         "InvalidOperationException"}
LIVE_TAIL_TIMEOUT = "SessionTimeoutException"  # AWS ends every session after three hours


class LiveTailUnavailable(Exception):
    """StartLiveTail cannot be used here (or stopped working): ``reason`` says why, for a person."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LiveTail:
    """One StartLiveTail session: iterating gives each ``sessionUpdate``'s events (a list a second,
    often empty) as they arrive. A session AWS ends after its three hours ends the iteration; a
    stream that breaks or ends otherwise raises ``LiveTailUnavailable``."""

    def __init__(self, stream):
        self._stream = stream

    def __iter__(self) -> Iterator[list[dict]]:
        try:
            for event in self._stream:
                if "sessionUpdate" in event:
                    yield event["sessionUpdate"].get("sessionResults") or []
        except Exception as err:  # noqa: BLE001 - every way a stream breaks ends live tail the same way
            if error_code(err) == LIVE_TAIL_TIMEOUT:
                return
            raise LiveTailUnavailable(f"the stream broke: {error_code(err) or type(err).__name__}") from None
        raise LiveTailUnavailable("the endpoint ended the stream")

    def close(self) -> None:
        self._stream.close()


class LogsAdapter(Adapter):
    service = "logs"

    create_log_group = operation("create_log_group", "logGroupName")
    put_retention_policy = operation("put_retention_policy", "logGroupName")
    delete_retention_policy = operation("delete_retention_policy", "logGroupName")
    delete_log_group = operation("delete_log_group", "logGroupName")
    tag_log_group = operation("tag_log_group", "logGroupName")
    untag_log_group = operation("untag_log_group", "logGroupName")
    list_tags_log_group = operation("list_tags_log_group", "logGroupName", missing_ok=True)
    filter_log_events = operation("filter_log_events", "logGroupName", missing_ok=True)  # `genesys logs`

    def describe_log_groups(self, logGroupNamePrefix: str) -> list[dict]:
        return self.collect("describe_log_groups", logGroupNamePrefix, "logGroups",
                            logGroupNamePrefix=logGroupNamePrefix)

    def log_group_arn(self, name: str) -> str | None:
        """The ARN of the log group ``name`` as StartLiveTail takes it (no trailing ``:*``); None when
        there is no such group."""
        for group in self.describe_log_groups(name):
            if group.get("logGroupName") == name:
                return group.get("logGroupArn") or group["arn"].removesuffix(":*")
        return None

    def start_live_tail(self, log_group_arn: str, filter_pattern: str | None = None) -> LiveTail:
        """A live tail session on one log group, asked once (a follower has polling to fall back on):
        ``LiveTailUnavailable`` when this caller, endpoint or botocore cannot have one, including an
        endpoint that does not answer at StartLiveTail's own host (``stream-`` before the endpoint's:
        the sandbox, emulators, proxies). Other failures are genesys errors, as for any call."""
        action = action_name(self.service, "start_live_tail")
        params = {"logGroupIdentifiers": [log_group_arn],
                  **({"logEventFilterPattern": filter_pattern} if filter_pattern else {})}
        method = getattr(self.client, "start_live_tail", None)
        if method is None:
            raise LiveTailUnavailable("the installed botocore has no StartLiveTail; upgrade boto3")
        self.log.calls.append((action, False))
        try:
            answer = method(**params)
        except Exception as err:  # noqa: BLE001 - sorted below: not offered, or translated
            if error_code(err) in LIVE_TAIL_NOT_OFFERED:
                raise LiveTailUnavailable(error_code(err)) from None
            if connection_failure(err):
                where = getattr(err, "kwargs", {}).get("endpoint_url") or "its endpoint"
                raise LiveTailUnavailable(f"no answer at {where}") from None
            raise translate(err, action, log_group_arn) from None
        return LiveTail(answer["responseStream"])
