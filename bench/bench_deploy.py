"""Deploy benchmark: N functions into the embedded emulator, then again with nothing changed.

Each function has a dependency layer (shared by all, as they name the same [layer]),
a public function URL and an HTTP API route. Prints:
  first      seconds to deploy all N from nothing
  unchanged  seconds to deploy all N again (targets: under 1 s for 20, 0 write calls)
  writes     write calls made by the unchanged run

The zips are written the way the build tasks leave them, so only deployment is timed.
Usage: python bench/bench_deploy.py [--functions 20]
"""

from __future__ import annotations

import argparse
from collections import Counter
from contextlib import contextmanager
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOML = '''[metadata]
name = "fn-{i:03d}"
runtime = "python3.12"
handler = "app.handler"

[build]
requirements_file = "requirements.txt"

[deployment]
function_url = true
auth_type = "NONE"

[layer]
name = "bench-deps"

[[triggers]]
type = "api_gateway"
path = "/fn-{i:03d}"
method = "GET"
'''


def make_repo(root: Path, count: int) -> list[Path]:
    from genesys_tasks import paths
    from genesys_tasks.build.record import record_build
    from genesys_tasks.build.zipper import write_zip

    (root / ".genesys").mkdir()
    (root / "deps.py").write_text("VERSION = 1\n")
    tomls = []
    for i in range(count):
        folder = root / f"fn-{i:03d}"
        folder.mkdir()
        (folder / "app.py").write_text(f"def handler(event, context):\n    return {i}\n")
        (folder / "requirements.txt").write_text("six==1.16.0\n")
        toml = folder / f"lambda_fn_{i:03d}.toml"
        toml.write_text(TOML.format(i=i))
        name = f"fn-{i:03d}"
        write_zip([("app.py", folder / "app.py")], paths.function_zip(root, name, "x86_64"))
        write_zip([("python/deps.py", root / "deps.py")], paths.layer_zip(root, name, "x86_64"))
        record_build(root, name, ["x86_64"], True)  # what the deployer reads, as the build task writes it
        tomls.append(toml)
    return tomls


def deploy_all(tomls: list[Path], root: Path) -> tuple[float, int, Counter]:
    """Seconds to deploy every function, the write calls made, and the read calls by action."""
    from genesys_tasks.aws.session import Clients
    from genesys_tasks.aws.target import target_for
    from genesys_tasks.config import load_all
    from genesys_tasks.deploy.deployer import deploy
    from genesys_tasks.deploy.executor import Executor

    started = time.perf_counter()
    clients = Clients(target_for())
    for spec in load_all(tomls):
        deploy(spec, root, clients, Executor(clients))
    reads = Counter(action for action, is_write in clients.log.calls if not is_write)
    return time.perf_counter() - started, len(clients.log.writes), reads


def warm_up() -> None:
    """One call to the new sandbox before the clock starts: the emulator makes its first backends
    then, not inside the first deploy's parallel reads (a fresh sandbox once answered the very
    first GetCallerIdentity with a 500 page)."""
    from genesys_tasks.aws.session import Clients
    from genesys_tasks.aws.target import target_for

    Clients(target_for()).account()


def start_sandbox(cache: Path) -> tuple[subprocess.Popen, str]:
    """`genesys sandbox` in its own process, as a user runs it; returns it and its endpoint."""
    record = cache / "sandbox.json"
    env = dict(os.environ, GENESYS_CACHE_DIR=str(cache), PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "genesys_tasks.cli", "sandbox"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not record.is_file():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the sandbox did not start")
        time.sleep(0.1)
    return process, json.loads(record.read_text())["endpoint"]


@contextmanager
def running_sandbox(prefix: str):
    """A temporary folder and ``start_sandbox`` for a block: yields (an empty ``repo`` folder in it, the
    sandbox's endpoint); stops the sandbox after (Ctrl-C, as a user does) and removes the folder."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = Path(tmp, "repo")
        root.mkdir()
        process, endpoint = start_sandbox(Path(tmp, "cache"))
        try:
            yield root, endpoint
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=20)
    args = parser.parse_args()

    from genesys_tasks import sandbox

    with running_sandbox("genesys-bench-deploy-") as (root, endpoint):
        os.environ.update(sandbox.environment(endpoint))
        os.environ.pop("AWS_PROFILE", None)
        os.environ["NO_COLOR"] = "1"
        real_stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # progress lines are not what is measured
        try:
            tomls = make_repo(root, args.functions)
            warm_up()
            first, first_writes, _ = deploy_all(tomls, root)
            unchanged, writes, reads = deploy_all(tomls, root)
        finally:
            sys.stderr = real_stderr
    print(f"functions  {args.functions}")
    print(f"first      {first:.2f} s  ({first_writes} write calls)")
    print(f"unchanged  {unchanged:.2f} s  ({writes} write calls, target 0; {sum(reads.values())} reads: "
          f"{sum(reads.values()) / args.functions:.1f} a function)")
    print("reads      " + ", ".join(f"{action} {count}" for action, count in reads.most_common()))
    return 0 if writes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
