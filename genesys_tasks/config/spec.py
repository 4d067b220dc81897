"""What one TOML file asks for, after validation: frozen, defaults filled, no I/O.

``FunctionSpec`` is the only thing that flows out of ``config``. Paths are absolute;
runtime and handler are resolved (given or detected). Mappings are stored as
sorted tuples of pairs so specs hash and compare by value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..runtimes import Runtime

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BuildSpec:
    """How the function is built: its sources, dependencies, hooks, architectures and package type."""

    source_path: Path
    build_method: str
    layer_auto: bool
    requirements_file: Path | None  # absolute; None when the function has no dependencies
    architectures: tuple[str, ...]
    pre_build: tuple[str, ...]
    post_build: tuple[str, ...]
    exclude: tuple[str, ...]
    installer: str
    image: str | None
    container_env: Pairs
    container_volumes: tuple[str, ...]
    ca_bundle: str | None
    strict_imports: bool = False  # an import nothing ships fails the build instead of warning
    include: tuple[str, ...] = ()  # put back what a default exclude leaves out of the function zip
    shared: tuple[Path, ...] = ()  # folders outside source_path zipped under their own name (normalised, absolute)
    sourcemap: bool = False  # a source map beside a bundled TypeScript handler
    package_type: str = "zip"  # zip | image (build/image: an OCI image genesys writes from the zips)

    @property
    def is_image(self) -> bool:
        return self.package_type == "image"


@dataclass(frozen=True)
class VpcSpec:
    """The subnets and security groups the function runs in."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class FunctionSettings:
    """What Lambda runs the function with: memory, timeout, environment, concurrency, destinations."""

    memory_mb: int
    timeout_seconds: int
    layers: tuple[str, ...]
    environment: Pairs
    ephemeral_storage_mb: int
    vpc: VpcSpec | None = None  # None: not in a VPC
    reserved_concurrency: int | None = None  # None: the account's unreserved pool
    tracing: str = "PassThrough"
    log_retention_days: int | None = None  # None: genesys makes no log group (Lambda's own never expires)
    on_failure: str | None = None  # destination ARN for failed asynchronous invocations
    on_success: str | None = None
    image_command: tuple[str, ...] | None = None  # ImageConfig; None: the image's own (Cmd = the handler)
    image_entrypoint: tuple[str, ...] | None = None
    image_workdir: str | None = None

    def image_config(self) -> dict:
        """Lambda's ``ImageConfig`` for the keys set (empty: the image's own)."""
        config = {"Command": self.image_command, "EntryPoint": self.image_entrypoint,
                  "WorkingDirectory": self.image_workdir}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items() if v is not None}

    def destinations(self) -> dict:
        """``{"OnFailure": arn, "OnSuccess": arn}`` for the destinations set, as EventInvokeConfig names them."""
        return {k: v for k, v in (("OnFailure", self.on_failure), ("OnSuccess", self.on_success)) if v}


@dataclass(frozen=True)
class CorsSpec:
    """The function URL's CORS settings."""

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    allow_credentials: bool
    max_age: int


@dataclass(frozen=True)
class TrafficSpec:
    """How a new version takes the alias's traffic: all at once, canary or linear, with alarms that roll it back."""

    strategy: str = "all-at-once"  # all-at-once | canary | linear
    percent: int = 10
    interval_minutes: int = 5
    alarms: tuple[str, ...] = ()

    def steps(self) -> list[int]:
        """The new version's share of traffic at each step, in percent, ending at 100."""
        if self.strategy == "canary":
            return [self.percent, 100]
        if self.strategy == "linear":
            return list(range(self.percent, 100, self.percent)) + [100]
        return [100]


@dataclass(frozen=True)
class DeploymentSpec:
    """Where and how the function is deployed: region, URL, alias, versions kept, image repository."""

    function_url: bool
    auth_type: str
    cors_enabled: bool
    cors: CorsSpec | None  # set when cors_enabled (a bare cors_enabled means *)
    region: str | None
    profile: str | None
    architecture: str  # resolved: default the first build architecture
    artifact_bucket: str | None
    keep_layer_versions: int
    alias: str | None = None  # publish versions and point this alias at the newest
    keep_versions: int | None = None  # versions genesys published that are kept; None: all
    traffic: TrafficSpec = TrafficSpec()
    image_repository: str | None = None  # image functions: host/path; None: ECR genesys/<name>
    regions: tuple[str, ...] = ()  # deploy to each (deploy.regions.region_specs); region is then each in turn
    protected: bool = False  # `genesys sync` refuses it without --force


@dataclass(frozen=True)
class IamResources:
    """The resources the execution role's templates are scoped to, by kind."""

    s3_buckets: tuple[str, ...]
    dynamodb_tables: tuple[str, ...]
    sqs_queues: tuple[str, ...]
    sns_topics: tuple[str, ...]
    allow_wildcard: bool = False  # "*" may stand in the lists
    declared: bool = False  # the TOML has an [iam.resources] table (even an empty one)

    def any(self) -> bool:
        return bool(self.s3_buckets or self.dynamodb_tables or self.sqs_queues or self.sns_topics)


@dataclass(frozen=True)
class IamSpec:
    """The execution role: its name, policy templates, and whether genesys manages and removes it."""

    role_name: str  # resolved: default genesys-lambda-<name>
    required_policies: tuple[str, ...]
    auto_manage: bool
    auto_cleanup: bool
    role_arn: str | None
    managed_by: str | None
    resources: IamResources
    permissions_boundary: str | None = None  # a managed policy name in the deploy account, or its ARN


@dataclass(frozen=True)
class LayerSpec:
    """The dependency layer genesys publishes for the function."""

    name: str  # resolved: default <name>-deps
    description: str
    compatible_runtimes: tuple[str, ...]


@dataclass(frozen=True)
class TriggerSpec:
    """One ``[[triggers]]`` entry: its type and its own keys."""

    type: str
    params: Pairs  # the type's own keys, defaults filled
    index: int  # position in [[triggers]], for messages

    def get(self, key: str, default=None):
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class CostSpec:
    """The traffic a cost estimate assumes."""

    invocations_per_month: int | None = None  # None: no estimate unless asked with numbers
    average_duration_ms: int = 100


@dataclass(frozen=True)
class FunctionSpec:
    """One function: where it came from, what it is, how to build and deploy it."""

    path: Path  # the TOML file, absolute
    name: str
    runtime: Runtime
    handler: str
    description: str
    build: BuildSpec
    function: FunctionSettings
    deployment: DeploymentSpec
    iam: IamSpec
    layer: LayerSpec
    tags: Pairs
    triggers: tuple[TriggerSpec, ...]
    cost: CostSpec = CostSpec()
    stage: str | None = None  # the [stages.<name>] it was loaded as; its resources carry genesys:stage

    @property
    def source_path(self) -> Path:
        return self.build.source_path

    @property
    def has_layer(self) -> bool:
        """True when dependencies are built into a layer for this function.

        Runtimes without a layer path (Go's provided.al2023) compile their dependencies in.
        """
        return (self.build.layer_auto and self.build.requirements_file is not None
                and bool(self.runtime.layer_path))
