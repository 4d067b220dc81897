"""genesys's own share of a no-op ``doit build``: making the tasks, timed in-process after the imports.

The whole no-op (``bench_noop.py``) is mostly doit's, and a shared machine's load moves
it by more than genesys's own cost per function. This times only what genesys does when
doit asks for the tasks (find the TOMLs, read the spec cache, check its stamps, make the
task dicts), in a fresh process each repeat, on the repo ``bench_noop.py`` builds.
Printed: the median and minimum of each size, and the cost per added function (medians).

Usage: python bench/bench_noop_tasks.py [--functions 200 1000] [--repeats 9] [--checkout DIR]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import doit_run, make_repo  # noqa: E402 - the same generated repo
from bench_noop import options  # noqa: E402 - the same options

TIMED = """import os, time
from genesys_tasks.tasks import creators
started = time.perf_counter()
made = creators(os.getcwd(), listing=False)
for name in ("task_layer", "task_pre_build", "task_build"):
    for _ in made[name]():
        pass
print(time.perf_counter() - started)
"""


def main() -> None:
    args = options(__doc__, [200, 1000], 9)
    repo = args.checkout
    with tempfile.TemporaryDirectory(prefix="genesys-bench-tasks-") as tmp:
        env = dict(os.environ, PYTHONPATH=str(repo), GENESYS_CACHE_DIR=str(Path(tmp, "cache")), NO_COLOR="1")
        rows = []
        for count in args.functions:
            root = Path(tmp, f"repo-{count}")
            root.mkdir()
            make_repo(root, count, "auto")
            doit_run(root, env, "build")
            doit_run(root, env, "build")  # the spec cache is written
            times = [float(subprocess.run([sys.executable, "-c", TIMED], cwd=root, env=env, check=True,
                                          capture_output=True, text=True).stdout) for _ in range(args.repeats)]
            rows.append((count, statistics.median(times)))
            print(f"{count:>5} functions: making the tasks {statistics.median(times) * 1000:.1f} ms "
                  f"(min {min(times) * 1000:.1f}, median of {args.repeats})", flush=True)
        for (n1, t1), (n2, t2) in zip(rows, rows[1:]):
            print(f"per added function, {n1} -> {n2}: {(t2 - t1) / (n2 - n1) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
