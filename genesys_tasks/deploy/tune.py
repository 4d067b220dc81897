"""Power tuning a deployed function (``genesys tune``): the memory size (and architecture) that is
cheapest, fastest, or the fastest for about the cheapest price, measured on Lambda itself.

For each setting, ``$LATEST`` is given the setting's memory (and, for another architecture, that
architecture's build of the code), a version is published from it (described ``genesys:tune ...``:
genesys's tuning versions, never the ``genesys:published`` ones a deploy makes and prunes) and
invoked ``n`` times with ``LogType=Tail``; each invocation's REPORT line (``logs.parse_report``) is
what is measured. Whatever happens, a failure or Ctrl-C included, ``$LATEST`` is put back as it was
(memory, description, architecture and code) and the versions this run published are deleted; the
alias is never touched. The changes go through the ``Executor``, as a deploy's do.

``picks`` is pure: from the rows and the price table, the cheapest, the fastest and the balanced
setting (the fastest whose cost is within ``BALANCE`` of the cheapest). Prints nothing: progress
and rows go to the callables the command hands in.
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass, field
from typing import Callable

from ..errors import AwsError, GenesysError, UsageError
from .executor import Executor, no_progress
from .logs import Report, parse_report
from .model import Plan, Var
from .remote import invoke
from .state import deployed_architecture

MARKER = "genesys:tune"  # the start of a tuning version's description
BALANCE = 0.10  # balanced: the fastest setting costing at most 10 % more than the cheapest


@dataclass(frozen=True)
class Setting:
    """One memory size on one architecture: what is tuned, and what a pick is."""

    memory_mb: int
    architecture: str

    def __str__(self) -> str:
        return f"{self.memory_mb} MB {self.architecture}"


@dataclass(frozen=True)
class Row:
    """One setting's measurements: a REPORT per invocation, and how many invocations failed."""

    setting: Setting
    reports: tuple[Report, ...]
    errors: int = 0
    error: str = ""  # the first failure's type, when there is one

    @property
    def usable(self) -> bool:
        return bool(self.reports) and not self.errors

    @property
    def duration_ms(self) -> float:
        """The median duration (a cold start's first run included: its Duration excludes init)."""
        return statistics.median(r.duration_ms for r in self.reports) if self.reports else 0.0

    @property
    def billed_ms(self) -> float:
        """The mean billed duration: what a million invocations are charged for, per invocation."""
        return statistics.fmean(r.billed_ms for r in self.reports) if self.reports else 0.0

    @property
    def init_ms(self) -> float | None:
        inits = [r.init_ms for r in self.reports if r.init_ms is not None]
        return inits[0] if inits else None

    @property
    def max_memory_mb(self) -> int:
        return max((r.max_memory_mb for r in self.reports), default=0)

    def cost(self, prices: dict) -> float:
        """A million invocations at this setting, from genesys's price table (arm64's for arm64)."""
        from ..pricing import per_million

        return per_million(self.setting.memory_mb, self.setting.architecture, self.billed_ms, prices)

    def as_dict(self, prices: dict) -> dict:
        return {"memory_mb": self.setting.memory_mb, "architecture": self.setting.architecture,
                "invocations": len(self.reports) + self.errors, "errors": self.errors,
                "error": self.error or None, "duration_ms_p50": round(self.duration_ms, 2),
                "billed_ms_mean": round(self.billed_ms, 2),
                "init_ms": round(self.init_ms, 2) if self.init_ms is not None else None,
                "max_memory_used_mb": self.max_memory_mb,
                "cost_per_million": round(self.cost(prices), 6) if self.usable else None}


def picks(rows: list[Row], prices: dict) -> dict[str, Row]:
    """``cheapest``, ``fastest`` and ``balanced`` among the settings where every invocation succeeded
    (none when no setting did); ties go to the other measure, then to less memory."""
    usable = [r for r in rows if r.usable]
    if not usable:
        return {}
    cheapest = min(usable, key=lambda r: (r.cost(prices), r.duration_ms, r.setting.memory_mb))
    fastest = min(usable, key=lambda r: (r.duration_ms, r.cost(prices), r.setting.memory_mb))
    near = [r for r in usable if r.cost(prices) <= cheapest.cost(prices) * (1 + BALANCE)]
    balanced = min(near, key=lambda r: (r.duration_ms, r.cost(prices), r.setting.memory_mb))
    return {"cheapest": cheapest, "fastest": fastest, "balanced": balanced}


