"""The wizard's checks: each answer against the same rules the loader applies to a TOML.

Every check returns what is wrong (one sentence with the fix) or None. They call the
config package's own pieces (the schema reader, the AWS limits, the trigger checks,
the policy templates), so an answer the wizard accepts is one the loader accepts.
Pure: no I/O.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .. import languages
from ..config import aws_limits
from ..config.iam_scope import RESOURCE_LIST, is_wildcard
from ..config.loader import FUNCTION_NAME, RESERVED_ENV, check_triggers
from ..config.policy_templates import TEMPLATES, lookup_template
from ..config.reader import Reader
from ..config.schema import SECTIONS
from ..errors import ConfigError
from .answers import Source

ANSWERS = Path("answers")  # the origin named in messages about a value that came from no file


def _message(err: ConfigError) -> str:
    return err.message + (f" ({err.hint})" if err.hint else "")


def schema(section: str, key: str) -> Callable[[Any, Any], str | None]:
    """A check of one value against its row in the schema table: type, range, choices."""
    row = SECTIONS[section][key]

    def check(value, ctx=None) -> str | None:
        if row.kind == "list" and not value:
            return "choose at least one"
        try:
            Reader(ANSWERS, "").check_value((section, key), row, value)
        except ConfigError as err:
            return _message(err)
        return None

    return check


def source(value: Source, ctx=None) -> str | None:
    if value.kind not in ("folder", "git", "zip"):
        return f"unknown source kind {value.kind!r}; use folder, git or zip"
    if not value.location:
        return "name a folder, a git URL or a zip file"
    return None


def name(value: str, ctx=None) -> str | None:
    if not FUNCTION_NAME.match(value or ""):
        return f"{value!r} is not a function name: use 1 to 64 letters, digits, - and _"
    return None


def runtime(value: str, ctx) -> str | None:
    if not value:
        fits = [f"{c.runtime} ({c.evidence})" for c in ctx.detection.candidates if c.runtime]
        if fits:
            return "more than one runtime fits: " + "; ".join(fits) + "; pick one"
        return (f"no {languages.detected_labels()} function found in {ctx.folder} (none of their dependency or "
                "source files): check the folder, or name the runtime and the handler")
    try:
        ctx.registry.get(value, ctx.today)
    except ConfigError as err:
        return _message(err)
    return None


def environment(value: dict, ctx=None) -> str | None:
    for key, text in value.items():
        problem = aws_limits.env_key_problem(key)
        if problem:
            return f"{key}: {problem}"
        if key in RESERVED_ENV:
            return f"{key} is reserved by Lambda; choose another name"
        if not isinstance(text, str):
            return f"{key}: the value must be a string"
    size = aws_limits.environment_size(value)
    return f"environment variables total {size} bytes; Lambda allows {aws_limits.ENV_LIMIT_BYTES}" \
        if size > aws_limits.ENV_LIMIT_BYTES else None


def policies(value: list[str], ctx=None) -> str | None:
    for entry in value:
        if lookup_template(entry) is None:
            return f"no policy template {entry!r}; use one of: " + ", ".join(t.id for t in TEMPLATES)
    return None


def scoped_kinds(entries: list[str]) -> list[str]:
    """The [iam.resources] kinds (s3, dynamodb, sqs, sns) the chosen templates can be scoped by."""
    kinds = (lookup_template(e).kind for e in entries if lookup_template(e))
    return list(dict.fromkeys(k for k in kinds if k in RESOURCE_LIST))


def resources(value: dict[str, list[str]], ctx) -> str | None:
    """Every service scoped or none (a scoped role leaves no data service on every resource), no wildcards."""
    wanted = scoped_kinds(ctx.answers.policies)
    for kind, names in value.items():
        if kind not in wanted:
            return f"{kind} is not among the chosen services ({', '.join(wanted) or 'none'})"
        if not names or any(is_wildcard(n) for n in names):
            return f"{kind}: name the resources (no wildcards), or leave every service unscoped"
    missing = [k for k in wanted if k not in value]
    if value and missing:
        return f"name resources for {', '.join(missing)} too: a scoped role scopes every service"
    return None


def region(value: str, ctx=None) -> str | None:
    """An AWS region botocore knows, as ``[deployment] region`` is checked at load; "" (none) passes."""
    from ..config.regions import region_problem

    problem = region_problem(value) if value else None
    return f"{problem[0]}; {problem[1]}" if problem else None


def tags(value: dict, ctx=None) -> str | None:
    for key, text in value.items():
        problem = aws_limits.tag_problem(key, text)
        if problem:
            return problem
    return None


def triggers(value: list[dict], ctx=None) -> str | None:
    try:
        check_triggers(value, ANSWERS)
    except ConfigError as err:
        where = f"{err.where.key}: " if err.where and err.where.key else ""
        return where + _message(err)
    return None
