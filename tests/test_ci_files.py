"""``genesys ci github|gitlab``: the template model, rendering, golden files, schemas, and keeping edits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from genesys_tasks.cicd import install as ci_install
from genesys_tasks.cicd import model as ci_model
from genesys_tasks.cicd.install import Installed
from genesys_tasks.cicd.changed import load_project
from genesys_tasks.cicd.render import render
from genesys_tasks.cli import main

from ci_project import make_repo, write

GOLDEN = Path(__file__).parent / "golden" / "ci"
UPDATE = os.environ.get("GENESYS_UPDATE_GOLDEN") == "1"


# How the genesys under test is installed, as PEP 610 records a VCS install (the checkout running the
# tests is an editable install, which `genesys ci` refuses: tests_install.py covers each kind for real).
FROM_GIT = Installed("0.1.0", {"url": "https://github.com/acme/genesys.git",
                               "vcs_info": {"vcs": "git", "commit_id": "0123456789abcdef0123456789abcdef01234567"}})
INSTALL = "python -m pip install 'genesys-lambda @ git+https://github.com/acme/genesys.git@0123456789abcdef0123456789abcdef01234567'"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    make_repo(root)
    monkeypatch.chdir(root)
    monkeypatch.setattr(ci_install, "installed", lambda: FROM_GIT)
    return root


def specs(root):
    return load_project(root, "lambda_*.toml", warn=lambda m: None)


def context(root, provider="github", mode="deploy", **options):
    return ci_model.model(provider, specs(root), root, ci_model.CiOptions(**options), mode=mode, install=INSTALL)


def compare(name: str, text: str) -> None:
    """``text`` against its golden file, the genesys version written as VERSION (a release changes no golden)."""
    from genesys_tasks import __version__

    text = text.replace(__version__, "VERSION")
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), f"{name} differs from tests/golden/ci/{name} (GENESYS_UPDATE_GOLDEN=1 rewrites)"


def test_golden_files_of_the_three_function_repository(repo):
    assert main(["ci", "github"]) == 0
    assert main(["ci", "gitlab"]) == 0
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy"]) == 0
    compare("github.yml", (repo / ".github/workflows/genesys.yml").read_text())
    compare("gitlab-ci.yml", (repo / ".gitlab-ci.yml").read_text())
    compare("gitlab-child.yml", (repo / "genesys-child.yml").read_text())


def test_generated_files_validate_against_the_official_schemas(repo):
    assert main(["ci", "github", "--environment", "staging", "--environment", "prod", "--cache-bucket", "b"]) == 0
    assert main(["ci", "gitlab", "--auth", "keys", "--environment", "prod"]) == 0
    assert main(["ci", "gitlab-child", "--since", "HEAD", "--mode", "plan", "--out", "empty.yml"]) == 0
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "plan", "--out", "plan.yml"]) == 0
    tool = [sys.executable, "-m", "check_jsonschema"]
    github = subprocess.run([*tool, "--builtin-schema", "vendor.github-workflows", ".github/workflows/genesys.yml"],
                            capture_output=True, text=True)
    assert github.returncode == 0, github.stdout + github.stderr
    gitlab = subprocess.run([*tool, "--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci",
                             ".gitlab-ci.yml", "empty.yml", "plan.yml"], capture_output=True, text=True)
    assert gitlab.returncode == 0, gitlab.stdout + gitlab.stderr


def test_a_template_naming_a_missing_variable_fails_loudly(repo):
    import jinja2

    full = context(repo)
    del full["region"]
    with pytest.raises(jinja2.UndefinedError):
        render("github.yml.j2", full)
    with pytest.raises(jinja2.UndefinedError):
        render("gitlab-child.yml.j2", {})


def test_the_model_says_which_functions_need_podman(repo):
    assert context(repo)["podman"] is False
    assert "podman" not in render("github.yml.j2", context(repo))
    toml = repo / "py-fn/lambda_py_fn.toml"
    toml.write_text(toml.read_text() + '[build]\nbuild_method = "podman"\n')
    found = context(repo)
    assert found["podman"] is True
    assert [row.name for row in found["functions"] if row.podman] == ["py-fn"]
    assert "if: matrix.function.podman" in render("github.yml.j2", found)
    assert "apt-get install -y podman" in render("gitlab-child.yml.j2", context(repo, "gitlab-child"))


def test_the_model_region_comes_from_the_functions_unless_chosen(repo):
    assert context(repo)["region"] == "us-east-1"
    for name in ("py-fn/lambda_py_fn.toml", "node-fn/lambda_node_fn.toml", "go-fn/lambda_go_fn.toml"):
        toml = repo / name
        toml.write_text(toml.read_text() + '[deployment]\nregion = "eu-west-1"\n')
    assert context(repo)["region"] == "eu-west-1"
    assert context(repo, region="ap-south-1")["region"] == "ap-south-1"


def test_oidc_is_the_default_and_keys_or_env_are_alternatives(repo):
    oidc = render("github.yml.j2", context(repo))
    assert "id-token: write" in oidc and 'role-to-assume: "${{ vars.GENESYS_ROLE_ARN }}"' in oidc
    assert "secrets." not in oidc
    keys = render("github.yml.j2", context(repo, auth="keys"))
    assert "id-token" not in keys and "${{ secrets.AWS_SECRET_ACCESS_KEY }}" in keys
    assert "genesys config setup --provider aws --region" in keys
    env = render("github.yml.j2", context(repo, auth="env"))
    assert "id-token" not in env and "secrets." not in env and "config setup" not in env
    child = render("gitlab-child.yml.j2", context(repo, "gitlab-child", role_arn="arn:aws:iam::1:role/d"))
    assert "aud: $CI_SERVER_URL" in child and 'AWS_ROLE_ARN: "arn:aws:iam::1:role/d"' in child
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" in child and "aws " not in child


def test_plan_jobs_assume_the_read_only_plan_role_when_one_is_named(repo):
    """A deploy role trusted for the main branch refuses a pull request's token: plans use their own role."""
    github = render("github.yml.j2", context(repo))
    assert 'role-to-assume: "${{ vars.GENESYS_PLAN_ROLE_ARN || vars.GENESYS_ROLE_ARN }}"' in github
    assert 'role-to-assume: "${{ vars.GENESYS_ROLE_ARN }}"' in github
    named = render("github.yml.j2", context(repo, role_arn="arn:aws:iam::1:role/d", plan_role_arn="arn:aws:iam::1:role/p"))
    assert named.count('role-to-assume: "arn:aws:iam::1:role/p"') == 2  # the changes job reads what is deployed
    assert 'role-to-assume: "arn:aws:iam::1:role/d"' in named and "vars.GENESYS" not in named
    plan = render("gitlab-child.yml.j2", context(repo, "gitlab-child", mode="plan"))
    assert plan.count('export AWS_ROLE_ARN="${GENESYS_PLAN_ROLE_ARN:-$AWS_ROLE_ARN}"') == 3
    deploy = render("gitlab-child.yml.j2", context(repo, "gitlab-child"))
    assert "GENESYS_PLAN_ROLE_ARN" not in deploy
    explicit = render("gitlab-child.yml.j2", context(repo, "gitlab-child", mode="plan", plan_role_arn="arn:p"))
    assert explicit.count('AWS_ROLE_ARN: "arn:p"') == 3 and "GENESYS_PLAN_ROLE_ARN" not in explicit


