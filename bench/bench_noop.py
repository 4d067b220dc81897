"""The no-op ``doit build`` against a bare doit project of the same size and task shape, in one run.

A repo of N Python functions sharing one requirements.txt is built once; then, in turn
(so both see the same machine load), ``doit build`` on it and ``doit`` on a bare
project of N functions with the task shape genesys makes for that repo (``SHAPE``): one
``layer`` task for the shared layer (a target per function) and one ``build`` task a
function (file_dep: its source and its layer zip; targets: its zip and its record; one
``config_changed``), the same dep-file backend and md5 check. Printed: the median and
the minimum of each over the repeats, their ratio (of medians), and the cost per added
function between the sizes (from medians; between consecutive sizes, then the first and last);
the same for the CPU time of the doit process, which a shared machine's load moves far less.

Usage: python bench/bench_noop.py [--functions 20 200 1000] [--repeats 5] [--checkout DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import compile_checkout, doit_run, make_repo  # noqa: E402 - the same generated repo as the build bench


def cpu_run(root: Path, env: dict, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process) of one ``doit`` run: on a shared machine the CPU time
    moves far less with the load than the wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = doit_run(root, env, *args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

FLOOR_DODO = '''from pathlib import Path

from doit.tools import config_changed

DOIT_CONFIG = {{"dep_file": ".doit.db", "backend": "sqlite3", "check_file_uptodate": "md5", "verbosity": 1,
               "default_tasks": ["build"]}}
HERE = Path(__file__).parent
COUNT = {count}


def write(*targets):
    for target in targets:
        Path(target).write_text("x")


def task_layer():
    targets = [HERE / "out" / f"layer-{{i}}.zip" for i in range(COUNT)]
    yield {{"name": "0", "actions": [(write, targets)], "file_dep": [HERE / "requirements.txt"],
           "targets": targets, "uptodate": [config_changed({{"runtime": "python3.12"}})]}}


def task_build():
    for i in range(COUNT):
        targets = [HERE / "out" / f"function-{{i}}.zip", HERE / "out" / f"artifact-{{i}}.json"]
        yield {{"name": str(i), "actions": [(write, targets)],
               "file_dep": [HERE / "src" / f"{{i}}" / "app.py", HERE / "out" / f"layer-{{i}}.zip"],
               "targets": targets, "task_dep": ["layer:0"],
               "uptodate": [config_changed({{"handler": "app.lambda_handler", "n": i}})]}}
'''


def make_floor(root: Path, count: int) -> None:
    """A bare doit project of ``count`` functions with genesys's task shape for them (``SHAPE``)."""
    (root / "out").mkdir(parents=True)
    (root / "requirements.txt").write_text("requests\n")
    for i in range(count):
        (root / "src" / str(i)).mkdir(parents=True)
        (root / "src" / str(i) / "app.py").write_text(f"# {i}\n")
    (root / "dodo.py").write_text(FLOOR_DODO.format(count=count))


SHAPE = "bare doit: 1 shared layer task + 1 build task a function (2 file_dep, 2 targets, 1 config_changed)"


def measure(count: int, repeats: int, env: dict, tmp: Path) -> tuple[list, list]:
    """(genesys no-op (wall, CPU) times, bare doit's): ``repeats`` runs each, timed in turn."""
    root, floor = tmp / f"repo-{count}", tmp / f"floor-{count}"
    root.mkdir()
    make_repo(root, count, "auto")
    make_floor(floor, count)
    doit_run(root, env, "build")
    doit_run(root, env, "build")  # the first no-op may still write caches
    doit_run(floor, env)
    noop, bare = [], []
    for _ in range(repeats):
        noop.append(cpu_run(root, env, "build"))
        bare.append(cpu_run(floor, env))
    return noop, bare


def options(doc: str, functions: list[int], repeats: int) -> argparse.Namespace:
    """The no-op benches' options (sizes, repeats, the checkout timed); the checkout is byte-compiled."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, nargs="+", default=functions)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the genesys checkout to time (default: this one)")
    args = parser.parse_args()
    args.checkout = args.checkout.resolve()
    compile_checkout(args.checkout)
    return args


def main() -> None:
    args = options(__doc__, [20, 200, 1000], 5)
    repo = args.checkout
    with tempfile.TemporaryDirectory(prefix="genesys-bench-noop-") as tmp:
        env = dict(os.environ, PYTHONPATH=str(repo), GENESYS_CACHE_DIR=str(Path(tmp, "cache")), NO_COLOR="1")
        print(f"{SHAPE}\n{'functions':>9} {'genesys':>8} {'(min)':>6} {'bare doit':>9} {'(min)':>6} {'ratio':>6}"
              f" {'cpu: genesys':>12} {'bare':>6} {'ratio':>6}   (no-op doit build, median and min of "
              f"{args.repeats}, seconds)", flush=True)
        rows = []
        for count in args.functions:
            noop, bare = measure(count, args.repeats, env, Path(tmp))
            (g, gc), (b, bc) = [[statistics.median(x) for x in zip(*runs)] for runs in (noop, bare)]
            rows.append((count, g, b, gc, bc))
            print(f"{count:>9} {g:>8.3f} {min(w for w, _ in noop):>6.3f} {b:>9.3f} {min(w for w, _ in bare):>6.3f} "
                  f"{g / b:>5.1f}x {gc:>12.3f} {bc:>6.3f} {gc / bc:>5.1f}x", flush=True)
        spans = list(zip(rows, rows[1:])) + ([(rows[0], rows[-1])] if len(rows) > 2 else [])
        for (n1, g1, b1, gc1, bc1), (n2, g2, b2, gc2, bc2) in spans:  # the widest span: the least noise
            ms = lambda a, b: (b - a) / (n2 - n1) * 1000  # noqa: E731
            print(f"per added function, {n1} -> {n2}: genesys {ms(g1, g2):.2f} ms, bare doit {ms(b1, b2):.2f} ms "
                  f"(CPU: genesys {ms(gc1, gc2):.2f} ms, bare doit {ms(bc1, bc2):.2f} ms)")


if __name__ == "__main__":
    main()
