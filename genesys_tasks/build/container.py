"""Dependency layers built inside a Podman or Docker container (``build_method = "podman" | "docker"``).

The command line is plain data first: ``run_argv`` is a pure function of the job,
the host facts (``Host``) and the CA bundle, so its exact shape is pinned by unit
tests for both engines and both architectures. ``install`` then runs it: the
manifest folder is mounted read-only at /src, the empty layer folder at /opt, and
pip (``/opt/python``) or npm (``/opt/nodejs/node_modules``) fills it as the
invoking user, so no root-owned files are left behind.

``version`` names the engine, its version and the image id (making sure the image
is present first); it is part of the layer cache key, so a rebuilt image means a
rebuilt layer. Engine settings (runtime, ulimits, network) belong in the engine's
own configuration, never here.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError, ConfigError, Where
from ..shell import command
from .installers import InstallJob, manifest_root
from .toolrun import log, timed

SOURCE_MOUNT = "/src"
TARGET_MOUNT = "/opt"
CA_MOUNT = "/etc/genesys/ca-bundle.crt"
# Every variable pip, requests, OpenSSL and Node read a CA bundle from; the host's
# value (if any) names the bundle to mount, and inside they all point at the mount.
CA_ENV_VARS = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")
PLATFORMS = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}
NODE_LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
OUTPUT_TAIL_LINES = 30
SELINUX_ENFORCE = Path("/sys/fs/selinux/enforce")


@dataclass(frozen=True)
class Host:
    """The facts about this machine that change the command line."""

    uid: int
    gid: int
    rootless: bool  # the engine runs without root (rootless Podman maps ids itself)
    selinux: bool  # SELinux enforcing: bind mounts need a :z relabel


def invoking_user() -> tuple[int, int]:
    """The user whose files the layer must be: the one running genesys."""
    return os.getuid(), os.getgid()


def probe_host(method: str) -> Host:
    uid, gid = invoking_user()
    try:
        selinux = SELINUX_ENFORCE.read_text().strip() == "1"
    except OSError:
        selinux = False
    return Host(uid=uid, gid=gid, rootless=method == "podman" and os.geteuid() != 0, selinux=selinux)


def image_for(job: InstallJob) -> str:
    """``[build] image`` when set, else the runtime table's build image."""
    return job.image or job.runtime.image


def platform_for(arch: str) -> str:
    return PLATFORMS[arch]


def ca_bundle_for(job: InstallJob, environ: dict) -> Path | None:
    """The host CA bundle to mount: ``[build] ca_bundle``, ``GENESYS_CA_BUNDLE``, else the
    first of SSL_CERT_FILE, PIP_CERT, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS naming a file."""
    for named, key in ((job.ca_bundle, "build.ca_bundle"), (environ.get("GENESYS_CA_BUNDLE"), "GENESYS_CA_BUNDLE")):
        if named:
            path = Path(named).expanduser()
            path = path if path.is_absolute() else job.source / path
            if not path.is_file():
                raise ConfigError(f"CA bundle {path} does not exist or is not a file",
                                  hint="name a PEM file with the certificate authorities to trust",
                                  where=Where(key=key))
            return path.resolve()
    for var in CA_ENV_VARS:
        value = environ.get(var)
        if value and Path(value).is_file():
            return Path(value).resolve()
    return None


def install_script(job: InstallJob) -> str:
    """The shell script run inside the container; it writes only under /opt."""
    manifest = f"{SOURCE_MOUNT}/{job.manifest.name}"
    if job.runtime.language == "python":
        target = f"{TARGET_MOUNT}/{job.runtime.layer_path}"
        # -t installs outside any environment, so PEP 668 (externally managed) does not apply.
        return (f"python3 -m pip install --no-compile --disable-pip-version-check -r {shlex.quote(manifest)}"
                f" -t {target} && rm -rf {target}/bin")
    if job.runtime.language == "nodejs":
        from .references import package_json_local

        local = package_json_local(job.manifest, ("dependencies",))
        if local:  # the container sees package.json's folder alone, copied away from its relative paths
            name, (_section, spec, _path) = next(iter(local.items()))
            raise BuildError(f"{job.manifest}: the dependency {name!r} is {spec!r}, which a {job.method} build "
                             "cannot reach (only package.json's folder is mounted)",
                             hint='set [build] build_method = "local" (local builds pack file: and link: dependencies)')
        prefix = f"{TARGET_MOUNT}/{job.runtime.layer_path.split('/')[0]}"
        locks = [name for name in NODE_LOCK_FILES if (manifest_root(job) / name).is_file()]
        npmrc = (manifest_root(job) / ".npmrc").is_file()
        copied = [manifest] + [f"{SOURCE_MOUNT}/{name}" for name in locks + [".npmrc"] * npmrc]
        # As in local builds: package.json and the lock stay (they record the versions), the
        # project .npmrc is used and then removed (it may hold tokens), .bin links go.
        npm = "npm ci" if locks else "npm install"
        return (f"mkdir -p {prefix} && cp {' '.join(map(shlex.quote, copied))} {prefix}/ && cd {prefix}"
                f" && {npm} --omit=dev --no-audit --no-fund && rm -rf .npmrc node_modules/.bin")
    raise BuildError(f"no container layer build for {job.runtime.language} ({job.runtime.id})",
                     hint='set [build] layer_auto = false, or build_method = "local"')


