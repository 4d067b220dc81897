"""What a generated CI file says, as plain data built in Python: the template model.

``CiOptions`` is what the user chose (branch, region, auth, role, environments, install
command, image, cache bucket, Python version); ``model`` adds what genesys knows about
the repo (its functions, which need Podman, the lock files caches are keyed by, the
genesys version) and returns the one dict every template renders from. Templates take
no decision the model could take: a value a template needs and the model lacks is a
render error (``StrictUndefined``), never a blank.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import tomllib
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path

from .. import __version__
from ..config import FunctionSpec
from ..errors import UsageError
from ..languages import TABLE
from .changed import stages_of, takes_stage
from .values import check_branch, check_path, parse_environment, quote

AUTH_CHOICES = ("oidc", "keys", "env")
DEFAULT_REGION = "us-east-1"
DEFAULT_ROLE = {"github": "${{ vars.GENESYS_ROLE_ARN }}", "gitlab": "$GENESYS_ROLE_ARN"}
# Plan jobs (pull and merge requests) assume the read-only role `genesys ci bootstrap-oidc
# --pull-requests` makes, when the CI variable GENESYS_PLAN_ROLE_ARN names it; a deploy role
# trusted for the main branch only would refuse their tokens. GitLab picks it in the job's shell.
DEFAULT_PLAN_ROLE = {"github": "${{ vars.GENESYS_PLAN_ROLE_ARN || vars.GENESYS_ROLE_ARN }}",
                     "gitlab": "$GENESYS_ROLE_ARN"}
CACHE_PREFIX = "genesys-cache"
MATRIX_LIMIT = 256  # jobs in one GitHub Actions matrix: more changed functions are split over several jobs
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
    environments: tuple[str, ...] = ()  # NAME or NAME=STAGE, in deploy order
    manual_environments: tuple[str, ...] = ()  # GitLab: their deploy jobs wait for a person (when: manual)
    install: str | None = None  # None: the line that installs this genesys (cicd.install), never recorded
    image: str | None = None  # GitLab: one image for every job; None: per runtime (IMAGES); "": none (shell)
    image_python: str | None = None  # GitLab: the image of Python functions' jobs (None: python:<python>)
    image_node: str | None = None  # ... of Node functions' (None: node:<version>-bookworm)
    image_go: str | None = None  # ... of Go functions' (None: golang:1-bookworm)
    image_java: str | None = None  # ... of Java functions' (None: maven:3-eclipse-temurin-<version>)
    cache_bucket: str | None = None
    python: str = "3.12"

    def __post_init__(self):
        if self.auth not in AUTH_CHOICES:
            raise UsageError(f"--auth {self.auth}: not one of {', '.join(AUTH_CHOICES)}",
                             hint="oidc (the default) assumes a role; keys reads secrets; env uses the runner's")
        check_branch(self.branch)
        names = [parse_environment(text)[0] for text in self.environments]
        if len(set(names)) != len(names):
            raise UsageError(f"--environment names one environment twice: {', '.join(self.environments)}",
                             hint="each environment once, in deploy order (NAME=STAGE picks its stage)")
        for name in self.manual_environments:
            if name not in names:
                raise UsageError(f"--manual-environment {name!r} is not one of the --environment names",
                                 hint=f"one of: {', '.join(names) or '(none: add --environment NAME first)'}")

    def record(self) -> dict:
        """The options that differ from the defaults, as the file records them (JSON-able)."""
        default = CiOptions()
        return {f.name: list(value) if isinstance(value, tuple) else value for f in fields(self)
                if (value := getattr(self, f.name)) != getattr(default, f.name)}

    @classmethod
    def from_record(cls, recorded: dict, given: dict) -> "CiOptions":
        """The recorded options, with those ``given`` on the command line (not None) on top."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in recorded.items() if k in known}
        values.update({k: v for k, v in given.items() if v is not None})
        for name in ("environments", "manual_environments"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)

    def child_args(self) -> str:
        """These options as the ``genesys ci gitlab-child`` arguments that reproduce them."""
        words = ["--branch", self.branch, "--auth", self.auth, "--python", self.python]
        for flag, value in (("--region", self.region), ("--role-arn", self.role_arn), ("--plan-role-arn", self.plan_role_arn),
                            ("--install", self.install),
                            ("--image", self.image), ("--cache-bucket", self.cache_bucket),
                            ("--image-python", self.image_python), ("--image-node", self.image_node),
                            ("--image-go", self.image_go), ("--image-java", self.image_java)):
            if value is not None:
                words += [flag, value]
        for name in self.environments:
            words += ["--environment", name]
        for name in self.manual_environments:
            words += ["--manual-environment", name]
        for word in words:
            quote(word)  # a control character is refused here as in every other value
        return shlex.join(words)


