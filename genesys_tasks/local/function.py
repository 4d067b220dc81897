"""A built function made ready to run locally: its zips unpacked, its client chosen, its environment set.

``open_function`` is what ``genesys invoke`` and ``genesys serve`` share: it takes a
loaded spec whose build is up to date and returns a ``RuntimeProcess`` (not started).
An image function runs from genesys's own layers of the image it built (``image_layers``), unpacked
from the image cache, not from the zips they were made of. Which architecture runs is checked here: the host must be able to execute it when the
function ships machine code (a Go ``bootstrap``).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import paths
from ..errors import UsageError
from . import clients, runtime_sdk, scratch
from .process import RuntimeProcess

HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class Options:
    """What the command line asks of a local run."""

    arch: str | None = None
    timeout_s: float | None = None  # None: the function's own timeout
    env_file: Path | None = None
    pass_credentials: bool = False
    client: str = "auto"  # clients.MODES
    container: bool = False  # run the built image itself with Podman (``local.container``)
    memory_mb: int | None = None  # `invoke --memory`: run with Lambda's CPU share and limit of this size
    notify: Callable[[str], None] = field(default=lambda message: None, compare=False)  # warnings for people


def choose_arch(spec, wanted: str | None) -> str:
    arch = wanted or spec.deployment.architecture
    if arch not in spec.build.architectures:
        raise UsageError(f"{spec.name} is not built for {arch} (it is built for {', '.join(spec.build.architectures)})",
                         hint=f"pass --arch {spec.build.architectures[0]}, or add {arch} to [build] architectures")
    return arch


def open_function(spec, root: Path, options: Options) -> tuple[RuntimeProcess, clients.Launch]:
    """The function of ``spec``, unpacked under ``root``'s .genesys/local, ready to start (with
    ``options.memory_mb``: as that memory size, its CPU share and limit enforced where the host can)."""
    if options.memory_mb is not None:
        from dataclasses import replace

        from . import quota

        spec = replace(spec, function=replace(spec.function, memory_mb=options.memory_mb))
        quota.tell(options.notify)
    arch = choose_arch(spec, options.arch)
    own = own_environment(spec)  # a missing ${env:...} is said before anything is unpacked or installed
    host = HOST_ARCH.get(platform.machine().lower(), platform.machine().lower())
    if arch != host:
        if spec.runtime.id.startswith("provided"):
            raise UsageError(f"{spec.name}'s {arch} bootstrap cannot run on this {host} machine",
                             hint=f"add {host} to [build] architectures and pass --arch {host}")
        options.notify(f"running the {arch} build on {host}: native code in its layer may not load")
    if options.container:
        return _in_container(spec, root, arch, own, options)
    if spec.build.is_image:
        place = scratch.prepare_image(scratch.scratch_for(root, spec.name, arch), *image_layers(root, spec.name, arch))
        code, layer = place.task, place.opt  # the SDK check reads the unpacked layers
    else:
        code = paths.function_zip(root, spec.name, arch)
        layer = paths.layer_zip(root, spec.name, arch) if spec.has_layer else None
        place = scratch.prepare(scratch.scratch_for(root, spec.name, arch), code, layer)
    sdk = runtime_sdk_for(spec, code, layer, options.notify)
    launch = clients.launch_for(spec, place, options.client, options.notify, node_path_extra=sdk is not None)
    env = scratch.lambda_environment(
        spec, place, arch=arch, region=_region(spec), own=own,
        extra=scratch.read_env_file(options.env_file) if options.env_file else {},
        credentials=passed_credentials(spec) if options.pass_credentials else {})
    if launch.import_path:
        key = "PYTHONPATH" if spec.runtime.language == "python" else "NODE_PATH"
        env[key] = f"{env[key]}:{launch.import_path}" if env.get(key) else launch.import_path
    if sdk is not None:
        env.update(runtime_sdk.on_path(spec.runtime, env, sdk))
    timeout = options.timeout_s if options.timeout_s is not None else spec.function.timeout_seconds
    arn = f"arn:aws:lambda:{env['AWS_REGION']}:000000000000:function:{spec.name}"
    process = RuntimeProcess(launch.argv, env=env, cwd=place.task, memory_mb=spec.function.memory_mb,
                             timeout_s=timeout, function_arn=arn, limits=options.memory_mb is not None)
    return process, launch


def _in_container(spec, root: Path, arch: str, own: dict[str, str], options: Options):
    """``--container``: the image in Podman, given Lambda's environment for the function."""
    from .container import open_container

    env = scratch.lambda_environment(
        spec, scratch.scratch_for(root, spec.name, arch), arch=arch, region=_region(spec), own=own,
        extra=scratch.read_env_file(options.env_file) if options.env_file else {},
        credentials=passed_credentials(spec) if options.pass_credentials else {})
    timeout = options.timeout_s if options.timeout_s is not None else spec.function.timeout_seconds
    process = open_container(spec, root, arch, env, timeout)
    return process, clients.Launch(tuple(process.argv), "the image's own (podman run)")


