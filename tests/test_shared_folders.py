"""``[build] shared``: monorepo folders outside the source folder, zipped under their own name, tracked by
the build and by ``genesys changed``; ``include`` cannot leave the source folder."""

from __future__ import annotations

import zipfile

import pytest

from genesys_tasks.cicd.changed import changed
from genesys_tasks.cli import main
from genesys_tasks.config import load
from genesys_tasks.errors import ConfigError

from ci_project import commit, make_repo

FILES = {
    "README.md": "# monorepo\n",
    ".gitignore": ".genesys/\n",
    "shared/common.py": "GREETING = 'hi'\n",
    "shared/.env": "SECRET=1\n",
    "services/api/fn/lambda_api.toml": """\
        [metadata]
        name = "api"
        runtime = "python3.12"
        handler = "app.handler"
        [build]
        shared = ["../../../shared"]
        """,
    "services/api/fn/app.py": "from shared.common import GREETING\ndef handler(e, c):\n    return GREETING\n",
    "other/lambda_other.toml": '[metadata]\nname = "other"\nruntime = "python3.12"\nhandler = "app.handler"\n',
    "other/app.py": "def handler(e, c):\n    return 1\n",
}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    make_repo(root, FILES)
    monkeypatch.chdir(root)
    return root


def test_a_shared_folder_ships_under_its_own_name_without_its_dot_files(repo):
    assert main(["lambda", "build", "services/api/fn/lambda_api.toml"]) == 0
    with zipfile.ZipFile(repo / ".genesys/build/api/function-x86_64.zip") as archive:
        names = archive.namelist()
    assert "shared/common.py" in names and "app.py" in names and "shared/.env" not in names
    # the package task's file_dep (tasks.graph) are these sources: a shared file is one
    from genesys_tasks.build.package import function_sources

    assert (repo / "shared/common.py") in [path for _, path in function_sources(load(repo / "services/api/fn/lambda_api.toml"))]


def test_a_change_in_a_shared_folder_changes_only_the_functions_that_share_it(repo):
    first = commit(repo, "base")
    (repo / "shared/common.py").write_text("GREETING = 'hello'\n")
    specs = [load(repo / "services/api/fn/lambda_api.toml"), load(repo / "other/lambda_other.toml")]
    found = changed(specs, repo, first, "lambda_*.toml")
    assert [spec.name for spec in found.functions] == ["api"]
    (repo / "shared/common.py").unlink()
    assert [spec.name for spec in changed(specs, repo, first, "lambda_*.toml").functions] == ["api"]


def test_include_that_leaves_the_source_folder_is_a_load_error_naming_shared(repo):
    toml = repo / "other/lambda_other.toml"
    toml.write_text(toml.read_text() + '[build]\ninclude = ["../shared/common.py"]\n')
    with pytest.raises(ConfigError) as error:
        load(toml)
    assert "leaves the source folder" in str(error.value) and "shared" in error.value.hint


@pytest.mark.parametrize("entry", ["sub", ".", "../missing"])
def test_a_shared_entry_must_be_an_existing_folder_outside_the_source(repo, entry):
    (repo / "other/sub").mkdir()
    toml = repo / "other/lambda_other.toml"
    toml.write_text(toml.read_text() + f'[build]\nshared = ["{entry}"]\n')
    with pytest.raises(ConfigError):
        load(toml)