def test_environments_deploy_in_order_each_with_concurrency_per_function(repo):
    text = render("github.yml.j2", context(repo, environments=("staging", "prod")))
    assert 'environment: "staging"' in text and 'needs: ["changes", "deploy-staging"]' in text
    assert text.count("cancel-in-progress: false") == 3  # two deploys and the delete
    assert 'group: "genesys-deploy-prod-${{ matrix.function.name }}"' in text
    child = render("gitlab-child.yml.j2", context(repo, "gitlab-child", environments=("prod",)))
    assert child.count('resource_group: "genesys-prod-') == 3


def test_the_cache_bucket_shares_the_layer_cache(repo):
    assert "GENESYS_CACHE_URL" not in render("github.yml.j2", context(repo))
    assert 'GENESYS_CACHE_URL: "s3://b1/genesys-cache"' in render("github.yml.j2", context(repo, cache_bucket="b1"))
    assert 'GENESYS_CACHE_URL: "s3://b1/genesys-cache"' in render("gitlab-ci.yml.j2",
                                                                context(repo, "gitlab", cache_bucket="b1"))


def test_the_install_step_installs_the_genesys_that_wrote_the_file(repo):
    assert main(["ci", "github"]) == 0
    data = yaml.safe_load((repo / ".github/workflows/genesys.yml").read_text())
    installs = [step["run"] for job in data["jobs"].values() for step in job["steps"] if step.get("name") == "Install genesys"]
    assert installs and set(installs) == {INSTALL}
    assert "run: \"pip install ./genesys\"" in render("github.yml.j2", context(repo, install="pip install ./genesys"))


