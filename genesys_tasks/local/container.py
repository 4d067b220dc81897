"""``genesys invoke --container``: the image genesys built for a function, run by Podman against
genesys's own Runtime API server, so the image's entrypoint and runtime client run the handler.

The image comes from genesys's image cache, not from a registry: its manifest and blobs are streamed
as an OCI archive, named by its annotation, into ``podman load`` (offline; any path, a remote Podman
too), once per image: an image Podman already holds (its id is the image config's digest) is not
loaded again. It is tagged ``localhost/genesys/<function>:<arch>`` for people to find; the image that
tag named before (the function's previous build) is removed unless something else still uses it.
The container gets Lambda's environment for the function (not the host's paths: the image has its
own), AWS_LAMBDA_RUNTIME_API pointing at the server on 127.0.0.1 (the container shares the host's
network), the function's memory as its limit, and ``[function] image_entrypoint``/``image_command``/
``image_workdir`` as Lambda applies them.
Each start is a container of its own name, removed when the run ends or the runtime is restarted.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

from ..errors import BuildError, UsageError
from .process import RuntimeProcess

# Lambda's variables that name places of the host's scratch folder: the image has its own
HOST_PLACES = ("PATH", "LD_LIBRARY_PATH", "TMPDIR", "HOME", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "PYTHONPATH",
               "NODE_PATH", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")


def podman() -> str:
    """Podman's path; exit 2 saying so when it is not installed."""
    found = shutil.which("podman")
    if found is None:
        raise UsageError("--container runs the image with Podman, which is not installed (not found on PATH)",
                         hint="install podman (sudo apt-get install podman; sudo dnf install podman; brew install "
                              "podman), or run without --container: genesys runs the image's layers itself")
    return found


def load_image(engine: str, store, digest: str, tag: str) -> str:
    """The id under which Podman holds image ``digest`` (a manifest in ``store``), loaded from the store when it
    does not hold it yet, and tagged ``tag``."""
    manifest = json.loads(store.read(digest))
    image_id = manifest["config"]["digest"].split(":", 1)[1]
    before = subprocess.run([engine, "image", "inspect", "--format", "{{.Id}}", tag], capture_output=True, text=True)
    if subprocess.run([engine, "image", "exists", image_id], capture_output=True).returncode != 0:
        with subprocess.Popen([engine, "load", "--quiet"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) as load:
            try:
                _write_archive(load.stdin, store, digest, manifest, tag)
            except BrokenPipeError:
                pass  # podman stopped reading: its own error says why
            finally:
                load.stdin.close()
            said = load.stderr.read().decode(errors="replace")
        if load.returncode:
            raise BuildError(f"podman could not load the image {digest[:19]}: {said.strip()[-500:]}",
                             hint="check `podman info`; run without --container to use genesys's own runner")
    subprocess.run([engine, "tag", image_id, tag], capture_output=True)
    old = before.stdout.strip() if before.returncode == 0 else ""
    if old and not old.startswith(image_id):  # the function's previous image: nothing else names it, it goes
        subprocess.run([engine, "rmi", old], capture_output=True)  # (refused when a container or tag still uses it)
    return image_id


def _write_archive(sink, store, digest: str, manifest: dict, tag: str) -> None:
    """An OCI archive of one image, named ``tag``, streamed from the store's blobs into ``sink``."""
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": manifest.get("mediaType", "application/vnd.oci.image.manifest.v1+json"), "digest": digest,
         "size": store.size(digest), "annotations": {"org.opencontainers.image.ref.name": tag}}]}).encode()
    with tarfile.open(fileobj=sink, mode="w|") as tar:
        for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for blob in dict.fromkeys([digest, manifest["config"]["digest"], *(l["digest"] for l in manifest["layers"])]):
            tar.add(store.path(blob), arcname=f"blobs/sha256/{blob.split(':', 1)[1]}", recursive=False)


def container_environment(lambda_env: dict[str, str]) -> dict[str, str]:
    """What the container is given of Lambda's environment for the function: all but the host's places."""
    return {key: value for key, value in lambda_env.items() if key not in HOST_PLACES}


def run_argv(engine: str, name: str, image_id: str, env_names, spec, memory_mb: int) -> list[str]:
    """The ``podman run`` of one runtime start: values stay out of the command line (``-e NAME`` reads them
    from podman's own environment), the Runtime API is reached on the host's loopback."""
    argv = [engine, "run", "--rm", "--name", name, "--network=host", "--pull=never", f"--memory={memory_mb}m"]
    for key in sorted({*env_names, "AWS_LAMBDA_RUNTIME_API"}):
        argv += ["-e", key]
    function = spec.function
    if function.image_entrypoint is not None:
        argv += ["--entrypoint", json.dumps(list(function.image_entrypoint))]
    if function.image_workdir is not None:
        argv += ["--workdir", function.image_workdir]
    argv.append(image_id)
    if function.image_command is not None:
        argv += list(function.image_command)
    return argv


class ContainerProcess(RuntimeProcess):
    """A runtime that is a container: a start runs a fresh one; closing removes it (a killed ``podman run``
    alone would leave it running)."""

    def __init__(self, engine: str, image_id: str, spec, container_env: dict[str, str], **kwargs):
        super().__init__([engine], env={**os.environ, **container_env}, **kwargs)
        self.engine, self.image_id, self.spec, self.names = engine, image_id, spec, sorted(container_env)
        self.container: str | None = None

    def start(self) -> None:
        self.close()
        name = f"genesys-{self.spec.name.lower()}-{uuid.uuid4().hex[:8]}"
        self.argv = run_argv(self.engine, name, self.image_id, self.names, self.spec, self.memory_mb)
        super().start()  # which closes first: the name is kept only once it started, for close to remove it
        self.container = name

    def close(self) -> None:
        if self.container is not None:
            subprocess.run([self.engine, "rm", "--force", "--time", "0", self.container], capture_output=True)
            self.container = None
        super().close()


def open_container(spec, root: Path, arch: str, lambda_env: dict[str, str], timeout_s: float) -> ContainerProcess:
    """The function's image for ``arch``, in Podman, ready to start."""
    from ..build.image.blobs import image_store
    from ..build.record import read_record, record_path

    engine = podman()
    record = read_record(record_path(root, spec.name, arch), hint="build it again: genesys lambda build")
    image_id = load_image(engine, image_store(), record.digest, f"localhost/genesys/{spec.name.lower()}:{arch}")
    arn = f"arn:aws:lambda:{lambda_env['AWS_REGION']}:000000000000:function:{spec.name}"
    return ContainerProcess(engine, image_id, spec, container_environment(lambda_env), cwd=root,
                            memory_mb=spec.function.memory_mb, timeout_s=timeout_s, function_arn=arn)
