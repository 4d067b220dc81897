"""``genesys interact`` in a terminal: the menu, each question asked by its kind, the preview, the write.

``terminal_asker(prompter)`` is the third asker of ``questions.collect`` (beside the
replay file and init's flags): it asks a question the way its ``kind`` says, with its
default pre-filled, and re-asks until the question's own check passes. ``interact``
runs the menu (aws → Function → Lambda Builder), the questions, shows the TOML, and
writes it only once confirmed (asking before it replaces a file). Nothing is written
before that confirmation; Ctrl-C at any point leaves nothing behind.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Callable

from .. import secret_detector as secrets
from ..config.triggers import TRIGGERS, TYPES
from ..errors import UsageError
from ..runtimes import Registry
from . import checks, supply
from .answers import Answers, Source
from .prompts import Prompter
from .questions import Context, Question
from .sources import URL, default_folder

NOT_YET = "not available yet"
MENU = (
    ("genesys", (("aws", "aws"), ("gcp", "gcp", NOT_YET), ("azure", "azure", NOT_YET))),
    ("aws", (("Function", "function"), ("Layer", "layer", NOT_YET), ("API", "api", NOT_YET))),
    ("Function", (("Lambda Builder", "lambda"), ("Container image", "image", NOT_YET))),
)
SOURCE_KINDS = (("a folder on this machine", "folder"), ("a git repository (URL)", "git"), ("a zip file", "zip"))


def menu(prompter: Prompter) -> None:
    """aws → Function → Lambda Builder: the only path that leads anywhere today."""
    for title, choices in MENU:
        prompter.select(title, list(choices), default=choices[0][1])


def _location_check(kind: str, base: Path) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        if not text.strip():
            return {"folder": "name a folder", "git": "name a repository URL", "zip": "name a zip file"}[kind]
        if kind == "git":
            return None if URL.match(text) else "a git URL: https://..., ssh://..., git@host:repo or file://..."
        path = base / text
        if kind == "zip":
            return None if path.is_file() else f"{text} is not a file"
        return None if path.is_dir() else f"{text} is not a folder"
    return check


def _source(prompter: Prompter, ctx: Context) -> Source:
    kind = prompter.select("Where is the code?", list(SOURCE_KINDS), default="folder")
    location = prompter.text({"folder": "Folder", "git": "Repository URL", "zip": "Zip file"}[kind],
                             default="." if kind == "folder" else "", check=_location_check(kind, ctx.base))
    if kind == "folder":
        return Source(kind, location, "", location)
    ref = prompter.text("Branch, tag or commit (empty: the default branch)") if kind == "git" else ""
    folder = prompter.text("Clone into folder" if kind == "git" else "Extract into folder",
                           default=default_folder(location, kind), check=lambda t: None if t else "name a folder")
    return Source(kind, location, ref.strip(), folder)


def _pair(text: str) -> tuple[str, str] | None:
    key, sep, value = text.partition("=")
    return (key.strip(), value) if sep and key.strip() else None


def _pairs(prompter: Prompter, question: Question, ctx: Context) -> dict[str, str]:
    found: dict[str, str] = {}

    def check(text: str) -> str | None:
        pair = _pair(text)
        if not text:
            return None
        return question.check({**found, pair[0]: pair[1]}, ctx) if pair else "write it as NAME=value"

    while text := prompter.text(question.text, check=check).strip():
        key, value = _pair(text)
        if question.key == "environment" and secrets.looks_secret(key, value):
            if prompter.confirm(f"{key} looks like a secret; write {secrets.reference(key)} instead "
                                f"(set {key} where you deploy)?", default=True):
                value = secrets.reference(key)
        found[key] = value
    return found


def _resources(prompter: Prompter, question: Question, ctx: Context) -> dict[str, list[str]]:
    while True:
        found = {}
        for kind in checks.scoped_kinds(ctx.answers.policies):
            names = prompter.text(f"{kind} resource names to scope to (comma-separated; empty: every one)")
            if names.strip():
                found[kind] = [n.strip() for n in names.split(",") if n.strip()]
        problem = question.check(found, ctx)
        if not problem:
            return found
        ctx.tell(problem)


def _trigger_value(prompter: Prompter, kind: str, key: str) -> Any:
    row = TRIGGERS[kind][key]
    default = "|".join(row.default) if isinstance(row.default, list) else str(row.default or "")

    def check(text: str) -> str | None:
        if not text:
            return "required" if row.required else None
        try:
            supply.trigger_value(kind, key, text)
        except UsageError as err:
            return err.message
        return None

    text = prompter.text(f"{kind} {key} ({row.doc})", default=default, check=check)
    return supply.trigger_value(kind, key, text) if text else None


def _triggers(prompter: Prompter, question: Question, ctx: Context) -> list[dict]:
    found: list[dict] = []
    choices = [("no more triggers", "")] + [(f"{kind}: {row.doc}" if row.doc else kind, kind)
                                           for kind, row in TYPES.items()]
    while kind := prompter.select(question.text, choices, default=""):
        trigger = {"type": kind}
        for key in TRIGGERS[kind]:
            value = _trigger_value(prompter, kind, key)
            if value is not None:
                trigger[key] = value
        problem = question.check([*found, trigger], ctx)
        if problem:
            ctx.tell(f"trigger not added: {problem}")
        else:
            found.append(trigger)
    return found


def _scalar(prompter: Prompter, question: Question, ctx: Context) -> Any:
    default = question.default(ctx)
    choices = question.choices(ctx)
    if question.kind == "confirm":
        return prompter.confirm(question.text, default=bool(default))
    if question.kind == "checkbox":
        return prompter.checkbox(question.text, choices, default, check=lambda v: question.check(v, ctx))
    if question.kind == "select" and choices:
        while (value := prompter.select(question.text, choices, default=default)) and question.check(value, ctx):
            ctx.tell(question.check(value, ctx))
        return value
    parse = int if question.kind == "int" else str

    def check(text: str) -> str | None:
        try:
            return question.check(parse(text.strip()), ctx)
        except ValueError:
            return "a whole number"
    return parse(prompter.text(question.text, default=str(default), check=check).strip())


def terminal_asker(prompter: Prompter) -> Callable[[Question, Context], Any]:
    """The asker that asks people: each question by its kind, defaults pre-filled, notes shown first."""
    special = {"source": lambda q, ctx: _source(prompter, ctx), "pairs": lambda q, ctx: _pairs(prompter, q, ctx),
               "resources": lambda q, ctx: _resources(prompter, q, ctx),
               "triggers": lambda q, ctx: _triggers(prompter, q, ctx)}

    def ask(question: Question, ctx: Context):
        note = question.note(ctx)
        if note:
            ctx.tell(note)
        return special.get(question.kind, lambda q, c: _scalar(prompter, q, c))(question, ctx)

    return ask


def interact(prompter: Prompter, base: Path, registry: Registry, today: _dt.date,
             tell: Callable[[str], None]) -> tuple[Answers, Path] | None:
    """Menu, questions, preview, confirm, write: (the answers, the file), or None when nothing was written."""
    menu(prompter)
    with supply.draft(terminal_asker(prompter), lambda q: (q.text, "answer it again"), base, registry, today,
                      tell, person=True) as made:
        tell(f"--- {made.dest.name} ---\n{made.text}---")
        if not prompter.confirm(f"Write {made.dest.name}?", default=True):
            tell("nothing written")
            return None
        if made.dest.exists() and not prompter.confirm(f"{made.dest.name} exists; replace it?", default=False):
            tell(f"nothing written; {made.dest} is as it was")
            return None
        made.write(overwrite=True)
        return made.answers, made.dest
