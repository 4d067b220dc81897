"""The ``genesys`` command: parse arguments, call the library, turn errors into exit codes.

Thin on purpose: each subcommand is a small function that calls into the package.
A ``GenesysError`` becomes its message and exit code; only ``--debug`` shows a
traceback. Heavy modules are imported inside the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ui
from .errors import EXIT_BAD_INPUT, EXIT_FAILED, GenesysError, UsageError

DELETION = "deletion"  # `genesys execute deletion X.toml`, as the original CLI spelled delete


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2, our format) instead of printing and exiting."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}", hint=f"see `{self.prog} --help`")


def _add_output(parser):
    parser.add_argument("--output", choices=("text", "json"), default="text",
                        help="json prints machine-readable output on stdout")


def cmd_detect(args) -> int:
    from .commands.detect import run

    return run(Path(args.directory), json_output=args.output == "json")


def cmd_lambda_build(args) -> int:
    from .runner import build_one

    return build_one(Path(args.toml), debug=args.debug, json_output=args.output == "json")


def cmd_cache(args) -> int:
    from .build.cache import LayerCache
    from .paths import cache_dir

    cache = LayerCache(cache_dir())
    if args.cache_command == "ls":
        entries = cache.entries()
        if args.output == "json":
            ui.emit_json([{"key": e.key, "path": str(e.path), "size": e.size, "created": e.created, **e.meta}
                          for e in entries])
        else:
            for e in entries:
                ui.info(f"{e.key[:16]}  {e.size / 1e6:8.2f} MB  {e.meta.get('runtime', '?'):<14} "
                        f"{e.meta.get('arch', '?'):<7} {e.meta.get('manifest', '')}")
            ui.info(f"{len(entries)} layer(s) in {cache.root}")
        return 0
    removed = cache.prune(args.older_than)
    ui.success(f"removed {len(removed)} cached layer(s), {sum(e.size for e in removed) / 1e6:.1f} MB")
    return 0


def _project_registry(start: Path | None = None):
    """The runtimes of the project holding ``start`` (default: the current folder)."""
    from .config.runtimes_file import load_registry
    from .paths import find_root

    return load_registry(find_root((start or Path.cwd()).absolute()))


def cmd_schema(args) -> int:
    from .config.json_schema import function_schema, runtimes_schema

    ui.emit_json(runtimes_schema() if args.runtimes else function_schema(_project_registry()))
    return 0


def cmd_runtimes(args) -> int:
    from .config import today_default

    today = today_default()
    rows = [{"id": r.id, "language": r.language, "version": r.version, "status": r.status(today),
             "deprecation": r.deprecation, "block_create": r.block_create, "block_update": r.block_update,
             "replacement": r.replacement or None} for r in _project_registry().all()]
    if args.output == "json":
        ui.emit_json({"today": today, "runtimes": rows})
        return 0
    ui.info(f"{'runtime':<16}{'status':<16}{'deprecation':<13}{'block create':<14}{'block update':<14}replacement")
    for row in rows:
        dates = [str(row[k] or "-") for k in ("deprecation", "block_create", "block_update")]
        ui.info(f"{row['id']:<16}{row['status']:<16}{dates[0]:<13}{dates[1]:<14}{dates[2]:<14}"
                f"{row['replacement'] or ''}")
    ui.info(f"status as of {today.isoformat()}")
    return 0


def cmd_init_repo(args) -> int:
    from .repo import init_repo

    init_repo(Path(args.directory))
    return 0


def cmd_execute(args) -> int:
    from .deploy.commands import execute

    if args.toml == DELETION:  # the original CLI's `genesys execute deletion X.toml`
        if args.deletion_toml is None:
            raise UsageError("`genesys execute deletion` needs the function's TOML file",
                             hint="genesys execute deletion lambda_x.toml (same as genesys delete lambda_x.toml)")
        if args.dry_run or args.apply:
            raise UsageError("`execute deletion` takes neither --dry-run nor --apply",
                             hint="it lists what it would delete and asks first; --yes skips the question")
        args.toml = args.deletion_toml
        return cmd_delete(args)
    if args.deletion_toml is not None:
        raise UsageError(f"unexpected argument {args.deletion_toml!r}",
                         hint="genesys execute X.toml, or genesys execute deletion X.toml")
    if args.apply and args.dry_run:
        raise UsageError("--apply and --dry-run contradict each other", hint="pass one of them")
    return execute(Path(args.toml), dry_run=args.dry_run, json_output=args.output == "json",
                   sandbox=args.sandbox, debug=args.debug, adopt=args.adopt)


def cmd_delete(args) -> int:
    from .deploy.commands import delete

    return delete(Path(args.toml), yes=args.yes, sandbox=args.sandbox, json_output=args.output == "json")


def cmd_config_verify(args) -> int:
    from .deploy.verify import command

    return command(Path(args.toml) if args.toml else None, sandbox=args.sandbox, json_output=args.output == "json")


def cmd_sandbox(args) -> int:
    from .sandbox import serve

    return serve()


def _add_sandbox(parser):
    parser.add_argument("--sandbox", action="store_true",
                        help="use the embedded AWS emulator (the running `genesys sandbox`, else a new one)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="genesys", description="Build and deploy AWS Lambda functions from TOML files.")
    parser.add_argument("--debug", action="store_true", help="full logs and tracebacks")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("detect", help="print the runtime and handler found in a folder")
    p.add_argument("directory")
    _add_output(p)
    p.set_defaults(func=cmd_detect)

    lam = sub.add_parser("lambda", help="work on one function")
    lam_sub = lam.add_subparsers(dest="lambda_command", parser_class=_Parser, metavar="ACTION")
    lam_sub.required = True
    p = lam_sub.add_parser("build", help="build a function's layer and zip (nothing remote)")
    p.add_argument("toml")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="full build logs")
    _add_output(p)
    p.set_defaults(func=cmd_lambda_build)

    p = sub.add_parser("cache", help="the shared layer cache")
    cache_sub = p.add_subparsers(dest="cache_command", parser_class=_Parser, metavar="ACTION")
    cache_sub.required = True
    c = cache_sub.add_parser("ls", help="list cached layers")
    _add_output(c)
    c.set_defaults(func=cmd_cache)
    c = cache_sub.add_parser("prune", help="remove cached layers")
    c.add_argument("--older-than", type=float, default=None, metavar="DAYS",
                   help="only those created more than DAYS ago (default: all)")
    c.set_defaults(func=cmd_cache)

    p = sub.add_parser("execute", help="build and deploy a function; prints its URL "
                                       "(`execute deletion X.toml` deletes it)")
    p.add_argument("toml")
    p.add_argument("deletion_toml", nargs="?", default=None, help=argparse.SUPPRESS)
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--apply", action="store_true", help="deploy (the default; kept for the original CLI)")
    p.add_argument("--yes", action="store_true", help="with `execute deletion`: do not ask for confirmation")
    p.add_argument("--adopt", action="store_true", help="take over same-named resources genesys did not make")
    _add_output(p)
    _add_sandbox(p)
    p.set_defaults(func=cmd_execute)

    p = sub.add_parser("delete", help="delete what genesys deployed for a function")
    p.add_argument("toml")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_output(p)
    _add_sandbox(p)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("config", help="check the AWS setup")
    config_sub = p.add_subparsers(dest="config_command", parser_class=_Parser, metavar="ACTION")
    config_sub.required = True
    c = config_sub.add_parser("verify", help="show account, region and identity; check Lambda and IAM answer")
    c.add_argument("toml", nargs="?", default=None, help="use this function's [deployment] region and profile")
    _add_output(c)
    _add_sandbox(c)
    c.set_defaults(func=cmd_config_verify)

    p = sub.add_parser("sandbox", help="run the embedded AWS emulator until Ctrl-C")
    p.set_defaults(func=cmd_sandbox)

    p = sub.add_parser("schema", help="print the JSON Schema of lambda TOML files (for editors)")
    p.add_argument("--runtimes", action="store_true", help="the schema of genesys-runtimes.toml instead")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("runtimes", help="list the runtimes with their lifecycle dates and status today")
    _add_output(p)
    p.set_defaults(func=cmd_runtimes)

    p = sub.add_parser("init-repo", help="write a dodo.py and ignore .genesys/ in a repo")
    p.add_argument("directory", nargs="?", default=".")
    p.set_defaults(func=cmd_init_repo)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ui.debug_enabled = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
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
