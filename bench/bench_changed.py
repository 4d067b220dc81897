"""`genesys changed` benchmark: N functions in one git repository, then a commit touching one file.

Each function has its own folder (a handler, a helper module, a requirements file naming a
shared local package) and its TOML. Prints:
  changed    seconds for `genesys changed --since HEAD~1` as a command (median of --runs;
             target: under 0.5 s for 200 functions), and what it named
  cpu        the CPU seconds (user + system, git included) of that command: on a busy machine
             the wall time waits for a core, this does not
  in-process seconds for the same answer without the interpreter's start

Usage: python bench/bench_changed.py [--functions 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# One function: its handler imports a helper; its requirements name the shared local package.
TOML = '[metadata]\nname = "fn-{i:03d}"\nruntime = "python3.12"\nhandler = "app.handler"\n'
GIT = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@example.com"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT}, check=True, capture_output=True)


def make(root: Path, count: int) -> None:
    (root / "libs/shared").mkdir(parents=True)
    (root / "libs/shared/setup.py").write_text("# a shared local package\n")
    for i in range(count):
        folder = root / f"functions/fn-{i:03d}"
        folder.mkdir(parents=True)
        (folder / f"lambda_fn_{i:03d}.toml").write_text(TOML.format(i=i))
        (folder / "app.py").write_text("from helpers import answer\n\ndef handler(e, c):\n    return answer()\n")
        (folder / "helpers.py").write_text(f"def answer():\n    return {i}\n")
        (folder / "requirements.txt").write_text("../../libs/shared\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "functions")
    (root / "functions/fn-042/helpers.py").write_text("def answer():\n    return 'changed'\n")
    git(root, "commit", "-qam", "one file")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        make(root, args.functions)
        command = [sys.executable, "-m", "genesys_tasks.cli", "changed", "--since", "HEAD~1", "--output", "matrix"]
        times, cpu, named = [], [], None
        for _ in range(args.runs):
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
            named = [row["name"] for row in json.loads(done.stdout)]
        os.chdir(root)
        from genesys_tasks.commands.changed import changes

        inside = []
        for _ in range(args.runs):
            start = time.perf_counter()
            changes("HEAD~1")
            inside.append(time.perf_counter() - start)
    print(f"functions  {args.functions}")
    print(f"changed    {statistics.median(times):.3f} s (median of {args.runs}; target < 0.5 s)  named: {named}")
    print(f"cpu        {statistics.median(cpu):.3f} s")
    print(f"in-process {statistics.median(inside):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
