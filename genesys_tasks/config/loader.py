"""TOML file → ``FunctionSpec``: parse, validate every section, resolve, then check the whole.

Everything here is pure: it reads the TOML and looks at the source folder (file
names, handler text), and never runs a subprocess or touches the network. Every
problem is a ``ConfigError`` with the file, the line, the key path and the fix.
Each section has its own builder below; ``reader`` validates values against the
schema, ``resolve`` finds what the TOML leaves out, and ``checks`` runs the checks
that span sections once the spec is built. The trigger table is imported when a TOML has
``[[triggers]]``, and ``difflib`` only to suggest a name in an error.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..errors import ConfigError, Where, close_matches
from ..runtimes import ARCHITECTURES, DEFAULT, Registry, Runtime
from . import aws_limits, checks, resolve, stages
from .reader import Reader, shown
from .shared_folders import shared_folders
from .schema import SECTIONS, Key
from .spec import (BuildSpec, CorsSpec, CostSpec, DeploymentSpec, FunctionSettings, FunctionSpec, IamResources,
                   IamSpec, LayerSpec, TrafficSpec, TriggerSpec, VpcSpec)
from .today import today_default
from .tomlfile import parse

FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LAYER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
RESERVED_ENV = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}
ENV_LIMIT_BYTES = aws_limits.ENV_LIMIT_BYTES
MAX_TOML_BYTES = 1024 * 1024  # a TOML read is bounded: a path to a device must not read without end


def _pairs(mapping: dict | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((mapping or {}).items()))


def load(path: str | Path, *, registry: Registry = DEFAULT, today: _dt.date | None = None,
         warn: Callable[[str], None] | None = None, sources: bool = True,
         stage: str | None = None) -> FunctionSpec:
    """Read and validate one TOML file as ``stage`` (None: the file as written) sees it; raise
    ``ConfigError`` naming file:line and key.

    ``sources=False`` is for commands that need only what the TOML says about the deployed
    function (its name, region, role, layer and triggers), such as ``delete``: the source
    folder may be gone, and the runtime, handler and manifest are taken as far as they can
    be found (``resolve.without_sources``).
    """
    path = Path(path).absolute()
    text, data = read_toml(path)
    reader = Reader(path, text)
    data, stage = stages.apply(reader, data, stage)
    spec = _build_spec(reader, data, registry, today or today_default(), warn, sources)
    return replace(spec, stage=stage) if stage else spec


def _read_regular(path: Path) -> str:
    """The text of ``path``, which must be a regular file of at most MAX_TOML_BYTES.

    Opened without blocking and checked before reading, so a FIFO never hangs the load
    and a device such as /dev/zero is never read without end.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", hint="check the path of the TOML file") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read it ({err.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(f"{path}: not a regular file (a folder, FIFO, socket or device)",
                          hint="pass the path of a lambda TOML file")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_TOML_BYTES + 1)
    if len(data) > MAX_TOML_BYTES:
        raise ConfigError(f"{path}: over {MAX_TOML_BYTES // 1024} KB; a function's TOML is far smaller",
                          hint="check that this is the TOML file you meant")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: cannot read it ({err})") from None


def read_toml(path: Path) -> tuple[str, dict]:
    """The text and parsed data of a TOML file; unreadable or malformed is a ConfigError with its line."""
    text = _read_regular(path)
    return text, parse(path, text)


def _build_spec(r: Reader, data: dict, registry: Registry, today: _dt.date, warn, sources: bool) -> FunctionSpec:
    _check_sections(r, data)
    meta = _metadata(r, data)
    build_values = r.section(data.get("build", {}), "build", SECTIONS["build"], ("build",))
    _check_architectures(r, build_values["architectures"])
    if sources:
        source = resolve.source_folder(r, build_values)
        runtime = resolve.runtime(r, meta, source, registry, today, warn)
        handler = resolve.handler(r, meta, runtime, source, build_values)
        requirements = resolve.requirements(r, build_values, runtime, source)
    else:
        source, runtime, handler, requirements = resolve.without_sources(r, meta, build_values, registry, today)
    spec = FunctionSpec(
        path=r.path,
        name=meta["name"],
        runtime=runtime,
        handler=handler,
        description=meta["description"],
        build=_build(build_values, source, requirements, shared_folders(r, build_values, source, sources)),
        function=_function(r, data),
        deployment=_deployment(r, data, build_values["architectures"]),
        iam=_iam(r, data, meta["name"]),
        layer=_layer(r, data, meta["name"], runtime, registry),
        tags=_tags(r, data),
        triggers=_triggers(r, data.get("triggers", [])),
        cost=CostSpec(**r.section(data.get("cost", {}), "cost", SECTIONS["cost"], ("cost",))),
    )
    for key_path, message, hint in checks.problems(spec):
        raise r.fail(key_path, message, hint=hint)
    for message in checks.warnings(spec) if warn else ():
        warn(message)
    return spec


