"""Answers without a terminal: from a saved answers file (``--replay``) or from ``genesys init``'s flags.

Both are askers for ``questions.collect``: they return a value for a question, or
``GIVEN_NONE`` to take its default. ``flag_options`` derives init's command-line flags
from the question table (one flag per question, its kind deciding the argparse form),
so adding a question adds its flag. ``make`` runs the table with any asker and returns
a ``Draft``: the answers, the TOML text and where it goes. Pure apart from what the source question
does (clone or extract) and detection reading the folder.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import secret_detector as secrets
from ..config.triggers import TRIGGERS
from ..errors import UsageError
from ..runtimes import Registry
from . import render
from .answers import Answers, Source
from .questions import GIVEN_NONE, Context, Question, collect
from .sources import classify, default_folder

REPEATED = ("pairs", "checkbox", "resources", "triggers")


def flag_options(question: Question) -> dict:
    """argparse keyword arguments for a question's init flag."""
    if question.kind == "confirm":
        return {"action": "store_true", "default": None, "help": question.help}
    if question.kind in REPEATED:
        return {"action": "append", "default": None, "metavar": dest(question).upper(), "help": question.help}
    return {"default": None, "metavar": dest(question).upper(), "help": question.help}


def dest(question: Question) -> str:
    return question.flag.lstrip("-").replace("-", "_")


def _pairs(items: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{what} {item!r} is not KEY=value", hint=f"write it as {what} NAME=value")
        pairs[key.strip()] = value
    return pairs


def trigger_value(kind: str, key: str, text: str):
    """One trigger key's value from text: a whole number, a list (separated by ``|``) or the text."""
    row = TRIGGERS[kind][key]
    if row.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{kind} trigger {key} {text!r} is not a whole number") from None
    return text.split("|") if row.kind == "list" else text


def parse_trigger(text: str) -> dict:
    """``sqs:queue=jobs,batch_size=5`` → a [[triggers]] table; list values are separated by ``|``."""
    kind, _, rest = text.partition(":")
    if kind not in TRIGGERS:
        raise UsageError(f"--trigger {text!r}: unknown trigger type {kind!r}",
                         hint="start with one of: " + ", ".join(TRIGGERS) + ", e.g. sqs:queue=jobs")
    keys = TRIGGERS[kind]
    values = _pairs([p for p in rest.split(",") if p], "--trigger")
    unknown = [k for k in values if k not in keys]
    if unknown:
        raise UsageError(f"--trigger {text!r}: {kind} has no key {unknown[0]!r}", hint="its keys: " + ", ".join(keys))
    return {"type": kind, **{k: trigger_value(kind, k, v) for k, v in values.items()}}


def environment(pairs: dict[str, str], tell: Callable[[str], None]) -> dict[str, str]:
    """Secret-looking values become ``${env:NAME}`` (said through ``tell``): they never reach the file."""
    out = {}
    for key, value in pairs.items():
        if secrets.looks_secret(key, value):
            tell(f"{key} looks like a secret: written as {secrets.reference(key)}; set {key} in the environment "
                 "where you deploy")
            value = secrets.reference(key)
        out[key] = value
    return out


def _typed_path(typed: str, flag: str, kind: str, base: Path) -> str:
    """A path given on init's command line, read from the folder init runs in (as every command's paths are),
    as the answers keep it: relative to ``base``, where the TOML goes. A ``folder`` or ``zip`` source must exist."""
    here = Path.cwd()
    path = here / typed
    missing = {"folder": not path.is_dir(), "zip": not path.is_file()}.get(kind, False)
    if missing:
        what = "a folder" if kind == "folder" else "a file"
        read_from = "" if Path(typed).is_absolute() else f" (read from {here}, the folder init runs in)"
        raise UsageError(f"{flag} {typed} is not {what}{read_from}",
                         hint=f"pass the function's source {'folder' if kind == 'folder' else 'zip'} as a path "
                              "from here, or an absolute one")
    return os.path.relpath(os.path.abspath(path), os.path.abspath(base))


def _from_flag(question: Question, raw: Any, args, ctx: Context):
    kind = question.kind
    if kind == "source":
        kind_of = classify(raw)
        location = raw if kind_of == "git" else _typed_path(raw, "--source", kind_of, ctx.base)
        into = _typed_path(args.into, "--into", "", ctx.base) if args.into else None
        return Source(kind_of, location, args.ref or "", into or default_folder(location, kind_of))
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"{question.flag} {raw!r} is not a whole number", hint=question.help) from None
    if question.key == "environment":
        return environment(_pairs(raw, question.flag), ctx.tell)
    if kind == "pairs":
        return _pairs(raw, question.flag)
    if kind == "resources":
        found: dict[str, list[str]] = {}
        for kind_name, name in _pairs(raw, question.flag).items():
            found.setdefault(kind_name, []).extend(n for n in name.split(",") if n)
        return found
    if kind == "triggers":
        return [parse_trigger(t) for t in raw]
    if question.key == "policies":  # added to the logs template every function has by default
        return list(dict.fromkeys(question.default(ctx) + raw))
    return raw


def from_flags(args) -> Callable[[Question, Context], Any]:
    """An asker reading ``genesys init``'s parsed flags."""
    def ask(question: Question, ctx: Context):
        raw = getattr(args, dest(question), None)
        if raw is None and question.key == "build_method" and question.default(ctx) != "local":
            ctx.tell(f"build_method = \"{question.default(ctx)}\": {question.note(ctx)}")  # a container: say why
        return GIVEN_NONE if raw is None else _from_flag(question, raw, args, ctx)

    return ask


def from_saved(saved: dict) -> Callable[[Question, Context], Any]:
    """An asker reading a saved answers file (``answers.read``)."""
    return lambda question, ctx: saved.get(question.key, GIVEN_NONE)


@dataclass
class Draft:
    """The answers, the TOML text and where it goes, before anything is written."""

    answers: Answers
    text: str
    dest: Path
    written: bool = False

    def write(self, *, overwrite: bool) -> None:
        render.write(self.text, self.dest, overwrite=overwrite)
        self.written = True


@contextmanager
def draft(ask, place: Callable[[Question], tuple[str, str]], base: Path, registry: Registry, today: _dt.date,
          tell: Callable[[str], None], person: bool = False) -> Iterator[Draft]:
    """Run the questions with ``ask`` and yield the ``Draft``. Unless the block writes it, the clone or the
    extraction this run made is removed again: Ctrl-C, a refused answer or a "no" leave nothing behind."""
    ctx = Context(base=base, registry=registry, today=today, tell=tell, person=person)
    made = None
    try:
        answers = collect(ask, ctx, place)
        made = Draft(answers, render.render(answers, render.source_path(ctx.folder, base)),
                     base / render.file_name(answers))
        yield made
    finally:
        if made is None or not made.written:
            for folder in ctx.made:
                shutil.rmtree(folder, ignore_errors=True)