@dataclass(frozen=True)
class FunctionRow:
    """One function as a job sees it."""

    name: str
    toml: str  # relative to the repo root, POSIX
    podman: bool
    cache_files: tuple[str, ...] = field(default=())  # at most two files a job's cache is keyed by
    language: str = "python"
    version: str = ""  # the runtime's language version (3.12, 22, 21, al2023)
    stages: tuple[str, ...] = ()  # the [stages.<name>] its TOML defines: () takes any stage


# GitLab job images by language when --image is not given: the toolchain's official image. An image
# without a Python for genesys gets one first (IMAGE_PYTHON_PRELUDE); --image-<language> overrides.
IMAGES = {"python": "python:{python}", "nodejs": "node:{version}-bookworm", "go": "golang:1-bookworm",
          "java": "maven:3-eclipse-temurin-{version}"}
IMAGE_OPTIONS = {"python": "image_python", "nodejs": "image_node", "go": "image_go", "java": "image_java"}
# Debian and Ubuntu toolchain images have apt and a Python 3.11+ package: genesys runs from a venv.
IMAGE_PYTHON_PRELUDE = ('python3 -c "import ensurepip, venv" 2>/dev/null || { apt-get update -qq && '
                        'apt-get install -y -qq python3-venv >/dev/null; }; '
                        'python3 -m venv "$CI_PROJECT_DIR/.genesys/venv" && . "$CI_PROJECT_DIR/.genesys/venv/bin/activate"')


def job_image(row: FunctionRow, options: "CiOptions") -> tuple[str, bool]:
    """(image, needs the Python prelude) of a GitLab job for ``row``'s function."""
    if options.image is not None:
        return options.image, False
    chosen = getattr(options, IMAGE_OPTIONS.get(row.language, "image_python"))
    if chosen is not None:
        return chosen, row.language != "python"
    template = IMAGES.get(row.language, IMAGES["python"])
    return template.format(python=options.python, version=row.version), template != IMAGES["python"]


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
    """The functions as rows, by name; a name or path a CI file cannot carry safely is refused (exit 2)."""
    found = []
    for spec in sorted(specs, key=lambda s: s.name):
        toml = Path(spec.path).resolve().relative_to(root.resolve()).as_posix()
        files = _cache_files(spec, root)
        check_path(toml, "the TOML path")
        for value in (spec.name, *files):
            check_path(value, f"{toml}: the function name or manifest")
        found.append(FunctionRow(spec.name, toml, spec.build.build_method == "podman", files,
                                 spec.runtime.language, spec.runtime.version, stages_of(spec)))
    return found


@cache
def pinned_actions() -> dict[str, str]:
    """``owner/repo`` -> ``owner/repo@COMMIT # TAG``, from the data file the templates pin actions by."""
    data = tomllib.loads((Path(__file__).resolve().parent.parent / "data" / "ci-actions.toml").read_text())
    return {name: f"{name}@{row['commit']} # {row['tag']}" for name, row in data["actions"].items()}


