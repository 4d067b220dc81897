"""What every service adapter shares: one seam for calling boto3.

``Adapter.call`` names the action (``lambda:GetFunction``), counts it (reads and
writes apart, so tests and benchmarks can assert a no-op deploy wrote nothing),
retries what is transient with bounded backoff, and translates failures into
genesys errors. It is the only place calls are retried: botocore's own retries are
off (``session.boto_config``), so every retry is bounded here and visible to tests
that stub the client.

What is retried:
- throttling, conflicts (a function still updating) and AWS's 5xx answers, up to
  ``RetryPolicy.attempts``;
- calls that got no reply at all (refused, dropped, timed out), for at most
  ``RetryPolicy.connection_wait_seconds`` in total; a write whose request may have
  reached AWS before the reply was lost is not sent again (it may have been applied:
  the next run compares with what AWS has).

Nothing here prints: retries are logged on the ``genesys.aws`` logger (diagnostics
behind ``--debug``), and what a person should hear while waiting (a wait for IAM, an
endpoint that does not answer) goes to the ``notify`` callback the adapter is given
(a no-op unless the caller wires it up).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from .errors import connection_failure, error_code, http_status, reply_lost, translate

log = logging.getLogger("genesys.aws")

READ_PREFIXES = ("get_", "list_", "describe_", "head_", "wait_")
RETRY_CODES = {"ResourceConflictException", "TooManyRequestsException", "ThrottlingException", "Throttling",
               "RequestLimitExceeded", "ConcurrentModificationException", "ConflictException",
               "ServiceUnavailableException",
               "ResourceInUseException",  # an event source mapping still Creating or Updating
               # what botocore's standard mode retried before genesys took retries over
               "RequestThrottled", "RequestThrottledException", "SlowDown", "PriorRequestNotComplete",
               "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "RequestTimeout",
               "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
               "ServiceException"}
TRANSIENT_STATUS = {500, 502, 503, 504}
MISSING_CODES = {"ResourceNotFoundException", "NoSuchEntity", "NotFoundException", "NoSuchKey", "404",
                 # the trigger sources: a queue, a bucket, a topic
                 "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NoSuchBucket", "NotFound",
                 "ParameterNotFound",
                 "RepositoryNotFoundException", "LifecyclePolicyNotFoundException", "RepositoryPolicyNotFoundException"}  # ECR


def ignore(message: str) -> None:
    """The default ``notify``: nobody is listening."""


def is_write(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES)


def action_name(service: str, operation: str) -> str:
    """``("lambda", "get_function")`` → ``lambda:GetFunction``, as in IAM policies and CloudTrail."""
    return f"{service}:{''.join(part.capitalize() for part in operation.split('_'))}"


@dataclass
class CallLog:
    """Every call made through the adapters: ``(action, is_write)`` in order."""

    calls: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def writes(self) -> list[str]:
        return [action for action, write in self.calls if write]

    @property
    def reads(self) -> list[str]:
        return [action for action, write in self.calls if not write]


@dataclass
class RetryPolicy:
    """Bounded exponential backoff; ``sleep`` and ``clock`` are injectable so tests do not wait."""

    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 8.0
    connection_wait_seconds: float = 45.0  # how long a call that gets no reply is tried again
    iam_wait_seconds: float = 90.0  # how long CreateFunction may wait for a new role to propagate
    waiter_delay: int = 1  # seconds between GetFunction polls while a function updates
    waiter_attempts: int = 300
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * (2 ** attempt))


class Adapter:
    """One AWS service; subclasses add one method per operation genesys uses."""

    service = ""  # the IAM action prefix: lambda, iam, apigateway, s3, sts

    def __init__(self, client, log: CallLog, retry: RetryPolicy, notify: Callable[[str], None] = ignore):
        self.client = client
        self.log = log
        self.retry = retry
        self.notify = notify  # tells a person why a call is taking long (a wait for IAM)

    def call(self, operation: str, resource: str, *, missing_ok: bool = False, **params):
        """Run ``operation`` on ``resource``, retrying what is transient; raise genesys errors.

        With ``missing_ok``, a resource that does not exist gives None instead of an error.
        """
        action = action_name(self.service, operation)
        method = getattr(self.client, operation)

        def once():
            self.log.calls.append((action, is_write(operation)))
            return method(**params)

        return self._retrying(action, resource, once, missing_ok=missing_ok, write=is_write(operation))

    def translate(self, err: Exception, action: str, resource: str):
        return translate(err, action, resource)

    def collect(self, operation: str, resource: str, key: str, *, missing_ok: bool = False, **params) -> list | None:
        """Every item under ``key`` across all pages of a list operation (listed again from the
        start when a page fails with something transient)."""
        action = action_name(self.service, operation)

        def every_page():
            items = []
            for page in self.client.get_paginator(operation).paginate(**params):
                self.log.calls.append((action, False))
                items.extend(page.get(key, []))
            return items

        return self._retrying(action, resource, every_page, missing_ok=missing_ok, write=False)

    def _retrying(self, action: str, resource: str, attempt_once: Callable, *, missing_ok: bool, write: bool):
        started = self.retry.clock()
        attempt = 0
        while True:
            try:
                return attempt_once()
            except Exception as err:  # noqa: BLE001 - translated below, or re-raised when foreign
                if missing_ok and error_code(err) in MISSING_CODES:
                    return None
                delay = self._retry_delay(err, attempt, started, write)
                if delay is None:
                    raise self._given_up(err, action, resource, write) from None
                self._report_retry(err, action, resource, delay, attempt)
                self.retry.sleep(delay)
                attempt += 1

    def _retry_delay(self, err: Exception, attempt: int, started: float, write: bool) -> float | None:
        """How long to wait before trying ``err``'s call again, or None to give up now."""
        if attempt + 1 >= self.retry.attempts:
            return None
        delay = self.retry.delay(attempt)
        if error_code(err) in RETRY_CODES or http_status(err) in TRANSIENT_STATUS:
            return delay
        if not connection_failure(err) or (write and reply_lost(err)):
            return None
        waited = self.retry.clock() - started
        return delay if waited + delay <= self.retry.connection_wait_seconds else None

    def _given_up(self, err: Exception, action: str, resource: str, write: bool):
        error = self.translate(err, action, resource)
        if write and reply_lost(err):
            error.hint = (f"{error.hint}; " if error.hint else "") + (
                "the request may have reached AWS, so it was not sent again: running again compares with "
                "what AWS now has and applies only what is missing")
        return error

    def _report_retry(self, err: Exception, action: str, resource: str, delay: float, attempt: int) -> None:
        reason = error_code(err) or (f"HTTP {http_status(err)}" if http_status(err) else type(err).__name__)
        log.debug("%s on %s: %s; retrying in %.1fs", action, resource, reason, delay)
        if connection_failure(err):
            self.notify(f"AWS did not answer {action} on {resource} ({reason}); trying again in {delay:g}s "
                        f"(attempt {attempt + 2}, for up to {self.retry.connection_wait_seconds:g}s)")


def operation(name: str, resource_key: str, *, missing_ok: bool = False):
    """An adapter method for one AWS operation, named after it; ``resource_key`` names the resource in errors."""

    def method(self, **params):
        return self.call(name, str(params.get(resource_key, "")), missing_ok=missing_ok, **params)

    method.__name__ = name
    method.__doc__ = f"{name} (None when the resource does not exist)" if missing_ok else name
    return method
