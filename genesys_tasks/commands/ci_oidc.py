"""``genesys ci bootstrap-oidc``: the OIDC provider and deploy role a GitHub or GitLab pipeline assumes.

A dry run by default: it shows what would be created or changed; ``--apply`` makes it.
The role trusts only tokens of the given repository and branch (GitHub: or environment),
and may do what a genesys deploy does for the functions of the repo at ``--root`` and nothing
more (``deploy.ci_policies``). With ``--pull-requests`` a second, read-only role lets pull/merge
request pipelines plan. It prints the ARNs the pipeline names (``role-to-assume`` on GitHub,
``AWS_ROLE_ARN`` on GitLab), and the TOMLs whose roles lack the boundary the deploy role requires.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from .. import ui
from ..deploy.policies import OidcIssuer
from ..errors import UsageError
from ..sandbox import within as target

GITHUB_HOST, GITHUB_AUDIENCE = "token.actions.githubusercontent.com", "sts.amazonaws.com"
GITHUB_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")
GITLAB_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$")
REF = re.compile(r"^[^\s*?\[\]~^:\\]+$")


def issuer(args) -> tuple[OidcIssuer, str, tuple[str, ...]]:
    """The token issuer, the subject the deploy role trusts and those the plan role trusts.

    On GitHub the plan role serves pull requests and the ``changes`` job of a push or a schedule
    on the branch (no environment), which reads what is deployed with it; on GitLab any branch
    of the project, since its token cannot tell a merge request apart."""
    if bool(args.github) == bool(args.gitlab):
        raise UsageError("name one repository: --github OWNER/REPO or --gitlab GROUP/PROJECT")
    branch = args.branch or "main"
    if not REF.match(branch):
        raise UsageError(f"--branch {branch!r} is not a branch name", hint="e.g. --branch main")
    if args.github:
        if not GITHUB_REPO.match(args.github):
            raise UsageError(f"--github {args.github!r} is not OWNER/REPO", hint="e.g. --github my-org/my-repo")
        if args.environment is not None and not REF.match(args.environment):
            raise UsageError(f"--environment {args.environment!r} is not an environment name",
                             hint="name one environment, e.g. --environment production (no wildcards)")
        if args.environment and args.branch:
            raise UsageError("--branch and --environment together: a job in an environment gets a token naming "
                             "the environment, not the branch",
                             hint="give --environment and limit its branches in the environment's deployment "
                             "branch rules on GitHub, or give --branch alone")
        subject = (f"repo:{args.github}:environment:{args.environment}" if args.environment
                   else f"repo:{args.github}:ref:refs/heads/{branch}")
        plans = (f"repo:{args.github}:pull_request", f"repo:{args.github}:ref:refs/heads/{branch}")
        return OidcIssuer(GITHUB_HOST, GITHUB_AUDIENCE), subject, plans
    if not GITLAB_PATH.match(args.gitlab):
        raise UsageError(f"--gitlab {args.gitlab!r} is not GROUP/PROJECT", hint="e.g. --gitlab my-group/my-project")
    if args.environment:
        raise UsageError("--environment is for GitHub: a GitLab token's subject names the project and branch only, "
                         "and IAM can check nothing else", hint="use --branch with a protected branch")
    url = urlparse(args.gitlab_url)
    if url.scheme != "https" or not url.netloc or url.query or url.fragment:
        raise UsageError(f"--gitlab-url {args.gitlab_url!r} is not an https URL", hint="e.g. https://gitlab.example.com")
    host = url.netloc + url.path.rstrip("/")
    project = f"project_path:{args.gitlab}:ref_type:branch:ref:"
    return OidcIssuer(host, f"https://{host}"), project + branch, (project + "*",)  # merge requests: any branch


def role_name(args) -> str:
    if args.role_name:
        return args.role_name
    repo = args.github or args.gitlab
    return re.sub(r"[^\w+=,.@-]", "-", f"genesys-ci-{repo}")[:64]


def access(args, scope=None):
    """What ``args`` asks for, as a ``deploy.ci_oidc.CiAccess``, for what ``scope`` (a
    ``ci_policies.RepoScope``) names; bad input is refused here."""
    from ..config.cache_url import parse
    from ..deploy.ci_oidc import CiAccess, CiRole
    from ..deploy.ci_policies import RepoScope
    from ..errors import Where

    found, deploys, plans = issuer(args)
    cache = parse(args.cache_url, Where(key="--cache-url")) if args.cache_url else None
    repo, name = args.github or args.gitlab, role_name(args)
    roles = [CiRole(name, (deploys,), True, f"genesys deploys from CI for {repo} (OIDC)", "role_arn")]
    if args.pull_requests:
        roles.append(CiRole(f"{name[:59]}-plan", plans, False,
                            f"genesys plans (read-only) on pull requests of {repo} (OIDC)", "plan_role_arn"))
    return CiAccess(found, tuple(roles), (cache.bucket, cache.prefix) if cache else None, scope or RepoScope())


PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,}[A-Za-z0-9_*-]*$")  # three characters before any *: never everything


def by_patterns(scope, patterns: list[str]):
    """``scope`` with its functions and layers named by ``patterns`` (``--functions``), once every
    function and layer of the repo is checked to match one."""
    from dataclasses import replace
    from fnmatch import fnmatchcase

    from ..deploy.triggers.schedule import rule_base_of

    for pattern in patterns:
        if not PATTERN.match(pattern):
            raise UsageError(f"--functions {pattern!r} is not a name pattern",
                             hint="letters, digits, - and _, then * (at least three characters first), e.g. shop-*")
    for kind, names in (("function", scope.functions), ("layer", scope.layers)):
        unmatched = [n for n in names if not any(fnmatchcase(n, p) for p in patterns)]
        if unmatched:
            raise UsageError(f"the {kind} {unmatched[0]!r} matches none of --functions {' '.join(patterns)}",
                             hint="add a pattern for it, or rename it so the patterns cover the repo")
    # schedule rules by the patterns too, and by name those of functions too long to name them (a hash)
    rules = {rule_base_of(p) for p in patterns} | {b for b in scope.rule_bases
                                                    if not any(fnmatchcase(b, f"genesys-{p}") for p in patterns)}
    return replace(scope, functions=tuple(patterns), layers=tuple(patterns), rule_bases=tuple(sorted(rules)))


def repo_specs(root: Path) -> list:
    """The functions of the repo at ``root``, as ``genesys ci github|gitlab`` finds them, and each
    ``[stages.<name>]`` of their TOMLs (a stage's function has a name of its own)."""
    from ..cicd.changed import load_project
    from ..config import discovery_pattern, load, today_default
    from ..config.loader import read_toml
    from ..config.runtimes_file import load_registry

    specs = load_project(root, discovery_pattern(), ui.warn)
    registry = load_registry(root)
    staged = [load(spec.path, registry=registry, today=today_default(), sources=False, stage=stage)
              for spec in specs for stage in sorted(read_toml(spec.path)[1].get("stages") or {})
              if stage != spec.stage]
    return specs + staged


def _unbounded(specs) -> list:
    """The functions whose roles the CI deploy role could not create: no ``genesys-lambda-boundary``."""
    from ..deploy.ci_policies import BOUNDARY

    return [s for s in specs if s.iam.auto_manage
            and (s.iam.permissions_boundary or "").rsplit("/", 1)[-1] != BOUNDARY]


def run(args) -> int:
    from dataclasses import replace

    from ..aws.target import target_for
    from ..deploy.ci_oidc import plan_for
    from ..deploy.ci_policies import BOUNDARY, RepoScope
    from ..deploy.session import Session
    from ..deploy.executor import CollectingExecutor, DisplayExecutor, Executor

    if not Path(args.root).is_dir():
        raise UsageError(f"--root {args.root} is not a folder", hint="name the repo whose TOMLs the roles serve")
    specs = repo_specs(Path(args.root))
    scope = RepoScope.of(specs)
    wanted = access(args, by_patterns(scope, args.functions) if args.functions else scope)
    json_output = args.output == "json"
    with target(args.sandbox):
        where = target_for(args.region, args.profile)
        clients = Session().clients_at(replace(where, region=where.region or "us-east-1"))  # IAM is global
        plan = plan_for(clients, wanted, adopt=args.adopt)
        if not json_output:
            DisplayExecutor(ui.plan_line).run(plan)
        known = (Executor(clients, progress=ui.progress) if args.apply else CollectingExecutor()).run(plan)
    if json_output:
        ui.emit_json({"applied": args.apply, **{k: v for k, v in known.items() if k.endswith("_arn")},
                      "trusts": {role.output: list(role.subjects) for role in wanted.roles},
                      "changes": [c.as_dict() for c in plan.changes]})
        return 0
    if not args.apply:
        ui.info("dry run: nothing was changed; run again with --apply to make it")
    ui.info(f"the roles name the {len({s.name for s in specs})} functions under {args.root}: run this again "
            "after adding a function or a bucket")
    for path in sorted({spec.path for spec in _unbounded(specs)}):
        ui.warn(f"{path}: the CI role creates and changes only roles with a permissions boundary; add "
                f'permissions_boundary = "{BOUNDARY}" under [iam]')
    name = "role-to-assume" if args.github else "AWS_ROLE_ARN"
    for role in wanted.roles:
        ui.info(f"{'deploys' if role.deploys else 'plans'} ({', '.join(role.subjects)}): "
                f"{name}: {known[role.output]}")
    return 0
