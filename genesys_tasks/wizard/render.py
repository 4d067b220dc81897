"""Answers → the lambda TOML: its name, its text (tomlkit, a short comment on each section), the write.

``file_name`` is ``lambda_<name>_<runtime without dots>.toml``. ``render`` writes only
what the answers say; anything left out takes the schema's default when loaded. ``write``
puts the text in a temporary sibling, loads it with the same loader every command uses,
and only then renames it into place: a file the loader would refuse is never written,
and an existing file is replaced only when the caller says so.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..config import load
from ..config.iam_scope import RESOURCE_LIST
from ..config.triggers import TRIGGERS
from ..errors import ConfigError, UsageError
from ..paths import replace_atomic
from .answers import Answers


def file_name(answers: Answers) -> str:
    return f"lambda_{answers.name}_{answers.runtime.replace('.', '')}.toml"


def source_path(folder: Path, base: Path) -> str:
    """The source folder as the TOML names it: relative to the TOML's folder when inside it."""
    folder, base = folder.resolve(), base.resolve()
    if folder == base:
        return "."
    return folder.relative_to(base).as_posix() if folder.is_relative_to(base) else str(folder)


def _table(comment: str):
    import tomlkit

    table = tomlkit.table()
    table.comment(comment)
    return table


def _sections(answers: Answers, source: str) -> list[tuple[str, str, dict]]:
    """(section, comment, values) in file order; empty sections are left out."""
    resources = {RESOURCE_LIST[kind]: names for kind, names in answers.resources.items()}
    deployment = {**({"region": answers.region} if answers.region else {}), "function_url": answers.function_url}
    if answers.function_url:
        deployment.update(auth_type=answers.auth_type, cors_enabled=answers.cors)
    return [
        ("metadata", "what the function is", {"name": answers.name, "runtime": answers.runtime,
                                               "handler": answers.handler}),
        ("build", "how its code and dependencies are built", {
            "source_path": source, **({"package_type": "image"} if answers.package_type == "image" else
                                      {"build_method": answers.build_method}),
            "architectures": answers.architectures}),
        ("function", "the Lambda function's settings", {"memory_mb": answers.memory_mb,
                                                         "timeout_seconds": answers.timeout_seconds}),
        ("function.environment", "environment variables; ${env:NAME} is read from your shell at deploy time",
         answers.environment),
        ("deployment", "how it is reached", deployment),
        ("iam", "its execution role: the policy templates it gets", {"required_policies": answers.policies}),
        ("iam.resources", "the resources those templates are scoped to", resources),
        ("tags", "tags on everything genesys creates for it", answers.tags),
    ]


def render(answers: Answers, source: str) -> str:
    """The TOML text for ``answers``, with ``source`` as [build] source_path."""
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"{answers.name}: written by the genesys wizard; `genesys schema` documents every key"))
    for section, comment, values in _sections(answers, source):
        if not values:
            continue
        parent, _, child = section.partition(".")
        table = _table(comment)
        table.update(values)
        if child:
            doc[parent].add(child, table)
        else:
            doc.add(section, table)
    if answers.triggers:
        triggers = tomlkit.aot()
        for trigger in answers.triggers:
            item = tomlkit.table()
            keys = TRIGGERS[trigger["type"]]
            item.update({"type": trigger["type"], **{k: v for k, v in trigger.items() if k in keys}})
            triggers.append(item)
        doc.add(tomlkit.nl())
        doc.add(tomlkit.comment("what invokes it"))
        doc.add("triggers", triggers)
    return tomlkit.dumps(doc)


def write(text: str, dest: Path, *, overwrite: bool) -> None:
    """Load ``text`` as ``dest`` would be loaded, then put it there; ConfigError (naming ``dest``) when invalid."""
    if dest.exists() and not overwrite:
        raise UsageError(f"{dest} exists", hint="pass --force to replace it, or choose another --name or --dir")

    def fill(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")
        try:
            load(tmp)
        except ConfigError as err:
            where = dataclasses.replace(err.where, file=dest) if err.where else None
            raise ConfigError(err.message, hint=err.hint, where=where) from None
        if dest.exists():
            os.chmod(tmp, dest.stat().st_mode & 0o777)

    replace_atomic(dest, fill)
