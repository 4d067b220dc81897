"""The wizard's one table of questions, in the order they are asked, and ``collect`` that asks it.

Each ``Question`` names its ``Answers`` field, how a terminal asks it (``kind``), the
``genesys init`` flag that answers it, its default (from detection and the schema), its
choices and its check. ``collect(ask, ctx)`` walks the table: ``ask`` is whatever
supplies values (the terminal, a replay file, flags) and returns ``GIVEN_NONE`` for
"take the default". Every value goes through the same check, so a replay or a flag
can never write what the terminal would refuse.

Defaults and checks read the schema table (``config/schema.py``), detection
(``config/detect``), the runtime registry and the policy templates: nothing here
restates a range, a choice or a template.
"""

from __future__ import annotations

import datetime as _dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import languages
from ..config.detect import Detection, check_handler, detect, find_handlers, single_handler
from ..config.policy_templates import TEMPLATES
from ..config.regions import configured_region
from ..config.schema import SECTIONS, Key
from ..errors import UsageError
from ..runtimes import Registry
from . import checks
from .answers import Answers, Source
from .sources import materialize

GIVEN_NONE = object()  # an asker's "no value given: take the default"


@dataclass
class Context:
    """What the questions know so far: the answers, the source folder and what detection found there."""

    base: Path
    registry: Registry
    today: _dt.date
    answers: Answers = field(default_factory=Answers)
    folder: Path | None = None
    detection: Detection | None = None
    made: list[Path] = field(default_factory=list)  # folders the wizard created (removed on Ctrl-C)
    tell: Callable[[str], None] = lambda message: None
    person: bool = False  # a person answers in a terminal (not flags or a replay): ask only what matters


@dataclass(frozen=True)
class Question:
    """One question: ``key`` is the Answers field; ``kind`` says how a terminal asks it."""

    key: str
    text: str
    kind: str  # source | text | int | select | checkbox | confirm | pairs | resources | triggers
    flag: str
    help: str
    default: Callable[[Context], Any]
    check: Callable[[Any, Context], str | None] = lambda value, ctx: None
    choices: Callable[[Context], list[tuple[str, Any]]] = lambda ctx: []
    when: Callable[[Context], bool] = lambda ctx: True
    note: Callable[[Context], str] = lambda ctx: ""
    after: Callable[[Context], None] | None = None


def _schema(section: str, key: str) -> Key:
    return SECTIONS[section][key]


def _number(text: str, flag: str, section: str, key: str) -> Question:
    """A whole-number question for one schema key: its range in the text, its default (the language's
    starting value where its row has one), its check."""
    row = _schema(section, key)

    def default(ctx: Context) -> int:
        language = ctx.registry.lookup(ctx.answers.runtime).language_row if ctx.answers.runtime else None
        return getattr(language, f"starting_{key}", 0) or row.default

    return Question(key, f"{text} ({row.minimum}-{row.maximum})", "int", flag, row.doc, default,
                    checks.schema(section, key))


# --- source and name -----------------------------------------------------------------------------

def _after_source(ctx: Context) -> None:
    source = ctx.answers.source
    existed = (ctx.base / source.folder).exists()
    ctx.folder, said = materialize(source, ctx.base)
    if not existed:
        ctx.made.append(ctx.folder)
    ctx.tell(said)
    ctx.detection = detect(ctx.folder, registry=ctx.registry, today=ctx.today, keep_pin_problem=True)
    if len(ctx.detection.elsewhere) == 1:  # SAM's CodeUri: src/, a Go main in function/: that folder is the function
        inner = ctx.detection.elsewhere[0]
        ctx.tell(f"the function is in {inner}/, which builds on its own (its own dependency files, or Go's main "
                 f"package): using {inner} as the source")
        ctx.folder = ctx.folder / inner
        ctx.detection = detect(ctx.folder, registry=ctx.registry, today=ctx.today, keep_pin_problem=True)


def _default_name(ctx: Context) -> str:
    named_after = (ctx.base / ctx.answers.source.folder).resolve()  # the folder given, not a subfolder taken
    return re.sub(r"[^A-Za-z0-9_-]+", "-", named_after.name).strip("-")[:64] or "my-function"


# --- runtime and handler ------------------------------------------------------------------------

