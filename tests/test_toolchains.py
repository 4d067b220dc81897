"""Optional toolchains (Go, Maven, Ruby): a build goes as far as it can without them, and the tests
that need one skip naming it on a developer's machine but fail in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from genesys_tasks.commands.init_repo import DODO

REPO = Path(__file__).resolve().parent.parent
GO_EXAMPLE = REPO / "examples" / "go-hello"
PY_TOML = '[metadata]\nname = "py-fn"\nruntime = "python3.12"\nhandler = "app.handler"\n'


def _path_without_go(tmp_path: Path) -> str:
    """A PATH with a shell only: no go, whatever this machine has."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "sh").symlink_to(shutil.which("sh"))
    return str(bin_dir)


def test_doit_build_builds_every_function_it_can_and_names_a_missing_toolchain_once(tmp_path, run_doit):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dodo.py").write_text(DODO)
    for name in ("go-one", "go-two"):
        shutil.copytree(GO_EXAMPLE, repo / name)
        toml = repo / name / "lambda_go_hello.toml"
        toml.write_text(toml.read_text().replace('name = "go-hello"', f'name = "{name}"'))
    (repo / "py").mkdir()
    (repo / "py" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (repo / "py" / "lambda_py.toml").write_text(PY_TOML)

    result = run_doit("build", cwd=repo, env={"PATH": _path_without_go(tmp_path)})

    assert result.code == 1, result.output
    with zipfile.ZipFile(repo / ".genesys" / "build" / "py-fn" / "function-x86_64.zip") as zipped:
        assert zipped.namelist() == ["app.py"]  # built, although the Go functions came first and failed
    assert result.stderr.count("`go` is not installed") == 1, result.stderr
    assert "needed by build:go-one, build:go-two" in result.stderr
    assert "apt-get install golang-go" in result.stderr
    assert "Traceback" not in result.output


def _pytest_one_go_test(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    test = "tests/test_go_build.py::test_go_builds_a_static_bootstrap_per_architecture_and_no_layer"
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(PATH=_path_without_go(tmp_path), **env)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
                          cwd=REPO, env=environ, capture_output=True, text=True, timeout=300)


def test_a_test_needing_go_skips_naming_it_without_ci_and_fails_with_ci(tmp_path):
    local = _pytest_one_go_test(tmp_path)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout + local.stderr
    assert "needs go (not on PATH)" in local.stdout and "golang-go" in local.stdout

    in_ci = _pytest_one_go_test(tmp_path / "ci", CI="true")
    assert in_ci.returncode == 1, in_ci.stdout + in_ci.stderr
    assert "needs go (not on PATH)" in in_ci.stdout
