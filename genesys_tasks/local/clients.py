"""Which program runs a function locally: the official runtime client, installed on first use.

Python runs under ``awslambdaric`` (a wheel, installed with pip into a target folder),
Node under ``aws-lambda-ric`` (npm) of the line Lambda's image of the function's runtime carries
(``NODE_CLIENTS``), a provided.al2023 function is its own ``bootstrap``; a Java
function runs under genesys's plain Java loop (``shims/JavaPlain.java``, the JDK's source-file mode, on
Lambda's class path: the classes, ``lib/*`` and the layer's ``java/lib/*``), as AWS's Java client is not
to be had offline. The clients live in genesys's cache folder (``paths.cache_dir()/runtime-clients``), one
folder per client (and client line) and language version, installed into a temporary sibling and renamed
into place, never into the user's project. When a client cannot be installed (offline,
no compiler for the Node client's native part), ``mode="auto"`` falls back to a plain
call of the handler inside the runtime's own process (``shims/``) and says what is lost;
``mode="official"`` fails instead, ``mode="plain"`` never installs anything. Under
``mode="auto"`` the Node client, which compiles for minutes, is installed in a background
process of its own: runs use the plain call, and say so, until it is in place.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import BuildError, UsageError
from .scratch import Scratch

PYTHON_CLIENT = "awslambdaric>=3,<5"
# aws-lambda-ric's lines: (the first Node runtime major it runs, its npm spec, the file in the package that
# starts it). Line 4 refuses a callback handler at init (Runtime.CallbackHandlerDeprecated), which Lambda does
# from nodejs24.x on; nodejs22.x and earlier run them, under line 3, the line their images carry. Line 3's
# module is started by ``shims/node_ric_run.mjs``, as those images start it (its bin/ adds a log line).
NODE_CLIENTS = {3: (0, "aws-lambda-ric@3", "dist/index.mjs"), 4: (24, "aws-lambda-ric@4", "index.mjs")}
MODES = ("auto", "official", "plain")
SHIMS = Path(__file__).parent / "shims"
LOST = {
    "python": "awslambdaric's JSON log format and log level settings, its marshaller's quirks and X-Ray segments",
    "nodejs": "aws-lambda-ric's log format (request ids, JSON logs), response streaming and X-Ray context",
    "java": "the Java runtime client's serialization (Jackson: annotations, the aws-lambda-java-events types), "
            "its log format and X-Ray context",
}


@dataclass(frozen=True)
class Launch:
    """The command that starts the runtime process, and what runs the handler in it."""

    argv: tuple[str, ...]
    client: str  # "awslambdaric", "aws-lambda-ric", "bootstrap" or "plain"
    import_path: str = ""  # the client's folder, put last on the language's import path (Lambda's /var/runtime)
    lost: str = ""  # the fidelity a plain call gives up
    line: str = ""  # the client's line where it has several: aws-lambda-ric's "3" or "4"

    @property
    def named(self) -> str:
        """The client as a run names it: "aws-lambda-ric 3", "awslambdaric", "plain"."""
        return f"{self.client} {self.line}".rstrip()


def launch_for(spec, scratch: Scratch, mode: str = "auto", notify=lambda message: None,
               node_path_extra: bool = False) -> Launch:
    """How to start ``spec``'s runtime from ``scratch``; installs the client on first use.

    ``node_path_extra``: NODE_PATH holds more than the layer (the runtime's SDK), which an ES module
    handler reaches only through the resolve hook."""
    language = spec.runtime.language
    if spec.runtime.id.startswith("provided"):
        bootstrap = scratch.task / "bootstrap"
        if not bootstrap.is_file():
            raise BuildError(f"{spec.name}: the function zip has no `bootstrap` for {spec.runtime.id}",
                             hint="a provided runtime starts the executable named bootstrap at the zip's top")
        return Launch((str(bootstrap),), "bootstrap")
    if language == "java":
        launch = _java(spec, scratch, mode)
        if mode == "auto":
            notify(f"genesys's plain Java loop runs the handler, not AWS's Java runtime client (lost: {LOST['java']})")
        return launch
    if language not in LOST:
        raise UsageError(f"{spec.name}: local invoke runs Python, Node, Java and provided.al2023 functions, "
                         f"not {spec.runtime.id}", hint="deploy it with --sandbox or to AWS to run it")
    if language == "python":  # said once, whichever client runs it
        _say_version(spec, python_for(spec.runtime.version)[1], notify)
    failed = install_failed(language, spec.runtime.version)
    if mode == "auto" and _recent(failed):
        notify(f"{failed.read_text(encoding='utf-8')} (within the last hour; `--client official` tries again); "
               f"running the handler with a plain call (lost: {LOST[language]})")
    elif mode != "plain":
        try:
            launch = _python(spec, notify) if language == "python" else \
                _node(spec, scratch, notify, node_path_extra, background=mode == "auto")
            failed.unlink(missing_ok=True)
            return launch
        except ClientInstalling as err:
            notify(f"{err.message}; until it is ready, runs use the plain client: the same error shapes and "
                   f"deadline (lost: {LOST[language]})")
        except BuildError as err:
            if mode == "official":
                raise
            failed.parent.mkdir(parents=True, exist_ok=True)
            paths.write_text_atomic(failed, err.message)
            notify(f"{err.message}; running the handler with a plain call instead (lost: {LOST[language]})")
    return _plain(spec, scratch, language, node_path_extra)


class ClientInstalling(BuildError):
    """The official client is being installed in the background; this run goes on without it."""


def _install_in_background(folder: Path, command: list[str], what: str, failed: Path) -> bool:
    """Start ``_install`` of ``folder`` in a process of its own (it outlives this run), unless one is
    already at it; True when this call started it. A failure lands in ``failed``, as a foreground one does."""
    marker = folder.with_name(f".{folder.name}.installing")
    try:
        pid = int(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pid = 0
    if pid and paths.process_running(pid):
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", __name__, str(folder), what, str(failed), *command],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    paths.write_text_atomic(marker, str(proc.pid))
    return True


def _install_main(folder: str, what: str, failed: str, *command: str) -> None:
    """The background install (``python -m genesys_tasks.local.clients FOLDER WHAT FAILED COMMAND...``)."""
    try:
        _install(Path(folder), list(command), what)
        Path(failed).unlink(missing_ok=True)
    except BuildError as err:
        paths.write_text_atomic(Path(failed), err.message)
    finally:
        Path(folder).with_name(f".{Path(folder).name}.installing").unlink(missing_ok=True)


def _recent(marker: Path, within_s: float = 3600) -> bool:
    """Whether ``marker`` was written less than ``within_s`` ago: an install that just failed is not retried."""
    import time

    try:
        return time.time() - marker.stat().st_mtime < within_s
    except OSError:
        return False


def _plain(spec, scratch: Scratch, language: str, node_path_extra: bool = False) -> Launch:
    if language == "python":
        return Launch((python_for(spec.runtime.version)[0], "-S", str(SHIMS / "python_plain.py"), spec.handler),
                      "plain", lost=LOST["python"])
    return Launch((_node_exe(), *_esm_hook(spec, scratch, node_path_extra), str(SHIMS / "node_plain.mjs"), spec.handler),
                  "plain", lost=LOST["nodejs"])


def _java(spec, scratch: Scratch, mode: str) -> Launch:
    """The plain Java loop on the function's class path, as Lambda's Java runtime builds it (with its JVM
    flags: serial GC, C1 only); the loop is compiled once per version of its source into the client folder."""
    import hashlib

    if mode == "official":
        raise UsageError(f"{spec.name}: genesys has no official Java runtime client to run it with",
                         hint="run it with --client auto or --client plain (genesys's plain Java loop)")
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None or javac is None:
        raise UsageError(f"{'java' if java is None else 'javac'} is not installed, so a Java function cannot run "
                         "locally", hint=f"install a JDK {spec.runtime.version} (Debian/Ubuntu: apt-get install "
                                         "default-jdk)")
    source = SHIMS / "JavaPlain.java"
    folder = client_dir(f"java-plain-{hashlib.sha256(source.read_bytes()).hexdigest()[:12]}")
    if not (folder / "JavaPlain.class").is_file():
        _install(folder, [javac, "--release", "11", "-nowarn", "-d", "{dest}", str(source)], "the plain Java loop")
    classpath = os.pathsep.join([str(scratch.task), str(scratch.task / "lib" / "*"),
                                 str(scratch.opt / "java" / "lib" / "*"), str(folder)])
    return Launch((java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath,
                   "JavaPlain", spec.handler), "plain", lost=LOST["java"])


@functools.lru_cache(maxsize=None)
def python_for(runtime_version: str) -> tuple[str, str]:
    """(interpreter, its X.Y): the runtime's own (python3.12) when it runs, else the one running genesys.

    ``-S`` is always passed with it: the host's site-packages stay out of the function's path.
    A ``python3.12`` on PATH that does not run (a pyenv shim of an unselected version) is skipped;
    one that runs is replaced by the interpreter it ran (``sys.executable``): a shim chooses its
    version from the caller's environment and folder, which the function's cleaned one lacks.
    """
    for candidate in (shutil.which(f"python{runtime_version}"), *_managed_pythons(runtime_version), sys.executable):
        if not candidate:
            continue
        done = subprocess.run([candidate, "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2]); "
                               "print(sys.executable)"], capture_output=True, text=True)
        if done.returncode == 0:
            version, _, real = done.stdout.strip().partition("\n")
            return (real.strip() or candidate), version.strip()
    return sys.executable, "%d.%d" % sys.version_info[:2]


def _managed_pythons(version: str) -> list[str]:
    """Interpreters pyenv or uv installed but did not put on PATH (a pyenv shim runs only the selected one)."""
    import glob

    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    uv = os.environ.get("UV_PYTHON_INSTALL_DIR") or os.path.expanduser("~/.local/share/uv/python")
    found = sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"), reverse=True)
    return found + sorted(glob.glob(f"{uv}/cpython-{version}.*/bin/python{version}"), reverse=True)


def _python(spec, notify) -> Launch:
    python, version = python_for(spec.runtime.version)
    folder = client_dir(f"awslambdaric-py{version}")
    if not (folder / "awslambdaric").is_dir():
        notify(f"first use of awslambdaric for Python {version}: installing {PYTHON_CLIENT} into {folder}")
        _install(folder, [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--no-warn-script-location", "--only-binary=:all:", "--python-version", version,
                          "--target", "{dest}", PYTHON_CLIENT], "awslambdaric")
    return Launch((python, "-S", "-m", "awslambdaric", spec.handler), "awslambdaric",
                  import_path=str(folder))


def node_client_line(runtime_version: str) -> int:
    """The aws-lambda-ric line for a Node function of ``runtime_version`` ("22.x"): the newest whose first runtime
    is not after it (3 up to nodejs22.x, 4 from 24.x); a version with no leading number gets the newest line."""
    digits = re.match(r"\d+", runtime_version)
    major = int(digits[0]) if digits else max(first for first, _, _ in NODE_CLIENTS.values())
    return max(line for line, (first, _, _) in NODE_CLIENTS.items() if first <= major)


def node_client_dir(line: int, node_major: str) -> Path:
    """The folder aws-lambda-ric of ``line`` is installed into for the host's Node ``node_major``: one per
    line and Node major (its native part is built for that Node), so the lines never share a folder."""
    return client_dir(f"aws-lambda-ric{line}-node{node_major}")


def _node(spec, scratch: Scratch, notify, node_path_extra: bool = False, background: bool = False) -> Launch:
    """aws-lambda-ric of the runtime's line, installed now, or with ``background`` in a process of its own
    while this run goes on without it (``ClientInstalling``): it compiles a native part, minutes on a small
    machine."""
    node = _node_exe()
    major = subprocess.run([node, "-p", "process.versions.node.split('.')[0]"],
                           capture_output=True, text=True, check=True).stdout.strip()
    _say_version(spec, major, notify)
    line = node_client_line(spec.runtime.version)
    _, package, entry_file = NODE_CLIENTS[line]
    folder = node_client_dir(line, major)
    entry = folder / "node_modules" / "aws-lambda-ric" / entry_file
    if not entry.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError("npm is not installed, so aws-lambda-ric cannot be", hint="install Node.js with npm")
        command = [npm, "install", "--prefix", "{dest}", "--no-audit", "--no-fund", "--no-save",
                   "--loglevel=error", package]
        what = f"aws-lambda-ric {line}"
        if line == 3 and (python := _python_without_distutils()):
            raise BuildError(f"{what} could not be installed: the node-gyp 9 it builds with imports distutils, "
                             f"which {python} lacks (Python 3.12 and later have none)",
                             hint="put a Python 3.11 or earlier first on PATH as python3 (or set npm_config_python "
                                  "to one), or install setuptools into it; --client plain runs the handler meanwhile")
        if background:
            started = _install_in_background(folder, command, what, install_failed("nodejs", spec.runtime.version))
            raise ClientInstalling(f"{what} (for {spec.runtime.id}) on Node {major} is "
                                   f"{'now' if started else 'still'} being installed in the background into "
                                   f"{folder} (it compiles a native part: minutes)")
        notify(f"first use of {what} (for {spec.runtime.id}) on Node {major}: installing {package} into {folder} "
               "(it compiles a native part: minutes)")
        _install(folder, command, what)
    start = (str(SHIMS / "node_ric_run.mjs"), str(entry)) if line == 3 else (str(entry),)
    return Launch((node, *_esm_hook(spec, scratch, node_path_extra), *start, spec.handler), "aws-lambda-ric",
                  line=str(line))


def _python_without_distutils() -> str:
    """The Python node-gyp 9 would build with (``npm_config_python``, ``PYTHON``, else ``python3``), when it
    cannot import distutils; else "". Said before aws-lambda-ric 3 compiles for a minute only to fail there."""
    python = os.environ.get("npm_config_python") or os.environ.get("PYTHON") or shutil.which("python3")
    if not python:
        return ""  # node-gyp says what it misses itself
    try:
        done = subprocess.run([python, "-c", "import distutils"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return python if done.returncode else ""


def _say_version(spec, host_version: str, notify) -> None:
    want = spec.runtime.version
    if want.split(".")[:len(host_version.split("."))] == host_version.split("."):
        return
    if spec.runtime.language == "python":
        fix = f"`uv python install {want}` installs it" if shutil.which("uv") else \
            "install it with pyenv, uv or the system's packages"
        notify(f"{spec.runtime.id} runs here with Python {host_version}: Python {want} is not installed ({fix}; "
               "genesys looks for it on PATH, in pyenv and in uv)")
        return
    notify(f"{spec.runtime.id} runs here with {spec.runtime.language} {host_version} "
           f"(install {spec.runtime.language} {want} for the same version)")


def _node_exe() -> str:
    node = shutil.which("node")
    if node is None:
        raise UsageError("node is not installed, so a Node function cannot run locally",
                         hint="install Node.js (the version of the function's runtime)")
    return node


def _esm_hook(spec, scratch: Scratch, node_path_extra: bool = False) -> tuple[str, ...]:
    """``--import`` of the resolve hook for an ES module handler with a layer: ES modules ignore
    NODE_PATH. Left out otherwise, since registering a hook costs Node a loader thread at start."""
    module = spec.handler.rpartition(".")[0]
    if not (node_path_extra or (scratch.opt / "nodejs").is_dir()) or not is_es_module(scratch.task, module):
        return ()
    return ("--import", (SHIMS / "layer_hook_register.mjs").as_uri())


def is_es_module(task: Path, module: str) -> bool:
    """Whether Node loads the handler ``module`` as an ES module (.mjs, or .js under "type": "module")."""
    import json

    if (task / f"{module}.mjs").is_file():
        return True
    if not (task / f"{module}.js").is_file():
        return False
    folder = (task / module).parent
    while True:
        manifest = folder / "package.json"
        if manifest.is_file():
            try:
                return json.loads(manifest.read_text(encoding="utf-8")).get("type") == "module"
            except (ValueError, OSError, AttributeError):
                return False
        if folder == task:
            return False
        folder = folder.parent


def client_dir(name: str) -> Path:
    return paths.cache_dir() / "runtime-clients" / name


def install_failed(language: str, runtime_version: str) -> Path:
    """Where the last failed install of the client for ``language``'s ``runtime_version`` is said: one per
    Node client line, so a line that cannot be built does not keep the other from being tried."""
    if language == "nodejs":
        return client_dir(f".nodejs-ric{node_client_line(runtime_version)}-install-failed")
    return client_dir(f".{language}-install-failed")


def _install(folder: Path, command: list[str], what: str) -> None:
    """Run ``command`` with ``{dest}`` a temporary sibling of ``folder``, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    for stale in folder.parent.glob(f".{folder.name}.*.tmp"):  # an install that was killed
        pid = stale.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not paths.process_running(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        done = subprocess.run([part.replace("{dest}", str(tmp)) for part in command],
                              capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"{what} could not be installed ({err})", hint="check the network and try again") from None
    if done.returncode:
        shutil.rmtree(tmp, ignore_errors=True)
        said = error_lines(f"{done.stdout}\n{done.stderr}")
        raise BuildError(f"{what} could not be installed: {' / '.join(said) or 'exit ' + str(done.returncode)}",
                         hint="check the network (and for aws-lambda-ric: make, cmake and a C++ compiler; "
                              "line 3 also autoconf, automake and libtool)")
    try:
        os.replace(tmp, folder)
    except OSError:  # another run installed it meanwhile: theirs is as good
        shutil.rmtree(tmp, ignore_errors=True)


_NPM_PREFIX = re.compile(r"^npm (?:error|ERR!)\s*")
_NOISE = re.compile(r"^npm (?:warn|WARN|notice)\b|complete log of this run")
_BOILERPLATE = re.compile(r"^(?:code|path|command|errno|syscall|cwd)\b")
_FAILURE = re.compile(r"(?i)\b(?:error|fatal|not found|no matching|cannot|could not|failed)\b")


def error_lines(output: str, most: int = 3) -> list[str]:
    """The lines of an installer's output that say what failed: the first ``most`` naming an error
    (npm's own warnings, log-file pointers and code/path lines left out), else its last lines."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    useful = [line for line in lines if not _NOISE.search(line)]
    failing = [line for line in useful if _FAILURE.search(body := _NPM_PREFIX.sub("", line))
               and not _BOILERPLATE.match(body)]
    return failing[:most] or useful[-most:] or lines[-most:]


if __name__ == "__main__":
    _install_main(*sys.argv[1:])
