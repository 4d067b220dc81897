"""The session factory and ``Clients``: every adapter a deploy needs, sharing one call log
and one ``notify`` callback (what a person should hear while a call waits; a no-op by default).

The boto3 session follows the normal credential chain (environment, profiles, SSO,
``AWS_PROFILE``), with ``[deployment] region/profile`` and ``AWS_ENDPOINT_URL`` on
top (see ``target``). Clients connect and read with short timeouts and never retry
by themselves: ``base.Adapter`` retries, bounded and reported (see ``boto_config``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .apigatewayv2 import ApiGatewayV2Adapter
from .base import CallLog, RetryPolicy, ignore
from .cloudwatch import CloudWatchAdapter
from .dynamodbstreams import DynamoDbStreamsAdapter
from .ecr import EcrAdapter
from .errors import translate
from .events import EventsAdapter
from .iam import IamAdapter
from .lambda_ import LambdaAdapter
from .logs import LogsAdapter
from .s3 import S3Adapter
from .secrets import SecretsManagerAdapter, SsmAdapter
from .sns import SnsAdapter
from .sqs import SqsAdapter
from .sts import StsAdapter
from .target import Target

ADAPTERS = {"lambda": LambdaAdapter, "iam": IamAdapter, "apigatewayv2": ApiGatewayV2Adapter,
            "s3": S3Adapter, "sts": StsAdapter, "logs": LogsAdapter, "cloudwatch": CloudWatchAdapter,
            "ecr": EcrAdapter,  # image functions' repositories
            # trigger sources
            "sqs": SqsAdapter, "sns": SnsAdapter, "events": EventsAdapter, "dynamodbstreams": DynamoDbStreamsAdapter,
            # ${ssm:...} and ${secretsmanager:...} in [function.environment]
            "ssm": SsmAdapter, "secretsmanager": SecretsManagerAdapter}


def unknown_operations(calls) -> list[str]:
    """``service:method`` of each planned call no adapter has: a plan is checked before anything runs,
    so a misnamed operation fails on the dry run, not half-way through an apply."""
    return [f"{c.service}:{c.method}" for c in calls
            if not callable(getattr(ADAPTERS.get(c.service), c.method, None))]


def make_session(target: Target):
    import boto3
    import botocore.exceptions as bx

    try:
        return boto3.Session(profile_name=target.profile, region_name=target.region)
    except bx.BotoCoreError as err:
        raise translate(err, "session", target.profile or "default profile") from None


CONNECT_TIMEOUT = 5  # seconds to open a connection: AWS answers in well under one
READ_TIMEOUT = 30  # seconds of silence on an open connection before the attempt fails


def boto_config(connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT):
    """The botocore config of every client: timeouts so a silent endpoint cannot hang a deploy,
    and one attempt per call, since the adapters' seam retries (bounded by ``RetryPolicy``,
    reported through ``notify``) and botocore's own retries would multiply its bounds."""
    from botocore.config import Config

    return Config(retries={"mode": "standard", "total_max_attempts": 1}, user_agent_extra="genesys",
                  connect_timeout=connect_timeout, read_timeout=read_timeout)


@dataclass
class Clients:
    """Lazily created adapters for one target; ``log`` records every call made through them."""

    target: Target
    session: object = None
    log: CallLog = field(default_factory=CallLog)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    overrides: dict = field(default_factory=dict)  # service → boto3 client (tests: a Stubber's client)
    notify: Callable[[str], None] = ignore  # e.g. "waiting for IAM…"; the command layer shows it
    _made: dict = field(default_factory=dict, repr=False)

    @property
    def region(self) -> str:
        region = self.target.region or getattr(self._session(), "region_name", None)
        if not region:
            from ..errors import CredentialsError

            raise CredentialsError("no AWS region configured",
                                   hint="set [deployment] region, AWS_REGION, or a region in your AWS profile")
        return region

    def open(self) -> None:
        """Make the boto3 session now: a profile that does not exist fails here (``CredentialsError``),
        before the caller starts anything slow."""
        self._session()

    def _session(self):
        if self.session is None:
            self.session = make_session(self.target)
        return self.session

    def client(self, service: str):
        if service in self.overrides:
            return self.overrides[service]
        return self._session().client(service, region_name=self.region, endpoint_url=self.target.endpoint,
                                      config=boto_config())

    def __getattr__(self, service: str):
        if service.startswith("_") or service not in ADAPTERS:
            raise AttributeError(service)
        if service not in self._made:
            self._made[service] = ADAPTERS[service](self.client(service), self.log, self.retry,
                                                      self.notify)
        return self._made[service]

    def adapter(self, service: str):
        return getattr(self, service)

    def account(self) -> str:
        """The account of the current credentials (asked once per Clients)."""
        if "account" not in self._made:
            self._made["account"] = self.sts.get_caller_identity()["Account"]
        return self._made["account"]

    def prepare(self, *services: str) -> None:
        """Create these adapters now: boto3 sessions must not create clients from several threads."""
        for service in services:
            self.adapter(service)
