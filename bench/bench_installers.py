"""Time one Python layer built with pip and with uv, from a cold and from a warm package cache.

    python bench/bench_installers.py [--runs 3] [--runtime python3.12] [--arch x86_64]
                                     [--requirements FILE]

Each run goes through ``build_layer`` with an empty layer cache, so the installer
really runs; "cold" gives pip and uv empty download caches of their own, "warm"
reuses caches filled by a first, untimed run. Prints the median wall time of each.
Needs network access to the package index (cold runs download every wheel).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from genesys_tasks.build.cache import LayerCache  # noqa: E402
from genesys_tasks.build.installers import InstallJob  # noqa: E402
from genesys_tasks.build.layer import build_layer  # noqa: E402
from genesys_tasks.runtimes import DEFAULT  # noqa: E402

# A typical API function's dependencies: pure Python, compiled (pydantic-core, pyyaml) and a few levels deep.
REQUIREMENTS = """\
requests==2.32.3
pydantic==2.9.2
pyyaml==6.0.2
attrs==24.2.0
python-dateutil==2.9.0.post0
"""


def build_once(job: InstallJob, work: Path, package_cache: Path) -> float:
    """One layer build with the installers' download caches in ``package_cache``; seconds taken."""
    os.environ["PIP_CACHE_DIR"] = str(package_cache / "pip")
    os.environ["UV_CACHE_DIR"] = str(package_cache / "uv")
    with tempfile.TemporaryDirectory(dir=work) as layer_cache:
        started = time.perf_counter()
        build_layer(job, Path(layer_cache, "layer.zip"), LayerCache(Path(layer_cache)))
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--runtime", default="python3.12")
    parser.add_argument("--arch", default="x86_64", choices=("x86_64", "arm64"))
    parser.add_argument("--requirements", type=Path, help="requirements.txt to install (default: a typical set)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="genesys-bench-") as tmp:
        work = Path(tmp)
        manifest = work / "requirements.txt"
        manifest.write_text(args.requirements.read_text() if args.requirements else REQUIREMENTS)
        base = InstallJob(runtime=DEFAULT.lookup(args.runtime), arch=args.arch, manifest=manifest, source=work,
                          target=Path(), log=lambda message: None)
        print(f"layer for {args.runtime} {args.arch}, {len(manifest.read_text().split())} requirements, "
              f"{args.runs} runs each, median seconds")
        for installer in ("pip", "uv"):
            job = replace(base, installer=installer)
            cold = [build_once(job, work, Path(tempfile.mkdtemp(dir=work))) for _ in range(args.runs)]
            warm_cache = Path(tempfile.mkdtemp(dir=work))
            build_once(job, work, warm_cache)
            warm = [build_once(job, work, warm_cache) for _ in range(args.runs)]
            print(f"  {installer:<4} cold cache {statistics.median(cold):6.2f}   "
                  f"warm cache {statistics.median(warm):6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