def _runtime_default(ctx: Context) -> str:
    """The detected runtime; none when several fit (a terminal then starts on the first candidate).
    A pin no runtime fits is the error here, where no runtime was named."""
    if ctx.detection.pin_problem is not None:
        raise ctx.detection.pin_problem
    return ctx.detection.runtime or ""


def _after_runtime(ctx: Context) -> None:
    """The named runtime wins over a version pin no runtime fits: the pin becomes a note."""
    problem = ctx.detection.pin_problem
    if problem is not None and ctx.answers.runtime:
        place = f"{problem.where}: " if getattr(problem, "where", None) else ""
        ctx.tell(f"note: {place}{problem.message}; using {ctx.answers.runtime}, as named")


def _runtime_label(runtime_id: str, ctx: Context) -> str:
    runtime = ctx.registry.lookup(runtime_id)
    if runtime.status(ctx.today) == "deprecated":
        return f"{runtime_id} (deprecated since {runtime.deprecation.isoformat()})"
    return runtime_id


def _runtime_choices(ctx: Context) -> list[tuple[str, str]]:
    ambiguous = [c.runtime for c in ctx.detection.candidates if c.runtime] if not ctx.detection.runtime else []
    ids = list(dict.fromkeys(ambiguous)) or [r.id for r in ctx.registry.all()
                                             if r.status(ctx.today) in ("supported", "deprecated")]
    first = _runtime_default(ctx)
    ids = ([first] if first in ids else []) + [i for i in ids if i != first]  # the detected one on top
    return [(_runtime_label(i, ctx), i) for i in ids]


def _runtime_note(ctx: Context) -> str:
    found = ctx.detection
    if not found.candidates:
        return f"no {languages.detected_labels()} function found in {ctx.folder}"
    lines = [f"{c.runtime or '?'}: {c.evidence}" for c in found.candidates]
    head = "detected" if found.runtime else "more than one runtime fits; pick one"
    return head + "\n  " + "\n  ".join(lines)


def _handler_candidates(ctx: Context) -> list[str]:
    runtime = ctx.registry.lookup(ctx.answers.runtime)
    return [c.handler for c in find_handlers(runtime, ctx.folder) if c.handler]


def _handler_default(ctx: Context) -> str:
    if ctx.detection.handler and ctx.detection.runtime == ctx.answers.runtime:
        return ctx.detection.handler
    runtime = ctx.registry.lookup(ctx.answers.runtime)
    return single_handler(find_handlers(runtime, ctx.folder)) or ""


def _handler_check(handler: str, ctx: Context) -> str | None:
    runtime = ctx.registry.lookup(ctx.answers.runtime)
    if not handler:
        candidates = find_handlers(runtime, ctx.folder)
        found = [c.handler for c in candidates if c.handler]
        if len(found) > 1:
            return "more than one handler fits: " + ", ".join(found) + "; pick one"
        why = "; ".join(c.evidence for c in candidates if not c.handler)  # what the finder saw instead
        return f"no handler found: {why}" if why else \
            f"no handler found; name one, e.g. {runtime.language_row.handler_example}"
    return check_handler(runtime, ctx.folder, handler)


# --- build method ---------------------------------------------------------------------------------

def _build_method(ctx: Context) -> tuple[str, str]:
    """The default build method and why."""
    runtime = ctx.registry.lookup(ctx.answers.runtime)
    if "container" not in runtime.language_row.installers:
        return "local", f"{runtime.language_row.label} builds locally"
    if runtime.language == "nodejs":
        return _node_build_method(ctx)
    if runtime.language == "python":
        return _python_build_method(ctx, runtime.id)
    if shutil.which("podman"):
        return "podman", "podman is installed: builds run in the Lambda image, like AWS"
    return "local", "podman is not installed: dependencies are installed on this machine"


def _python_build_method(ctx: Context, runtime: str) -> tuple[str, str]:
    """Python builds on this machine from the wheels made for the runtime's Python and Lambda's platform,
    whatever Python runs genesys; in a container only when the lock file names a package with no wheel
    (a source archive that may compile), and podman is there to build it."""
    from ..build.lockfiles import source_only_packages

    sources = source_only_packages(ctx.folder) if ctx.folder else []
    if not sources:
        return "local", f"the wheels built for {runtime} on Lambda's Linux are installed on this machine"
    named = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
    named += " has" if len(sources) == 1 else " have"
    if shutil.which("podman"):
        return "podman", f"{named} no wheel in the lock file, only source that may compile: built in the Lambda image"
    return "local", (f"{named} no wheel in the lock file: built here when pure Python; for compiled code install "
                     'podman and set build_method = "podman"')


