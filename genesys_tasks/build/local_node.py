"""Node.js layers built on this machine with npm: ``nodejs/node_modules`` with production dependencies.

package.json and its lock file are copied into ``<layer>/nodejs``; there ``npm ci``
(or ``npm install`` when there is no lock file) installs the dependencies without
the dev ones. Lambda puts ``/opt/nodejs/node_modules`` on the module path.

Decisions:

- Install scripts stay on. Packages such as bcrypt or sharp fetch or build their
  native part in them; turning them off would give a layer that fails only on
  Lambda. npm's own ``allowScripts`` policy in package.json still applies.
- ``--os linux --cpu x64|arm64 --libc glibc`` make npm pick the optional
  dependencies prebuilt for Lambda (e.g. ``@img/sharp-linux-arm64``). What install
  scripts compile is still for this machine's OS, CPU and node; when those differ
  from the target a note says so, and ``build_method = "podman"`` is the way.
- package.json and the lock file stay in the layer: they are small, harmless at
  ``/opt/nodejs``, and record which versions the layer carries. A project
  ``.npmrc`` is used for the install and then removed: it may hold tokens.
  ``node_modules/.bin`` is removed: nothing on Lambda runs those links.
- ``file:`` and ``link:`` dependencies name folders relative to package.json's folder,
  not to the scratch folder npm runs in: the install reads a package.json whose local
  specs are absolute ``file:`` paths, with ``--install-links`` so npm packs each folder
  into the layer instead of linking outside it; then the user's package.json and lock
  file are put back (the layer records no path of this machine). A local dependency
  whose path does not exist, or that npm did not install, fails the build naming it.
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
from pathlib import Path

from ..errors import BuildError, MissingTool
from . import toolrun
from .installers import InstallJob

LOCK_FILES = ("npm-shrinkwrap.json", "package-lock.json")
OTHER_LOCK_FILES = ("yarn.lock", "pnpm-lock.yaml")
NPM_CPU = {"x86_64": "x64", "arm64": "arm64"}
HOST_CPU = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
PODMAN_HINT = 'set [build] build_method = "podman" to build native addons in the Lambda build image'


def npm_binary() -> str:
    return shutil.which("npm") or "npm"


@functools.lru_cache(maxsize=4)
def _tool_version(program: str) -> str:
    try:
        proc = subprocess.run([program, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise MissingTool(Path(program).name, f"install Node.js with npm (Debian/Ubuntu: apt-get install nodejs npm), "
                                              f"or {PODMAN_HINT}") from None
    if proc.returncode != 0:
        raise BuildError(f"`{program} --version` failed: {proc.stderr.strip()}")
    return proc.stdout.strip().lstrip("v")


def _major(version_text: str) -> int:
    try:
        return int(version_text.split(".")[0])
    except ValueError:
        return 0


def version(job: InstallJob) -> str:
    """npm's version and node's (install scripts compile against node): part of the cache key."""
    return f"npm {_tool_version(npm_binary())}; node {_tool_version(shutil.which('node') or 'node')}"


def install_script_packages(folder: Path) -> list[str]:
    """The production packages of ``folder``'s lock file that run install scripts (npm marks them
    ``hasInstallScript``): those compile native addons for the machine that installs them."""
    import json

    lock = lock_file(folder)
    try:
        data = json.loads(lock.read_text(encoding="utf-8")) if lock else {}
    except (OSError, ValueError):
        return []
    packages = data.get("packages") if isinstance(data, dict) else None
    return sorted({key.rpartition("node_modules/")[2] for key, entry in (packages or {}).items()
                   if key and isinstance(entry, dict) and entry.get("hasInstallScript") and not entry.get("dev")})


def lock_file(folder: Path) -> Path | None:
    """The lock file ``npm ci`` reads (npm-shrinkwrap.json wins, as in npm)."""
    for name in LOCK_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def target_flags(job: InstallJob) -> list[str]:
    """Flags that make npm choose optional dependencies for Lambda's OS, CPU and libc."""
    try:
        cpu = NPM_CPU[job.arch]
    except KeyError:
        raise BuildError(f"no Node.js layer for architecture {job.arch!r}", hint="use x86_64 or arm64") from None
    npm_major = _major(_tool_version(npm_binary()))
    flags = ["--os", "linux", "--cpu", cpu] if npm_major >= 10 else []
    if npm_major >= 11:
        flags += ["--libc", "glibc"]
    return flags


def host_differences(job: InstallJob) -> list[str]:
    """How this machine differs from the Lambda target, as far as install scripts are concerned."""
    differences = []
    host_os = platform.system().lower()
    host_cpu = HOST_CPU.get(platform.machine().lower(), platform.machine().lower())
    if host_os != "linux" or host_cpu != NPM_CPU.get(job.arch):
        differences.append(f"this machine is {host_os}/{host_cpu}, the function runs on linux/{NPM_CPU.get(job.arch)}")
    node = _tool_version(shutil.which("node") or "node")
    if job.runtime.version.isdigit() and _major(node) != int(job.runtime.version):
        differences.append(f"this machine has node {node}, the function runs on {job.runtime.id}")
    return differences


