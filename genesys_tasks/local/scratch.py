"""The scratch folder a local run uses, laid out as Lambda lays out a function, and its environment.

``<cache>/local/<function>-<arch>-<project hash>/`` holds ``task/`` (the function zip,
Lambda's /var/task), ``opt/`` (the layer zip, Lambda's /opt) and ``tmp/``. It is outside
the project on purpose: Node looks for packages in every parent folder's node_modules,
and a project's own node_modules must not be found where Lambda would not find it. A zip is unpacked
again only when its sha256 changed, into a temporary sibling renamed into place, with
the modes the zip records (a Go ``bootstrap`` stays executable). An image function runs from its
own layers instead (``prepare_image``): genesys's code layer's ``var/task`` into ``task/``, its
dependency layer's ``opt`` into ``opt/``, read from the image cache and unpacked again only when
the layer's digest changed. The environment is
Lambda's for this function; nothing of the host's leaks in but PATH and the locale,
and AWS credentials only when asked for: HOME is ``home/`` inside the scratch folder (so
``~/.aws`` is not the user's: with no HOME, ``~`` would be the passwd home), the AWS shared
files are empty files of the scratch folder, instance metadata is off and the container
credential variables are taken out, unless ``--pass-credentials`` hands it the keys.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..build.zipper import open_zip, sha256_file


@dataclass(frozen=True)
class Scratch:
    """Where one function's code and layer are unpacked."""

    base: Path

    @property
    def task(self) -> Path:
        return self.base / "task"

    @property
    def opt(self) -> Path:
        return self.base / "opt"

    @property
    def tmp(self) -> Path:
        return self.base / "tmp"

    @property
    def home(self) -> Path:
        return self.base / "home"

    @property
    def no_aws_files(self) -> Path:
        """Where the empty AWS shared credentials and config files are."""
        return self.base / "no-aws"


# what an AWS SDK reads credentials from besides the keys: unset, unless credentials are passed on purpose
CONTAINER_CREDENTIALS = ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                         "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


def scratch_for(root: Path, name: str, arch: str) -> Scratch:
    import hashlib

    project = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return Scratch(paths.cache_dir() / "local" / f"{name}-{arch}-{project}")


def prepare(scratch: Scratch, function_zip: Path, layer_zip: Path | None) -> Scratch:
    """Unpack ``function_zip`` into ``task/`` and ``layer_zip`` (or nothing) into ``opt/``."""
    _folders(scratch)
    _unpack(sha256_file(function_zip), scratch.task, lambda into: _unzip(function_zip, into))
    _unpack(sha256_file(layer_zip) if layer_zip else "empty", scratch.opt,
            lambda into: layer_zip and _unzip(layer_zip, into))
    return scratch


def prepare_image(scratch: Scratch, code: tuple[str, Path], dependencies: tuple | None) -> Scratch:
    """Unpack an image's code layer ((digest, blob)) into ``task/`` and its dependency layer ((digest, blob,
    ``layers.Placement``), or nothing) into ``opt/``, where its layer zip would be (a Java function's jars,
    in ``/var/task/lib`` of the image, into ``opt/java/lib``)."""
    from ..build.image.layers import unpack_layer

    _folders(scratch)
    _unpack(code[0], scratch.task, lambda into: unpack_layer(code[1], "var/task", into))
    _unpack(dependencies[0] if dependencies else "empty", scratch.opt,
            lambda into: dependencies and unpack_layer(dependencies[1], dependencies[2].folder,
                                                       into / dependencies[2].zip_folder))
    return scratch


def _folders(scratch: Scratch) -> None:
    scratch.base.mkdir(parents=True, exist_ok=True)
    scratch.tmp.mkdir(exist_ok=True)
    scratch.home.mkdir(exist_ok=True)
    scratch.no_aws_files.mkdir(exist_ok=True)
    for name in ("credentials", "config"):
        empty = scratch.no_aws_files / name
        if not empty.is_file() or empty.stat().st_size:
            paths.write_text_atomic(empty, "")


def _unzip(archive: Path, into: Path) -> None:
    with open_zip(archive) as zipped:
        for info in zipped.infolist():
            _extract(zipped, info, into)