# --- package type ---------------------------------------------------------------------------------

# Distributions whose installed size alone nears or passes Lambda's 250 MB for a zip and its layers
HEAVY = frozenset({"torch", "tensorflow", "tensorflow-cpu", "jax", "jaxlib", "playwright", "transformers", "spacy",
                   "opencv-python", "opencv-python-headless", "pyarrow", "onnxruntime", "xgboost", "lightgbm",
                   "scipy", "pandas", "scikit-learn", "puppeteer", "@sparticuz/chromium", "sharp", "ffmpeg-static"})


def _heavy_dependencies(ctx: Context) -> list[str]:
    """The heavy distributions the source's requirements.txt or package.json name."""
    from ..build.requirements import canonical_name, logical_lines

    if ctx.folder is None:
        return []
    names = set()
    requirements = ctx.folder / "requirements.txt"
    if requirements.is_file():
        for _number, line in logical_lines(requirements.read_text(encoding="utf-8", errors="replace")):
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
            if match:
                names.add(canonical_name(match.group(0)))
    package = ctx.folder / "package.json"
    if package.is_file():
        import json

        try:
            names.update((json.loads(package.read_text(encoding="utf-8")).get("dependencies") or {}).keys())
        except (ValueError, AttributeError):
            pass
    return sorted(names & HEAVY)


def _ask_package_type(ctx: Context) -> bool:
    """For a runtime genesys builds images of: a person is asked only when heavy dependencies suggest an
    image; flags (``--package-type``) and replays always answer it."""
    from ..config.checks import IMAGE_LANGUAGES

    possible = ctx.registry.lookup(ctx.answers.runtime).language in IMAGE_LANGUAGES
    return possible and (not ctx.person or bool(_heavy_dependencies(ctx)))


def _package_type_note(ctx: Context) -> str:
    heavy = _heavy_dependencies(ctx)
    if heavy:
        return (f"{', '.join(heavy)}: the dependencies may pass Lambda's 250 MB for a zip; a container image "
                "takes 10 GB (genesys writes it itself, no container engine)")
    return "a zip deploys fastest; an image takes dependencies up to 10 GB"


def _node_build_method(ctx: Context) -> tuple[str, str]:
    """Node builds on this machine (npm picks Lambda's prebuilt packages); in a container only when a
    dependency compiles a native addon in an install script, and podman is there to build it."""
    from ..build.local_node import install_script_packages

    native = install_script_packages(ctx.folder) if ctx.folder else []
    if not native:
        return "local", "npm installs on this machine, choosing the packages prebuilt for Lambda"
    named = ", ".join(native[:3]) + (f" and {len(native) - 3} more" if len(native) > 3 else "")
    if shutil.which("podman"):
        return "podman", f"{named} compile native addons in install scripts: built in the Lambda image"
    return "local", (f"{named} compile native addons in install scripts, for this machine; install podman "
                     'and set build_method = "podman" to build them for Lambda')


# --- region -------------------------------------------------------------------------------------

def _region_default(ctx: Context) -> str:
    """A person starts from the region configured here; flags and replays write none unless given."""
    return (configured_region() or "") if ctx.person else ""


def _region_note(ctx: Context) -> str:
    here = configured_region()
    if here:
        return f"{here} is configured here (environment or AWS profile): [deployment] region is written only for another"
    return "no region is configured here (AWS_REGION, AWS profile): name one to write it, or leave it empty"


def _after_region(ctx: Context) -> None:
    """The configured region is kept out of the TOML: it goes where the person deploying has set."""
    if ctx.person and ctx.answers.region == configured_region():
        ctx.answers.region = ""


def _policy_choices(ctx: Context) -> list[tuple[str, str]]:
    return [(t.name, t.id) for t in TEMPLATES]


def _has_url(ctx: Context) -> bool:
    return ctx.answers.function_url


