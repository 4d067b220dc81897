"""Requirements files judged for the Lambda runtime, not for the Python running genesys.

pip's ``--python-version`` and uv's ``--python-platform`` change which wheels are
accepted, but environment markers (``; python_version >= "3.12"``) are still
evaluated by the installer against the machine it runs on. So before a local
build hands requirements to pip or uv, this module reads them as ``packaging`` (pip's own
parser) does, with packaging itself for any line with a marker, a URL or an unusual version,
evaluates every marker for the target (``target_environment``:
the runtime's Python, ``linux``, ``cpython`` and the architecture's machine), drops
the lines that do not apply and writes the others without their markers. What the
file includes with ``-r`` is read the same way; relative paths become absolute, so
the rewritten file means the same wherever it is written.

The result also serves the source-build fallback: it finds the one requirement that
applies to the target by project name, with its ``--hash`` options apart.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, ConfigError, Where

MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
_INCLUDE = {"-r": "requirement", "--requirement": "requirement", "-c": "constraint", "--constraint": "constraint"}
_PATH_OPTIONS = ("-e", "--editable", "-f", "--find-links")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_MAX_DEPTH = 20
# A requirement line with no URL or marker: a project name, its extras, and comparisons with versions
# (``boto3[crt]>=1.34,<2``, ``python-dateutil==2.9.0.post0``). Read without ``packaging`` (most
# requirements files are only such lines; importing packaging costs a clean build ~15 ms). What
# packaging writes for it (``plain_spec``): the name, the sorted extras, the sorted comparisons.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SPACE = r"[ \t]*"  # what packaging takes for whitespace in a requirement: not a form feed, nor a no-break space
_PLAIN = re.compile(rf"({_NAME}){_SPACE}(?:\[{_SPACE}({_NAME}(?:{_SPACE},{_SPACE}{_NAME})*){_SPACE}\])?{_SPACE}(.*)",
                    re.DOTALL)
# A comparison with a public version in its normal form; a wildcard only after == or != and a bare
# release, ~= only with two release numbers or more. Anything else is left to packaging.
_COMPARISON = re.compile(r"{space}(?:(==|!=){space}([0-9]+(?:\.[0-9]+)*\.\*)|(~=){space}([0-9]+(?:\.[0-9]+)+{suffix})"
                         r"|(==|!=|>=|<=|<|>){space}([0-9]+(?:\.[0-9]+)*{suffix})){space}"
                         .format(space=_SPACE, suffix=r"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"))


def plain_spec(spec: str) -> tuple[str, str] | None:
    """``(what packaging writes for spec, its project name)`` when ``spec`` is a plain line; else None."""
    line = _PLAIN.fullmatch(spec)
    if line is None:
        return None
    name, extras, rest = line.groups()
    comparisons: dict[str, str] = {}  # comparison -> its operator
    for clause in rest.split(",") if rest.strip(" \t") else ():
        match = _COMPARISON.fullmatch(clause)
        if match is None:
            return None
        operator, version = (part for part in match.groups() if part)
        if operator + version not in comparisons and operator in comparisons.values():
            return None  # one operator twice: packaging keeps one of two it finds equal (``>=1,>=1.0``)
        comparisons[operator + version] = operator
    if extras:
        extras = "[" + ",".join(sorted({extra.strip(" \t") for extra in extras.split(",")})) + "]"
    return name + (extras or "") + ",".join(sorted(comparisons)), name


def machine(arch: str) -> str:
    """The machine name Python reports on a Lambda architecture (``arm64`` → ``aarch64``)."""
    try:
        return MACHINE[arch]
    except KeyError:
        raise BuildError(f"no Python wheels for architecture {arch!r}", hint="use x86_64 or arm64") from None


def target_environment(python_version: str, arch: str) -> dict[str, str]:
    """The PEP 508 marker variables of a Lambda Python runtime (``3.12``) on an architecture."""
    full = python_version if python_version.count(".") >= 2 else f"{python_version}.0"
    short = ".".join(python_version.split(".")[:2])
    return {
        "python_version": short, "python_full_version": full, "implementation_version": full,
        "implementation_name": "cpython", "platform_python_implementation": "CPython",
        "platform_machine": machine(arch), "sys_platform": "linux", "os_name": "posix",
        "platform_system": "Linux", "platform_release": "", "platform_version": "", "extra": "",
    }


@dataclass(frozen=True)
class Requirement:
    """One requirement that applies to the target: what pip reads, its project name and its hashes."""

    spec: str  # "name[extra]==1.0", "name @ url", a path or URL; never a marker
    name: str  # canonical project name; "" for a path or URL that names none
    where: str  # file:line, for messages
    hashes: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # the line's other options, as written

    def line(self, extra_hashes: tuple[str, ...] = ()) -> str:
        hashes = self.hashes + tuple(h for h in extra_hashes if h not in self.hashes) if self.hashes else ()
        return " ".join([self.spec, *self.options, *(f"--hash={h}" for h in hashes)])


@dataclass
class Resolved:
    """A requirements file as it applies to one target."""

    requirements: list[Requirement] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # file-wide options (indexes, constraints, find-links)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (line, file:line) the markers leave out
    extra_hashes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def find(self, name: str) -> Requirement | None:
        """The requirement for project ``name`` (any spelling), or None."""
        wanted = canonical_name(name)
        return next((r for r in self.requirements if r.name == wanted), None)

    def text(self) -> str:
        lines = [*self.options, *(r.line(self.extra_hashes.get(r.name, ())) for r in self.requirements)]
        return "\n".join(lines) + "\n"


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each line pip reads: continuations joined, comments removed."""
    found, pending, start = [], "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\") and not _COMMENT.search(raw[:-1]):
            pending += raw[:-1] + " "
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            found.append((start, line))
    if pending.strip():
        found.append((start, _COMMENT.sub("", pending).strip()))
    return found


