"""Deploying and deleting one function: read AWS's state, plan, and run the plan with the
executor the caller hands in (``executor.Executor`` to apply it, a display-only one for a
dry run), as Chalice's deployer is given its executor.

The deploy ``session`` calls it for ``genesys execute/delete`` and the doit tasks. It
resolves ``${env:NAME}`` values (kept in memory only; the resolved variables must still fit Lambda's
4 KB, and an error raised while deploying shows **** wherever AWS echoed one of the
environment's values), reads the build's artifact record (``build/record.py``: the code
is a zip or an image, by its ``kind``; never a path guessed), reads AWS's state with
read-only calls, plans, and runs the plan. It never checks the TOML (the loader has), and
prints nothing: reading shows through the ``progress(label)`` context manager it is
handed, the executor reports the rest, and the caller tells people about the ``Outcome``.
The one file it writes is the TOML's ``[iam] role_arn`` after creating the role
(``writeback``), and only when the executor applied the plan.

What the caller knows beyond the spec comes in as data, an ``Ownership``: whether the
user adopts same-named resources genesys did not make (``--adopt``), and the specs of the
repo's other functions that share the role (the caller reads the TOMLs; this never does).
A same-named resource genesys did not make stops the plan with a ``ConflictError`` (exit 2)
before anything runs, dry runs included.
"""

from __future__ import annotations

import base64
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from ..config.aws_limits import ENV_LIMIT_BYTES, environment_size
from ..config.locate import where_in
from ..config.spec import FunctionSpec
from ..errors import BuildError, ConfigError, GenesysError
from ..shell import command
from . import images, marker, planner, state, triggers
from .executor import PlanExecutor, no_progress
from .model import Plan
from .ownership import Ownership

STAGES = ("role", "layer", "function")
ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
Progress = Callable[[str], ContextManager]
MASK = "****"
MASK_MIN_LENGTH = 5  # shorter values (1, true, prod) are masked where AWS quotes the environment, not everywhere


@dataclass
class Outcome:
    """What a deploy or delete did (or, when not ``applied``, would do)."""

    plan: Plan
    values: dict = field(default_factory=dict)  # what the executor returned: role_arn, function_url, ...
    account: str = ""
    applied: bool = False  # the executor changed AWS (not a dry run)
    recorded_role: bool = False  # [iam] role_arn was written into the TOML
    collected: list | None = None  # a collecting executor's changes (a dry run for machines)

    @property
    def write_calls(self) -> int:
        """Write calls made (or, in a dry run, that would be made)."""
        return len(self.plan.writes)

    def result(self) -> dict:
        layers = [self.values.get("layer_arn")] if self.values.get("layer_arn") else []
        return {
            "function_arn": self.values.get("function_arn"),
            "function_url": self.values.get("function_url"),
            "api_endpoint": self.values.get("api_endpoint"),
            "role_arn": self.values.get("role_arn"),
            "layer_version_arns": layers + list(self.values.get("extra_layers", [])),
            "changes": [c.as_dict() for c in self.plan.changes if c.action != "no change"],
        }


def resolve_environment(spec: FunctionSpec, clients=None) -> dict:
    """``[function.environment]`` with every ``${...}`` filled: ``${env:NAME}`` from this process's
    environment, ``${ssm:/name}`` and ``${secretsmanager:name[:json-key]}`` through ``clients`` (the
    deploy's credentials; without clients only their form is checked). A reference that cannot be
    filled is a ConfigError naming the variable, before anything is written.

    The loader checked the 4 KB limit with the references as written; filled in, the values
    may be longer, so the limit is checked again here (naming the variables, never their values).
    """
    from .references import fill

    resolved = {key: fill(spec, key, value, clients) for key, value in spec.function.environment}
    size = environment_size(resolved)
    if size > ENV_LIMIT_BYTES:
        filled = [key for key, value in spec.function.environment if "${" in value]
        raise ConfigError(f"environment variables total {size} bytes once ${{...}} references are filled in "
                          f"({', '.join(filled)}); Lambda allows {ENV_LIMIT_BYTES}",
                          hint="move large values to SSM Parameter Store or Secrets Manager and read them at run time",
                          where=where_in(spec.path, "function", "environment"))
    return resolved


def _environment_values(spec: FunctionSpec) -> list[str]:
    """The environment's values as deployed, and what each set ``${env:NAME}`` holds, longest first
    (a reference to an unset variable is not a value: errors name it)."""
    values = set()
    for _, value in spec.function.environment:
        names = ENV_REF.findall(value)
        values.update(os.environ[name] for name in names if name in os.environ)
        if all(name in os.environ for name in names) and "${" not in ENV_REF.sub("", value):
            values.add(ENV_REF.sub(lambda m: os.environ[m.group(1)], value))  # an AWS reference as written is no secret
    return sorted((v for v in values if len(v) >= MASK_MIN_LENGTH), key=len, reverse=True)


