"""Image function benchmark: build times and bytes pushed, against a registry on 127.0.0.1.

Starts Debian's docker-registry on a free port (plain HTTP, a temporary folder), copies a stand-in
Lambda base image into it with skopeo (no registry outside the machine is used), then for one
Python function with ``[build] package_type = "image"``:

  cold build    seconds for `genesys lambda build` with an empty genesys cache (the base is pulled)
  warm build    seconds for the same build after its outputs were removed (the base from the cache)
  first push    bytes sent to push the image to an empty repository
  rerun push    bytes sent pushing the same image again (0: every blob and the manifest are there)
  edit push     bytes sent after a one-line edit of the handler (the code layer, config, manifest)
  same digest   whether two builds of one project under two paths gave one digest

With ``--podman IMAGE`` (a Lambda base image Podman holds locally, e.g. public.ecr.aws/lambda/python:3.11)
that image is pushed into the local registry and used as the base instead of the stand-in, and the
same function is built twice with ``podman build`` from an equivalent Containerfile for comparison:

  podman build  seconds for each of two `podman build --no-cache` runs, and whether they gave one image id

Usage: python bench/bench_image.py [--podman public.ecr.aws/lambda/python:3.11]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from registry_fixture import LocalRegistry, push_base  # noqa: E402  (the tests' stand-in base)

from genesys_tasks.build.image.blobs import BlobStore  # noqa: E402
from genesys_tasks.build.image.registry import Registry  # noqa: E402
from genesys_tasks.config.image_ref import parse  # noqa: E402

HANDLER = "def handler(event, context):\n    return {'answer': %d}\n"


def project(root: Path, base: str, answer: int = 1) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(HANDLER % answer)
    toml = root / "lambda_fn.toml"
    toml.write_text(f'[metadata]\nname = "benchfn"\nruntime = "python3.12"\nhandler = "app.handler"\n\n'
                    f'[build]\npackage_type = "image"\nimage = "{base}"\n')
    return toml


def build(toml: Path, cache: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "genesys_tasks.cli", "lambda", "build", "--output", "json",
                           str(toml)], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "GENESYS_CACHE_DIR": str(cache)})
    if proc.returncode:
        sys.exit(proc.stderr)
    return time.perf_counter() - started, json.loads(proc.stdout)["records"][0]["digest"]


def podman_base(registry: LocalRegistry, image: str) -> str:
    """Push Podman's local ``image`` into ``registry`` under the AWS name's path; its reference there."""
    reference = f"{registry.host}/{image.split('/', 1)[1]}"
    subprocess.run(["podman", "push", "--quiet", "--tls-verify=false", image, reference], check=True,
                   capture_output=True)
    return reference


def podman_builds(folder: Path, image: str) -> tuple[list[float], bool]:
    """Two `podman build --no-cache` runs of the same function: their times and whether the ids agree."""
    (folder / "Containerfile").write_text(f"FROM {image}\nCOPY app.py /var/task/\nCMD [\"app.handler\"]\n")
    times, ids = [], []
    for _ in range(2):
        started = time.perf_counter()
        proc = subprocess.run(["podman", "build", "--no-cache", "-q", "-f", "Containerfile", "."], cwd=folder,
                              check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        ids.append(proc.stdout.strip().splitlines()[-1])
        time.sleep(1.1)  # a second apart, as two builds on two machines would be
    for image_id in set(ids):
        subprocess.run(["podman", "rmi", image_id], capture_output=True)
    return times, len(set(ids)) == 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--podman", metavar="IMAGE", help="a local Lambda base image to build on and compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "registry").mkdir()
        registry = LocalRegistry(tmp / "registry")
        try:
            base = podman_base(registry, args.podman) if args.podman else push_base(registry, tmp / "base")
            cache = tmp / "cache"
            toml = project(tmp / "fn", base)
            cold, digest = build(toml, cache)
            subprocess.run(["rm", "-rf", str(toml.parent / ".genesys")], check=True)
            warm, again = build(toml, cache)
            _, elsewhere = build(project(tmp / "other" / "path", base), cache)
            store, repo = BlobStore(cache / "oci" / "blobs"), parse(f"{registry.host}/bench/fn")
            first = Registry.for_ref(repo).push(repo, digest, store)
            rerun = Registry.for_ref(repo).push(repo, digest, store)
            project(tmp / "fn", base, answer=2)
            _, edited = build(toml, cache)
            edit = Registry.for_ref(repo).push(repo, edited, store)
            podman = podman_builds(tmp / "fn", args.podman) if args.podman else None
        finally:
            registry.stop()
    print(f"cold build   {cold:.2f} s")
    print(f"warm build   {warm:.2f} s")
    print(f"first push   {first} bytes")
    print(f"rerun push   {rerun} bytes")
    print(f"edit push    {edit} bytes")
    print(f"same digest  {digest == again == elsewhere}")
    if podman:
        print(f"podman build {podman[0][0]:.2f} s, {podman[0][1]:.2f} s; same image id {podman[1]}")


if __name__ == "__main__":
    main()
