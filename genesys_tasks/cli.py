"""The ``genesys`` command: parse the arguments, call one command, turn errors into exit codes.

The subcommands are one table (``verbs.VERBS``): the words that name each, its help, its
arguments, and the ``commands`` module and function that run it. Command modules are
imported only when they run, so ``genesys --help`` stays light. A ``GenesysError``
becomes its message and exit code; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys

from . import ui
from .errors import EXIT_FAILED, GenesysError, UsageError
from .verbs import DEBUG, GROUPS, TOML, VERBS, command

DISTRIBUTIONS = ("genesys-lambda", "genesys")  # the distribution's name, and its name before


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2, our format: two lines) instead of printing and exiting,
    naming the closest command or flag when a word is mistyped."""

    leaves: dict  # the top parser's: the words of each command → its parser

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}", hint=_suggestion(message) or f"see `{self.prog} --help`")

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            leaf = getattr(self, "leaves", {}).get(getattr(parsed, "words", None), self)
            flags = [s for action in leaf._actions for s in action.option_strings]
            close = next((m for word in extras for m in difflib.get_close_matches(word, flags, n=1)), None)
            hint = f"did you mean {close}?" if close else f"see `{leaf.prog} --help`"
            raise UsageError(f"{leaf.prog}: unrecognized arguments: {' '.join(extras)}", hint=hint)
        return parsed


def _suggestion(message: str) -> str | None:
    """'did you mean X?' for argparse's invalid-choice message, when a choice is close."""
    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not found:
        return None
    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1)
    return f"did you mean {close[0]!r}?" if close else None


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, read only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        shown = "unknown (not installed)"
        for distribution in DISTRIBUTIONS:
            try:
                shown = version(distribution)
                break
            except PackageNotFoundError:
                continue
        print(f"genesys {shown}")
        parser.exit()


def _subparsers(parser, dest: str, metavar: str):
    sub = parser.add_subparsers(dest=dest, parser_class=_Parser, metavar=metavar)
    sub.required = True
    return sub


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="genesys", description="Build and deploy AWS Lambda functions from TOML files.")
    parser.add_argument("--debug", action="store_true", help="full logs and tracebacks")
    parser.add_argument("--version", action=_Version, help="print genesys's version")
    parser.leaves = {}
    top = _subparsers(parser, "command", "COMMAND")
    groups = {}
    for verb in VERBS:
        where = top
        if len(verb.words) > 1:
            group = verb.words[0]
            if group not in groups:
                group_parser = top.add_parser(group, help=GROUPS[group])
                DEBUG.add_to(group_parser)
                groups[group] = _subparsers(group_parser, f"{group}_command", "ACTION")
            where = groups[group]
        p = where.add_parser(verb.words[-1], help=verb.help)
        arguments = verb.all_args()
        for argument in arguments:
            argument.add_to(p)
        if not any("--debug" in a.names for a in arguments):
            DEBUG.add_to(p)  # accepted after the command name as before it
        p.set_defaults(run=verb.run, words=verb.words, find_toml=TOML in arguments)
        parser.leaves[verb.words] = p
    return parser


def dispatch(args) -> int:
    """Run the command ``args.run`` names (``module:function`` under genesys_tasks.commands).

    A command with ``--stage`` gets ``GENESYS_STAGE`` as its default, read here once; the command
    hands ``args.stage`` to what it loads. One with ``--commit`` gets ``GENESYS_COMMIT`` the same way
    (its deploy session's ``Options.commit``).
    """
    if hasattr(args, "stage") and not args.stage:
        from .config.stages import STAGE_ENV

        args.stage = os.environ.get(STAGE_ENV) or None
    if hasattr(args, "commit") and not args.commit:
        from .deploy.session import COMMIT_ENV

        args.commit = os.environ.get(COMMIT_ENV, "")
    if getattr(args, "find_toml", False) and args.toml is None:
        from .config.obvious import only_toml

        args.toml = str(only_toml(command=f"genesys {' '.join(args.words)}"))
    return command(args.run)(args)


def relative(text: str) -> str:
    """``text`` with paths under the current folder named relative to it, as the user typed them."""
    here = os.getcwd().rstrip(os.sep) + os.sep
    return text.replace(here, "") if len(here) > 1 else text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ui.show_logs(debug="--debug" in argv)  # the build's switch too (build/toolrun.debug_enabled)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.parser = parser  # `genesys completion` writes its scripts from the tree
        return dispatch(args)
    except GenesysError as err:
        if ui.debug_enabled and not isinstance(err, UsageError):  # a usage error is two lines, --debug or not
            import traceback

            traceback.print_exc()
        ui.error(relative(err.render()))
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
