"""The ``genesys`` command: parse the arguments, call one command, turn errors into exit codes.

The subcommands are one table (``VERBS``): the words that name each, its help, its
arguments, and the ``commands`` module and function that run it. Command modules are
imported only when they run, so ``genesys --help`` stays light. A ``GenesysError``
becomes its message and exit code; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass

from . import ui
from .errors import EXIT_FAILED, GenesysError, UsageError


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call: its names and keyword arguments."""

    names: tuple[str, ...]
    options: dict

    def add_to(self, parser) -> None:
        parser.add_argument(*self.names, **self.options)


def arg(*names: str, **options) -> Arg:
    return Arg(names, options)


@dataclass(frozen=True)
class Verb:
    """One subcommand: ``words`` (``("cache", "ls")``), its help, arguments, and ``module:function``."""

    words: tuple[str, ...]
    help: str
    run: str
    args: tuple[Arg, ...] = ()


OUTPUT = arg("--output", choices=("text", "json"), default="text", help="json prints machine-readable output on stdout")
SANDBOX = arg("--sandbox", action="store_true",
              help="use the embedded AWS emulator (the running `genesys sandbox`, else a new one)")
TOML = arg("toml")
STAGE = arg("--stage", default=None, metavar="NAME",
            help="the [stages.NAME] of the TOML (function <name>-NAME); default: GENESYS_STAGE")

GROUPS = {"lambda": "work on one function", "cache": "the shared layer cache", "config": "check the AWS setup"}
VERBS = (
    Verb(("detect",), "print the runtime and handler found in a folder", "detect:run", (arg("directory"), OUTPUT)),
    Verb(("lambda", "build"), "build a function's layer and zip (nothing remote)", "build:run",
         (TOML, arg("--debug", action="store_true", default=argparse.SUPPRESS, help="full build logs"), OUTPUT,
          STAGE)),
    Verb(("cache", "ls"), "list cached layers", "cache:run_ls", (OUTPUT,)),
    Verb(("cache", "prune"), "remove cached layers", "cache:run_prune",
         (arg("--older-than", type=float, default=None, metavar="DAYS",
              help="only those created more than DAYS ago (default: all)"),)),
    Verb(("execute",), "build and deploy a function; prints its URL (`execute deletion X.toml` deletes it)",
         "execute:run",
         (TOML, arg("deletion_toml", nargs="?", default=None, help=argparse.SUPPRESS),
          arg("--dry-run", action="store_true", help="show what would change; change nothing"),
          arg("--apply", action="store_true", help="deploy (the default; kept for the original CLI)"),
          arg("--yes", action="store_true", help="with `execute deletion`: do not ask for confirmation"),
          arg("--adopt", action="store_true", help="take over same-named resources genesys did not make"),
          arg("--no-wait", action="store_true", help="leave a gradual rollout at its first step"),
          arg("--keep-going", action="store_true", help="with [deployment] regions: deploy the other regions "
                                                        "when one fails"),
          OUTPUT, SANDBOX, STAGE)),
    Verb(("delete",), "delete what genesys deployed for a function", "delete:run",
         (TOML, arg("--yes", action="store_true", help="do not ask for confirmation"), OUTPUT, SANDBOX, STAGE)),
    Verb(("rollback",), "point the function's alias back at the previous version (or --to VERSION)",
         "rollback:run",
         (TOML, arg("--to", default=None, metavar="VERSION", help="the version to point the alias at"),
          arg("--dry-run", action="store_true", help="show what would change; change nothing"), OUTPUT, SANDBOX,
          STAGE)),
    Verb(("rollout",), "finish (--continue) or revert (--abort) a rollout `execute --no-wait` started",
         "rollout:run",
         (TOML, arg("--continue", dest="continue_", action="store_true", help="take the remaining steps"),
          arg("--abort", action="store_true", help="put the alias back on the old version"), SANDBOX, STAGE)),
    Verb(("cost",), "the function's monthly cost as configured, and on arm64 and bigger memory", "cost:run",
         (TOML, arg("--invocations", type=int, default=None, metavar="N", help="invocations a month"),
          arg("--duration-ms", type=int, default=None, metavar="D", help="average duration of one, in ms"),
          arg("--prices", default=None, metavar="FILE", help="a price table replacing genesys's own"),
          OUTPUT, STAGE)),
    Verb(("config", "verify"), "show account, region and identity; check Lambda and IAM answer", "verify:run",
         (arg("toml", nargs="?", default=None, help="use this function's [deployment] region and profile"),
          OUTPUT, SANDBOX)),
    Verb(("sandbox",), "run the embedded AWS emulator until Ctrl-C", "sandbox:run"),
    Verb(("schema",), "print the JSON Schema of lambda TOML files (for editors)", "schema:run",
         (arg("--runtimes", action="store_true", help="the schema of genesys-runtimes.toml instead"),)),
    Verb(("runtimes",), "list the runtimes with their lifecycle dates and status today", "runtimes:run", (OUTPUT,)),
    Verb(("init-repo",), "write a dodo.py and ignore .genesys/ in a repo", "init_repo:run",
         (arg("directory", nargs="?", default="."),)),
)


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2, our format) instead of printing and exiting."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}", hint=f"see `{self.prog} --help`")


def _subparsers(parser, dest: str, metavar: str):
    sub = parser.add_subparsers(dest=dest, parser_class=_Parser, metavar=metavar)
    sub.required = True
    return sub


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="genesys", description="Build and deploy AWS Lambda functions from TOML files.")
    parser.add_argument("--debug", action="store_true", help="full logs and tracebacks")
    top = _subparsers(parser, "command", "COMMAND")
    groups = {}
    for verb in VERBS:
        where = top
        if len(verb.words) > 1:
            group = verb.words[0]
            if group not in groups:
                groups[group] = _subparsers(top.add_parser(group, help=GROUPS[group]), f"{group}_command", "ACTION")
            where = groups[group]
        p = where.add_parser(verb.words[-1], help=verb.help)
        for argument in verb.args:
            argument.add_to(p)
        p.set_defaults(run=verb.run)
    return parser


def dispatch(args) -> int:
    """Run the command ``args.run`` names (``module:function`` under genesys_tasks.commands).

    ``--stage`` becomes ``GENESYS_STAGE``, so every load of the command (its doit tasks too) sees it.
    """
    if getattr(args, "stage", None):
        os.environ["GENESYS_STAGE"] = args.stage
    module, function = args.run.split(":")
    return getattr(importlib.import_module(f"{__package__}.commands.{module}"), function)(args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ui.debug_enabled = "--debug" in argv
    if ui.debug_enabled:
        os.environ["GENESYS_DEBUG"] = "1"  # the build's switch (build/toolrun.debug_enabled) too
    ui.show_logs()
    try:
        return dispatch(build_parser().parse_args(argv))
    except GenesysError as err:
        if ui.debug_enabled:
            import traceback

            traceback.print_exc()
        ui.error(err.render())
        return err.exit_code
    except KeyboardInterrupt:
        ui.error("interrupted")
        return 130
    except Exception:  # noqa: BLE001 - the last line of defence: say it is a bug, not the user's fault
        if ui.debug_enabled:
            raise
        import traceback

        ui.error("genesys hit an internal error (a bug); run again with --debug for the traceback:\n"
                 + traceback.format_exc(limit=1).strip().splitlines()[-1])
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
