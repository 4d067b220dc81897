"""JSON Schema (draft 2020-12) for lambda TOML files and runtime files, generated from the tables.

Nothing here is written by hand: sections, keys, types, allowed values, ranges,
defaults and descriptions all come from ``schema.SECTIONS``/``TRIGGERS`` (and the
runtime file's ``FIELDS``), so the schema editors use cannot drift from what the
loader accepts. Runtime ids are listed from the project's registry, so a project's
own runtimes complete and validate too.
"""

from __future__ import annotations

from ..runtimes import ALIASES, Registry
from .schema import FREE_MAPS, SECTIONS, Key
from .triggers import TRIGGERS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


def _key_schema(key: Key, path: str) -> dict:
    if key.kind == "table":
        schema = _section_schema(path)
    elif key.kind == "map" or path in FREE_MAPS:
        schema = dict(_STRING_MAP)
    elif key.kind == "list":
        items: dict = {"type": "string"}
        if key.choices:
            items["enum"] = list(key.choices)
        schema = {"type": "array", "items": items}
    else:
        schema = {"type": {"str": "string", "int": "integer", "bool": "boolean"}[key.kind]}
        if key.choices:
            schema["enum"] = list(key.choices)
        if key.minimum is not None:
            schema["minimum"] = key.minimum
        if key.maximum is not None:
            schema["maximum"] = key.maximum
    schema["description"] = key.doc
    if key.default is not None:
        schema["default"] = key.default
    return schema


def _section_schema(name: str) -> dict:
    if name in FREE_MAPS or not SECTIONS.get(name):
        return dict(_STRING_MAP)
    keys = SECTIONS[name]
    schema = {
        "type": "object",
        "properties": {key: _key_schema(spec, f"{name}.{key}") for key, spec in keys.items()},
        "additionalProperties": False,
    }
    required = [key for key, spec in keys.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


def _trigger_schema() -> dict:
    variants = []
    for kind, keys in TRIGGERS.items():
        properties = {"type": {"const": kind, "description": "Trigger type."}}
        properties.update({key: _key_schema(spec, f"triggers.{key}") for key, spec in keys.items()})
        variants.append({"type": "object", "title": kind, "properties": properties, "required": ["type"],
                         "additionalProperties": False})
    return {"type": "array", "description": "Event sources that invoke the function.",
            "items": {"oneOf": variants}}


def _stages_schema(sections: dict) -> dict:
    """``[stages.<name>]``: any section again, every key optional (a stage overrides what it names)."""
    override = {"type": "object", "additionalProperties": False,
                "properties": {name: {k: v for k, v in schema.items() if k != "required"}
                               for name, schema in sections.items()}}
    return {"type": "object", "additionalProperties": override,
            "description": "Stages (genesys execute --stage NAME, or GENESYS_STAGE): each table overrides keys of "
                           "the other sections; the function is named <name>-<stage> unless the stage names it."}


def function_schema(registry: Registry) -> dict:
    """The schema of a lambda TOML file, with the registry's runtime ids (and aliases) as choices."""
    top = [name for name in SECTIONS if "." not in name]
    properties = {name: _section_schema(name) for name in top}
    properties["tags"]["description"] = "Tags put on everything genesys creates for the function."
    properties["triggers"] = _trigger_schema()
    properties["stages"] = _stages_schema(properties)
    runtime = properties["metadata"]["properties"]["runtime"]
    runtime["enum"] = registry.ids() + list(ALIASES)
    for name in ("build", "function", "deployment", "iam", "layer", "cost"):
        properties[name].setdefault("description", f"[{name}] settings.")
    properties["metadata"]["description"] = "What the function is: its name, runtime and handler."
    return {
        "$schema": DIALECT,
        "title": "genesys lambda function",
        "description": "One AWS Lambda function, as genesys builds and deploys it.",
        "type": "object",
        "properties": properties,
        "required": ["metadata"],
        "additionalProperties": False,
    }


def runtimes_schema() -> dict:
    """The schema of a runtime file (genesys-runtimes.toml)."""
    from .runtimes_file import FIELDS, REQUIRED

    kinds = {"str": {"type": "string"}, "list": {"type": "array", "items": {"type": "string"}},
             "date": {"type": "string", "format": "date"}}
    row = {"type": "object",
           "properties": {key: dict(kinds[kind], description=doc) for key, (kind, doc) in FIELDS.items()},
           "additionalProperties": False}
    return {
        "$schema": DIALECT,
        "title": "genesys runtime file",
        "description": "Runtimes added to genesys, or built-in ones changed. New ids need "
                       + ", ".join(REQUIRED) + ".",
        "type": "object",
        "properties": {"runtimes": {"type": "object", "additionalProperties": row,
                                    "description": "One table per runtime id."},
                       "cache": {"type": "object", "additionalProperties": False, "description":
                                 "The layer cache shared across machines (GENESYS_CACHE_URL wins).",
                                 "properties": {"url": {"type": "string", "pattern": "^s3://",
                                                        "description": "s3://<bucket>/<prefix>"}}}},
        "additionalProperties": False,
    }
