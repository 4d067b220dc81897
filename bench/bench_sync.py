"""Edit-to-live time of ``genesys sync --watch`` in the sandbox, for a Python function without
dependency changes (the issue's goal: under 2 s).

Starts ``genesys sandbox`` in its own process (``bench_deploy.running_sandbox``), deploys one
function with ``genesys execute``, runs ``genesys sync --watch``, then edits the handler N times.
For each edit it prints the time from the write until the deployed function (the Invoke API)
answers with the new code, and the "live in N s" that sync itself reported (measured from the
file's mtime).

Usage: python bench/bench_sync.py [--edits 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench_deploy import REPO, running_sandbox

TOML = """[metadata]
name = "benchsync"
runtime = "python3.12"
handler = "app.handler"

[deployment]
function_url = true
auth_type = "NONE"
"""
HANDLER = "def handler(event, context):\n    return {{'edit': {n}}}\n"


def measure(root: Path, env: dict, lam, edits: int) -> tuple[list[float], list[float]]:
    """Deploy, watch, edit ``edits`` times: (write → new answer, sync's own "live in") in seconds."""
    (root / "lambda_benchsync.toml").write_text(TOML)
    (root / "app.py").write_text(HANDLER.format(n=0))
    cli = [sys.executable, "-m", "genesys_tasks.cli"]
    subprocess.run([*cli, "execute", "lambda_benchsync.toml"], cwd=root, env=env, check=True, capture_output=True)
    watching = subprocess.Popen([*cli, "sync", "lambda_benchsync.toml", "--watch"], cwd=root, env=env,
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(watching.stderr), daemon=True).start()
    answered, reported = [], []
    try:
        while not any("watching" in line for line in lines):
            time.sleep(0.05)
        for n in range(1, edits + 1):
            time.sleep(1.0)
            started = time.time()
            (root / "app.py").write_text(HANDLER.format(n=n))
            while json.loads(lam.invoke(FunctionName="benchsync")["Payload"].read()).get("edit") != n:
                time.sleep(0.02)
            answered.append(time.time() - started)
            time.sleep(0.3)
            said = [float(m[1]) for line in lines if (m := re.search(r"live in (\d+\.\d) s", line))]
            reported.append(said[-1] if said else float("nan"))
    finally:
        watching.terminate()
        watching.wait()
    return answered, reported


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    import boto3

    from genesys_tasks import sandbox

    with running_sandbox("genesys-bench-sync-") as (root, endpoint):
        aimed = sandbox.environment(endpoint)
        env = {**os.environ, **aimed, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
        env.pop("AWS_PROFILE", None)
        lam = boto3.client("lambda", endpoint_url=endpoint, region_name=aimed["AWS_REGION"],
                           aws_access_key_id=aimed["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=aimed["AWS_SECRET_ACCESS_KEY"])
        answered, reported = measure(root, env, lam, args.edits)
    print(f"edits: {args.edits}")
    print("write → new answer (s): " + ", ".join(f"{t:.2f}" for t in answered)
          + f"  median {statistics.median(answered):.2f}")
    print("sync's own 'live in' (s): " + ", ".join(f"{t:.1f}" for t in reported))


if __name__ == "__main__":
    main()