QUESTIONS: tuple[Question, ...] = (
    Question("source", "Where is the code?", "source", "--source",
             "a folder, a git URL (with --ref) or a .zip", lambda ctx: Source(), checks.source, after=_after_source),
    Question("name", "Function name", "text", "--name", "the function's name in AWS", _default_name, checks.name),
    Question("runtime", "Runtime", "select", "--runtime", "a Lambda runtime id (detected when left out)",
             _runtime_default, checks.runtime, _runtime_choices, note=_runtime_note, after=_after_runtime),
    Question("handler", "Handler", "select", "--handler", "the handler (detected when left out)",
             _handler_default, _handler_check, lambda ctx: [(h, h) for h in _handler_candidates(ctx)]),
    _number("Memory in MB", "--memory", "function", "memory_mb"),
    _number("Timeout in seconds", "--timeout", "function", "timeout_seconds"),
    Question("environment", "Environment variable (NAME=value, empty to finish)", "pairs", "--env",
             "an environment variable NAME=value (repeat); secrets become ${env:NAME}", lambda ctx: {},
             checks.environment),
    Question("policies", "AWS services the function uses", "checkbox", "--policy",
             "a policy template id, added to logs (repeat): " + ", ".join(t.id for t in TEMPLATES),
             lambda ctx: ["logs"],
             checks.policies, _policy_choices),
    Question("resources", "Resource names to scope", "resources", "--resource",
             "scope a service to a resource, e.g. s3=my-bucket (repeat)", lambda ctx: {}, checks.resources,
             when=lambda ctx: bool(checks.scoped_kinds(ctx.answers.policies))),
    Question("tags", "Tag (key=value, empty to finish)", "pairs", "--tag", "a tag key=value (repeat)",
             lambda ctx: {}, checks.tags),
    Question("region", "AWS region", "text", "--region",
             "the [deployment] region (default: none written; the region configured where it deploys)",
             _region_default, checks.region, note=_region_note, after=_after_region),
    Question("function_url", "Create a function URL?", "confirm", "--url", "create a function URL",
             lambda ctx: False),
    Question("auth_type", "Function URL auth type", "select", "--auth-type", _schema("deployment", "auth_type").doc,
             lambda ctx: _schema("deployment", "auth_type").default, checks.schema("deployment", "auth_type"),
             lambda ctx: [(c, c) for c in _schema("deployment", "auth_type").choices], when=_has_url),
    Question("cors", "Enable CORS on the URL?", "confirm", "--cors", "allow every origin on the function URL",
             lambda ctx: False, when=_has_url),
    Question("triggers", "Add a trigger", "triggers", "--trigger",
             "a trigger TYPE:key=value,key=value (repeat), e.g. sqs:queue=jobs", lambda ctx: [], checks.triggers),
    Question("package_type", "Package as", "select", "--package-type", _schema("build", "package_type").doc,
             lambda ctx: "zip", checks.schema("build", "package_type"),
             lambda ctx: [(c, c) for c in _schema("build", "package_type").choices], when=_ask_package_type,
             note=_package_type_note),
    Question("build_method", "Build method", "select", "--build-method", _schema("build", "build_method").doc,
             lambda ctx: _build_method(ctx)[0], checks.schema("build", "build_method"),
             lambda ctx: [(c, c) for c in _schema("build", "build_method").choices],
             note=lambda ctx: _build_method(ctx)[1], when=lambda ctx: ctx.answers.package_type == "zip"),
    Question("architectures", "Architectures", "checkbox", "--arch", "x86_64 or arm64 (repeat)",
             lambda ctx: list(_schema("build", "architectures").default), checks.schema("build", "architectures"),
             lambda ctx: [(c, c) for c in _schema("build", "architectures").choices]),
)
BY_KEY = {q.key: q for q in QUESTIONS}


def collect(ask: Callable[[Question, Context], Any], ctx: Context,
            place: Callable[[Question], tuple[str, str]]) -> Answers:
    """Ask every question in order; a value that fails its check is a UsageError with ``place(question)``:
    (where the value came from, how to correct it there)."""
    for question in QUESTIONS:
        if not question.when(ctx):
            continue
        value = ask(question, ctx)
        if value is GIVEN_NONE:
            value = question.default(ctx)
        problem = question.check(value, ctx)
        if problem:
            where, fix = place(question)
            raise UsageError(f"{where}: {problem}", hint=fix)
        setattr(ctx.answers, question.key, value)
        if question.after:
            question.after(ctx)
    return ctx.answers

