"""``genesys changed``: the functions whose build or deploy inputs differ from a commit (real git repos)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from genesys_tasks.cicd.changed import changed, load_project
from genesys_tasks.cli import main

from ci_project import commit, git, make_repo, write


def names(root, since="HEAD"):
    found = changed(load_project(root, "lambda_*.toml", warn=lambda m: None), root, since, "lambda_*.toml")
    return sorted(spec.name for spec in found.functions), found


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    make_repo(root)
    return root


def test_nothing_changed_names_nothing(repo):
    assert names(repo)[0] == []


def test_a_file_added_to_a_source_folder_changes_that_function_only(repo):
    write(repo, {"py-fn/helpers.py": "X = 1\n"})  # new, not yet committed: git lists it as untracked
    assert names(repo)[0] == ["py-fn"]
    base = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, "helpers")
    assert names(repo, base)[0] == ["py-fn"]


def test_a_readme_or_an_excluded_file_changes_nothing(repo):
    write(repo, {"README.md": "# more\n", "node-fn/notes.md": "x\n",
                 "node-fn/lambda_node_fn.toml": (repo / "node-fn/lambda_node_fn.toml").read_text()
                 + '[build]\nexclude = ["*.md"]\n'})
    base = commit(repo, "exclude md")
    write(repo, {"README.md": "# even more\n", "node-fn/notes.md": "y\n"})
    assert names(repo, base)[0] == []


def test_a_deleted_source_file_changes_its_function(repo):
    write(repo, {"go-fn/util.go": "package main\n"})
    base = commit(repo, "util")
    (repo / "go-fn/util.go").unlink()
    assert names(repo, base)[0] == ["go-fn"]


def test_a_shared_requirements_file_outside_the_source_folder_changes_every_function_using_it(tmp_path):
    files = {"requirements.txt": "six==1.16.0\n"}
    for name in ("a", "b", "c"):
        requirements = '\n[build]\nrequirements_file = "../requirements.txt"\n' if name != "c" else ""
        files[f"{name}/lambda_{name}.toml"] = (f'[metadata]\nname = "{name}"\nruntime = "python3.12"\n'
                                               f'handler = "app.handler"\n{requirements}')
        files[f"{name}/app.py"] = "def handler(e, c):\n    return 1\n"
    root = tmp_path / "repo"
    make_repo(root, files)
    write(root, {"requirements.txt": "six==1.17.0\n"})
    assert names(root)[0] == ["a", "b"]


def test_a_file_a_requirements_file_names_changes_the_function(tmp_path):
    root = tmp_path / "repo"
    make_repo(root, {"fn/lambda_fn.toml": '[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.h"\n',
                     "fn/app.py": "def h(e, c):\n    return 1\n", "fn/requirements.txt": "../libs/pkg\n",
                     "libs/pkg/setup.py": "# v1\n"})
    write(root, {"libs/pkg/setup.py": "# v2\n"})
    assert names(root)[0] == ["fn"]


def test_the_toml_and_the_runtimes_file_are_inputs(repo):
    write(repo, {"node-fn/lambda_node_fn.toml": (repo / "node-fn/lambda_node_fn.toml").read_text()
                 .replace("memory_mb = 128", "memory_mb = 256")})
    assert names(repo)[0] == ["node-fn"]
    git(repo, "checkout", "--", ".")
    write(repo, {"genesys-runtimes.toml": "# no rows\n"})
    assert names(repo)[0] == ["go-fn", "node-fn", "py-fn"]


def test_a_file_a_hook_names_is_an_input(tmp_path):
    root = tmp_path / "repo"
    make_repo(root, {"fn/lambda_fn.toml": '[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.h"\n'
                                          '[build]\nexclude = ["scripts/**"]\n'
                                          'pre_build = ["python scripts/gen.py --out app.py"]\n',
                     "fn/app.py": "def h(e, c):\n    return 1\n", "fn/scripts/gen.py": "# v1\n"})
    write(root, {"fn/scripts/gen.py": "# v2\n"})
    assert names(root)[0] == ["fn"]


def test_a_removed_toml_is_listed_apart_and_nothing_is_deleted(repo):
    git(repo, "rm", "-q", "go-fn/lambda_go_fn.toml")
    found_names, found = names(repo)
    assert found_names == []
    assert [(r.toml, r.name) for r in found.removed] == [("go-fn/lambda_go_fn.toml", "go-fn")]
    assert (repo / "go-fn/main.go").exists()


@pytest.mark.parametrize("since", ["0" * 40, "no-such-ref", "deadbeef" * 5])
def test_a_new_branch_or_an_unknown_ref_means_every_function(repo, since):
    found_names, found = names(repo, since)
    assert found_names == ["go-fn", "node-fn", "py-fn"] and found.everything


def test_a_shallow_clone_without_the_ref_means_every_function(repo, tmp_path):
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo, {"py-fn/app.py": "def handler(e, c):\n    return 2\n"})
    commit(repo, "second")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    assert names(shallow, first)[0] == ["go-fn", "node-fn", "py-fn"]
    assert names(repo, first)[0] == ["py-fn"]


def test_the_command_prints_json_and_a_matrix_line(repo, monkeypatch, capsys):
    write(repo, {"py-fn/app.py": "def handler(e, c):\n    return 2\n"})
    monkeypatch.chdir(repo)
    assert main(["changed", "--output", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["name"] for f in data["functions"]] == ["py-fn"] and data["all"] is False
    assert main(["changed", "--since", "HEAD", "--output", "matrix"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    assert json.loads(line) == [{"name": "py-fn", "toml": "py-fn/lambda_py_fn.toml", "runtime": "python3.12",
                                 "podman": False, "stages": []}]


def test_outside_a_git_work_tree_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    done = subprocess.run([sys.executable, "-m", "genesys_tasks.cli", "changed"], capture_output=True, text=True)
    assert done.returncode == 2 and "not inside a git work tree" in done.stderr
    assert "Traceback" not in done.stderr


def test_copies_under_gitlab_ci_local_are_not_functions(repo):
    write(repo, {".gitlab-ci-local/builds/.docker/py-fn/lambda_py_fn.toml":
                 (repo / "py-fn/lambda_py_fn.toml").read_text()})  # the tool's copy of the checkout
    assert names(repo)[0] == []
