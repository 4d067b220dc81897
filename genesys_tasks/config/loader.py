"""TOML file → ``FunctionSpec``: parse, validate against the schema, fill defaults, resolve.

Everything here is pure: it reads the TOML and looks at the source folder (file
names, handler text), and never runs a subprocess or touches the network. Every
problem is a ``ConfigError`` with the file, the line, the key path and the fix.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, Where
from ..runtimes import ARCHITECTURES, DEFAULT, Registry
from . import detect
from .locate import find_line
from .schema import FREE_MAPS, SECTIONS, TRIGGERS, Key
from .triggers import problem as trigger_problem
from .spec import (BuildSpec, CorsSpec, DeploymentSpec, FunctionSettings, FunctionSpec, IamResources,
                   IamSpec, LayerSpec, TriggerSpec)

FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LAYER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
ENV_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_ENV = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}
ENV_LIMIT_BYTES = 4096
_TYPE_NAMES = {"str": "a string", "int": "a whole number", "bool": "true or false",
               "list": "a list", "map": "a table of strings", "table": "a table"}


def today_default() -> _dt.date:
    """Today, or ``GENESYS_TODAY`` (YYYY-MM-DD) so lifecycle checks can be pinned."""
    pinned = os.environ.get("GENESYS_TODAY")
    if not pinned:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(pinned)
    except ValueError:
        raise ConfigError(f"GENESYS_TODAY={pinned!r} is not a date",
                          hint="set it as YYYY-MM-DD, e.g. GENESYS_TODAY=2027-01-31, or unset it") from None


class _Reader:
    """Validation state for one file: knows the text, so every error can carry a line."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text

    def where(self, *key_path) -> Where:
        line = find_line(self.text, tuple(key_path)) if key_path else None
        dotted = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in key_path)
        return Where(self.path, line, dotted.replace(".[", "[") or None)

    def fail(self, key_path: tuple, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, hint=hint, where=self.where(*key_path))

    def check_value(self, key_path: tuple, key: Key, value: Any) -> Any:
        """Type, range and choice checks for one value; returns it normalised."""
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "list": isinstance(value, list),
            "map": isinstance(value, dict),
            "table": isinstance(value, dict),
        }[key.kind]
        if not ok:
            raise self.fail(key_path, f"must be {_TYPE_NAMES[key.kind]}, not {type(value).__name__} {value!r}",
                            hint=f"write it as {_example(key)}")
        if key.kind == "int":
            if key.minimum is not None and value < key.minimum or key.maximum is not None and value > key.maximum:
                raise self.fail(key_path, f"{value} is out of range",
                                hint=f"use a value from {key.minimum} to {key.maximum}")
        if key.kind == "list":
            for item in value:
                if not isinstance(item, str):
                    raise self.fail(key_path, f"every item must be a string, not {item!r}")
            if key.choices:
                for item in value:
                    if item not in key.choices:
                        raise self.fail(key_path, f"{item!r} is not allowed",
                                        hint="use " + " or ".join(repr(c) for c in key.choices))
        if key.kind == "map":
            for k, v in value.items():
                if not isinstance(v, str):
                    raise self.fail(key_path + (k,), f"must be a string, not {v!r}",
                                    hint=f'quote it: {k} = "{v}"')
        if key.kind == "str" and key.choices and value not in key.choices:
            close = difflib.get_close_matches(value, key.choices, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.fail(key_path, f"{value!r} is not allowed",
                            hint=hint + "use one of: " + ", ".join(repr(c) for c in key.choices))
        return value

    def section(self, data: dict, name: str, keys: dict[str, Key], path: tuple) -> dict:
        """Validate one table against ``keys`` and return it with defaults filled."""
        if not isinstance(data, dict):
            raise self.fail(path, f"[{name}] must be a table")
        for key in data:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(keys)
                raise self.fail(path + (key,), f"unknown key {key!r} in [{name}]", hint=hint)
        values = {}
        for key, spec in keys.items():
            if key in data:
                values[key] = self.check_value(path + (key,), spec, data[key])
            elif spec.required:
                raise self.fail(path, f"missing required key {key!r} in [{name}]",
                                hint=f"add {key} = {_example(spec)} under [{name}]")
            else:
                values[key] = spec.default
        return values


def _example(key: Key) -> str:
    if key.choices:
        return repr(key.choices[0]).replace("'", '"') if key.kind == "str" else f'["{key.choices[0]}"]'
    return {"str": '"..."', "int": str(key.minimum or 1), "bool": "true", "list": '["..."]',
            "map": '{ KEY = "value" }', "table": "[section.sub]"}[key.kind]


def _pairs(mapping: dict | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((mapping or {}).items()))


def load(path: str | Path, *, registry: Registry = DEFAULT, today: _dt.date | None = None,
         warn: Callable[[str], None] | None = None) -> FunctionSpec:
    """Read and validate one TOML file; raise ``ConfigError`` naming file:line and key."""
    path = Path(path).absolute()
    text, data = read_toml(path)
    return _build_spec(_Reader(path, text), data, registry, today or today_default(), warn)


def read_toml(path: Path) -> tuple[str, dict]:
    """The text and parsed data of a TOML file; unreadable or malformed is a ConfigError with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", hint="check the path of the TOML file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it ({err})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise ConfigError(f"not valid TOML: {err}", hint="fix the syntax at that line",
                          where=Where(path, int(match.group(1)) if match else None)) from None


def _build_spec(r: _Reader, data: dict, registry: Registry, today: _dt.date, warn) -> FunctionSpec:
    known = {s.split(".")[0] for s in SECTIONS} | {"triggers"}
    for top in data:
        if top not in known:
            close = difflib.get_close_matches(top, known, n=1)
            raise r.fail((top,), f"unknown section [{top}]",
                         hint=f"did you mean [{close[0]}]?" if close else "sections: " + ", ".join(sorted(known)))
    if "metadata" not in data:
        raise ConfigError("missing [metadata] section", hint='add [metadata] with name = "my-function"',
                          where=Where(r.path, 1, "metadata"))

    meta = r.section(data["metadata"], "metadata", SECTIONS["metadata"], ("metadata",))
    name = meta["name"]
    if not FUNCTION_NAME.match(name):
        raise r.fail(("metadata", "name"), f"{name!r} is not a valid Lambda function name",
                     hint="use 1 to 64 letters, digits, hyphens or underscores")

    build_raw = dict(data.get("build", {}))
    build = r.section(build_raw, "build", SECTIONS["build"], ("build",))
    source = Path(build["source_path"]).expanduser()
    source = (r.path.parent / source) if not source.is_absolute() else source
    source = Path(os.path.normpath(source))
    if not source.exists():
        raise r.fail(("build", "source_path"), f"source folder {source} does not exist",
                     hint="set source_path relative to the TOML file's folder")
    if not source.is_dir():
        raise r.fail(("build", "source_path"), f"{source} is a file, not a folder",
                     hint="point source_path at the folder that holds the handler")
    if not build["architectures"]:
        raise r.fail(("build", "architectures"), "needs at least one architecture",
                     hint='architectures = ["x86_64"]')
    for arch in build["architectures"]:
        if arch not in ARCHITECTURES:  # pragma: no cover - the schema's choices catch it first
            raise r.fail(("build", "architectures"), f"{arch!r} is not a Lambda architecture")

    runtime = _resolve_runtime(r, meta, source, registry, today, warn)
    handler = _resolve_handler(r, meta, runtime, source)
    requirements = _resolve_requirements(r, build, runtime, source)

    function = r.section(data.get("function", {}), "function", SECTIONS["function"], ("function",))
    environment = function["environment"]
    _check_environment(r, environment)

    deployment = r.section(data.get("deployment", {}), "deployment", SECTIONS["deployment"], ("deployment",))
    cors = None
    if deployment["cors"] is not None or deployment["cors_enabled"]:
        cors_values = r.section(deployment["cors"] or {}, "deployment.cors", SECTIONS["deployment.cors"],
                                ("deployment", "cors"))
        cors = CorsSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in cors_values.items()})
    architecture = deployment["architecture"] or build["architectures"][0]
    if architecture not in build["architectures"]:
        raise r.fail(("deployment", "architecture"), f"{architecture!r} is not built",
                     hint=f'add "{architecture}" to [build] architectures')

    iam = r.section(data.get("iam", {}), "iam", SECTIONS["iam"], ("iam",))
    resources = r.section(iam["resources"] or {}, "iam.resources", SECTIONS["iam.resources"], ("iam", "resources"))
    layer = r.section(data.get("layer", {}), "layer", SECTIONS["layer"], ("layer",))
    layer_name = layer["name"] or f"{name}-deps"
    if not LAYER_NAME.match(layer_name):
        raise r.fail(("layer", "name"), f"{layer_name!r} is not a valid layer name",
                     hint="use letters, digits, hyphens or underscores")

    tags = data.get("tags", {})
    r.check_value(("tags",), Key("map", {}, "tags"), tags)
    triggers = _triggers(r, data.get("triggers", []))

    return FunctionSpec(
        path=r.path,
        name=name,
        runtime=runtime,
        handler=handler,
        description=meta["description"],
        build=BuildSpec(
            source_path=source,
            build_method=build["build_method"],
            layer_auto=build["layer_auto"],
            requirements_file=requirements,
            architectures=tuple(dict.fromkeys(build["architectures"])),
            pre_build=tuple(build["pre_build"]),
            post_build=tuple(build["post_build"]),
            exclude=tuple(build["exclude"]),
            installer=build["installer"],
            image=build["image"],
            container_env=_pairs(build["container_env"]),
            container_volumes=tuple(build["container_volumes"]),
            ca_bundle=build["ca_bundle"],
        ),
        function=FunctionSettings(
            memory_mb=function["memory_mb"],
            timeout_seconds=function["timeout_seconds"],
            layers=tuple(function["layers"]),
            environment=_pairs(environment),
            ephemeral_storage_mb=function["ephemeral_storage_mb"],
        ),
        deployment=DeploymentSpec(
            function_url=deployment["function_url"],
            auth_type=deployment["auth_type"],
            cors_enabled=deployment["cors_enabled"] or cors is not None,
            cors=cors,
            region=deployment["region"],
            profile=deployment["profile"],
            architecture=architecture,
            artifact_bucket=deployment["artifact_bucket"],
            keep_layer_versions=deployment["keep_layer_versions"],
        ),
        iam=IamSpec(
            role_name=iam["role_name"] or f"genesys-lambda-{name}"[:64],
            required_policies=tuple(iam["required_policies"]),
            auto_manage=iam["auto_manage"],
            auto_cleanup=iam["auto_cleanup"],
            role_arn=iam["role_arn"] or None,
            managed_by=iam["managed_by"],
            resources=IamResources(**{k: tuple(v) for k, v in resources.items()}),
        ),
        layer=LayerSpec(
            name=layer_name,
            description=layer["description"] or f"Dependencies for {name}",
            compatible_runtimes=tuple(layer["compatible_runtimes"] or (runtime.id,)),
        ),
        tags=_pairs(tags),
        triggers=triggers,
    )


def _resolve_runtime(r: _Reader, meta: dict, source: Path, registry: Registry, today: _dt.date, warn):
    if meta["runtime"]:
        return _checked_runtime(r, ("metadata", "runtime"), meta["runtime"], registry, today, warn)
    found = detect.detect(source, registry=registry, today=today)
    if found.runtime is None:
        if found.candidates:
            listing = "; ".join(f"{c.runtime} ({c.evidence})" for c in found.candidates)
            raise r.fail(("metadata",), f"more than one runtime fits {source}: {listing}",
                         hint=f'name one: runtime = "{found.candidates[0].runtime}" under [metadata]')
        raise r.fail(("metadata",), f"no runtime detected in {source}",
                     hint='name it: runtime = "python3.12" under [metadata], or check source_path')
    return _checked_runtime(r, ("metadata",), found.runtime, registry, today, warn)


def _checked_runtime(r: _Reader, key_path: tuple, runtime_id: str, registry: Registry, today: _dt.date, warn):
    """The runtime checked against its lifecycle; the line is looked up only when it fails."""
    try:
        return registry.get(runtime_id, today, warn=warn)
    except ConfigError as err:
        raise r.fail(key_path, err.message, hint=err.hint) from None


_NO_HANDLER_FIX = {
    "python": 'define `def lambda_handler(event, context)`, or name it: handler = "app.lambda_handler" under [metadata]',
    "nodejs": 'export it (`exports.handler = async (event) => ...`), or name it: handler = "index.handler"',
    "java": "add `public Output handleRequest(Input event, Context context)` to a class, or name it: "
            'handler = "pkg.Class::handleRequest" under [metadata]',
    "go": "put `package main` with a `func main()` that runs the Lambda runtime loop in source_path "
          "(or point [build] source_path at the folder that has it)",
}


def _resolve_handler(r: _Reader, meta: dict, runtime, source: Path) -> str:
    if meta["handler"]:
        problem = detect.check_handler(runtime, source, meta["handler"])
        if problem:
            raise r.fail(("metadata", "handler"), problem,
                         hint="fix the handler, or remove the key to let genesys detect it")
        return meta["handler"]
    handlers = detect.find_handlers(runtime, source)
    if len(handlers) == 1:
        return handlers[0].handler
    if not handlers:
        raise r.fail(("metadata",), f"no {runtime.language} handler found in {source}",
                     hint=_NO_HANDLER_FIX.get(runtime.language, 'name it: handler = "..." under [metadata]'))
    listing = "; ".join(f"{c.handler} ({c.evidence})" for c in handlers)
    raise r.fail(("metadata",), f"more than one handler fits: {listing}",
                 hint=f'name one: handler = "{handlers[0].handler}" under [metadata]')


def _resolve_requirements(r: _Reader, build: dict, runtime, source: Path) -> Path | None:
    if build["requirements_file"]:
        candidate = Path(build["requirements_file"]).expanduser()
        candidate = candidate if candidate.is_absolute() else source / candidate
        if not candidate.is_file():
            raise r.fail(("build", "requirements_file"), f"{candidate} does not exist",
                         hint="fix the path (relative to source_path) or remove the key")
        return Path(os.path.normpath(candidate))
    for name in detect.manifest_names(runtime):
        candidate = source / name
        if candidate.is_file():
            return candidate
    return None


def _check_environment(r: _Reader, environment: dict) -> None:
    size = 0
    for key, value in environment.items():
        path = ("function", "environment", key)
        if not ENV_KEY.match(key):
            raise r.fail(path, f"{key!r} is not a valid environment variable name",
                         hint="start with a letter; use letters, digits and _")
        if key in RESERVED_ENV:
            raise r.fail(path, f"{key} is reserved by Lambda", hint="choose another name")
        size += len(key.encode()) + len(value.encode())
    if size > ENV_LIMIT_BYTES:
        raise r.fail(("function", "environment"),
                     f"environment variables total {size} bytes; Lambda allows {ENV_LIMIT_BYTES}",
                     hint="move large values to SSM Parameter Store or Secrets Manager and read them at run time")


def _triggers(r: _Reader, raw) -> tuple[TriggerSpec, ...]:
    if not isinstance(raw, list):
        raise r.fail(("triggers",), "must be an array of tables", hint="write each as [[triggers]]")
    triggers = []
    for index, entry in enumerate(raw):
        path = ("triggers", index)
        if not isinstance(entry, dict):
            raise r.fail(path, "each trigger must be a table", hint="write each as [[triggers]]")
        kind = entry.get("type")
        if kind is None:
            raise r.fail(path, "this trigger has no type",
                         hint='add type = "' + '" | "'.join(TRIGGERS) + '"')
        if kind not in TRIGGERS:
            close = difflib.get_close_matches(str(kind), TRIGGERS, n=1)
            hint = (f"did you mean {close[0]!r}? " if close else "") + "supported: " + ", ".join(TRIGGERS)
            raise r.fail(path + ("type",), f"unknown trigger type {kind!r}", hint=hint)
        keys = dict(TRIGGERS[kind], type=Key("str", kind, "Trigger type."))
        values = r.section(entry, f"triggers {kind}", keys, path)
        values.pop("type")
        found = trigger_problem(kind, values)
        if found:
            key, message, hint = found
            raise r.fail(path + (key,), message, hint=hint)
        triggers.append(TriggerSpec(kind, tuple(sorted((k, _freeze(v)) for k, v in values.items())), index))
    return tuple(triggers)


def _freeze(value):
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return _pairs(value)
    return value
