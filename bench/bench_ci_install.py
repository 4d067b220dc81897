"""Time a generated CI job's install step into a fresh venv with a warm cache: pip line vs the generated (uv) line.

    python bench/bench_ci_install.py [--runs 3]

This checkout's wheel is served from a local index folder as the ``genesys-lambda`` release
(a links folder added to pip's); its dependencies come from the indexes pip is set up with here
(read with genesys's own pip_config; uv gets the same through a uv.toml). The lines come from
``cicd.install.install_line`` for that release: the generated one (uv, pinned to the uv installed
here) for a repo of Python functions (no tree-sitter grammar) and for a repo of every language
(every grammar, as every repo's line was before the grammars became extras), and the Python repo's
line with pip. A first, untimed run of each fills its caches (pip's cache,
and the install step's uv cache ``INSTALL_CACHE``), as the generated files' cache restores them;
each timed run is the step alone in a new venv. Prints the minimum and the median of each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from genesys_tasks.build.local_python import uv_index_options  # noqa: E402
from genesys_tasks.build.pip_config import pip_settings  # noqa: E402
from genesys_tasks.cicd.install import DISTRIBUTION, Installed, grammars_for, install_line  # noqa: E402
from genesys_tasks.languages import TABLE  # noqa: E402

LEFT_OUT = shutil.ignore_patterns(".git", ".genesys", "*.egg-info", "__pycache__", ".pytest_cache", "build", "dist")
UV_LISTS = {"--extra-index-url": "extra-index-url", "--find-links": "find-links",
            "--allow-insecure-host": "allow-insecure-host"}


def release(work: Path) -> tuple[Path, str, tuple[str, ...]]:
    """This checkout as a wheel in a local index folder: (index, sha256, its Requires-Dist)."""
    source = work / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=LEFT_OUT)
    project = work / "index" / DISTRIBUTION
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(project), str(source)],
                   check=True)
    wheel = next(project.glob("genesys_lambda-*.whl"))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (project / "index.html").write_text(f'<a href="{wheel.name}#sha256={digest}">{wheel.name}</a>\n')
    unpacked = work / "meta"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(unpacked), str(wheel)],
                   check=True)
    requires = tuple(metadata.Distribution.at(next(unpacked.glob("*.dist-info"))).requires or ())
    return work / "index", digest, requires


def uv_config(environ: dict, work: Path) -> tuple[Path, dict]:
    """A uv.toml giving uv the indexes and links pip uses in ``environ`` (and the environment it needs)."""
    options = uv_index_options(pip_settings(environ), environ={})
    settings: dict[str, str | bool | list[str]] = {}
    args = list(options.args)
    while args:
        flag = args.pop(0)
        value = args.pop(0) if args and not args[0].startswith("--") else True  # a flag alone (--no-index)
        if flag == "--constraints":
            continue  # a uv.toml names constraints differently; pip's constraint file pins nothing genesys uses
        if flag in UV_LISTS:
            settings.setdefault(UV_LISTS[flag], []).append(value)
        else:
            settings[flag[2:]] = value
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]  # JSON's strings are TOML's
    path = work / "uv.toml"
    path.write_text("\n".join(lines) + "\n")
    return path, dict(options.env)


def run_step(line: str, work: Path, env: dict) -> float:
    """The seconds ``line`` takes in a new venv (made before the clock starts), run from ``work``."""
    venv = Path(tempfile.mkdtemp(prefix="venv-", dir=work))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    step_env = {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(venv)}
    started = time.perf_counter()
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", line], cwd=work, env=step_env, capture_output=True,
                          text=True)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"the install step failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    shutil.rmtree(venv)
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="genesys-bench-ci-install-") as folder:
        work = Path(folder)
        index, digest, requires = release(work)
        version = metadata.Distribution.at(next((work / "meta").glob("*.dist-info"))).version
        uv = metadata.version("uv")
        every = grammars_for(row.name for row in TABLE)
        lines = {"uv, Python repo": install_line(Installed(version, None, requires=requires, uv=uv),
                                                 sha256=lambda v: digest),
                 "uv, every grammar": install_line(Installed(version, None, requires=requires, uv=uv),
                                                   sha256=lambda v: digest, grammars=every),
                 "pip, Python repo": install_line(Installed(version, None, requires=requires), sha256=lambda v: digest)}
        # The release is found beside what pip finds here (a links folder), its dependencies where pip finds them.
        links = " ".join(filter(None, [os.environ.get("PIP_FIND_LINKS", ""), str(index / DISTRIBUTION)]))
        env = {**os.environ, "PIP_FIND_LINKS": links, "PIP_NO_INPUT": "1", "PIP_CACHE_DIR": str(work / "pip-cache")}
        env.pop("PYTHONPATH", None)
        config, uv_env = uv_config(env, work)
        env.update(uv_env, UV_CONFIG_FILE=str(config))
        print(f"{DISTRIBUTION} {version} from a local index; uv {uv}; load {os.getloadavg()[0]:.1f}")
        for name, line in lines.items():
            run_step(line, work, env)  # fills the caches
            times = [run_step(line, work, env) for _ in range(args.runs)]
            print(f"{name:>17}: min {min(times):5.1f} s, median {statistics.median(times):5.1f} s "
                  f"({args.runs} runs, warm cache, fresh venv; load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