def model(provider: str, specs: list[FunctionSpec], root: Path, options: CiOptions, *,
          mode: str = "deploy", since: str = "", install: str | None = None, removed=(),
          removed_since: str = "") -> dict:
    """The dict a template renders: ``provider`` is github, gitlab or gitlab-child.

    ``install`` is the command that installs this genesys (``cicd.install.install_line``), used
    unless the options name one. ``removed`` (``changed.Removed``) are TOMLs gone since the commit
    ``removed_since``: the child pipeline offers a manual delete job for each.
    """
    functions = rows(specs, root)
    environments = [parse_environment(text) for text in options.environments]
    parts = max(1, -(-len(functions) // MATRIX_LIMIT))
    # where a removed TOML's function is deleted: every environment (as its stage), the last first
    targets = [{"environment": name, "stage": stage} for name, stage in reversed(environments)]
    install = options.install or install
    if not install:
        raise ValueError("no install command: resolve it with cicd.install.install_line() first")
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
        "install": install,
        "install_key": hashlib.sha256(install.encode()).hexdigest()[:16],
        "actions": pinned_actions(),
        "options": options.record(),
        "image": f"python:{options.python}" if options.image is None else options.image,
        "images": {row.name: job_image(row, options) for row in functions},
        "image_prelude": IMAGE_PYTHON_PRELUDE,
        "cache_url": f"s3://{options.cache_bucket}/{CACHE_PREFIX}" if options.cache_bucket else "",
        "cache_dir": CACHE_DIR,
        "python": options.python,
        "lock_patterns": lock_patterns(),
        "lock_hash_args": ", ".join(f"'{pattern}'" for pattern in lock_patterns()),
        # the stages the deploy jobs deploy ("" none), for `changed --since deployed`
        "stages_arg": (" --stages " + ",".join(dict.fromkeys(s for _, s in environments))
                       if any(s for _, s in environments) else ""),
        "delete_targets": targets or [{"environment": "production", "stage": ""}],
        "child_args": options.child_args(),
        "jobs": split(stages("plan", []) + stages("deploy", environments), parts),
        "parts": parts,
        "matrix_limit": MATRIX_LIMIT,
        # each stage's jobs: the functions whose TOML defines its stage, or no stage at all
        "child_stages": [{**stage, "manual": stage["environment"] in options.manual_environments,
                          "functions": [row for row in functions if takes_stage(row.stages, stage["genesys_stage"])]}
                         for stage in stages(mode, environments)],
        "mode": mode,
        "since": since,
        "removed": delete_jobs(removed, targets) if mode == "deploy" else [],
        "removed_since": removed_since,
    }


def delete_jobs(removed, targets: list[dict]) -> list[dict]:
    """The manual delete jobs of the child pipeline: each removed TOML (``changed.Removed``) in each of
    ``targets`` (environment, stage) whose stage it defined; a name or path a CI file cannot carry is refused."""
    return [{"gone": gone, "environment": target["environment"], "stage": target["stage"]}
            for gone in removed if check_path(gone.toml, "the removed TOML")
            and check_path(gone.name, f"{gone.toml}: the function name")
            for target in targets or [{"environment": "", "stage": ""}]
            if takes_stage(gone.stages, target["stage"])]


def _family(provider: str) -> str:
    return "github" if provider == "github" else "gitlab"


def _job_id(environment: str) -> str:
    return "deploy-" + re.sub(r"[^A-Za-z0-9_-]+", "-", environment).strip("-").lower()


def split(jobs: list[dict], parts: int) -> list[dict]:
    """Each GitHub job as ``parts`` jobs, part k running the k-th slice of the changed functions
    (output ``functions`` when there is one part, ``functions_K`` otherwise); a job needs every part
    of the one it needed."""
    if parts == 1:
        return [{**job, "output": "functions"} for job in jobs]
    found, ids = [], {}
    for job in jobs:
        ids[job["id"]] = [f"{job['id']}-{k}" for k in range(1, parts + 1)]
        needs = [name for need in job["needs"] for name in ids.get(need, [need])]
        found += [{**job, "id": part_id, "needs": needs, "output": f"functions_{k}",
                   "suffix": f"{job['suffix']} [{k}/{parts}]"} for k, part_id in enumerate(ids[job["id"]], 1)]
    return found


def stages(verb: str, environments: list[tuple[str, str]]) -> list[dict]:
    """The jobs of one kind (plan, deploy) in order: one per (environment, stage), each after the one before."""
    if verb == "plan":
        return [{"id": "plan", "verb": "plan", "suffix": "", "environment": "", "event": "pull_request",
                 "needs": ["changes"], "stage": "genesys-plan", "genesys_stage": ""}]
    if not environments:
        return [{"id": "deploy", "verb": "deploy", "suffix": "", "environment": "", "event": "push",
                 "needs": ["changes"], "stage": "genesys-deploy", "genesys_stage": ""}]
    found, previous = [], ""
    for environment, stage in environments:
        job_id = _job_id(environment)
        found.append({"id": job_id, "verb": "deploy", "suffix": f" ({environment})", "environment": environment,
                      "event": "push", "needs": ["changes", previous] if previous else ["changes"],
                      "stage": f"genesys-{job_id}", "genesys_stage": stage})
        previous = job_id
    return found
