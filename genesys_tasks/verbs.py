"""The subcommands of ``genesys``, one table (``VERBS``): the words that name each, its help, its
arguments (``Arg`` rows, shared ones named once: ``TOML``, ``OUTPUT``, ``SANDBOX``, ``STAGE``,
``AWS_TARGET``...), and the ``commands`` module and function that run it (``command``).
``cli`` builds the parser from it; ``genesys completion`` writes its scripts from that parser.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass

SHELLS = ("bash", "zsh", "fish")


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
    """One subcommand: ``words`` (``("cache", "ls")``), its help, arguments, and ``module:function``.

    ``more`` names a ``module:function`` in commands that returns further arguments as
    (names, options) pairs, for a command whose flags come from a table of its own."""

    words: tuple[str, ...]
    help: str
    run: str
    args: tuple[Arg, ...] = ()
    more: str = ""

    def all_args(self) -> tuple[Arg, ...]:
        if not self.more:
            return self.args
        return self.args + tuple(Arg(names, options) for names, options in command(self.more)())


def region_option(text: str) -> str:
    """``--region``'s argparse type: checked as ``[deployment] region`` is (config/regions, loaded only
    when the flag is given)."""
    from .config.regions import region_option as checked

    return checked(text)


OUTPUT = arg("--output", choices=("text", "json"), default="text", help="json prints machine-readable output on stdout")
SANDBOX = arg("--sandbox", action="store_true",
              help="use the embedded AWS emulator (the running `genesys sandbox`, else a new one)")
TOML = arg("toml", nargs="?", default=None, metavar="TOML",
           help="the function's lambda_*.toml (default: the only one in this folder)")
DEBUG = arg("--debug", action="store_true", default=argparse.SUPPRESS, help="full logs and tracebacks")
AWS_TARGET = (arg("--region", default=None, type=region_option, help="AWS region for this run (over the TOML and the environment)"),
              arg("--profile", default=None, help="AWS profile for this run (over the TOML and the environment)"))
LOCAL_RUN = (arg("--env-file", default=None, metavar="FILE", help="NAME=value lines (or SAM's JSON) over the function's environment"),
             arg("--timeout", type=float, default=None, metavar="S", help="seconds (default: the function's timeout)"),
             arg("--arch", choices=("x86_64", "arm64"), default=None, help="which build to run (default: the deployed one)"),
             arg("--pass-credentials", action="store_true", help="hand the function your AWS credentials"),
             arg("--client", choices=("auto", "official", "plain"), default="auto",
                 help="official runtime client (installed on first use), plain handler call, or auto: official if it installs"))
STAGE = arg("--stage", default=None, metavar="NAME",
            help="the [stages.NAME] of the TOML (function <name>-NAME); default: GENESYS_STAGE")
COMMIT = arg("--commit", default=None, metavar="SHA",
             help="the git commit being deployed, tagged on the function (genesys:commit); default: GENESYS_COMMIT")

CI_ARGS = (
    arg("--branch", default=None, help="the branch whose pushes deploy (default: the file's, else main)"),
    arg("--region", default=None, type=region_option,
        help="AWS region (default: the functions' [deployment] region, else us-east-1)"),
    arg("--auth", choices=("oidc", "keys", "env"), default=None,
        help="oidc: assume a role (default); keys: secrets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; "
             "env: the runner already has credentials"),
    arg("--role-arn", default=None, help="the role OIDC assumes (default: the CI variable GENESYS_ROLE_ARN)"),
    arg("--plan-role-arn", default=None,
        help="the read-only role plan jobs assume (default: GENESYS_PLAN_ROLE_ARN if set, else the deploy role)"),
    arg("--environment", action="append", metavar="NAME[=STAGE]",
        help="deploy through this environment (repeatable, in order), with --stage STAGE when given"),
    arg("--manual-environment", action="append", metavar="NAME",
        help="GitLab: deploys to this environment wait for a person (when: manual); GitHub: protect it instead"),
    arg("--install", default=None, metavar="CMD",
        help="the command that installs genesys in a job (default: the release or commit running now)"),
    arg("--cache-bucket", default=None, metavar="BUCKET", help="share the layer cache in s3://BUCKET/genesys-cache"),
    arg("--python", default=None, help="Python version of the jobs (default: the file's, else 3.12)"),
)
CI_FILE_ARGS = (
    arg("--out", default=None, help="where to write (default: the provider's standard path)"),
    arg("--check", action="store_true",
        help="write nothing; exit 1 when the file differs from what its recorded options would write"),
    arg("--force", action="store_true", help="overwrite a file with no genesys block or with edits inside it"),
)
GITLAB_IMAGE = (arg("--image", default=None, help="one image for every job (default: one per runtime; empty: none)"),
                *(arg(f"--image-{name}", default=None, metavar="IMAGE", help=f"the image of {name.title()} "
                      f"functions' jobs (default: {default})")
                  for name, default in (("python", "python:VERSION"), ("node", "node:VERSION-bookworm"),
                                        ("go", "golang:1-bookworm"), ("java", "maven:3-eclipse-temurin-VERSION"))))

GROUPS = {"lambda": "work on one function", "cache": "the shared layer cache",
          "config": "the AWS setup: write it, check it", "ci": "generated CI files and their AWS access"}
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
          arg("--replace", action="store_true", help="delete and create again a function Lambda cannot change "
                                                     "in place (zip ↔ image)"),
          arg("--keep-going", action="store_true", help="with [deployment] regions: deploy the other regions "
                                                        "when one fails"),
          OUTPUT, SANDBOX, STAGE, COMMIT, *AWS_TARGET)),
    Verb(("delete",), "delete what genesys deployed for a function", "delete:run",
         (TOML, arg("--yes", action="store_true", help="do not ask for confirmation"), OUTPUT, SANDBOX, STAGE,
          *AWS_TARGET)),
    Verb(("rollback",), "point the function's alias back at the previous version (or --to VERSION)",
         "rollback:run",
         (TOML, arg("--to", default=None, metavar="VERSION", help="the version to point the alias at"),
          arg("--dry-run", action="store_true", help="show what would change; change nothing"), OUTPUT, SANDBOX,
          STAGE, *AWS_TARGET)),
    Verb(("rollout",), "finish (--continue) or revert (--abort) a rollout `execute --no-wait` started",
         "rollout:run",
         (TOML, arg("--continue", dest="continue_", action="store_true", help="take the remaining steps"),
          arg("--abort", action="store_true", help="put the alias back on the old version"), SANDBOX, STAGE,
          *AWS_TARGET)),
    Verb(("cost",), "the function's monthly cost as configured, and on arm64 and bigger memory", "cost:run",
         (TOML, arg("--invocations", type=int, default=None, metavar="N", help="invocations a month"),
          arg("--duration-ms", type=int, default=None, metavar="D", help="average duration of one, in ms"),
          arg("--from-profile", action="store_true",
              help="duration, memory and architecture from the last `genesys profile` or `genesys tune`"),
          arg("--prices", default=None, metavar="FILE", help="a price table replacing genesys's own"),
          OUTPUT, STAGE, *AWS_TARGET)),
    Verb(("config", "verify"), "show account, region and identity; check Lambda and IAM answer", "verify:run",
         (arg("toml", nargs="?", default=None, help="use this function's [deployment] region and profile"),
          OUTPUT, SANDBOX, *AWS_TARGET)),
    Verb(("config", "setup"), "write the AWS shared config and credentials files (0600, other profiles kept)",
         "config_setup:run",
         (arg("--provider", default=None, choices=("aws",), help="asked in a terminal when left out"),
          arg("--region", default=None, help="asked in a terminal when left out"),
          arg("--profile", default=None, help="the profile to write (default: default)"),
          arg("--access-key", default=None, help="else AWS_ACCESS_KEY_ID"),
          arg("--secret-key", default=None, help="else AWS_SECRET_ACCESS_KEY (a command line lands in shell history)"))),
    Verb(("ci", "bootstrap-oidc"), "the OIDC provider and deploy role a GitHub or GitLab pipeline assumes "
         "(a dry run unless --apply)", "ci_oidc:run",
         (arg("--github", metavar="OWNER/REPO", default=None), arg("--gitlab", metavar="GROUP/PROJECT", default=None),
          arg("--branch", default=None, help="the branch that deploys (default: main)"),
          arg("--environment", default=None, help="GitHub: trust jobs in this environment instead of a branch"),
          arg("--gitlab-url", default="https://gitlab.com", help="a self-managed GitLab's URL"),
          arg("--role-name", default=None, help="default: genesys-ci-<owner>-<repo>"),
          arg("--pull-requests", action="store_true",
              help="also a read-only role <role>-plan that pull/merge request pipelines assume to plan"),
          arg("--cache-url", default=None, metavar="s3://BUCKET/PREFIX",
              help="let the role read and write the shared layer cache there"),
          arg("--root", default=".", metavar="DIR",
              help="the repo whose TOMLs name the functions and buckets the roles may touch (default: .)"),
          arg("--functions", action="append", default=None, metavar="PATTERN",
              help="name the repo's functions and layers by these patterns (e.g. shop-*) instead of one by one"),
          arg("--apply", action="store_true", help="create or update them (default: only show)"),
          arg("--adopt", action="store_true", help="take over a same-named provider or role genesys did not make"),
          OUTPUT, SANDBOX, *AWS_TARGET)),
    Verb(("sandbox",), "run the embedded AWS emulator until Ctrl-C", "sandbox:run"),
    Verb(("schema",), "print the JSON Schema of lambda TOML files (for editors)", "schema:run",
         (arg("--runtimes", action="store_true", help="the schema of genesys-runtimes.toml instead"),)),
    Verb(("runtimes",), "list the runtimes with their lifecycle dates and status today", "runtimes:run", (OUTPUT,)),
    Verb(("changed",), "list the functions whose build or deploy inputs changed since a commit", "changed:run",
         (arg("--since", default="HEAD", metavar="REF",
              help="the commit to compare with (default: HEAD); deployed: each function's deployed commit"),
          arg("--stages", default=None, metavar="S1,S2",
              help="with --since deployed: the stages the pipeline deploys, an empty item for none "
                   "(a function counts when it differs in any)"),
          arg("--output", choices=("text", "json", "matrix", "removed"), default="text",
              help="json: the full answer; matrix: the changed functions as one line of JSON; "
                   "removed: the removed TOMLs as one line of JSON"))),
    Verb(("ci", "github"), "write .github/workflows/genesys.yml (only changed functions run)", "ci:run",
         CI_ARGS + CI_FILE_ARGS),
    Verb(("ci", "gitlab"), "write .gitlab-ci.yml (only changed functions run)", "ci:run",
         CI_ARGS + CI_FILE_ARGS + GITLAB_IMAGE),
    Verb(("ci", "gitlab-child"), "write the GitLab child pipeline of the functions changed since REF",
         "ci:run_child", CI_ARGS + GITLAB_IMAGE + (arg("--since", required=True, metavar="REF|deployed"),
                                    arg("--removed-since", default="", metavar="REF",
                                        help="a manual delete job for each TOML removed since REF"),
                                    arg("--mode", choices=("plan", "deploy"), required=True),
                                    arg("--out", default="genesys-child.yml"))),
    Verb(("invoke",), "run the built function locally once, as Lambda would (--remote: the deployed one); "
         "result JSON on stdout", "invoke:run",
         (TOML, arg("--event", default=None, metavar="FILE",
                    help="the event as JSON: a file, - for stdin, or the JSON itself (default {})"),
          *LOCAL_RUN, arg("--memory", type=int, default=None, metavar="MB",
                          help="run as this memory size: Lambda's CPU share of it and its memory limit, where the "
                               "host allows cgroups (default: the TOML's size, no limits)"),
          arg("--remote", action="store_true", help="invoke the deployed function (its alias when set)"),
          arg("--container", action="store_true",
              help="an image function: run the built image itself with Podman, against genesys's Runtime API"),
          arg("--qualifier", default=None, metavar="Q", help="with --remote: this alias or version"),
          SANDBOX, STAGE, *AWS_TARGET)),
    Verb(("profile",), "where the function's cold start and bytes go, measured locally (cold starts, imports, "
         "warm runs, sizes)", "profile:run",
         (TOML, arg("--event", default=None, metavar="FILE",
                    help="the event as JSON: a file, - for stdin, or the JSON itself (default {})"),
          arg("--cold", type=int, default=5, metavar="N", help="fresh runtime processes (default 5)"),
          arg("--warm", type=int, default=50, metavar="M", help="invocations of one warm process (default 50)"),
          arg("--html", default=None, metavar="FILE", help="also write a self-contained HTML page (treemap, icicle)"),
          OUTPUT, *LOCAL_RUN)),
    Verb(("event",), "print a sample event (for `genesys invoke --event -`)", "event:run", more="event:arguments"),
    Verb(("serve",), "serve the function's URL on 127.0.0.1 (function-URL events, warm runtime)", "serve:run",
         (TOML, arg("--port", type=int, default=3000, help="0 picks a free port"),
          arg("--watch", action="store_true", help="rebuild and restart when the sources change"),
          arg("--host", action="append", metavar="NAME",
              help="also answer requests for this Host (repeat; *.example.test for its subdomains); "
                   "by default only localhost, 127.0.0.1, [::1] and *.localhost"), *LOCAL_RUN)),
    Verb(("interact",), "the wizard: a few questions about your code, then a lambda TOML", "interact:run",
         (arg("--replay", metavar="ANSWERS", help="write the TOML from answers saved by --save-answers; ask nothing"),
          arg("--save-answers", metavar="FILE", help="save the answers, to replay them later"),
          arg("--dir", default=".", help="where the TOML is written (default: here)"),
          arg("--force", action="store_true", help="with --replay: replace the TOML when it exists"))),
    Verb(("init",), "write a lambda TOML from flags, without questions (for scripts and CI)", "init:run",
         more="init:arguments"),
    Verb(("info",), "what is deployed for a function (or, without a TOML, each function of the repo)", "info:run",
         (arg("toml", nargs="?", default=None, help="the function's TOML (default: every function of the repo)"),
          OUTPUT, SANDBOX, STAGE, *AWS_TARGET)),
    Verb(("logs",), "the function's CloudWatch Logs (REPORT lines summarised, errors in red)", "logs:run",
         (TOML, arg("--since", default="10m", help="how far back: 30s, 10m, 2h, 1d or an ISO time (default: 10m)"),
          arg("--tail", action="store_true", help="keep following new lines until Ctrl-C"),
          arg("--filter", default=None, metavar="TEXT", help="only lines containing TEXT"),
          SANDBOX, STAGE, *AWS_TARGET)),
    Verb(("sync",), "put an edit live fast: code-only changes are one UpdateFunctionCode; --watch syncs each edit",
         "sync:run",
         (TOML, arg("--watch", action="store_true", help="sync after each change to the function's files"),
          arg("--force", action="store_true", help="sync a protected function or stage"),
          OUTPUT, SANDBOX, STAGE, COMMIT, *AWS_TARGET)),
    Verb(("tune",), "measure the deployed function at each memory size (and architecture): durations, cost, "
         "the cheapest, fastest and balanced pick", "tune:run",
         (TOML, arg("--memory", default=None, metavar="MB,MB",
                    help="the memory sizes to measure (default: 128,256,512,1024,1769,3008)"),
          arg("--arch", default=None, metavar="ARCH,ARCH",
              help="x86_64, arm64 or both (default: the deployed one; another needs its build)"),
          arg("--event", default=None, metavar="FILE",
              help="the event as JSON: a file, - for stdin, or the JSON itself (default {})"),
          arg("-n", type=int, default=10, metavar="N", help="invocations per setting (default: 10)"),
          arg("--write", action="store_true", help="set the balanced pick's memory_mb (and architecture) in the TOML"),
          arg("--force", action="store_true", help="tune a protected function or stage"),
          OUTPUT, SANDBOX, STAGE, *AWS_TARGET)),
    Verb(("completion",), "print a shell completion script (bash, zsh or fish) for genesys", "completion:run",
         (arg("shell", choices=SHELLS),)),
    Verb(("init-repo",), "write a dodo.py and ignore .genesys/ in a repo", "init_repo:run",
         (arg("directory", nargs="?", default="."),)),
)


def command(name: str):
    """The function ``module:function`` names under genesys_tasks.commands."""
    module, function = name.split(":")
    return getattr(importlib.import_module(f"{__package__}.commands.{module}"), function)