@contextmanager
def masked_environment(spec: FunctionSpec, resolved: dict | None = None):
    """A genesys error raised inside shows **** instead of any of the function's environment values
    (and of ``resolved``, filled in inside: what ``${ssm:...}``/``${secretsmanager:...}`` held)."""
    try:
        yield
    except GenesysError as err:
        filled = [v for v in (resolved or {}).values() if isinstance(v, str) and len(v) >= MASK_MIN_LENGTH]
        for value in sorted(set(_environment_values(spec) + filled), key=len, reverse=True):
            err.message = err.message.replace(value, MASK)
            err.hint = err.hint.replace(value, MASK) if err.hint else err.hint
        err.args = (err.message,)
        raise


def _hint(spec: FunctionSpec) -> str:
    return f"build it again: {command('genesys', 'lambda', 'build', operands=(spec.path,))}"


def build_record(spec: FunctionSpec, root: Path):
    """The build's record of the deploy architecture (``build/record.py``); BuildError when there is none."""
    from ..build.record import read_record, record_path

    return read_record(record_path(root, spec.name, spec.deployment.architecture), hint=_hint(spec))


def _built_zip(spec: FunctionSpec, path: Path, size: int, sha256: str) -> planner.Artifact:
    """A zip a record names, as the planner takes it; BuildError when it is missing, no zip, or not
    the one the build recorded (its size changed since)."""
    from ..build.zipper import check_zip

    if not path.is_file():
        raise BuildError(f"{path} does not exist", hint=_hint(spec))
    check_zip(path, hint=_hint(spec))
    if path.stat().st_size != size:
        raise BuildError(f"{path} is not the zip the build recorded (its size changed since)", hint=_hint(spec))
    return planner.Artifact(path, base64.b64encode(bytes.fromhex(sha256)).decode())


def _zip_code(record, spec: FunctionSpec) -> planner.Artifact:
    return _built_zip(spec, record.path, record.size, record.sha256)


def _image_code(record, spec: FunctionSpec) -> planner.ImageArtifact:
    return planner.ImageArtifact(record.repository, record.digest, record.index,
                                 tuple((layer["from"], layer["digest"], layer["size"]) for layer in record.layers))


CODE = {"zip": _zip_code, "image": _image_code}  # the record's kind → what the planner deploys


def layer_artifact(spec: FunctionSpec, root: Path) -> planner.Artifact | None:
    """The deploy architecture's layer zip, as the build recorded it; BuildError when it is no zip.

    None when the build found nothing to ship (the record names no layer): the function deploys without one.
    """
    if not spec.has_layer:
        return None
    record = build_record(spec, root)
    layer = getattr(record, "layer", None)
    return None if layer is None else _built_zip(spec, layer.path, layer.size, layer.sha256)


def code_artifact(spec: FunctionSpec, root: Path, record=None):
    """The deploy architecture's code as the build recorded it (a zip or an image); BuildError when
    the record is missing or names a zip that is missing or no zip. ``record``: the build record when
    the caller has read it already (``build_record``)."""
    record = record or build_record(spec, root)
    return CODE[record.kind](record, spec)


def role_name(spec: FunctionSpec) -> str:
    if not spec.iam.auto_manage and spec.iam.role_arn:
        return spec.iam.role_arn.rsplit("/", 1)[-1]
    return spec.iam.role_name


def role_sharers(spec: FunctionSpec, specs) -> tuple[FunctionSpec, ...]:
    """Of ``specs`` (a repo's functions), the others that use ``spec``'s role: its policies are their union."""
    name = role_name(spec)
    return tuple(s for s in specs if s.name != spec.name and role_name(s) == name)


@dataclass(frozen=True)
class RemoteState:
    """What the role, layer and function stages compare against."""

    account: str
    role: state.RoleState | None
    layers: list
    function: state.FunctionState | None
    api: state.ApiState | None
    log_group: state.LogGroupState | None = None
    versions: tuple = ()  # (published versions, aliases by name) when [deployment] alias is set


def read_state(spec: FunctionSpec, clients, stages, with_layer: bool, owner=None) -> RemoteState:
    """Everything the planner compares against, read in parallel: one thread per service,
    so each service's calls keep their order."""
    from concurrent.futures import ThreadPoolExecutor

    def lambda_state():
        layers = state.read_layer_versions(clients, spec.layer.name) if with_layer else []
        function = state.read_function(clients, spec.name, spec.deployment.alias) if "function" in stages else None
        versioned = function is not None and spec.deployment.alias is not None
        return layers, function, state.read_versions(clients, spec.name) if versioned else ([], {})

    clients.prepare("sts", "iam", "lambda", "apigatewayv2", "logs")
    with ThreadPoolExecutor(max_workers=5) as pool:
        account = pool.submit(clients.account)
        role = pool.submit(state.read_role, clients, role_name(spec)) if "role" in stages else None
        lam = pool.submit(lambda_state)
        api = pool.submit(state.read_api, clients, spec.name, owner) if "function" in stages else None
        logs = pool.submit(state.read_log_group, clients, spec.name) if "function" in stages else None
        layers, function, versions = lam.result()
        return RemoteState(account.result(), role.result() if role else None, layers, function,
                           api.result() if api else None, logs.result() if logs else None, versions)