def _check_sections(r: Reader, data: dict) -> None:
    known = {s.split(".")[0] for s in SECTIONS} | {"triggers"}
    for top in data:
        if top not in known:
            close = close_matches(top, known)
            raise r.fail((top,), f"unknown section [{top}]",
                         hint=f"did you mean [{close[0]}]?" if close else "sections: " + ", ".join(sorted(known)))
    if "metadata" not in data:
        raise ConfigError("missing [metadata] section", hint='add [metadata] with name = "my-function"',
                          where=Where(r.path, 1, "metadata"))


def _metadata(r: Reader, data: dict) -> dict:
    meta = r.section(data["metadata"], "metadata", SECTIONS["metadata"], ("metadata",))
    if not FUNCTION_NAME.match(meta["name"]):
        raise r.fail(("metadata", "name"), f"{meta['name']!r} is not a valid Lambda function name",
                     hint="use 1 to 64 letters, digits, hyphens or underscores")
    return meta


def _check_architectures(r: Reader, architectures: list[str]) -> None:
    if not architectures:
        raise r.fail(("build", "architectures"), "needs at least one architecture",
                     hint='architectures = ["x86_64"]')
    for arch in architectures:
        if arch not in ARCHITECTURES:  # pragma: no cover - the schema's choices catch it first
            raise r.fail(("build", "architectures"), f"{arch!r} is not a Lambda architecture")


def _build(build: dict, source: Path, requirements: Path | None, shared: tuple[Path, ...] = ()) -> BuildSpec:
    return BuildSpec(
        shared=shared,
        source_path=source,
        build_method=build["build_method"],
        layer_auto=build["layer_auto"],
        requirements_file=requirements,
        architectures=tuple(dict.fromkeys(build["architectures"])),
        pre_build=tuple(build["pre_build"]),
        post_build=tuple(build["post_build"]),
        exclude=tuple(build["exclude"]),
        strict_imports=build["strict_imports"],
        include=tuple(build["include"]),
        installer=build["installer"],
        image=build["image"],
        container_env=_pairs(build["container_env"]),
        container_volumes=tuple(build["container_volumes"]),
        ca_bundle=build["ca_bundle"],
        sourcemap=build["sourcemap"],
        package_type=build["package_type"],
    )


def _function(r: Reader, data: dict) -> FunctionSettings:
    function = r.section(data.get("function", {}), "function", SECTIONS["function"], ("function",))
    _check_environment(r, function["environment"])
    return FunctionSettings(
        memory_mb=function["memory_mb"],
        timeout_seconds=function["timeout_seconds"],
        layers=tuple(function["layers"]),
        environment=_pairs(function["environment"]),
        ephemeral_storage_mb=function["ephemeral_storage_mb"],
        vpc=_vpc(r, function["vpc"]),
        reserved_concurrency=function["reserved_concurrency"],
        tracing=function["tracing"],
        log_retention_days=function["log_retention_days"],
        on_failure=function["on_failure"],
        on_success=function["on_success"],
        image_command=None if function["image_command"] is None else tuple(function["image_command"]),
        image_entrypoint=None if function["image_entrypoint"] is None else tuple(function["image_entrypoint"]),
        image_workdir=function["image_workdir"],
    )


def _vpc(r: Reader, table: dict | None) -> VpcSpec | None:
    if table is None:
        return None
    values = r.section(table, "function.vpc", SECTIONS["function.vpc"], ("function", "vpc"))
    return VpcSpec(tuple(values["subnet_ids"]), tuple(values["security_group_ids"]))


