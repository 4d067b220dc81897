"""Which project a TOML belongs to: ``[project] id`` of genesys.toml, else the git remote
normalised (never its credentials), else the folder; and the TOML's path in the project."""

from __future__ import annotations

import subprocess

import pytest

from genesys_tasks.errors import ConfigError
from genesys_tasks.project import normalise_remote, owner_of, read_project_id


@pytest.mark.parametrize("url", [
    "git@github.com:Org/Repo.git", "https://github.com/org/repo", "https://user:s3cret@github.com/Org/Repo.git/",
    "ssh://git@github.com:22/org/repo.git", "github.com:org/repo"])
def test_remote_urls_of_one_repo_normalise_to_one_id_without_credentials(url):
    assert normalise_remote(url) == "github.com/org/repo"


def _git(folder, remote=None):
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True)


def test_the_owner_is_the_remote_and_the_toml_path_in_the_work_tree(tmp_path):
    _git(tmp_path, "https://ci:token@gitlab.example.com/Team/Api.git")
    (tmp_path / "fns" / "a").mkdir(parents=True)
    toml = tmp_path / "fns" / "a" / "lambda_a.toml"
    toml.write_text("")
    owner = owner_of(toml)
    assert (owner.project, owner.toml) == ("gitlab.example.com/team/api", "fns/a/lambda_a.toml")


def test_genesys_toml_wins_and_its_folder_is_where_paths_start(tmp_path):
    _git(tmp_path, "git@github.com:org/mono.git")
    (tmp_path / "svc" / "fn").mkdir(parents=True)
    (tmp_path / "svc" / "genesys.toml").write_text('[project]\nid = "payments/svc"\n')
    toml = tmp_path / "svc" / "fn" / "lambda_fn.toml"
    toml.write_text("")
    owner = owner_of(toml)
    assert (owner.project, owner.toml) == ("payments/svc", "fn/lambda_fn.toml")


def test_a_folder_with_no_git_remote_is_its_own_local_project(tmp_path):
    (tmp_path / "scratch").mkdir()
    toml = tmp_path / "scratch" / "lambda_x.toml"
    toml.write_text("")
    (tmp_path / "scratch" / "dodo.py").write_text("")
    assert owner_of(toml).project == "local/scratch"


@pytest.mark.parametrize("text", ['[project]\nid = "two words"\n', "[project]\n", 'project = 1\n', "[project\n"])
def test_a_bad_project_id_is_a_config_error_naming_the_file(tmp_path, text):
    path = tmp_path / "genesys.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_project_id(path)
    assert str(path) in str(caught.value) and caught.value.exit_code == 2


def test_init_repo_writes_the_normalised_remote_as_the_project_id_once(tmp_path, run_genesys):
    _git(tmp_path, "git@github.com:Org/Tools.git")
    assert run_genesys("init-repo", tmp_path).code == 0
    assert read_project_id(tmp_path / "genesys.toml") == "github.com/org/tools"
    (tmp_path / "genesys.toml").write_text('[project]\nid = "chosen"\n')
    assert run_genesys("init-repo", tmp_path).code == 0
    assert read_project_id(tmp_path / "genesys.toml") == "chosen"
