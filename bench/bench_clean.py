"""A clean ``doit build`` of N Python functions against the installer floor, measured in one run.

The repo: N functions sharing one requirements.txt (requests and pyyaml). The floor is
the least any tool must do for it: uv installing the requirements into a target folder
for the runtime's platform (with the same index settings genesys passes it), then one
zip of that folder at deflate level 6. Each repeat starts genesys from nothing (no
``.genesys``, an empty layer cache); uv's own package cache is warm for both, filled by
an untimed first run. The floor and genesys are timed in turn, so they see the same machine load,
and each repeat starts with the next of them (what runs right after the floor's writes pays for
them, so no one may always be that one); the median and the minimum of the repeats are printed
with their ratios, and the load average.

``--before DIR`` times another checkout too (e.g. a commit to compare with), in turn with the
other two in every repeat, so all three see the same load. ``--plain-install`` also times the
checkout as a user has it: ``pip install`` of it (no extras, not editable) into a fresh venv,
run by that venv's Python (fewer installed packages for doit to scan for plugins, no editable
finder at start).

Usage: python bench/bench_clean.py [--functions 20] [--repeats 5] [--checkout DIR] [--before DIR] [--plain-install]
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
import zipfile
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_build import compile_checkout, make_repo  # noqa: E402 - the same functions as the build bench

from genesys_tasks.build import local_python  # noqa: E402
from genesys_tasks.build.pip_config import pip_settings  # noqa: E402

REQUIREMENTS = "requests==2.32.3\npyyaml==6.0.2\n"


def floor(requirements: Path, work: Path) -> float:
    """uv into a target folder for python3.12 x86_64, then one deflate-6 zip of it; seconds."""
    target, archive = work / "target", work / "layer.zip"
    shutil.rmtree(target, ignore_errors=True)
    options = local_python.uv_index_options(pip_settings())
    started = time.perf_counter()
    subprocess.run([local_python.uv_binary(), "pip", "install", "-q", "-r", str(requirements), "--target",
                    str(target), "--python-platform", "x86_64-manylinux_2_34", "--python-version", "3.12",
                    "--only-binary", ":all:", "--python", sys.executable, *options.args],
                   check=True, env=dict(os.environ, **dict(options.env)), stdin=subprocess.DEVNULL)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for path in sorted(target.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(target).as_posix())
    return time.perf_counter() - started


def plain_install(checkout: Path, venv: Path) -> Path:
    """A fresh venv holding ``pip install <checkout>``; its Python."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(checkout)],
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if installed.returncode != 0:  # pip's notes about the machine's index settings are said only when it fails
        sys.exit(f"pip install {checkout} failed:\n{installed.stdout}{installed.stderr}")
    return venv / "bin" / "python"


def genesys(root: Path, cache: Path, run: tuple[str, Path | None]) -> float:
    """A clean ``doit build``: no .genesys, an empty layer cache; seconds. ``run``: (the Python, the checkout
    to put on PYTHONPATH, or None for the genesys that Python has installed)."""
    shutil.rmtree(root / ".genesys", ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    python, checkout = run
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(GENESYS_CACHE_DIR=str(cache), NO_COLOR="1", **({"PYTHONPATH": str(checkout)} if checkout else {}))
    started = time.perf_counter()
    proc = subprocess.run([python, "-m", "doit", "build"], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"doit build failed in {root}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--checkout", type=Path, default=REPO, help="the genesys checkout to time (default: this one)")
    parser.add_argument("--before", type=Path, help="another checkout, timed in turn with it")
    parser.add_argument("--plain-install", action="store_true", help="also time the checkout pip-installed in a venv")
    args = parser.parse_args()
    checkouts = {"genesys": (sys.executable, args.checkout),
                 **({"before": (sys.executable, args.before)} if args.before else {})}
    for _, checkout in checkouts.values():
        compile_checkout(checkout)
    with tempfile.TemporaryDirectory(prefix="genesys-bench-clean-") as tmp:
        if args.plain_install:
            checkouts["plain install"] = (str(plain_install(args.checkout, Path(tmp, "venv"))), None)
        root = Path(tmp, "repo")
        root.mkdir()
        make_repo(root, args.functions, "auto")
        (root / "requirements.txt").write_text(REQUIREMENTS)
        runs = {"floor": partial(floor, root / "requirements.txt", Path(tmp)),
                **{name: partial(genesys, root, Path(tmp, "cache"), run) for name, run in checkouts.items()}}
        for run in runs.values():  # untimed: warms uv's package cache and compiles what each Python imports
            run()
        order = list(runs)
        times = {name: [] for name in order}
        for repeat in range(args.repeats):  # each repeat starts one further along: no one always runs first
            for name in order[repeat % len(order):] + order[:repeat % len(order)]:
                times[name].append(runs[name]())
        for label, pick in (("median", statistics.median), ("min", min)):
            base = pick(times["floor"])
            print(f"clean build of {args.functions} functions ({label} of {args.repeats}, seconds): "
                  f"floor {base:.2f}  " + "  ".join(f"{name} {pick(taken):.2f} ({pick(taken) / base:.2f}x)"
                                                    for name, taken in times.items() if name != "floor"))
        print("load average (1, 5, 15 min): " + " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
