"""Build benchmarks: a generated repo of N Python functions sharing one requirements.txt.

Prints whole-process medians (seconds) of:
  clean      `doit build` from nothing (layer cache cold, installer's package cache warm)
  noop       `doit build` again, nothing changed
  edit-one   `doit build` after editing one handler

Usage: python bench/bench_build.py [--functions 20 200] [--runs 3] [--installer auto]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = "requests==2.32.3\npython-dateutil==2.9.0.post0\n"

HANDLER = '''import requests


def lambda_handler(event, context):
    return {{"statusCode": 200, "body": "function {i} " + requests.__version__}}
'''

TOML = '''[metadata]
name = "fn-{i:03d}"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
source_path = "."
requirements_file = "../../requirements.txt"
installer = "{installer}"

[function]
memory_mb = 256
'''


def make_repo(root: Path, count: int, installer: str) -> None:
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "dodo.py").write_text("from genesys_tasks.tasks import creators\n\nglobals().update(creators())\n")
    for i in range(count):
        fn = root / "functions" / f"fn_{i:03d}"
        fn.mkdir(parents=True)
        (fn / "app.py").write_text(HANDLER.format(i=i))
        (fn / f"lambda_fn_{i:03d}.toml").write_text(TOML.format(i=i, installer=installer))


def doit_build(root: Path, env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "doit", "build"], cwd=root, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"doit build failed in {root}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def bench(count: int, runs: int, installer: str) -> dict[str, float]:
    results: dict[str, list[float]] = {"clean": [], "noop": [], "edit-one": []}
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="genesys-bench-") as tmp:
            root = Path(tmp, "repo")
            root.mkdir()
            make_repo(root, count, installer)
            env = dict(os.environ, PYTHONPATH=str(REPO), GENESYS_CACHE_DIR=str(Path(tmp, "cache")), NO_COLOR="1")
            results["clean"].append(doit_build(root, env))
            results["noop"].append(doit_build(root, env))
            handler = root / "functions" / "fn_000" / "app.py"
            handler.write_text(handler.read_text() + f"\n# edit {run}\n")
            results["edit-one"].append(doit_build(root, env))
    return {name: statistics.median(times) for name, times in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--installer", default="auto", choices=("auto", "pip", "uv"))
    args = parser.parse_args()
    print(f"{'functions':>9} {'clean':>8} {'noop':>8} {'edit-one':>9}   (median of {args.runs}, seconds)")
    for count in args.functions:
        r = bench(count, args.runs, args.installer)
        print(f"{count:>9} {r['clean']:>8.2f} {r['noop']:>8.2f} {r['edit-one']:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