def _check_environment(r: Reader, environment: dict) -> None:
    for key in environment:
        path = ("function", "environment", key)
        problem = aws_limits.env_key_problem(key)
        if problem:
            raise r.fail(path, problem, hint="start with a letter; use at least 2 letters, digits and _")
        if key in RESERVED_ENV:
            raise r.fail(path, f"{key} is reserved by Lambda", hint="choose another name")
    size = aws_limits.environment_size(environment)
    if size > ENV_LIMIT_BYTES:
        raise r.fail(("function", "environment"),
                     f"environment variables total {size} bytes; Lambda allows {ENV_LIMIT_BYTES}",
                     hint="move large values to SSM Parameter Store or Secrets Manager and read them at run time")


def _deployment(r: Reader, data: dict, architectures: list[str]) -> DeploymentSpec:
    deployment = r.section(data.get("deployment", {}), "deployment", SECTIONS["deployment"], ("deployment",))
    if deployment["cors"] is not None and (data.get("deployment") or {}).get("cors_enabled") is False:
        # the table alone turns CORS on: which of the two is meant cannot be told
        raise r.fail(("deployment", "cors_enabled"), "cors_enabled = false, but [deployment.cors] sets CORS for "
                     "the function URL", hint="delete the cors_enabled line (or set it to true) to apply the "
                     "[deployment.cors] table, or delete the table to turn CORS off")
    cors = None
    if deployment["cors"] is not None or deployment["cors_enabled"]:
        cors_values = r.section(deployment["cors"] or {}, "deployment.cors", SECTIONS["deployment.cors"],
                                ("deployment", "cors"))
        cors = CorsSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in cors_values.items()})
    traffic = r.section(deployment["traffic"] or {}, "deployment.traffic", SECTIONS["deployment.traffic"],
                        ("deployment", "traffic"))
    if traffic["strategy"] != "all-at-once" and not deployment["alias"]:
        raise r.fail(("deployment", "traffic", "strategy"), f"a {traffic['strategy']} rollout shifts an alias's traffic",
                     hint='set [deployment] alias = "live"')
    architecture = deployment["architecture"] or architectures[0]
    if architecture not in architectures:
        raise r.fail(("deployment", "architecture"), f"{architecture!r} is not built",
                     hint=f'add "{architecture}" to [build] architectures')
    return DeploymentSpec(
        function_url=deployment["function_url"],
        auth_type=deployment["auth_type"],
        cors_enabled=deployment["cors_enabled"] or cors is not None,
        cors=cors,
        region=deployment["region"],
        profile=deployment["profile"],
        architecture=architecture,
        artifact_bucket=deployment["artifact_bucket"],
        keep_layer_versions=deployment["keep_layer_versions"],
        alias=deployment["alias"],
        keep_versions=deployment["keep_versions"],
        image_repository=deployment["image_repository"],
        traffic=TrafficSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in traffic.items()}),
        regions=tuple(dict.fromkeys(deployment["regions"])),
        protected=deployment["protected"],
    )


def _iam(r: Reader, data: dict, name: str) -> IamSpec:
    iam = r.section(data.get("iam", {}), "iam", SECTIONS["iam"], ("iam",))
    resources = r.section(iam["resources"] or {}, "iam.resources", SECTIONS["iam.resources"], ("iam", "resources"))
    scope = {k: v if isinstance(v, bool) else tuple(v) for k, v in resources.items()}
    return IamSpec(
        role_name=iam["role_name"] or f"genesys-lambda-{name}"[:64],
        required_policies=tuple(iam["required_policies"]),
        auto_manage=iam["auto_manage"],
        auto_cleanup=iam["auto_cleanup"],
        role_arn=iam["role_arn"] or None,
        managed_by=iam["managed_by"],
        resources=IamResources(**scope, declared=iam["resources"] is not None),
        permissions_boundary=_boundary(r, iam["permissions_boundary"]),
    )


BOUNDARY = r"^(arn:aws[a-z-]*:iam::\d{12}:policy/)?[\w+=,.@/-]{1,128}$"  # few TOMLs set it: compiled on first use