def plan_deploy(spec: FunctionSpec, root: Path, clients, stages=STAGES, *, progress: Progress = no_progress,
                ownership: Ownership = Ownership(), resolved: dict | None = None, commit: str = "") -> tuple[Plan, str]:
    """Read AWS's state (read-only calls) and plan ``stages``; return the plan and the account.

    ``commit``: the git commit being deployed (the session's option), tagged on the function; "" unknown.

    The function stage needs the role and the layer, so it always plans them too
    (no writes when they are current); ``role`` or ``layer`` alone plan just that.
    """
    stages = set(STAGES if "function" in stages else stages)
    ownership = owned_by_project(spec, ownership)
    # every stage checks the references, so the role and layer tasks write nothing for a bad one
    environment = resolve_environment(spec, clients)
    if resolved is not None:
        resolved.update(environment)  # the caller masks these in any error that follows
    code = code_artifact(spec, root) if "function" in stages else None
    layer = layer_artifact(spec, root) if "layer" in stages else None
    plan = Plan()
    with progress(f"reading the current state of {spec.name} from AWS"):
        remote = read_state(spec, clients, stages, layer is not None, ownership.owner)
        facts = planner.Facts(clients.region, remote.account, environment, commit)
        if code is not None and code.kind == "image":
            code, image_plan = images.plan_image(spec, clients, code, facts, ownership)
            plan.extend(image_plan)
        if "role" in stages:
            plan.extend(_plan_role(spec, clients, facts, remote.role, ownership))
        if layer is not None:
            plan.extend(_plan_layer(spec, clients, layer, remote.layers))
        if "function" in stages:
            _check_layers(spec, clients, remote.function)
            trigger_state = triggers.read_state(spec, clients, facts.region, facts.account, remote.function)
            plan.extend(planner.plan_log_group(spec, remote.log_group, ownership))
            plan.extend(planner.plan_function(spec, code, facts, remote.function, remote.api, plan.known["role_arn"],
                                              plan.known.get("layer_arn"), ownership, remote.versions))
            # after the permissions they need
            plan.extend(triggers.plan(spec, trigger_state, adopt=ownership.adopt))
            plan.extend(planner.plan_commit(spec, facts, remote.function))
    return checked(plan), remote.account


def _check_layers(spec: FunctionSpec, clients, function) -> None:
    """Every layer version ``[function] layers`` names exists, before anything is written."""
    missing = state.missing_layers(clients, spec.function.layers, function)
    if missing:
        raise ConfigError(f"layer version {', '.join(missing)} does not exist in {clients.region}, or its owner "
                          "has not shared it with this account", where=where_in(spec.path, "function", "layers"),
                          hint="check the ARN (name and version) and its region, or ask the layer's owner for "
                               "lambda:GetLayerVersion")


def checked(plan: Plan) -> Plan:
    """``plan``, once every call in it names an operation of its service's adapter; else an error
    naming the ones that do not (a bug in a planner), raised before anything runs."""
    from ..aws.session import unknown_operations

    unknown = unknown_operations(plan.calls)
    if unknown:
        raise GenesysError(f"the plan calls {', '.join(unknown)}, which no AWS adapter has",
                           hint="a bug in genesys's planner: report it; nothing was changed")
    return plan


def _plan_role(spec: FunctionSpec, clients, facts: planner.Facts, role, ownership: Ownership) -> Plan:
    # who else uses the role is asked only when a policy could go: an unchanged deploy makes no extra read
    may_shrink = role is not None and spec.iam.auto_manage and planner.removable(
        role, planner.wanted_policies(spec, facts, ownership.sharers))
    users = state.role_users(clients, role.arn, spec.name) if may_shrink else None
    return planner.plan_role(spec, role, facts, ownership, users)


def _plan_layer(spec: FunctionSpec, clients, layer: planner.Artifact, versions: list) -> Plan:
    # who else uses a version is asked only when pruning is possible: an unchanged deploy makes no extra read
    may_prune = sum(v.marked for v in versions) >= spec.deployment.keep_layer_versions
    users = state.layer_users(clients, spec.layer.name, spec.name) if may_prune else {}
    return planner.plan_layer(spec, layer, versions, users)


