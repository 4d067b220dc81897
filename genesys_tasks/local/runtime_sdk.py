"""The AWS SDK a Lambda runtime provides, for local runs: boto3 on Python, the SDK for JavaScript v3 on Node 18+.

Lambda's Python runtimes ship boto3 and botocore, its Node.js 18+ runtimes the AWS SDK for
JavaScript v3, behind the function and its layers on the path (``/var/runtime``): a
function's own bundled copy wins. ``data/runtime-sdks.toml`` says which version each
runtime gets (dated, like the runtimes table). A version is installed once into
genesys's cache (``runtime-sdks/``), into a temporary sibling renamed into place, and
only when the function's code uses the SDK without shipping it: Python code naming
``boto3``/``botocore``/``s3transfer`` or what they bring (``six``, ``dateutil``, ``urllib3``,
``jmespath``; or a layer package requiring boto3), Node code naming
an ``@aws-sdk/`` package (only the packages named are installed, at the runtime's release).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..build.imports import PYTHON_RUNTIME

TABLE = Path(__file__).resolve().parent.parent / "data" / "runtime-sdks.toml"
PYTHON_SDK = ("boto3", "botocore", "s3transfer")
# boto3 and what it brings (six, dateutil, urllib3, jmespath): what the import check counts as the runtime's
_PYTHON_USE = re.compile(rb"^[ \t]*(?:import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*|from[ \t]+)(" +
                         "|".join(sorted(PYTHON_RUNTIME)).encode() + rb")\b",
                         re.M)  # import boto3 / import json, boto3 / from botocore.x import y, at any depth
_PYTHON_REQUIRES = re.compile(rb"^Requires-Dist:[ \t]*(boto3|botocore)\b", re.M | re.I)
_NODE_USE = re.compile(rb"""(?:\bfrom|\brequire\s*\(|\bimport\s*\(?)\s*["'](@aws-sdk/[a-z0-9][a-z0-9._-]*)"""
                       rb"""(?:/[^"'\s]*)?["']""")  # import/require/import() of a package, not a mention
_NODE_SUFFIXES = (".js", ".mjs", ".cjs")


@dataclass(frozen=True)
class RuntimeSdk:
    """What a runtime's SDK puts on the path: the folder, and what it is (for people)."""

    folder: Path
    label: str  # "boto3 1.34.145 (botocore 1.34.145)" or "AWS SDK for JavaScript 3.632.0 (@aws-sdk/client-s3)"


@functools.lru_cache(maxsize=None)
def table() -> dict:
    with TABLE.open("rb") as handle:
        return tomllib.load(handle)


def sdk_for(runtime, function_zip: Path, layer_zip: Path | None) -> RuntimeSdk | None:
    """The runtime's SDK for a function that uses it without shipping it, installed on first use; else None.

    ``function_zip`` and ``layer_zip`` may be folders (an image's unpacked layers). Raises ``BuildError`` when the install fails (offline): the caller says so and runs without it.
    """
    row = table().get(runtime.language, {}).get(runtime.version.split(".x")[0])
    if row is None:
        return None
    if runtime.language == "python":
        return _python(runtime.version, row, function_zip, layer_zip)
    if runtime.language == "nodejs":
        return _node(runtime.version.split(".")[0], row, function_zip, layer_zip)
    return None


def _names(archive: Path | None) -> list[str]:
    """The files of a zip, or of a folder (an image's unpacked layer), as relative posix names."""
    if archive is not None and archive.is_dir():
        return sorted(path.relative_to(archive).as_posix() for path in archive.rglob("*") if path.is_file())
    if archive is None or not archive.is_file():
        return []
    with zipfile.ZipFile(archive) as zipped:
        return zipped.namelist()


def _read_matching(archive: Path, names, pattern: re.Pattern) -> set[str]:
    found: set[str] = set()
    if archive.is_dir():
        for name in names:
            found.update(match.decode() for match in pattern.findall((archive / name).read_bytes()))
        return found
    with zipfile.ZipFile(archive) as zipped:
        for name in names:
            found.update(match.decode() for match in pattern.findall(zipped.read(name)))
    return found


def python_uses_sdk(function_zip: Path, layer_zip: Path | None, version: str) -> bool:
    """Whether the function's code (or a package in its layer) imports boto3 that neither ships."""
    own, layer = _names(function_zip), _names(layer_zip)
    site = (f"python/lib/python{version}/site-packages/", "python/")
    shipped = {name.split("/", 1)[0] for name in own} | {
        name[len(prefix):].split("/", 1)[0] for name in layer for prefix in site if name.startswith(prefix)}
    if "boto3" in shipped:
        return False  # the function's own copy wins, as on Lambda
    sources = [name for name in own if name.endswith(".py") and ".dist-info/" not in name]
    if _read_matching(function_zip, sources, _PYTHON_USE):
        return True
    metadata = [name for name in layer if name.endswith(".dist-info/METADATA")]
    return bool(layer_zip and metadata and _read_matching(layer_zip, metadata, _PYTHON_REQUIRES))


def node_sdk_packages(function_zip: Path, layer_zip: Path | None) -> list[str]:
    """The ``@aws-sdk/`` packages the function's own code names and neither zip ships."""
    own = _names(function_zip)
    code = [name for name in own if name.endswith(_NODE_SUFFIXES) and "node_modules/" not in name]
    named = _read_matching(function_zip, code, _NODE_USE)
    have = set()
    for name in (own + _names(layer_zip)) if named else ():
        _, marker, rest = name.rpartition("node_modules/")
        if marker and rest.startswith("@aws-sdk/"):
            have.add("/".join(rest.split("/")[:2]))
    return sorted(named - have)


def _python(version: str, row: dict, function_zip: Path, layer_zip: Path | None) -> RuntimeSdk | None:
    if not python_uses_sdk(function_zip, layer_zip, version):
        return None
    folder = paths.cache_dir() / "runtime-sdks" / f"python{version}-boto3-{row['boto3']}"
    if not (folder / "boto3").is_dir():
        from .clients import _install

        _install(folder, [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--no-warn-script-location", "--only-binary=:all:", "--python-version", version,
                          "--target", "{dest}", f"boto3=={row['boto3']}", f"botocore=={row['botocore']}"],
                 f"boto3 {row['boto3']} (the {version} runtime's SDK)")
    return RuntimeSdk(folder, f"boto3 {row['boto3']} (botocore {row['botocore']})")


def _node(major: str, row: dict, function_zip: Path, layer_zip: Path | None) -> RuntimeSdk | None:
    packages = node_sdk_packages(function_zip, layer_zip)
    if not packages:
        return None
    release = row["aws_sdk"]
    digest = hashlib.sha256("\n".join(packages).encode()).hexdigest()[:12]
    folder = paths.cache_dir() / "runtime-sdks" / f"node{major}-aws-sdk-{release}-{digest}"
    if not (folder / "node_modules" / packages[0] / "package.json").is_file():
        import shutil

        from ..errors import BuildError
        from .clients import _install

        npm = shutil.which("npm")
        if npm is None:
            raise BuildError("npm is not installed, so the runtime's AWS SDK cannot be", hint="install Node.js with npm")
        _install(folder, [npm, "install", "--prefix", "{dest}", "--no-audit", "--no-fund", "--no-save",
                          "--loglevel=error", *(f"{name}@<={release}" for name in packages)],
                 f"the AWS SDK for JavaScript {release} (the nodejs{major}.x runtime's)")
    return RuntimeSdk(folder / "node_modules", f"AWS SDK for JavaScript {release} ({', '.join(packages)})")


def on_path(runtime, env: dict[str, str], sdk: RuntimeSdk) -> dict[str, str]:
    """PYTHONPATH or NODE_PATH with ``sdk`` where Lambda has /var/runtime: after the layers, so the
    function's own copy (and a layer's) wins. On Node that is before /var/task, as Lambda orders NODE_PATH."""
    import os

    key = "PYTHONPATH" if runtime.language == "python" else "NODE_PATH"
    parts = [part for part in env.get(key, "").split(os.pathsep) if part]
    if runtime.language == "python":
        parts.append(str(sdk.folder))
    else:
        task = env.get("LAMBDA_TASK_ROOT")
        at = parts.index(task) if task in parts else len(parts)
        parts.insert(at, str(sdk.folder))
    return {key: os.pathsep.join(parts)}