def _volume(spec: str, base: Path) -> str:
    """A ``[build] container_volumes`` entry, its relative host path made absolute."""
    host, sep, rest = spec.partition(":")
    if sep and host.startswith(("./", "../")):
        host = str((base / host).resolve())
    return host + sep + rest


def run_argv(job: InstallJob, host: Host, ca_bundle: Path | None) -> list[str]:
    """The exact ``podman run`` / ``docker run`` command line for one layer build."""
    relabel = ",z" if host.selinux else ""
    if job.method == "podman" and host.rootless:
        user = ["--userns=keep-id"]
    else:
        user = ["--user", f"{host.uid}:{host.gid}"]
    argv = [job.method, "run", "--rm", "--pull=never", "--platform", platform_for(job.arch),
            "--entrypoint", "/bin/sh", *user, "--workdir", SOURCE_MOUNT,
            "-v", f"{manifest_root(job)}:{SOURCE_MOUNT}:ro{relabel}",
            "-v", f"{job.target}:{TARGET_MOUNT}{':z' if host.selinux else ''}"]
    # HOME must be writable by any uid: pip and npm keep their caches under it.
    env = [("HOME", "/tmp"), ("PIP_ROOT_USER_ACTION", "ignore")]
    if ca_bundle is not None:
        argv += ["-v", f"{ca_bundle}:{CA_MOUNT}:ro"]
        env += [(var, CA_MOUNT) for var in CA_ENV_VARS]
    env += list(job.container_env)
    for name, value in env:
        argv += ["-e", f"{name}={value}"]
    for spec in job.container_volumes:
        argv += ["-v", _volume(spec, job.source)]
    return argv + [image_for(job), "-c", install_script(job)]


# ---- failures: what the engine said, turned into what to do ----

def _os_release() -> str:
    try:
        return Path("/etc/os-release").read_text()
    except OSError:
        return ""


def install_hint(engine: str, platform: str, os_release: str) -> str:
    """How to install ``engine`` on this OS, and the no-container alternative."""
    ids = " ".join(line.split("=", 1)[1].strip('"') for line in os_release.splitlines()
                   if line.startswith(("ID=", "ID_LIKE=")))
    package = {"podman": "podman", "docker": "docker-ce (from Docker's apt repository)"}[engine]
    if platform == "darwin":
        how = ("brew install podman && podman machine init && podman machine start" if engine == "podman"
               else "brew install --cask docker, then start Docker Desktop")
    elif any(name in ids.split() for name in ("debian", "ubuntu")):
        how = f"sudo apt-get install {package}"
    elif any(name in ids.split() for name in ("fedora", "rhel", "centos")):
        how = f"sudo dnf install {'podman' if engine == 'podman' else 'moby-engine'}"
    else:
        how = (f"sudo apt-get install {package} (Debian, Ubuntu), "
               f"sudo dnf install {'podman' if engine == 'podman' else 'moby-engine'} (Fedora, RHEL), "
               f"brew install {'podman' if engine == 'podman' else '--cask docker'} (macOS)")
    return f'install it: {how}; or build without containers: [build] build_method = "local"'


def engine_missing(engine: str) -> BuildError:
    return BuildError(f"build_method = \"{engine}\" but {engine} is not installed (not found on PATH)",
                      hint=install_hint(engine, sys.platform, _os_release()), where=Where(key="build.build_method"))