def image_layers(root: Path, name: str, arch: str) -> tuple[tuple[str, Path], tuple[str, Path, object] | None]:
    """((digest, blob) of the image's code layer, (digest, blob, ``layers.Placement``) of its dependency layer
    or None), as the build recorded them."""
    from ..build.image.blobs import image_store
    from ..build.image.layers import CODE, PLACEMENTS
    from ..build.record import read_record, record_path

    record = read_record(record_path(root, name, arch), hint=f"build it again: genesys lambda build (for {arch})")
    store = image_store()
    ours = {layer["from"]: (layer["digest"], store.path(layer["digest"])) for layer in record.layers}
    if CODE not in ours or not ours[CODE][1].is_file():
        from ..errors import BuildError

        raise BuildError(f"{name}'s image code layer is not in genesys's image cache ({store.folder})",
                         hint="build it again: genesys lambda build")
    dependencies = next(((*ours[place.label], place) for place in PLACEMENTS if place.label in ours), None)
    return ours[CODE], dependencies


def runtime_sdk_for(spec, function_zip: Path, layer_zip: Path | None, notify) -> runtime_sdk.RuntimeSdk | None:
    """The runtime's own SDK when the function uses it without shipping it; said once when it cannot be had."""
    from ..errors import BuildError

    try:
        sdk = runtime_sdk.sdk_for(spec.runtime, function_zip, layer_zip)
    except BuildError as err:
        notify(f"{err.message}: the function runs without the SDK {spec.runtime.id} provides")
        return None
    if sdk is not None:
        notify(f"the {spec.runtime.id} runtime's SDK: {sdk.label}, after the function and its layers on the path")
    return sdk


def _region(spec) -> str:
    import os

    return spec.deployment.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") \
        or "us-east-1"


def own_environment(spec) -> dict[str, str]:
    """``[function.environment]`` with ``${env:NAME}`` filled, as the deploy fills it."""
    from ..deploy.deployer import resolve_environment

    return resolve_environment(spec)


def passed_credentials(spec) -> dict[str, str]:
    """The credentials genesys itself would deploy with, as Lambda hands them to a function."""
    from ..aws.session import make_session
    from ..aws.target import target_for
    from ..errors import CredentialsError

    found = make_session(target_for(spec.deployment.region, spec.deployment.profile)).get_credentials()
    if found is None:
        raise CredentialsError("--pass-credentials: no AWS credentials found",
                               hint="configure a profile (aws configure) or export AWS_ACCESS_KEY_ID")
    frozen = found.get_frozen_credentials()
    values = {"AWS_ACCESS_KEY_ID": frozen.access_key, "AWS_SECRET_ACCESS_KEY": frozen.secret_key}
    if frozen.token:
        values["AWS_SESSION_TOKEN"] = frozen.token
    return values
