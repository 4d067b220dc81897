"""Shared layer cache benchmark: N functions' layers built on one runner, then on a second runner
(its own empty layer cache, its own checkout) through the same S3 bucket of the embedded emulator.

Prints:
  no sharing   seconds for `doit build` with an empty cache and GENESYS_CACHE_URL unset
  runner 1     seconds for the same build writing every layer through to S3
  runner 2     seconds for the build on a second runner reading them back (no installer runs;
               exit 1 when it built any layer)
  objects      what the bucket holds afterwards

Each function's requirements differ by a comment, so each has a layer of its own.
Usage: python bench/bench_shared_cache.py [--functions 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_deploy import REPO, start_sandbox

REQUIREMENTS = "requests==2.32.3\n"  # five distributions: requests and its dependencies
TOML = '''[metadata]
name = "fn-{i:03d}"
runtime = "python3.12"
handler = "app.handler"
'''


def make_repo(root: Path, count: int) -> None:
    root.mkdir()
    (root / ".git").mkdir()
    (root / "dodo.py").write_text("from genesys_tasks.tasks import creators\n\nglobals().update(creators())\n")
    for i in range(count):
        folder = root / f"fn-{i:03d}"
        folder.mkdir()
        (folder / "app.py").write_text(f"import six\n\ndef handler(event, context):\n    return {i}\n")
        (folder / "requirements.txt").write_text(f"{REQUIREMENTS}# function {i}\n")
        (folder / f"lambda_fn_{i:03d}.toml").write_text(TOML.format(i=i))


def build(root: Path, cache: Path, url: str) -> tuple[str, int]:
    """`doit build` in ``root``: its time and where its layers came from as one line, and how many
    layers it built."""
    env = dict(os.environ, GENESYS_CACHE_DIR=str(cache), GENESYS_CACHE_URL=url, PYTHONPATH=str(REPO),
               GENESYS_CACHE_KEY="bench-signing-key-" + "0" * 32)  # entries are signed and verified
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "doit", "build"], cwd=root, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(proc.stdout + proc.stderr)
    built, shared = proc.stderr.count(": built ("), proc.stderr.count(": from shared cache (")
    return f"{elapsed:6.2f} s  ({built} layers built, {shared} from the shared cache)", built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=5)
    args = parser.parse_args()

    from genesys_tasks import sandbox

    with tempfile.TemporaryDirectory(prefix="genesys-bench-cache-") as tmp:
        tmp = Path(tmp)
        process, endpoint = start_sandbox(tmp / "sandbox")
        os.environ.update(sandbox.environment(endpoint))
        os.environ.pop("AWS_PROFILE", None)
        try:
            import boto3

            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            s3.create_bucket(Bucket="bench-layer-cache")
            make_repo(tmp / "origin", args.functions)
            for name in ("plain", "runner-1", "runner-2"):
                shutil.copytree(tmp / "origin", tmp / name)
            url = "s3://bench-layer-cache/genesys"
            print(f"functions    {args.functions}")
            print(f"no sharing   {build(tmp / 'plain', tmp / 'cache-plain', '')[0]}")
            print(f"runner 1     {build(tmp / 'runner-1', tmp / 'cache-1', url)[0]}")
            line, rebuilt = build(tmp / "runner-2", tmp / "cache-2", url)
            print(f"runner 2     {line}")
            objects = s3.list_objects_v2(Bucket="bench-layer-cache").get("Contents", [])
            print(f"objects      {len(objects)} ({sum(o['Size'] for o in objects) / 1e3:.0f} kB)")
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    return 1 if rebuilt else 0  # the second runner must install nothing


if __name__ == "__main__":
    sys.exit(main())
