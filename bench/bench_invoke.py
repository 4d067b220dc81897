"""Local invoke benchmark: cold start and warm invoke latency for Python and Node functions.

Builds a small Python function and a small Node (CommonJS) function in a temporary repo,
then for each runtime client (official: awslambdaric / aws-lambda-ric, installed on first
use into genesys's cache; plain: the handler called without a client) prints medians of:
  cold   a new runtime process to the first result (start, init, one invocation), in ms
  init   the Init Duration Lambda's REPORT line would show, in ms
  warm   one invocation of the already running process, in ms (wall time seen by genesys)
Beside them, SAM's Docker-based `sam local invoke` where it can run (it needs a Docker
engine; the line says why when it cannot).

Usage: python bench/bench_invoke.py [--cold 5] [--warm 50] [--clients official plain]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PYTHON = ("app.py", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n", "python3.12",
          "app.handler")
NODE = ("index.js", "exports.handler = async () => ({ statusCode: 200, body: 'ok' });\n", "nodejs22.x",
        "index.handler")


def write_function(folder: Path, name: str, file: str, code: str, runtime: str, handler: str) -> Path:
    folder.mkdir(parents=True)
    (folder / file).write_text(code)
    if runtime.startswith("nodejs"):
        (folder / "package.json").write_text('{"name": "%s", "version": "1.0.0", "private": true}\n' % name)
    toml = folder / f"lambda_{name}.toml"
    toml.write_text(f'[metadata]\nname = "{name}"\nruntime = "{runtime}"\nhandler = "{handler}"\n\n'
                    '[build]\nsource_path = "."\narchitectures = ["x86_64"]\n\n[function]\nmemory_mb = 128\n')
    return toml


def measure(toml: Path, client: str, cold_runs: int, warm_runs: int) -> dict:
    from genesys_tasks.local.function import Options, open_function
    from genesys_tasks.tasks.runner import load_spec, run_tasks

    root, spec = load_spec(toml)
    if run_tasks(toml, ["build:{name}"], spec=spec):
        raise SystemExit(f"building {toml} failed")
    process, launch = open_function(spec, root, Options(client=client, notify=lambda m: print("  " + m)))
    cold, init, warm = [], [], []
    try:
        for _ in range(cold_runs):
            process.close()
            started = time.perf_counter()
            result = process.invoke(b"{}")
            cold.append((time.perf_counter() - started) * 1000)
            init.append(result.init_ms or 0.0)
            assert result.kind == "ok", result.payload
        for _ in range(warm_runs):
            started = time.perf_counter()
            process.invoke(b"{}")
            warm.append((time.perf_counter() - started) * 1000)
    finally:
        process.close()
    return {"client": launch.client, "cold": statistics.median(cold), "init": statistics.median(init),
            "warm": statistics.median(warm), "warm_p90": sorted(warm)[int(len(warm) * 0.9) - 1]}


def sam_line() -> str:
    sam, docker = shutil.which("sam"), shutil.which("docker") or shutil.which("podman")
    if docker:
        engine = subprocess.run([docker, "info"], capture_output=True).returncode == 0
    else:
        engine = False
    if not (sam and engine and shutil.which("docker")):
        why = [] if sam else ["the SAM CLI is not installed"]
        why += [] if engine and shutil.which("docker") else ["there is no Docker engine on this machine"]
        return "sam local invoke: not run (" + "; ".join(why) + "); it starts a container per call"
    return "sam local invoke: available here; time it with `time sam local invoke` beside these figures"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=5, help="cold starts per function and client")
    parser.add_argument("--warm", type=int, default=50, help="warm invocations per function and client")
    parser.add_argument("--clients", nargs="+", default=["official", "plain"], choices=["official", "plain", "auto"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-invoke-"))
    try:
        (work / ".git").mkdir()
        functions = {"python": write_function(work / "py", "bench-py", *PYTHON),
                     "node": write_function(work / "node", "bench-node", *NODE)}
        print(f"{'function':<8} {'client':<15} {'cold ms':>9} {'init ms':>9} {'warm ms':>9} {'warm p90':>9}")
        for language, toml in functions.items():
            for client in args.clients:
                row = measure(toml, client, args.cold, args.warm)
                print(f"{language:<8} {row['client']:<15} {row['cold']:9.1f} {row['init']:9.1f} "
                      f"{row['warm']:9.2f} {row['warm_p90']:9.2f}")
        print(sam_line())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
