"""Python layers built on this machine without a container: the wheels Lambda's runtime loads.

pip or uv installs the requirements into ``<layer>/python`` for the *function's*
interpreter (version, ``cpXY`` ABI) and architecture, accepting only wheels whose
manylinux tag the runtime's glibc supports. So a layer built on an x86_64 laptop
for arm64, or by Python 3.11 for python3.12, carries the right compiled code.

- Environment markers are judged for the runtime's Python and architecture before
  the installer sees the requirements (``requirements``): pip and uv would judge them
  for the Python running genesys. A file whose lines all fall out installs nothing.
- Only wheels are installed. A requirement that ships only a source distribution
  is built with ``pip wheel`` (``source_builds``, imported when an install fails) and accepted
  only if the result is pure Python; compiled code must be built for Amazon Linux, in a container.
- No ``.pyc`` (Lambda's runtime writes none to /opt anyway, and they would break
  determinism) and no ``bin/`` scripts (nothing on Lambda runs them).
- ``installer = "auto"`` takes uv (a dependency of genesys, found through its own
  package, not PATH) whenever it can name the runtime's exact manylinux platform and
  this machine's pip settings (``pip_config``, read in-process) translate to it; else
  pip, and the build output says once why.
  bench/bench_installers.py (5 typical requirements, 2 cores) measured pip at
  4.6 s cold / 4.0 s warm and uv at 1.3 s / 0.9 s, hence the preference.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import BuildError
from ..paths import write_text_atomic
from . import toolrun
from .installers import InstallJob
from .pip_config import pip_settings
from .requirements import Resolved, machine, resolve, target_environment

INSTALLERS = ("pip", "uv")
PREFERRED = "uv"

# The oldest manylinux each architecture has wheels for, and the legacy names of some glibc versions.
OLDEST_GLIBC_MINOR = {"x86_64": 5, "aarch64": 17}
LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
# The manylinux versions uv's --python-platform can name (uv 0.13: 2_17, 2_28, 2_31 ... 2_40).
UV_MANYLINUX_MINORS = (17, 28, *range(31, 41))

MAX_SOURCE_BUILDS = 20


def _glibc_minor(glibc: str) -> int:
    major, minor = (int(part) for part in glibc.split(".")[:2])
    if major != 2:
        raise BuildError(f"unexpected glibc version {glibc!r} in the runtime table")
    return minor


def platform_tags(glibc: str, arch: str) -> list[str]:
    """Every manylinux tag a runtime with this glibc accepts, newest first, legacy aliases included.

    pip does not expand ``manylinux_2_26`` into the older tags by itself, so each is passed.
    """
    cpu = machine(arch)
    tags = []
    for minor in range(_glibc_minor(glibc), OLDEST_GLIBC_MINOR[cpu] - 1, -1):
        tags.append(f"manylinux_2_{minor}_{cpu}")
        if minor in LEGACY_MANYLINUX:
            tags.append(f"{LEGACY_MANYLINUX[minor]}_{cpu}")
    return tags


def uv_platform(glibc: str, arch: str) -> tuple[str, bool]:
    """uv's ``--python-platform`` for the runtime, and whether it names the runtime's glibc exactly.

    uv knows only some manylinux versions; for others (glibc 2.26) the newest older one
    is taken, which is safe but can miss wheels built for 2.18 to 2.26.
    """
    minor = _glibc_minor(glibc)
    fitting = [m for m in UV_MANYLINUX_MINORS if m <= minor] or [UV_MANYLINUX_MINORS[0]]
    return f"{machine(arch)}-manylinux_2_{fitting[-1]}", fitting[-1] == minor


# --- pip's settings, translated for uv -------------------------------------------------------------

# pip settings that change nothing about which files end up in the layer.
_PIP_SETTINGS_WITHOUT_EFFECT = {
    "timeout", "default-timeout", "retries", "disable-pip-version-check", "no-cache-dir", "cache-dir",
    "progress-bar", "quiet", "verbose", "no-color", "no-input", "root-user-action", "log",
    "no-warn-script-location", "no-warn-conflicts", "require-virtualenv", "break-system-packages",
    "exists-action", "user", "prefer-binary", "upgrade-strategy", "use-feature", "python", "config-file",
}
# Set by the user for uv itself: then uv's own index configuration is used as it is.
_UV_INDEX_ENV = ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS",
                 "UV_NO_INDEX")


@dataclass(frozen=True)
class UvIndexOptions:
    """pip's index settings as uv flags and environment; ``unmapped`` lists pip settings uv would miss."""

    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    unmapped: tuple[str, ...] = ()


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def uv_index_options(settings: dict[str, str], environ: dict[str, str] | None = None) -> UvIndexOptions:
    """Translate pip's index settings into uv flags, unless uv is configured through its own variables."""
    environ = os.environ if environ is None else environ
    if any(environ.get(name) for name in _UV_INDEX_ENV):
        return UvIndexOptions()
    args: list[str] = []
    env: list[tuple[str, str]] = []
    unmapped = []
    for key, value in sorted(settings.items()):
        values = value.split()
        if key == "index-url":
            args += ["--index-url", values[0]] if values else []
        elif key == "extra-index-url":
            for url in values:
                args += ["--extra-index-url", url]
        elif key == "find-links":
            for place in values:
                args += ["--find-links", place]
        elif key in ("constraint", "constraints"):
            for path in values:
                args += ["--constraints", path]
        elif key == "trusted-host":
            for host in values:
                args += ["--allow-insecure-host", host]
        elif key == "no-index":
            args += ["--no-index"] if _truthy(value) else []
        elif key == "pre":
            args += ["--prerelease", "allow"] if _truthy(value) else []
        elif key == "cert":
            if not environ.get("SSL_CERT_FILE"):
                env.append(("SSL_CERT_FILE", value))
        elif key not in _PIP_SETTINGS_WITHOUT_EFFECT:
            unmapped.append(key)
    if any(flag in args for flag in ("--extra-index-url", "--find-links")):
        # pip weighs every index alike and takes the best version; uv's default stops at the first index.
        args += ["--index-strategy", "unsafe-best-match"]
    return UvIndexOptions(tuple(args), tuple(env), tuple(unmapped))


