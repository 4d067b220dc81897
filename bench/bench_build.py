"""Build benchmarks: a generated repo of N Python functions sharing one requirements.txt.

Prints whole-process medians (seconds) of:
  clean      `doit build` from nothing (layer cache cold, installer's package cache warm)
  noop       `doit build` again, nothing changed
  floor      bare doit over N trivial up-to-date tasks (one file in, one out each, the same
             dep-file backend and md5 check), timed in turn with noop in the same run
  ratio      noop / floor: what genesys adds to doit's own no-op cost
  edit-one   `doit build` after editing one handler
and the layer zips' size after the clean build: bytes on disk (each distinct file once)
and bytes as listed (what N separate copies would take).

Usage: python bench/bench_build.py [--functions 20 200] [--runs 3] [--noop-repeats 3] [--installer auto]
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


def compile_checkout(checkout: Path) -> None:
    """Byte-compile the genesys package as an install would: with PYTHONDONTWRITEBYTECODE set, every
    timed process would otherwise compile it again."""
    import compileall

    compileall.compile_dir(str(checkout / "genesys_tasks"), quiet=1)


def make_repo(root: Path, count: int, installer: str) -> None:
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "dodo.py").write_text("from genesys_tasks.tasks import creators\n\nglobals().update(creators())\n")
    for i in range(count):
        fn = root / "functions" / f"fn_{i:03d}"
        fn.mkdir(parents=True)
        (fn / "app.py").write_text(HANDLER.format(i=i))
        (fn / f"lambda_fn_{i:03d}.toml").write_text(TOML.format(i=i, installer=installer))


FLOOR_DODO = '''from pathlib import Path

DOIT_CONFIG = {{"dep_file": ".doit.db", "backend": "sqlite3", "check_file_uptodate": "md5", "verbosity": 1}}
HERE = Path(__file__).parent


def copy(source, target):
    Path(target).write_bytes(Path(source).read_bytes())


def task_trivial():
    for i in range({count}):
        source, target = HERE / "in" / f"{{i}}.txt", HERE / "out" / f"{{i}}.txt"
        yield {{"name": str(i), "actions": [(copy, [source, target])], "file_dep": [source], "targets": [target]}}
'''


def make_floor(root: Path, count: int) -> None:
    """A bare doit project of ``count`` trivial tasks, each one file in and one out."""
    (root / "in").mkdir(parents=True)
    (root / "out").mkdir()
    for i in range(count):
        (root / "in" / f"{i}.txt").write_text(f"{i}\n")
    (root / "dodo.py").write_text(FLOOR_DODO.format(count=count))


def doit_run(root: Path, env: dict, *args: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "doit", *args], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"doit {' '.join(args)} failed in {root}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def layer_bytes(root: Path) -> tuple[int, int]:
    """(bytes on disk, bytes as listed) of every function's layer zips: hard links count once on disk."""
    stats = [p.stat() for p in (root / ".genesys" / "build").glob("*/layer-*.zip")]
    return sum({(s.st_dev, s.st_ino): s.st_size for s in stats}.values()), sum(s.st_size for s in stats)


def bench(count: int, runs: int, noop_repeats: int, installer: str) -> dict[str, float]:
    results: dict[str, list[float]] = {"clean": [], "noop": [], "floor": [], "edit-one": []}
    sizes = (0, 0)
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="genesys-bench-") as tmp:
            root, floor = Path(tmp, "repo"), Path(tmp, "floor")
            root.mkdir()
            make_repo(root, count, installer)
            make_floor(floor, count)
            env = dict(os.environ, PYTHONPATH=str(REPO), GENESYS_CACHE_DIR=str(Path(tmp, "cache")), NO_COLOR="1")
            results["clean"].append(doit_run(root, env, "build"))
            sizes = layer_bytes(root)
            doit_run(floor, env)
            for _ in range(noop_repeats):  # in turn, so both see the same machine load
                results["noop"].append(doit_run(root, env, "build"))
                results["floor"].append(doit_run(floor, env))
            handler = root / "functions" / "fn_000" / "app.py"
            handler.write_text(handler.read_text() + f"\n# edit {run}\n")
            results["edit-one"].append(doit_run(root, env, "build"))
    medians = {name: statistics.median(times) for name, times in results.items()}
    return {**medians, "ratio": medians["noop"] / medians["floor"], "on-disk": sizes[0], "listed": sizes[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--noop-repeats", type=int, default=3)
    parser.add_argument("--installer", default="auto", choices=("auto", "pip", "uv"))
    args = parser.parse_args()
    print(f"{'functions':>9} {'clean':>8} {'noop':>8} {'floor':>8} {'ratio':>6} {'edit-one':>9} "
          f"{'layers on disk':>15} {'as listed':>10}   (medians, seconds; MB)")
    for count in args.functions:
        r = bench(count, args.runs, args.noop_repeats, args.installer)
        print(f"{count:>9} {r['clean']:>8.2f} {r['noop']:>8.2f} {r['floor']:>8.2f} {r['ratio']:>5.1f}x "
              f"{r['edit-one']:>9.2f} {r['on-disk'] / 1e6:>15.1f} {r['listed'] / 1e6:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