def test_regenerating_keeps_edits_outside_the_block(repo):
    out = repo / ".gitlab-ci.yml"
    assert main(["ci", "gitlab"]) == 0
    out.write_text("# my header\n" + out.read_text() + "\nmy-job:\n  script: [echo hi]\n")
    assert main(["ci", "gitlab", "--check"]) == 0
    assert main(["ci", "gitlab", "--region", "eu-west-1"]) == 0
    text = out.read_text()
    assert text.startswith("# my header\n") and text.endswith("my-job:\n  script: [echo hi]\n")
    assert 'AWS_REGION: "eu-west-1"' in text


def test_check_exits_1_when_the_file_is_stale_or_missing(repo, capsys):
    assert main(["ci", "github", "--check"]) == 1
    assert main(["ci", "github"]) == 0
    assert main(["ci", "github", "--check"]) == 0
    write(repo, {"new-fn/lambda_new_fn.toml": '[metadata]\nname = "new-fn"\nruntime = "python3.12"\n'
                                              'handler = "app.handler"\n[build]\nbuild_method = "podman"\n',
                 "new-fn/app.py": "def handler(e, c):\n    return 1\n"})
    before = (repo / ".github/workflows/genesys.yml").read_text()
    capsys.readouterr()
    assert main(["ci", "github", "--check"]) == 1
    assert "+      - name: Podman" in capsys.readouterr().err
    assert (repo / ".github/workflows/genesys.yml").read_text() == before


def test_a_file_genesys_did_not_write_is_not_overwritten_without_force(repo, capsys):
    out = repo / ".gitlab-ci.yml"
    out.write_text("build:\n  script: [make]\n")
    assert main(["ci", "gitlab"]) == 2
    err = capsys.readouterr().err
    assert "no genesys block" in err and "-build:" in err and "--force" in err
    assert out.read_text() == "build:\n  script: [make]\n"
    assert main(["ci", "gitlab", "--force"]) == 0
    assert "# >>> genesys" in out.read_text()


def test_an_edit_inside_the_block_is_not_overwritten_without_force(repo, capsys):
    out = repo / ".github/workflows/genesys.yml"
    assert main(["ci", "github"]) == 0
    edited = out.read_text().replace("runs-on: ubuntu-latest", "runs-on: self-hosted", 1)
    out.write_text(edited)
    assert main(["ci", "github", "--region", "eu-west-1"]) == 2
    assert "edited since genesys wrote it" in capsys.readouterr().err
    assert out.read_text() == edited
    assert main(["ci", "github", "--region", "eu-west-1", "--force"]) == 0
    assert "self-hosted" not in out.read_text()


def test_templates_are_package_data_in_the_top_level_folder():
    from genesys_tasks.cicd.render import templates_dir

    top = Path(__file__).parent.parent / "templates"
    assert templates_dir().samefile(top)
    assert sorted(p.name for p in top.glob("*.j2")) == ["github.yml.j2", "gitlab-child.yml.j2", "gitlab-ci.yml.j2"]
    assert shutil.which("git")
