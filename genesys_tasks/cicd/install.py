"""The command a generated CI job installs genesys with: exactly the genesys that wrote the file.

The distribution is ``genesys-lambda`` (the name ``genesys`` on the public package index
belongs to another project); the command stays ``genesys`` and the import package
``genesys_tasks``. How this genesys was installed decides the line (PEP 610):

- from an index (no ``direct_url.json``): that name and version, pinned by the sha256 of
  its wheel with ``--require-hashes`` (the wheel is fetched once, with the user's pip
  settings, to hash it);
- from a VCS (``vcs_info``): that URL at that commit;
- from a URL archive with a hash (``archive_info``): that URL and hash;
- anything else (an editable or local-folder install, a local file): there is no way for
  a runner to get the same code, so ``genesys ci`` stops (exit 2) asking for ``--install``.

The job installs with uv (pinned to the version installed beside this genesys; seconds where pip
takes tens of them), into the Python ``python`` names in the job (a venv or not), with uv's cache in
``INSTALL_CACHE``, which the templates cache under a key over this line. A pinned release is
installed alone (``--no-deps --require-hashes``), then the dependencies CI jobs use: genesys's
own requirements without those only the wizard needs (``WIZARD_ONLY``) and without the tree-sitter
grammars of languages the repo's functions do not use (each language's grammars are an extra of
genesys-lambda, ``Language.grammars``; a plain install has them all). A repo that gains a function in
another language needs the file generated again: ``genesys ci --check`` says so (``commands/ci``), and
a job that meets such a function stops with exit 2 naming the extra (``errors.MissingGrammar``).
"""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .model import CACHE_DIR

DISTRIBUTION = "genesys-lambda"
# Where the job writes the hash-pinned requirement; .genesys/ is genesys's own folder.
REQUIREMENT_FILE = ".genesys/genesys-requirements.txt"
# uv's cache for the install step, relative to the repository root the jobs run in: the folder of the CI
# cache that the templates keep under the install key beside pip's (``cache_dir``/install).
INSTALL_CACHE = f"{CACHE_DIR}/install"
# Requirements of genesys that no CI job imports: the wizard's prompts.
WIZARD_ONLY = frozenset({"questionary"})


@dataclass(frozen=True)
class Installed:
    """How the running genesys was installed: its version and PEP 610 record (None: from an index)."""

    version: str
    direct_url: dict | None
    found: bool = True  # False: no distribution of that name in this environment
    requires: tuple[str, ...] = ()  # its Requires-Dist lines
    uv: str = ""  # the version of uv installed beside it ("": none, the job installs with pip)


def installed() -> Installed:
    """What this environment says about the ``genesys-lambda`` distribution."""
    from importlib import metadata

    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        from .. import __version__

        return Installed(__version__, None, found=False)
    text = dist.read_text("direct_url.json")
    try:
        record = json.loads(text) if text else None
    except json.JSONDecodeError:
        record = {}
    try:
        uv = metadata.version("uv")
    except metadata.PackageNotFoundError:
        uv = ""
    return Installed(dist.version, record, requires=tuple(dist.requires or ()), uv=uv)


def _choices(version: str) -> str:
    return ("pass --install CMD, for example "
            f"--install 'pip install {DISTRIBUTION}=={version}' (a release), "
            f"--install 'pip install \"{DISTRIBUTION} @ git+https://HOST/OWNER/REPO@COMMIT\"' (a commit), "
            "or --install 'pip install ./tools/genesys' (a folder of the repo)")


def grammars_for(languages) -> tuple[str, ...]:
    """The grammar extras (``Language.grammars``) that functions of ``languages`` are read with, sorted."""
    from ..languages import get

    return tuple(sorted({row.grammars for name in languages if (row := get(name)) and row.grammars}))


