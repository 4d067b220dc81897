"""The CI templates ship inside the wheel and render from a plain, non-editable install (marker ``pipeline``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ci_project import FILES, make_repo
from ci_release import REPO, from_index, left_out, release, runner
from genesys_tasks.cicd.install import INSTALL_CACHE
from test_ci_files import INSTALL

pytestmark = pytest.mark.pipeline


def test_a_wheel_install_renders_the_templates(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=left_out)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(tmp_path / "dist"), str(source)], check=True)
    wheel = next((tmp_path / "dist").glob("genesys_lambda-*.whl"))
    scratch = tmp_path / "scratch"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(scratch)], check=True)
    python = scratch / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    str(wheel)], check=True)
    # Its dependencies come from this environment's site-packages, where genesys itself is only an
    # editable finder that PYTHONPATH does not activate: the package and templates are the wheel's.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    repo = tmp_path / "repo"
    make_repo(repo)
    where = subprocess.run([str(python), "-c", "from genesys_tasks.cicd.render import templates_dir; "
                            "print(templates_dir())"], cwd=repo, env=env, capture_output=True, text=True, check=True)
    assert str(scratch) in where.stdout and str(REPO) not in where.stdout
    # A wheel installed from a file is a local install, which a runner cannot repeat: the line is named.
    refused = subprocess.run([str(python), "-m", "genesys_tasks.cli", "ci", "github"], cwd=repo, env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "--install" in refused.stderr, refused.stderr
    done = subprocess.run([str(python), "-m", "genesys_tasks.cli", "ci", "github", "--install", INSTALL], cwd=repo, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from genesys_tasks import __version__

    def body(text: str) -> str:  # the options line (and the hash over it) records --install
        return "".join(line for line in text.splitlines(True) if not line.startswith(("# genesys options:", "# <<< genesys")))

    text = (repo / ".github/workflows/genesys.yml").read_text().replace(__version__, "VERSION")
    assert body(text) == body((Path(__file__).parent / "golden/ci/github.yml").read_text())


def test_the_generated_install_step_installs_the_released_wheel_that_wrote_the_file(tmp_path):
    """genesys installed from an index writes a hash-pinned install of that very wheel, and the step,
    run as generated against that index, installs it."""
    import yaml

    found = release(tmp_path)
    writer = from_index(found, tmp_path / "writer")
    repo = tmp_path / "repo"
    make_repo(repo)
    done = subprocess.run([str(writer / "bin/python"), "-m", "genesys_tasks.cli", "ci", "github"], cwd=repo,
                          env=found.env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load((repo / ".github/workflows/genesys.yml").read_text())
    line = data["jobs"]["changes"]["steps"][3]["run"]
    assert f"genesys-lambda==0.1.0 --hash=sha256:{found.sha256}" in line and "--require-hashes" in line
    assert "python -m uv pip install" in line and "questionary" not in line

    job = runner(tmp_path / "runner")  # a job's Python, offline: no genesys yet
    job_env = {**found.env(), "PATH": f"{job / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    ran = subprocess.run(["bash", "-eo", "pipefail", "-c", line], cwd=repo, env=job_env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    where = subprocess.run([str(job / "bin/python"), "-c", "import importlib.metadata as m, genesys_tasks; "
                            "d = m.distribution('genesys-lambda'); print(genesys_tasks.__file__, d.read_text('direct_url.json'))"],
                           cwd=repo, env=job_env, capture_output=True, text=True, check=True)
    assert str(job) in where.stdout and where.stdout.strip().endswith("None")
    # uv kept what it fetched where the generated files cache it, under the key over this line.
    assert any((repo / INSTALL_CACHE).iterdir())


def test_a_python_repos_install_step_installs_no_grammar_and_its_jobs_run_without_one(tmp_path):
    """The released wheel's extras say which grammars each language needs: a repo of Python and Go
    functions gets none, and genesys, installed by that step alone, loads and builds its functions."""
    found = release(tmp_path)
    writer = from_index(found, tmp_path / "writer")
    repo = tmp_path / "repo"
    make_repo(repo, {name: text for name, text in FILES.items() if not name.startswith("node-fn/")})
    done = subprocess.run([str(writer / "bin/python"), "-m", "genesys_tasks.cli", "ci", "github"], cwd=repo,
                          env=found.env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = (repo / ".github/workflows/genesys.yml").read_text()
    assert "tree-sitter" not in text and '"grammars": []' in text

    import yaml

    line = yaml.safe_load(text)["jobs"]["changes"]["steps"][3]["run"]
    job = runner(tmp_path / "runner", without=("tree_sitter",))  # a job's Python with no grammar at all
    job_env = {**found.env(), "PATH": f"{job / 'bin'}{os.pathsep}{os.environ['PATH']}",
               "GENESYS_CACHE_DIR": str(tmp_path / "cache")}
    ran = subprocess.run(["bash", "-eo", "pipefail", "-c", line], cwd=repo, env=job_env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for args in (["-c", "import tree_sitter"], ["-m", "genesys_tasks.cli", "changed", "--since", "HEAD"],
                 ["-m", "genesys_tasks.cli", "lambda", "build", "py-fn/lambda_py_fn.toml"]):
        done = subprocess.run([str(job / "bin/python"), *args], cwd=repo, env=job_env, capture_output=True, text=True)
        assert (done.returncode == 0) == (args[0] != "-c"), (args, done.stderr)
    assert (repo / ".genesys/build/py-fn/function-x86_64.zip").is_file()
