"""What every service adapter shares: one seam for calling boto3.

``Adapter.call`` names the action (``lambda:GetFunction``), counts it (reads and
writes apart, so tests and benchmarks can assert a no-op deploy wrote nothing),
retries throttling and conflicts with bounded backoff, and translates failures
into genesys errors. botocore's own ``standard`` retry mode also runs below it;
this layer covers errors AWS returns as ordinary responses (a function still
updating) and keeps retries visible to tests that stub the client.

Nothing here prints: retries are logged on the ``genesys.aws`` logger (diagnostics
behind ``--debug``), and what a person should hear while waiting goes to the
``notify`` callback the adapter is given (a no-op unless the caller wires it up).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from .errors import error_code, translate

log = logging.getLogger("genesys.aws")

READ_PREFIXES = ("get_", "list_", "describe_", "head_", "wait_")
RETRY_CODES = {"ResourceConflictException", "TooManyRequestsException", "ThrottlingException", "Throttling",
               "RequestLimitExceeded", "ConcurrentModificationException", "ConflictException",
               "ServiceUnavailableException",
               "ResourceInUseException"}  # an event source mapping still Creating or Updating
MISSING_CODES = {"ResourceNotFoundException", "NoSuchEntity", "NotFoundException", "NoSuchKey", "404",
                 # the trigger sources: a queue, a bucket, a topic
                 "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NoSuchBucket", "NotFound"}


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
    """Bounded exponential backoff; ``sleep`` is injectable so tests do not wait."""

    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 8.0
    iam_wait_seconds: float = 90.0  # how long CreateFunction may wait for a new role to propagate
    waiter_delay: int = 1  # seconds between GetFunction polls while a function updates
    waiter_attempts: int = 300
    sleep: Callable[[float], None] = time.sleep

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
        attempt = 0
        while True:
            self.log.calls.append((action, is_write(operation)))
            try:
                return method(**params)
            except Exception as err:  # noqa: BLE001 - translated below, or re-raised when foreign
                if missing_ok and error_code(err) in MISSING_CODES:
                    return None
                if error_code(err) in RETRY_CODES and attempt + 1 < self.retry.attempts:
                    delay = self.retry.delay(attempt)
                    log.debug("%s on %s: %s; retrying in %.1fs", action, resource, error_code(err), delay)
                    self.retry.sleep(delay)
                    attempt += 1
                    continue
                raise self.translate(err, action, resource) from None

    def translate(self, err: Exception, action: str, resource: str):
        return translate(err, action, resource)

    def collect(self, operation: str, resource: str, key: str, *, missing_ok: bool = False, **params) -> list | None:
        """Every item under ``key`` across all pages of a list operation."""
        action = action_name(self.service, operation)
        items = []
        try:
            for page in self.client.get_paginator(operation).paginate(**params):
                self.log.calls.append((action, False))
                items.extend(page.get(key, []))
        except Exception as err:  # noqa: BLE001
            if missing_ok and error_code(err) in MISSING_CODES:
                return None
            raise self.translate(err, action, resource) from None
        return items


def operation(name: str, resource_key: str, *, missing_ok: bool = False):
    """An adapter method for one AWS operation, named after it; ``resource_key`` names the resource in errors."""

    def method(self, **params):
        return self.call(name, str(params.get(resource_key, "")), missing_ok=missing_ok, **params)

    method.__name__ = name
    method.__doc__ = f"{name} (None when the resource does not exist)" if missing_ok else name
    return method