def tail(output: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    kept = output.rstrip().splitlines()[-lines:]
    return "\n".join("    " + line for line in kept)


def run_failure(job: InstallJob, code: int, output: str) -> BuildError:
    """The BuildError for a container run that exited ``code`` with ``output``."""
    image = image_for(job)
    what = f"{job.method} layer build for {job.runtime.id} ({job.arch}) in {image} failed (exit {code})"
    lowered = output.lower()
    if "exec format error" in lowered:
        return BuildError(
            f"{what}: this host cannot run {platform_for(job.arch)} containers",
            hint=f"enable emulation for {job.arch}: install qemu-user-static and binfmt-support "
                 f"(sudo apt-get install qemu-user-static binfmt-support; sudo dnf install qemu-user-static), "
                 f'or build without containers: [build] build_method = "local"')
    if "permission denied" in lowered and SOURCE_MOUNT in output:
        return BuildError(
            f"{what}: the container cannot read the source folder {manifest_root(job)}:\n{tail(output)}",
            hint=f"make it readable: {command('chmod', '-R', 'a+rX', operands=(manifest_root(job),))}; on SELinux "
                 "hosts the "
                 f"mounts need a :z relabel (genesys adds it when /sys/fs/selinux/enforce is 1)")
    installer = "pip" if job.runtime.language == "python" else "npm"
    return BuildError(f"{what}; {installer} said:\n{tail(output)}",
                      hint=f"fix {job.manifest.name} (or the image); run with --debug for the whole log")


def engine_unreachable(engine: str, output: str) -> BuildError | None:
    """The engine's client works but its service does not answer; None when ``output`` says otherwise."""
    lowered = output.lower()
    if "cannot connect to the docker daemon" in lowered or "is the docker daemon running" in lowered:
        return BuildError(f"{engine} is installed but its engine is not running:\n{tail(output, 5)}",
                          hint='start the Docker engine (sudo systemctl start docker, or Docker Desktop), '
                               'or use [build] build_method = "podman" or "local"')
    if "cannot connect to podman" in lowered:
        return BuildError(f"{engine} cannot reach its machine or service:\n{tail(output, 5)}",
                          hint='start it (podman machine start), or use [build] build_method = "local"')
    return None


def image_failure(engine: str, image: str, arch: str, output: str) -> BuildError:
    """The image is not present locally and pulling it failed."""
    return BuildError(
        f"image {image} ({platform_for(arch)}) is not present and could not be pulled:\n{tail(output, 10)}",
        hint=f"pull it where its registry is reachable (`{engine} pull --platform {platform_for(arch)} {image}`, "
             f"then `{engine} save`/`{engine} load` it here), or build or tag a local image and name it in "
             f"[build] image", where=Where(key="build.image"))


# ---- running the engine ----

def _engine(job: InstallJob) -> str:
    path = shutil.which(job.method)
    if path is None:
        raise engine_missing(job.method)
    return path


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")


def _inspect(engine: str, image: str) -> tuple[str, str] | None:
    proc = _run([engine, "image", "inspect", "--format", "{{.Id}} {{.Architecture}}", image])
    if proc.returncode != 0:
        unreachable = engine_unreachable(Path(engine).name, proc.stdout)
        if unreachable:
            raise unreachable
        return None
    image_id, _, arch = proc.stdout.strip().partition(" ")
    return image_id, arch


def ensure_image(job: InstallJob, engine: str) -> str:
    """The id of the job's image for its architecture, pulling it only when it is absent."""
    image = image_for(job)
    wanted = platform_for(job.arch).split("/")[1]
    found = _inspect(engine, image)
    if found and found[1] == wanted:
        return found[0]
    with timed(f"pulling {image} ({platform_for(job.arch)})"):
        proc = _run([engine, "pull", "--platform", platform_for(job.arch), image])
    found = _inspect(engine, image) if proc.returncode == 0 else None
    if found is None:
        raise image_failure(job.method, image, job.arch, proc.stdout)
    return found[0]


def version(job: InstallJob) -> str:
    """Engine, its version and the image id: the container part of the layer cache key."""
    engine = _engine(job)
    proc = _run([engine, "--version"])
    if proc.returncode != 0:
        raise BuildError(f"`{job.method} --version` failed:\n{tail(proc.stdout, 5)}",
                         hint=install_hint(job.method, sys.platform, _os_release()))
    return f"{proc.stdout.strip()}; {image_for(job)}@{ensure_image(job, engine)}"


def _stream(argv: list[str], log) -> tuple[int, str]:
    """Run, passing each output line to ``log`` as it comes; return (exit code, output)."""
    lines = []
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", bufsize=1) as proc:
        for line in proc.stdout:
            lines.append(line)
            log(line.rstrip("\n"))
    return proc.returncode, "".join(lines)


def install(job: InstallJob) -> None:
    """Fill ``job.target`` with the layer tree, built inside the job's container image."""
    engine = _engine(job)
    argv = run_argv(job, probe_host(job.method), ca_bundle_for(job, dict(os.environ)))
    argv[0] = engine
    log.debug("$ " + shlex.join(argv))
    if job.debug:
        code, output = _stream(argv, job.log)
    else:
        with timed(f"installing {job.runtime.id} dependencies in {image_for(job)} ({job.arch})"):
            proc = _run(argv)
        code, output = proc.returncode, proc.stdout
    if code != 0:
        raise run_failure(job, code, output)