def split_options(line: str) -> tuple[str, list[str]]:
    """A requirement line's requirement (up to the first word starting with ``-``) and its options."""
    words = line.split(" ")
    for index, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:index]).strip(), shlex.split(" ".join(words[index:]))
    return line.strip(), []


def _is_path_or_url(spec: str) -> bool:
    return ("://" in spec or spec.startswith((".", "/", "file:")) or "/" in spec.split(";")[0]
            or os.sep in spec or spec.split(";")[0].strip().endswith((".whl", ".zip", ".tar.gz", ".tgz")))


def _absolute(path_text: str, base: Path) -> str:
    """A relative local path made absolute against ``base``; anything else as it is."""
    if "://" in path_text or path_text.startswith(("/", "file:", "git+", "$")) or not path_text:
        return path_text
    return str((base / path_text).resolve())


def _option_line(line: str, base: Path, where: Where, resolved: Resolved, env: dict, depth: int) -> None:
    words = shlex.split(line)
    flag, _, inline_value = words[0].partition("=")
    value = inline_value or (words[1] if len(words) > 1 else "")
    if flag in _INCLUDE:
        included = Path(_absolute(value, base))
        if _INCLUDE[flag] == "requirement":
            _read(included, env, resolved, depth + 1, where)
        else:
            resolved.options.append(f"--constraint {shlex.quote(str(included))}")
    elif flag in _PATH_OPTIONS and value:
        spec = _absolute(value, base)
        if flag in ("-e", "--editable"):
            resolved.requirements.append(Requirement(f"-e {shlex.quote(spec)}", "", str(where)))
        else:
            resolved.options.append(f"{flag} {shlex.quote(spec)}")
    else:
        resolved.options.append(line)


def _split_marker(spec: str) -> tuple[str, str]:
    """A path or URL requirement and its marker: pip wants a space on one side of the ``;``."""
    match = re.search(r"\s;|;\s", spec)
    return (spec[:match.start()], spec[match.end():]) if match else (spec, "")


def canonical_name(name: str) -> str:
    """A project name as packaging's ``canonicalize_name`` writes it (``PyYAML`` → ``pyyaml``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(spec: str, options: list[str], base: Path, where: Where, env: dict) -> Requirement | None:
    """The requirement as it applies to the target; None when its marker leaves it out."""
    hashes = tuple(o.partition("=")[2] for o in options if o.startswith("--hash="))
    rest = tuple(o for o in options if not o.startswith("--hash="))
    plain = None if _is_path_or_url(spec) else plain_spec(spec)
    if plain:
        return Requirement(plain[0], canonical_name(plain[1]), str(where), hashes, rest)
    from packaging.markers import InvalidMarker, Marker
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Parsed

    try:
        if _is_path_or_url(spec) and " @ " not in spec:
            target, marker_text = _split_marker(spec)
            marker = Marker(marker_text) if marker_text.strip() else None
            fragment = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", target)
            name = canonical_name(fragment.group(1)) if fragment else ""
            text = _absolute(target.strip(), base)
        else:
            parsed = Parsed(spec)
            marker, parsed.marker = parsed.marker, None
            name, text = canonical_name(parsed.name), str(parsed)
    except (InvalidRequirement, InvalidMarker) as err:
        raise ConfigError(f"cannot read the requirement {spec!r} ({err})",
                          hint="write it as pip expects, e.g. `name==1.0 ; python_version >= \"3.12\"`",
                          where=where) from None
    if marker is not None and not marker.evaluate(env):
        return None
    return Requirement(text, name, str(where), hashes, rest)


def _read(path: Path, env: dict, resolved: Resolved, depth: int, origin: Where | None) -> None:
    if depth > _MAX_DEPTH:
        raise ConfigError(f"{path.name}: requirements files include each other more than {_MAX_DEPTH} deep",
                          hint="remove the -r loop", where=origin or Where(path))
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise ConfigError(f"cannot read {path} ({err.strerror})", hint="fix the -r line or the file",
                          where=origin or Where(path)) from None
    for number, line in logical_lines(text):
        where = Where(path, number)
        if line.startswith("-") and not line.startswith(("--hash",)):
            _option_line(line, path.parent, where, resolved, env, depth)
            continue
        spec, options = split_options(line)
        requirement = _requirement(spec, options, path.parent, where, env)
        if requirement is None:
            resolved.dropped.append((spec, str(where)))
        else:
            resolved.requirements.append(requirement)


def resolve(path: Path, env: dict[str, str]) -> Resolved:
    """``path`` with every marker judged for ``env`` (``target_environment``): what applies, and what not."""
    resolved = Resolved()
    _read(Path(path), env, resolved, 0, None)
    return resolved

