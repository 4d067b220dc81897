"""A real OCI registry on 127.0.0.1 (Debian's docker-registry, plain HTTP, temp storage) and a
stand-in Lambda base image the tests write as an OCI layout and copy into it with skopeo."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

REGISTRY = shutil.which("docker-registry")
SKOPEO = shutil.which("skopeo")
needs_tools = [pytest.mark.needs_tools("docker-registry", "skopeo"), pytest.mark.images]
BASE_PATH = "lambda/python"  # the AWS base image's path, served by the local registry
ENTRYPOINT = "#!/bin/sh\nexec \"$@\"\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalRegistry:
    def __init__(self, folder: Path, htpasswd: Path | None = None):
        self.port = _free_port()
        self.host = f"127.0.0.1:{self.port}"
        auth = f"auth:\n  htpasswd:\n    realm: test\n    path: {htpasswd}\n" if htpasswd else ""
        config = folder / "config.yml"
        config.write_text(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
                          f"{folder / 'data'}\n  delete:\n    enabled: true\nhttp:\n  addr: {self.host}\n{auth}")
        self.log = open(folder / "registry.log", "wb")
        # the registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE would be auth.file)
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        self.process = subprocess.Popen([REGISTRY, "serve", str(config)], stdout=self.log, stderr=subprocess.STDOUT,
                                        env=env)
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # 401: up, with auth
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"docker-registry did not start: {(folder / 'registry.log').read_text()}")
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def skopeo(self, *args: str) -> str:
        proc = subprocess.run([SKOPEO, *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def inspect(self, reference: str, *raw: str) -> dict:
        return json.loads(self.skopeo("inspect", "--tls-verify=false", "--no-tags", *raw, f"docker://{self.host}/{reference}"))


def _blob(folder: Path, data: bytes) -> dict:
    hex_ = hashlib.sha256(data).hexdigest()
    (folder / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (folder / "blobs" / "sha256" / hex_).write_bytes(data)
    return {"digest": f"sha256:{hex_}", "size": len(data)}


def write_base_layout(folder: Path, archs=("amd64",), entrypoint: bool = True) -> None:
    """An OCI layout of a tiny base: /lambda-entrypoint.sh and /var/runtime, Env and Entrypoint like AWS's
    (without ``entrypoint``: none, as a plain distribution image has)."""
    manifests = []
    for arch in archs:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            for name, content in (("lambda-entrypoint.sh", ENTRYPOINT), ("var/runtime/arch", arch)):
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(content), 0o755
                tar.addfile(info, io.BytesIO(content.encode()))
        tar_bytes = raw.getvalue()
        layer = _blob(folder, gzip.compress(tar_bytes, mtime=0))
        config = {"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Env": ["LAMBDA_TASK_ROOT=/var/task", "PATH=/usr/bin:/bin"], "WorkingDir": "/var/task",
                             **({"Entrypoint": ["/lambda-entrypoint.sh"]} if entrypoint else {})},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar_bytes).hexdigest()]},
                  "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "stand-in base"}]}
        config_blob = _blob(folder, json.dumps(config).encode())
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_blob},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer}]}
        manifests.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          **_blob(folder, json.dumps(manifest).encode()),
                          "platform": {"architecture": arch, "os": "linux"}})
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}
    named = {"mediaType": "application/vnd.oci.image.index.v1+json", **_blob(folder, json.dumps(index).encode()),
             "annotations": {"org.opencontainers.image.ref.name": "base"}}
    (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (folder / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [named]}))


def push_base(registry: LocalRegistry, folder: Path, tag: str = "3.12", archs=("amd64",), entrypoint: bool = True) -> str:
    """Copy the stand-in base into ``registry`` as lambda/python:<tag>; return its reference."""
    write_base_layout(folder, archs, entrypoint)
    reference = f"{registry.host}/{BASE_PATH}:{tag}"
    registry.skopeo("copy", "--all", "--dest-tls-verify=false", f"oci:{folder}:base", f"docker://{reference}")
    return reference


@pytest.fixture(scope="module")
def local_registry(tmp_path_factory):
    if not (REGISTRY and SKOPEO):
        pytest.skip("docker-registry and skopeo are not installed")
    folder = tmp_path_factory.mktemp("registry")
    registry = LocalRegistry(folder)
    try:
        registry.base = push_base(registry, tmp_path_factory.mktemp("base"), archs=("amd64", "arm64"))
        yield registry
    finally:
        registry.stop()