def requirements(requires: tuple[str, ...], names: frozenset[str] = WIZARD_ONLY,
                 grammars: tuple[str, ...] = ()) -> list[str]:
    """The requirements of ``requires`` (genesys's Requires-Dist) that CI jobs need: without extras,
    without ``names``, and without the grammars of every grammar extra but ``grammars``."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from ..languages import TABLE

    extras = {row.grammars for row in TABLE if row.grammars}
    kept, by_extra = [], {extra: set() for extra in extras}
    for text in requires:
        requirement = Requirement(text)
        if requirement.marker is not None and "extra" in str(requirement.marker):
            for extra in extras:
                if requirement.marker.evaluate({"extra": extra}):
                    by_extra[extra].add(canonicalize_name(requirement.name))
            continue
        kept.append(requirement)
    wanted = set().union(*(by_extra.get(extra, set()) for extra in grammars))
    left_out = set(names) | (set().union(*by_extra.values()) - wanted)
    return [str(requirement) for requirement in kept if canonicalize_name(requirement.name) not in left_out]


def _installer(uv: str):
    """(words that get the installer, the install command) for a job: uv ``uv`` into the Python the
    job's ``python`` is, with its cache in ``INSTALL_CACHE``; pip when no uv version is known."""
    if not uv:
        return "", "python -m pip install"
    return (f"python -m pip install {shlex.quote('uv==' + uv)} && ",
            f'python -m uv pip install --python "$(command -v python)" --cache-dir {INSTALL_CACHE}')


def _requirement(line: str, found: Installed, grammars: tuple[str, ...]) -> str:
    """Shell words that install the one requirement ``line`` (with its --hash) alone, then the
    dependencies CI jobs need (with the grammar extras ``grammars``)."""
    setup, install = _installer(found.uv)
    needed = " ".join(shlex.quote(requirement) for requirement in requirements(found.requires, grammars=grammars))
    return (f"{setup}mkdir -p .genesys && printf '%s\\n' {shlex.quote(line)} > {REQUIREMENT_FILE}"
            f" && {install} --no-deps --require-hashes -r {REQUIREMENT_FILE}"
            + (f" && {install} {needed}" if needed else ""))


def wheel_sha256(version: str, download=None) -> str:
    """The sha256 of the released ``genesys-lambda`` wheel of ``version``, fetched with pip's settings."""
    with tempfile.TemporaryDirectory(prefix="genesys-wheel-") as folder:
        done = (download or _pip_download)(f"{DISTRIBUTION}=={version}", Path(folder))
        wheels = sorted(Path(folder).glob("*.whl"))
        if done.returncode or len(wheels) != 1:
            raise UsageError(f"{DISTRIBUTION} {version} is installed as a release, but its wheel could not be "
                             f"fetched to pin it by hash: {done.stderr.strip()[-400:]}", hint=_choices(version))
        return hashlib.sha256(wheels[0].read_bytes()).hexdigest()


def _pip_download(requirement: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                           "-d", str(folder), requirement], capture_output=True, text=True)


def install_line(found: Installed | None = None, *, sha256=wheel_sha256, grammars: tuple[str, ...] = ()) -> str:
    """The shell command that installs, in a job, the genesys ``found`` describes (UsageError if none),
    with the grammar extras ``grammars`` (``grammars_for`` the repo's languages) and no other."""
    found = found or installed()
    version = found.version
    if not found.found:
        raise UsageError(f"no {DISTRIBUTION} distribution is installed here, so the generated jobs cannot "
                         "install this genesys", hint=_choices(version))
    record = found.direct_url
    if record is None:
        return _requirement(f"{DISTRIBUTION}=={version} --hash=sha256:{sha256(version)}", found, grammars)
    url = str(record.get("url", ""))
    vcs = record.get("vcs_info")
    if vcs and vcs.get("vcs") == "git" and vcs.get("commit_id") and not url.startswith("file:"):
        requirement = f"{DISTRIBUTION} @ git+{url}@{vcs['commit_id']}"
        setup, install = _installer(found.uv)
        return f"{setup}{install} {shlex.quote(requirement)}"
    archive = record.get("archive_info") or {}
    digest = (archive.get("hashes") or {}).get("sha256")
    if digest and url.startswith("https://"):
        return _requirement(f"{DISTRIBUTION} @ {url} --hash=sha256:{digest}", found, grammars)
    kind = "an editable install" if (record.get("dir_info") or {}).get("editable") else "a local install"
    raise UsageError(f"this genesys is {kind} ({url or 'no URL'}): a CI runner cannot install the same code",
                     hint=_choices(version))

