"""``genesys execute X.toml``: build through the doit tasks, then deploy (or show the plan).

The options are parsed once into the deploy ``Session`` (deploy/session.py), which chooses
the executor (the real one, or for ``--dry-run`` one that shows the plan or, with
``--output json``, collects it as data), deploys in each region, records the role,
finishes a rollout and reports: the URL and API endpoint to people through ``ui``, or
JSON to stdout with ``--output json``. With ``--sandbox`` every AWS call goes to the
embedded emulator, which is said next to the URL since it does not serve it (with the
``genesys serve`` command that does), and the TOML is left as it is (an emulator's role
ARN means nothing in a real account).
"""

from __future__ import annotations

from pathlib import Path

from .. import paths
from ..errors import UsageError
from ..sandbox import within

DELETION = "deletion"  # `genesys execute deletion X.toml`, as the original CLI spelled delete


def run(args) -> int:
    if args.toml == DELETION:
        return _deletion(args)
    if args.deletion_toml is not None:
        raise UsageError(f"unexpected argument {args.deletion_toml!r}",
                         hint="genesys execute X.toml, or genesys execute deletion X.toml")
    if args.apply and args.dry_run:
        raise UsageError("--apply and --dry-run contradict each other", hint="pass one of them")
    from ..deploy.session import Options

    options = Options.from_args(args, adopt=args.adopt, wait=not args.no_wait, record_role=not args.sandbox,
                                dry_run=args.dry_run, json_output=args.output == "json",
                                keep_going=args.keep_going, replace=args.replace)
    return execute(Path(args.toml), options, sandbox=args.sandbox, stage=args.stage)


def _deletion(args) -> int:
    """The original CLI's `genesys execute deletion X.toml`: the same as `genesys delete X.toml`."""
    from ..tasks.removal import delete

    if args.deletion_toml is None:
        raise UsageError("`genesys execute deletion` needs the function's TOML file",
                         hint="genesys execute deletion lambda_x.toml (same as genesys delete lambda_x.toml)")
    if args.dry_run or args.apply:
        raise UsageError("`execute deletion` takes neither --dry-run nor --apply",
                         hint="it lists what it would delete and asks first; --yes skips the question")
    return delete(Path(args.deletion_toml), yes=args.yes, sandbox=args.sandbox, json_output=args.output == "json",
                  stage=args.stage, region=args.region, profile=args.profile)


def execute(toml: Path, options, *, sandbox: bool = False, stage: str | None = None) -> int:
    """Build the function, then deploy it (or show the plan with ``options.dry_run``).

    ``options`` (``deploy.session.Options``, made from the flags) choose what the deploy does:
    ``options.commit`` is the git commit being deployed, tagged on the function (``genesys:commit``).

    ``options.adopt`` lets genesys take over same-named resources it did not make (shown as
    ``adopt`` in the plan); the repo's other functions that share the role are handed
    to the planner, so the role carries the union of their needs.
    """
    from ..deploy import deployer
    from ..deploy.session import Session, tell
    from ..tasks.runner import load_spec, role_sharers_in_repo, run_tasks

    _, spec = load_spec(toml, stage=stage)  # with the project's own runtimes, as the build sees them
    deployer.resolve_environment(spec)  # an unset ${env:NAME} fails now, not after a long build
    session = Session(options)
    if not sandbox:  # the sandbox takes no profile
        session.check_profile(spec)  # nor does a profile that does not exist fail after it
    code = run_tasks(spec.path, ["build:{name}"], debug=options.debug, spec=spec)
    if code:
        return code
    root = paths.find_root(spec.path)
    with within(sandbox) as endpoint:
        deployment = session.deploy(spec, root, sharers=role_sharers_in_repo(spec, root))
    tell(deployment, options, sandboxed=endpoint is not None)  # one region's error was raised as it is
    if deployment.failure is not None:
        raise deployment.failure
    return 0