def install(job: InstallJob) -> None:
    """Fill ``job.target/nodejs`` with package.json, its lock file and production ``node_modules``."""
    source = job.manifest.parent
    folder = job.target / "nodejs"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(job.manifest, folder / "package.json")
    lock = lock_file(source)
    if lock is not None:
        shutil.copyfile(lock, folder / lock.name)
    elif any((source / name).is_file() for name in OTHER_LOCK_FILES):
        job.log("note: npm does not read yarn.lock or pnpm-lock.yaml; versions are resolved afresh "
                "(commit a package-lock.json for repeatable layers)")
    npmrc = source / ".npmrc"
    if npmrc.is_file():
        shutil.copyfile(npmrc, folder / ".npmrc")
    for difference in host_differences(job):
        job.log(f"note: {difference}; native addons built by install scripts would be for this machine "
                f"(prebuilt optional packages are chosen for Lambda). If the function uses such addons, {PODMAN_HINT}")
    local, rewritten = _point_local_dependencies(job.manifest, folder / "package.json")
    # npm ci refuses a lock whose local paths differ from package.json's; install keeps the rest of the lock
    command = "ci" if lock is not None and not rewritten else "install"
    cmd = [npm_binary(), command, "--omit=dev", "--no-audit", "--no-fund", *target_flags(job)]
    if rewritten:
        cmd.append("--install-links")
    if lock is None:
        cmd.append("--no-package-lock")
    env = dict(os.environ, npm_config_update_notifier="false")
    done = toolrun.run_command(cmd, cwd=folder, env=env, debug=job.debug, log=job.log)
    (folder / ".npmrc").unlink(missing_ok=True)
    if not done.ok:
        hint = ("run `npm install` in the function's folder to bring package-lock.json in line with package.json"
                if command == "ci" and "in sync" in done.output else
                "check the package names and versions in package.json; run `genesys lambda build --debug` "
                "for npm's full output")
        raise BuildError(f"npm {command} failed for {job.manifest} ({job.runtime.id} {job.arch}); "
                         f"its output ends:\n{_without_usage(done).tail()}", hint=hint)
    shutil.rmtree(folder / "node_modules" / ".bin", ignore_errors=True)
    (folder / "node_modules").mkdir(exist_ok=True)
    if rewritten:
        _check_local_installed(job.manifest, folder, local)
        shutil.copyfile(job.manifest, folder / "package.json")
        if lock is not None:
            shutil.copyfile(lock, folder / lock.name)
        (folder / "node_modules" / ".package-lock.json").unlink(missing_ok=True)  # holds this machine's paths


def _without_usage(done: toolrun.Finished) -> toolrun.Finished:
    """npm's output up to the usage text it appends to a usage error (``npm ci`` with a lock out of step
    with package.json): the reason is above it, and the usage would fill the tail shown."""
    lines = done.output.splitlines()
    usage = next((at for at, line in enumerate(lines) if line.startswith(("npm error Usage:", "npm ERR! Usage:"))),
                 len(lines))
    return toolrun.Finished(done.code, "\n".join(lines[:usage]))


def _point_local_dependencies(manifest: Path, scratch_manifest: Path) -> tuple[dict[str, Path], bool]:
    """Rewrite the scratch package.json's ``file:``/``link:`` dependencies and optionalDependencies to
    absolute ``file:`` paths (resolved against ``manifest``'s folder); return the dependencies npm must install."""
    import json

    from .references import package_json_local

    local = package_json_local(manifest, ("dependencies", "optionalDependencies"))
    if not local:
        return {}, False
    for name, (section, spec, path) in local.items():
        if not path.exists() and section == "dependencies":
            raise BuildError(f"{manifest}: the dependency {name!r} is {spec!r}, and {path} does not exist",
                             hint=f"fix the path (it is relative to {manifest.parent}) or remove {name!r}")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for name, (section, _spec, path) in local.items():
        data[section][name] = f"file:{path}"
    scratch_manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    # an optional one npm may skip (another CPU's prebuilt package): only dependencies must land
    return {name: path for name, (section, _spec, path) in local.items() if section == "dependencies"}, True


def _check_local_installed(manifest: Path, folder: Path, local: dict[str, Path]) -> None:
    """Each local dependency is a real folder in node_modules (not a link out of the layer)."""
    for name, path in local.items():
        installed = folder / "node_modules" / name
        if installed.is_symlink() or not (installed / "package.json").is_file():
            raise BuildError(f"{manifest}: npm did not install the local dependency {name!r} ({path}) into the layer",
                             hint=f"check that {path} is a package (a folder with package.json, or a tarball)")