def _boundary(r: Reader, value: str | None) -> str | None:
    if value is not None and not re.match(BOUNDARY, value):
        raise r.fail(("iam", "permissions_boundary"), f"{value!r} is neither a managed policy name nor its ARN",
                     hint='e.g. permissions_boundary = "genesys-lambda-boundary"')
    return value


def _layer(r: Reader, data: dict, name: str, runtime: Runtime, registry: Registry) -> LayerSpec:
    layer = r.section(data.get("layer", {}), "layer", SECTIONS["layer"], ("layer",))
    layer_name = layer["name"] or f"{name}-deps"
    if not LAYER_NAME.match(layer_name):
        raise r.fail(("layer", "name"), f"{layer_name!r} is not a valid layer name",
                     hint="use letters, digits, hyphens or underscores")
    _check_compatible_runtimes(r, layer["compatible_runtimes"] or [], registry)
    return LayerSpec(
        name=layer_name,
        description=layer["description"] or f"Dependencies for {name}",
        compatible_runtimes=tuple(layer["compatible_runtimes"] or (runtime.id,)),
    )


def _check_compatible_runtimes(r: Reader, runtimes: list[str], registry: Registry) -> None:
    key_path = ("layer", "compatible_runtimes")
    known = registry.ids()
    for runtime_id in runtimes:
        if runtime_id not in known:
            close = close_matches(runtime_id, known)
            raise r.fail(key_path, f"{shown(runtime_id)} is not a Lambda runtime",
                         hint=(f"did you mean {close[0]!r}? " if close else "") + "runtimes: " + ", ".join(known))
    if len(runtimes) > aws_limits.COMPATIBLE_RUNTIMES_MAX:
        raise r.fail(key_path, f"{len(runtimes)} compatible runtimes; Lambda allows at most "
                               f"{aws_limits.COMPATIBLE_RUNTIMES_MAX}", hint="list only the runtimes that use the layer")


def _tags(r: Reader, data: dict) -> tuple[tuple[str, str], ...]:
    tags = data.get("tags", {})
    r.check_value(("tags",), Key("map", {}, "tags"), tags)
    return _pairs(tags)


def _triggers(r: Reader, raw) -> tuple[TriggerSpec, ...]:
    if not isinstance(raw, list):
        raise r.fail(("triggers",), "must be an array of tables", hint="write each as [[triggers]]")
    return tuple(_trigger(r, index, entry) for index, entry in enumerate(raw))


def _trigger(r: Reader, index: int, entry) -> TriggerSpec:
    from .triggers import TRIGGERS
    from .triggers import problem as trigger_problem

    path = ("triggers", index)
    if not isinstance(entry, dict):
        raise r.fail(path, "each trigger must be a table", hint="write each as [[triggers]]")
    kind = entry.get("type")
    if kind is None:
        raise r.fail(path, "this trigger has no type",
                     hint='add type = "' + '" | "'.join(TRIGGERS) + '"')
    if not isinstance(kind, str):
        raise r.fail(path + ("type",), f"type must be a string, not {type(kind).__name__} {shown(kind)}",
                     hint='write one type per trigger, e.g. type = "s3"; repeat [[triggers]] for more')
    if kind not in TRIGGERS:
        close = close_matches(str(kind), TRIGGERS)
        hint = (f"did you mean {close[0]!r}? " if close else "") + "supported: " + ", ".join(TRIGGERS)
        raise r.fail(path + ("type",), f"unknown trigger type {kind!r}", hint=hint)
    keys = dict(TRIGGERS[kind], type=Key("str", kind, "Trigger type."))
    values = r.section(entry, f"triggers {kind}", keys, path)
    values.pop("type")
    found = trigger_problem(kind, values)
    if found:
        key, message, hint = found
        raise r.fail(path + (key,), message, hint=hint)
    return TriggerSpec(kind, tuple(sorted((k, _freeze(v)) for k, v in values.items())), index)


def _freeze(value):
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return _pairs(value)
    return value


def check_triggers(raw, origin: Path) -> tuple[TriggerSpec, ...]:
    """Validate a list of trigger tables exactly as a TOML's ``[[triggers]]`` (for code that builds one)."""
    return _triggers(Reader(Path(origin), ""), raw)
