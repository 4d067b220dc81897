"""What a generated CI file says, as plain data built in Python: the template model.

``CiOptions`` is what the user chose (branch, region, auth, role, environments, install
command, image, cache bucket, Python version); ``model`` adds what genesys knows about
the repo (its functions, which need Podman, the lock files caches are keyed by, the
genesys version) and returns the one dict every template renders from. Templates take
no decision the model could take: a value a template needs and the model lacks is a
render error (``StrictUndefined``), never a blank.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..config import FunctionSpec
from ..errors import UsageError
from ..languages import TABLE

AUTH_CHOICES = ("oidc", "keys", "env")
DEFAULT_REGION = "us-east-1"
DEFAULT_ROLE = {"github": "${{ vars.GENESYS_ROLE_ARN }}", "gitlab": "$GENESYS_ROLE_ARN"}
# Plan jobs (pull and merge requests) assume the read-only role `genesys ci bootstrap-oidc
# --pull-requests` makes, when the CI variable GENESYS_PLAN_ROLE_ARN names it; a deploy role
# trusted for the main branch only would refuse their tokens. GitLab picks it in the job's shell.
DEFAULT_PLAN_ROLE = {"github": "${{ vars.GENESYS_PLAN_ROLE_ARN || vars.GENESYS_ROLE_ARN }}",
                     "gitlab": "$GENESYS_ROLE_ARN"}
CACHE_PREFIX = "genesys-cache"
# Where jobs keep their caches, under the project folder (GitLab caches nothing outside it);
# .genesys/ is genesys's own folder: no TOML discovery or source walk looks inside it.
CACHE_DIR = ".genesys/ci-cache"


@dataclass(frozen=True)
class CiOptions:
    """The choices of ``genesys ci github|gitlab``."""

    branch: str = "main"
    region: str | None = None  # None: the functions' common [deployment] region, else us-east-1
    auth: str = "oidc"
    role_arn: str | None = None  # None: a CI variable (GENESYS_ROLE_ARN)
    plan_role_arn: str | None = None  # None: GENESYS_PLAN_ROLE_ARN if set, else the deploy role
    environments: tuple[str, ...] = ()
    install: str | None = None  # None: pip install of the genesys version that renders
    image: str | None = None  # GitLab job image; None: python:<python>; "" : none (the runner's shell)
    cache_bucket: str | None = None
    python: str = "3.12"

    def __post_init__(self):
        if self.auth not in AUTH_CHOICES:
            raise UsageError(f"--auth {self.auth}: not one of {', '.join(AUTH_CHOICES)}",
                             hint="oidc (the default) assumes a role; keys reads secrets; env uses the runner's")

    def child_args(self) -> str:
        """These options as the ``genesys ci gitlab-child`` arguments that reproduce them."""
        words = ["--branch", self.branch, "--auth", self.auth, "--python", self.python]
        for flag, value in (("--region", self.region), ("--role-arn", self.role_arn), ("--plan-role-arn", self.plan_role_arn),
                            ("--install", self.install),
                            ("--image", self.image), ("--cache-bucket", self.cache_bucket)):
            if value is not None:
                words += [flag, value]
        for name in self.environments:
            words += ["--environment", name]
        return shlex.join(words)


@dataclass(frozen=True)
class FunctionRow:
    """One function as a job sees it."""

    name: str
    toml: str  # relative to the repo root, POSIX
    podman: bool
    cache_files: tuple[str, ...] = field(default=())  # at most two files a job's cache is keyed by


def lock_patterns() -> list[str]:
    """Glob patterns of every manifest and lock file a layer is built from, from the language table."""
    names = dict.fromkeys(name for row in TABLE for name in row.manifests + row.lock_files)
    return [f"**/{name}" for name in names]


def _region(specs: list[FunctionSpec], chosen: str | None) -> str:
    if chosen:
        return chosen
    regions = {spec.deployment.region for spec in specs if spec.deployment.region}
    return regions.pop() if len(regions) == 1 else DEFAULT_REGION


def _cache_files(spec: FunctionSpec, root: Path) -> tuple[str, ...]:
    manifest = spec.build.requirements_file
    if manifest is None:
        return ()
    found = [manifest] + [manifest.parent / name for name in spec.runtime.language_row.lock_files
                          if (manifest.parent / name).is_file()]
    return tuple(Path(path).resolve().relative_to(root.resolve()).as_posix() for path in found[:2])


def rows(specs: list[FunctionSpec], root: Path) -> list[FunctionRow]:
    """The functions as rows, by name."""
    return [FunctionRow(spec.name, Path(spec.path).resolve().relative_to(root.resolve()).as_posix(),
                        spec.build.build_method == "podman", _cache_files(spec, root))
            for spec in sorted(specs, key=lambda s: s.name)]


def model(provider: str, specs: list[FunctionSpec], root: Path, options: CiOptions, *,
          mode: str = "deploy", since: str = "") -> dict:
    """The dict a template renders: ``provider`` is github, gitlab or gitlab-child."""
    functions = rows(specs, root)
    return {
        "provider": provider,
        "version": __version__,
        "functions": functions,
        "podman": any(row.podman for row in functions),
        "branch": options.branch,
        "region": _region(specs, options.region),
        "auth": options.auth,
        "role_arn": options.role_arn or DEFAULT_ROLE[_family(provider)],
        "plan_role_arn": options.plan_role_arn or options.role_arn or DEFAULT_PLAN_ROLE[_family(provider)],
        "plan_role_from_variable": options.plan_role_arn is None and options.role_arn is None,
        "environments": list(options.environments),
        "install": options.install or f"pip install genesys=={__version__}",
        "image": f"python:{options.python}" if options.image is None else options.image,
        "cache_url": f"s3://{options.cache_bucket}/{CACHE_PREFIX}" if options.cache_bucket else "",
        "cache_dir": CACHE_DIR,
        "python": options.python,
        "lock_patterns": lock_patterns(),
        "child_args": options.child_args(),
        "jobs": stages("plan", []) + stages("deploy", list(options.environments)),
        "child_stages": stages(mode, list(options.environments)),
        "mode": mode,
        "since": since,
    }


def _family(provider: str) -> str:
    return "github" if provider == "github" else "gitlab"


def _job_id(environment: str) -> str:
    return "deploy-" + re.sub(r"[^A-Za-z0-9_-]+", "-", environment).strip("-").lower()


def stages(verb: str, environments: list[str]) -> list[dict]:
    """The jobs of one kind (plan, deploy) in order: one per environment, each after the one before."""
    if verb == "plan":
        return [{"id": "plan", "verb": "plan", "suffix": "", "environment": "", "event": "pull_request",
                 "needs": "changes", "stage": "genesys-plan"}]
    if not environments:
        return [{"id": "deploy", "verb": "deploy", "suffix": "", "environment": "", "event": "push",
                 "needs": "changes", "stage": "genesys-deploy"}]
    found, previous = [], ""
    for environment in environments:
        job_id = _job_id(environment)
        found.append({"id": job_id, "verb": "deploy", "suffix": f" ({environment})", "environment": environment,
                      "event": "push", "needs": f"[changes, {previous}]" if previous else "changes",
                      "stage": f"genesys-{job_id}"})
        previous = job_id
    return found