# --- choosing and describing the installer ---------------------------------------------------------

@functools.lru_cache(maxsize=1)
def uv_binary() -> str | None:
    """The uv executable genesys's own installation ships (the ``uv`` package, a dependency), else uv on PATH.

    Found without PATH: ``venv/bin/genesys`` or ``venv/bin/python -m ...`` run without
    activating the venv still build with uv.
    """
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _installed_version(project: str) -> str:
    """An installed project's version, from the ``Version:`` line of its METADATA file (``importlib.metadata``'s
    ``version`` reads the same line through the email parser, whose import a clean build would pay for)."""
    text = importlib.metadata.distribution(project).read_text("METADATA") or ""
    for line in text.splitlines():
        if line.startswith("Version:"):
            return line.partition(":")[2].strip()
        if not line:  # the headers end at the first empty line
            break
    return importlib.metadata.version(project)


@functools.lru_cache(maxsize=4)
def _uv_version(binary: str) -> str:
    """``uv X.Y.Z``: read from the ``uv`` package's metadata when the binary is its own (no process),
    else from ``uv --version``."""
    try:
        from uv import find_uv_bin

        if os.path.samefile(find_uv_bin(), binary):
            return f"uv {_installed_version('uv')}"
    except (ImportError, FileNotFoundError, importlib.metadata.PackageNotFoundError):
        pass
    proc = subprocess.run([binary, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise BuildError(f"`{binary} --version` failed: {proc.stderr.strip()}", hint='set installer = "pip"')
    return " ".join(proc.stdout.split()[:2])


_SAID: set[tuple] = set()


def _say_once(log, message: str) -> None:
    """A note for the build output, once per process and output (every layer asks ``choose``)."""
    if (log, message) not in _SAID:
        _SAID.add((log, message))
        log(message)


def why_not_uv(job: InstallJob) -> str | None:
    """Why ``installer = "auto"`` cannot take uv for this job, or None when it can."""
    if uv_binary() is None:
        return "uv is not installed (pip install uv)"
    if not uv_platform(job.runtime.glibc, job.arch)[1]:
        return f"uv cannot target the glibc {job.runtime.glibc} of {job.runtime.id} exactly"
    unmapped = uv_index_options(pip_settings()).unmapped
    if unmapped:
        return f"uv does not read pip's settings {', '.join(unmapped)}"
    local = local_projects(job)
    if local:
        return f"the requirements name local projects ({', '.join(p.name for p in local)}), which pip builds from source"
    return None


def choose(job: InstallJob) -> str:
    """``pip`` or ``uv`` for this job; "auto" takes uv wherever it builds what pip would, and says
    (once) why when it cannot."""
    if job.installer in INSTALLERS:
        if job.installer == "uv" and uv_binary() is None:
            raise BuildError("installer = \"uv\" but uv is not installed",
                             hint='pip install uv, or set [build] installer = "pip" (or "auto")')
        return job.installer
    if job.installer != "auto":
        raise BuildError(f"unknown Python installer {job.installer!r}", hint='use "auto", "pip" or "uv"')
    if PREFERRED == "pip":
        return "pip"
    reason = why_not_uv(job)
    if reason is None:
        return "uv"
    _say_once(job.log, f"note: pip builds the {job.runtime.id} {job.arch} layers, not uv: {reason}")
    return "pip"


def local_projects(job: InstallJob) -> list[Path]:
    """The local projects (folders, source archives) the requirements name: pip builds them, uv with
    ``--only-binary`` does not, so ``auto`` takes pip for such a layer."""
    from .references import referenced

    return [path for path in referenced([job.manifest], "python") if path.is_dir() or
            path.name.endswith((".tar.gz", ".zip", ".tar.bz2"))]


def version(job: InstallJob) -> str:
    """The installer that will build this layer and its version (part of the cache key)."""
    if choose(job) == "uv":
        return _uv_version(uv_binary())
    return f"pip {_installed_version('pip')}"


# --- the commands ----------------------------------------------------------------------------------

def pip_command(job: InstallJob, site: Path, find_links: list[Path]) -> tuple[list[str], dict]:
    cmd = [sys.executable, "-m", "pip", "install", "-r", str(job.manifest), "--target", str(site),
           "--upgrade", "--no-user", "--only-binary=:all:", "--no-compile", "--implementation", "cp",
           "--python-version", job.runtime.version, "--abi", f"cp{job.runtime.python_tag}",
           "--disable-pip-version-check", "--no-input"]
    for tag in platform_tags(job.runtime.glibc, job.arch):
        cmd += ["--platform", tag]
    for place in find_links:
        cmd += ["--find-links", str(place)]
    return cmd, dict(os.environ, PIP_ROOT_USER_ACTION="ignore")


def uv_command(job: InstallJob, site: Path, find_links: list[Path]) -> tuple[list[str], dict]:
    platform, exact = uv_platform(job.runtime.glibc, job.arch)
    if not exact:
        job.log(f"note: uv cannot target glibc {job.runtime.glibc} exactly; using {platform} "
                f"(wheels built for a newer glibc up to {job.runtime.glibc} are not considered)")
    options = uv_index_options(pip_settings())
    if options.unmapped:
        job.log(f"note: uv does not read pip's settings {', '.join(options.unmapped)}; "
                'set installer = "pip" if they matter')
    cmd = [uv_binary(), "pip", "install", "-r", str(job.manifest), "--target", str(site),
           "--python-platform", platform, "--python-version", job.runtime.version,
           "--only-binary", ":all:", "--python", sys.executable, *options.args]
    for place in find_links:
        cmd += ["--find-links", str(place)]
    return cmd, dict(os.environ, **dict(options.env))


COMMANDS = {"pip": pip_command, "uv": uv_command}


# --- the installer ---------------------------------------------------------------------------------

def _resolved(job: InstallJob) -> Resolved:
    """The job's requirements as they apply to its runtime and architecture, with what fell out logged."""
    resolved = resolve(job.manifest, target_environment(job.runtime.version, job.arch))
    for line, where in resolved.dropped if job.debug else ():
        job.log(f"{line}: not for {job.runtime.id} {job.arch} (its marker; {where})")
    return resolved


def install(job: InstallJob) -> None:
    """Fill ``job.target/python`` with the requirements' wheels for the job's runtime and architecture.

    Markers are judged for the target first (``requirements``); when no requirement is
    left, nothing is installed and the layer is empty, which means no layer.
    """
    installer = choose(job)
    site = job.target / job.runtime.layer_path
    site.mkdir(parents=True, exist_ok=True)
    resolved = _resolved(job)
    if not resolved.requirements:
        job.log(f"{job.manifest.name}: nothing to install for {job.runtime.id} {job.arch}")
        return
    if job.debug:
        job.log(f"installing {job.manifest.name} with {installer} for {job.runtime.id} {job.arch}")
    if job.installer == "auto" and installer == "pip" and local_projects(job):
        job.log(f"note: {job.manifest.name} names local projects (" + ", ".join(p.name for p in local_projects(job))
                + "): pip builds this layer (uv installs only wheels here)")
    with tempfile.TemporaryDirectory(prefix="genesys-sdist-", dir=job.target.parent) as scratch:
        wheel_dir = Path(scratch, "wheels")
        wheel_dir.mkdir()
        work = replace(job, manifest=Path(scratch, "requirements.txt"))
        built: set[str] = set()
        while True:
            write_text_atomic(work.manifest, resolved.text())
            cmd, env = COMMANDS[installer](work, site, [wheel_dir] if built else [])
            done = toolrun.run_command(cmd, cwd=job.manifest.parent, env=env, debug=job.debug, log=job.log)
            if done.ok:
                break
            from .source_builds import build_pure_wheel, install_failed, wheelless_name

            name = wheelless_name(installer, done.output)
            requirement = resolved.find(name) if name else None
            if requirement is None or requirement.name in built or len(built) >= MAX_SOURCE_BUILDS:
                raise install_failed(job, installer, done)
            digest = build_pure_wheel(job, requirement, wheel_dir, job.manifest.parent, done, installer)
            resolved.extra_hashes[requirement.name] = (digest,)
            built.add(requirement.name)
    strip_site(site)


def strip_site(site: Path) -> None:
    """Remove what Lambda never uses and what would make the layer differ between builds."""
    shutil.rmtree(site / "bin", ignore_errors=True)
    (site / ".lock").unlink(missing_ok=True)  # uv's lock for the --target folder
    for cache in sorted(site.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)
    for compiled in site.rglob("*.py[co]"):
        compiled.unlink(missing_ok=True)