@dataclass(frozen=True)
class Before:
    """``$LATEST`` as tuning found it: what is put back."""

    memory_mb: int
    architecture: str
    description: str
    code_sha256: str  # Lambda's base64 form
    layers: tuple[str, ...]

    @classmethod
    def of(cls, config: dict) -> Before:
        return cls(int(config.get("MemorySize") or 128), deployed_architecture(config),
                   config.get("Description") or "", config.get("CodeSha256") or "",
                   tuple(layer["Arn"] for layer in config.get("Layers") or ()))

    @property
    def setting(self) -> Setting:
        return Setting(self.memory_mb, self.architecture)


@dataclass
class Tuning:
    """One ``genesys tune`` run against one function: ``run`` measures, ``restore`` puts things back.

    ``code_of(arch, expect=None)`` returns the ``UpdateFunctionCode`` code parameters of this
    checkout's build for ``arch`` (``{"ZipFile": ...}``), or raises a ``UsageError`` when it is not
    built or (``expect``: a CodeSha256) is not that code; it is asked only when another architecture
    is tuned: the deployed one's build must be the deployed code, so it can be put back."""

    clients: object
    name: str
    event: bytes
    invocations: int
    code_of: Callable[..., dict]
    progress: Callable = no_progress  # progress(label) -> context manager, for people
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    published: list[str] = field(default_factory=list)  # the versions this run published, oldest first
    before: Before | None = None

    def executor(self) -> Executor:
        return Executor(self.clients, progress=self.progress)

    def read(self) -> Before:
        """``$LATEST``'s configuration now; a function that is not deployed is a usage error."""
        config = self.clients.adapter("lambda").get_function_configuration(FunctionName=self.name)
        if config is None:
            raise UsageError(f"{self.name} is not deployed in {self.clients.region}",
                             hint="deploy it first (genesys execute X.toml), or check --stage / --region")
        if config.get("PackageType") == "Image":
            raise UsageError(f"{self.name} is a container image function: genesys tune changes zip functions only",
                             hint="tune it by its memory_mb in the TOML and `genesys execute`")
        return Before.of(config)

    def check(self, settings: list[Setting]) -> None:
        """Refuse, before changing anything, what could not be put back or could not run."""
        before = self.before
        other = sorted({s.architecture for s in settings} - {before.architecture})
        if other and before.layers:
            raise UsageError(f"{self.name} has layers built for {before.architecture}: tuning it on "
                             f"{', '.join(other)} would run them there",
                             hint=f"pass --arch {before.architecture}, or deploy with that architecture first")
        for arch in other:
            self.code_of(arch)  # a missing build is said now
        if other:
            self.code_of(before.architecture, expect=before.code_sha256)

    def run(self, settings: list[Setting], on_row: Callable[[Row], None] = lambda row: None) -> list[Row]:
        """Measure each setting in turn (the deployed architecture first, one code change per other);
        the caller runs ``restore`` after it, whatever happened."""
        self.before = self.read()
        self.check(settings)
        rows = []
        for setting in sorted(settings, key=lambda s: (s.architecture != self.before.architecture,
                                                         s.architecture, s.memory_mb)):
            version = self._publish(setting)
            row = self._measure(setting, version)
            rows.append(row)
            on_row(row)
        return rows

    def _publish(self, setting: Setting) -> str:
        name, arch = self.name, setting.architecture
        current = self.clients.adapter("lambda").get_function_configuration(FunctionName=name)
        if current is None:
            raise UsageError(f"{name} is no longer deployed in {self.clients.region}: it went during the tuning",
                             hint="deploy it again (genesys execute X.toml) and tune it then")
        plan = Plan()
        resource = f"function {name} at {setting}"
        if deployed_architecture(current) != arch:
            plan.call("lambda", "update_function_code", resource, FunctionName=name, Architectures=[arch],
                      **self.code_of(arch))
            plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
        # a description of this run's own makes every setting a change, so PublishVersion publishes anew
        plan.call("lambda", "update_function_configuration", resource, FunctionName=name,
                  MemorySize=setting.memory_mb, Description=self._description(setting))
        plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
        plan.call("lambda", "publish_version", resource, outputs={"tuning_version": "Version"}, FunctionName=name,
                  Description=self._description(setting))
        plan.call("lambda", "wait_published_version_active", resource, FunctionName=name,
                  Qualifier=Var("tuning_version"))
        plan.known["version"] = Var("tuning_version")
        plan.change(resource, "tune")
        before_versions = {v["Version"] for v in self.clients.adapter("lambda").list_versions_by_function(
            FunctionName=name)}
        version = str(self.executor().run(plan)["version"])
        if version in before_versions:  # not published by this run: never measured nor deleted as ours
            raise AwsError(f"PublishVersion of {name} answered version {version}, which existed before",
                           hint="run genesys tune again; $LATEST is put back and nothing else was published")
        self.published.append(version)
        return version

    def _measure(self, setting: Setting, version: str) -> Row:
        reports, errors, first_error = [], 0, ""
        with self.progress(f"invoke {self.name}:{version} ({setting}) x{self.invocations}"):
            for _ in range(self.invocations):
                result = invoke(self.clients, self.name, self.event, version)
                report = parse_report(result.report or "")
                if result.failed:
                    errors += 1
                    first_error = first_error or _error_type(result.payload, result.function_error)
                    continue
                if report is not None:
                    reports.append(report)
        return Row(setting, tuple(reports), errors, first_error)

    def restore(self) -> None:
        """Put ``$LATEST`` back as it was and delete the versions this run published: those it was
        answered, and any whose description names this run (a Ctrl-C between PublishVersion's answer
        and its record). When AWS fails it, the error says what is left to do by hand."""
        if self.before is None:
            return
        try:
            self._restore()
        except GenesysError as err:
            left = (f"{self.name}'s $LATEST may still be tuned: put it back with `genesys execute` (memory "
                    f"{self.before.memory_mb} MB, {self.before.architecture}); delete its versions described "
                    f"'{MARKER} ... run {self.run_id}'")
            err.hint = left  # in place of the executor's "running again continues": a tune run does not
            raise

    def _restore(self) -> None:
        name, before, lam = self.name, self.before, self.clients.adapter("lambda")
        plan, resource = Plan(), f"function {name}"
        now = lam.get_function_configuration(FunctionName=name) or {}
        if deployed_architecture(now) != before.architecture:  # tuning changes the code only with the architecture
            plan.call("lambda", "update_function_code", resource, FunctionName=name,
                      Architectures=[before.architecture], **self.code_of(before.architecture))
            plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
        if int(now.get("MemorySize") or 0) != before.memory_mb or (now.get("Description") or "") != before.description:
            plan.call("lambda", "update_function_configuration", resource, FunctionName=name,
                      MemorySize=before.memory_mb, Description=before.description)
            plan.call("lambda", "wait_function_updated_v2", resource, FunctionName=name)
        plan.change(resource, "restore")
        self.executor().run(plan)  # $LATEST first: a failure listing the versions must not leave it tuned
        plan = Plan()
        mine = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)
                if v["Version"] != "$LATEST" and (v.get("Description") or "").startswith(MARKER)
                and (v.get("Description") or "").endswith(f" run {self.run_id}")]
        for version in sorted(set(mine) | set(self.published), key=int, reverse=True):
            plan.call("lambda", "delete_function", f"tuning version {name}:{version}", FunctionName=name,
                      Qualifier=version)
            plan.change(f"tuning version {name}:{version}", "delete")
        self.executor().run(plan)
        self.published.clear()

    def _description(self, setting: Setting) -> str:
        return f"{MARKER} {setting} run {self.run_id}"


def _error_type(payload: bytes, function_error: str | None) -> str:
    import json

    try:
        data = json.loads(payload or b"{}")
    except ValueError:
        return function_error or "Unhandled"
    return (data.get("errorType") if isinstance(data, dict) else None) or function_error or "Unhandled"