def deploy(spec: FunctionSpec, root: Path, clients, executor: PlanExecutor, stages=STAGES,
           record_role: bool = True, *, progress: Progress = no_progress,
           ownership: Ownership = Ownership(), commit: str = "") -> Outcome:
    """Plan ``stages`` of one function and hand the plan to ``executor``; when it applied the plan,
    record a created role in the TOML.

    ``record_role=False`` leaves the TOML alone (the sandbox: its ARNs mean nothing in a real account).
    """
    resolved: dict = {}
    with masked_environment(spec, resolved):
        plan, account = plan_deploy(spec, root, clients, stages, progress=progress, ownership=ownership,
                                    resolved=resolved, commit=commit)
        values = executor.run(plan)
    values["extra_layers"] = list(spec.function.layers)
    # each stage has its own role: one [iam] role_arn in the file cannot record them all
    recorded = executor.applies and record_role and spec.stage is None and _record_role(spec, values.get("role_arn"))
    return Outcome(plan, values, account, applied=executor.applies, recorded_role=recorded)


def _record_role(spec: FunctionSpec, role_arn) -> bool:
    if not spec.iam.auto_manage or not isinstance(role_arn, str) or spec.iam.role_arn == role_arn:
        return False
    from . import writeback

    return writeback.record_role(spec.path, role_arn)


def owned_by_project(spec: FunctionSpec, ownership: Ownership = Ownership()) -> Ownership:
    """``ownership`` with its owner: the TOML's project and path (``project.owner_of``) unless given."""
    from dataclasses import replace

    from ..project import owner_of

    return ownership if ownership.owner is not None else replace(ownership, owner=owner_of(spec.path))


def require_owner(spec: FunctionSpec, clients) -> None:
    """A ConflictError (exit 2, naming the owner) when the function exists and is not this TOML's
    owner's to change: what moves its alias (rollback, rollout) asks first. The old mark alone passes."""
    from ..config.locate import where_in
    from .ownership import conflict

    found = clients.adapter("lambda").get_function(FunctionName=spec.name)
    tags = (found or {}).get("Tags", {}) or {}
    if found is not None and owned_by_project(spec).standing(tags) in (marker.FOREIGN, marker.UNMARKED):
        raise conflict(f"function {spec.name}", [], ["rename [metadata] name"],
                       where_in(spec.path, "metadata", "name"), tags)


def plan_delete(spec: FunctionSpec, clients, *, progress: Progress = no_progress,
                ownership: Ownership = Ownership()) -> tuple[Plan, str]:
    """Read what genesys made for this function and plan removing it; return the plan and the account.
    Only what this TOML's owner marked goes (``marker``): a same-named function of another repo stays,
    with its API, triggers and the layer versions it uses."""
    ownership = owned_by_project(spec, ownership)
    with progress(f"reading the current state of {spec.name} from AWS"):
        account = clients.account()
        function = state.read_function(clients, spec.name)
        ours = function is not None and ownership.standing(function.tags) == marker.OURS
        plan = Plan()
        if function is None or ours:  # triggers outlive their function in AWS: remove them first
            plan = triggers.plan(spec, triggers.read_state(spec, clients, clients.region, account, function, ()), ())
        versions = state.read_layer_versions(clients, spec.layer.name)
        # a same-named function that is not ours still uses its layer versions
        users = (state.layer_users(clients, spec.layer.name, spec.name if ours or function is None else None)
                 if any(v.marked for v in versions) else {})
        role = state.read_role(clients, role_name(spec))
        # a role goes with its last function only: ask AWS who else uses it
        role_users = (state.role_users(clients, role.arn, spec.name if ours else None)
                      if role is not None and planner.role_deletable(spec, role, ownership) else [])
        api = state.read_api(clients, spec.name, ownership.owner)
        if api is not None and not (ours or ownership.standing(api.tags) == marker.OURS):
            plan.change(f"http api {spec.name}", "no change",
                        [("kept", None, marker.kept_because(marker.CLAIM, api.tags) or "its function is not ours")])
            api = None
        plan.extend(planner.plan_delete(spec, role, versions, function, api, users, role_users, ownership))
        plan.extend(planner.plan_delete_log_group(spec, state.read_log_group(clients, spec.name), ownership))
        plan.extend(images.plan_delete_repository(spec, clients, account, ownership))  # after the function running its image
    return checked(plan), account


def delete(spec: FunctionSpec, clients, executor: PlanExecutor, *, progress: Progress = no_progress) -> Outcome:
    """Plan deleting what genesys made for this function and hand the plan to ``executor``, unasked:
    a caller that wants confirmation calls ``plan_delete``, asks, then runs the plan itself."""
    plan, account = plan_delete(spec, clients, progress=progress)
    values = executor.run(plan)
    return Outcome(plan, values, account, applied=executor.applies)