def _unpack(digest: str, dest: Path, fill) -> None:
    """``fill(folder)`` into a fresh folder renamed to ``dest``, unless ``dest`` holds ``digest``'s content already."""
    marker = dest.with_name(f".{dest.name}.sha256")
    if dest.is_dir() and marker.is_file() and marker.read_text() == digest:
        return
    fresh = dest.with_name(f".{dest.name}.{os.getpid()}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    fill(fresh)
    old = dest.with_name(f".{dest.name}.{os.getpid()}.old")
    if dest.exists():
        os.replace(dest, old)
    os.replace(fresh, dest)
    shutil.rmtree(old, ignore_errors=True)
    paths.write_text_atomic(marker, digest)


def _extract(zipped: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path) -> None:
    target = Path(zipped.extract(info, into))  # extract() keeps names inside ``into``
    mode = (info.external_attr >> 16) & 0o777
    if mode and not info.is_dir():
        target.chmod(mode)


def lambda_environment(spec, scratch: Scratch, *, arch: str, region: str, own: dict[str, str],
                       extra: dict[str, str], credentials: dict[str, str]) -> dict[str, str]:
    """Lambda's environment for ``spec`` run from ``scratch``.

    ``own`` is the function's ``[function.environment]`` (``${env:...}`` filled),
    ``extra`` what ``--env-file`` adds over it, ``credentials`` the AWS keys passed
    on purpose (empty unless ``--pass-credentials``).
    """
    runtime = spec.runtime
    env = {
        "PATH": os.pathsep.join([str(scratch.opt / "bin"), os.environ.get("PATH", os.defpath)]),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LD_LIBRARY_PATH": os.pathsep.join([str(scratch.task / "lib"), str(scratch.opt / "lib")]),
        "TMPDIR": str(scratch.tmp),
        "HOME": str(scratch.home),
        "LAMBDA_TASK_ROOT": str(scratch.task),
        "LAMBDA_RUNTIME_DIR": str(scratch.base / "runtime"),
        "_HANDLER": spec.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime.id}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{arch}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    env.update(language_paths(runtime, scratch))
    env.update(credentials)
    env.update(own)
    env.update(extra)
    if not credentials:
        for name in CONTAINER_CREDENTIALS:
            env.pop(name, None)
        env.update({"AWS_SHARED_CREDENTIALS_FILE": str(scratch.no_aws_files / "credentials"),
                    "AWS_CONFIG_FILE": str(scratch.no_aws_files / "config"), "AWS_EC2_METADATA_DISABLED": "true"})
    return env


def language_paths(runtime, scratch: Scratch) -> dict[str, str]:
    """Where the language looks for code: Lambda's PYTHONPATH or NODE_PATH, with the layer in it."""
    task, opt = str(scratch.task), str(scratch.opt)
    if runtime.language == "python":
        site = f"{opt}/python/lib/python{runtime.version}/site-packages"
        return {"PYTHONPATH": os.pathsep.join([task, site, f"{opt}/python"])}
    if runtime.language == "nodejs":
        major = runtime.version.split(".")[0]
        return {"NODE_PATH": os.pathsep.join([f"{opt}/nodejs/node{major}/node_modules",
                                              f"{opt}/nodejs/node_modules", task])}
    return {}


def read_env_file(path: Path) -> dict[str, str]:
    """``--env-file``: ``KEY=VALUE`` lines (``#`` comments), or SAM's JSON (flat, or under ``Parameters``)."""
    import json

    from ..errors import UsageError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"--env-file {path}: cannot be read ({err.strerror})", hint="pass an existing file") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as err:
            raise UsageError(f"{path}:{err.lineno}: not valid JSON ({err.msg})",
                             hint='write {"NAME": "value", ...} or KEY=VALUE lines') from None
        data = data.get("Parameters", data) if isinstance(data, dict) else data
        if not isinstance(data, dict) or not all(isinstance(v, (str, int, float, bool)) for v in data.values()):
            raise UsageError(f"{path}: expected an object of NAME: value pairs",
                             hint='write {"NAME": "value", ...} or KEY=VALUE lines')
        return {str(k): str(v) for k, v in data.items()}
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip().isidentifier():
            raise UsageError(f"{path}:{number}: expected NAME=value, got {line!r}",
                             hint="one NAME=value a line; # starts a comment")
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values
