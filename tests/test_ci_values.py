"""What goes into a generated CI file: one quoting filter, checked names, the recorded options, the install
line of the genesys that wrote it, pinned actions, and where credentials reach a job."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from genesys_tasks.cicd import install as ci_install
from genesys_tasks.cicd.install import DISTRIBUTION, Installed, install_line
from genesys_tasks.cicd.values import check_branch, parse_environment, quote
from genesys_tasks.cli import main
from genesys_tasks.errors import EXIT_BAD_INPUT, UsageError

from ci_project import FILES, commit, git, make_repo, write
from test_ci_files import FROM_GIT, INSTALL, repo  # noqa: F401 (the fixture: a three-function repository)

NASTY = ["a: b", "a #b", "it's \"quoted\"", "${{ secrets.X }}", "$CI_JOB_TOKEN", "[x]", "{y}", "*z", "&a", "! b"]


def github(root):
    return yaml.safe_load((root / ".github/workflows/genesys.yml").read_text())


def gitlab(root, name=".gitlab-ci.yml"):
    return yaml.safe_load((root / name).read_text())


@pytest.mark.parametrize("value", NASTY)
def test_every_option_value_reaches_the_file_as_written(repo, value):
    options = ["--install", f"echo '{value}'", "--role-arn", value, "--plan-role-arn", value]
    assert main(["ci", "github", *options]) == 0
    jobs = github(repo)["jobs"]
    assert jobs["changes"]["steps"][3]["run"] == f"echo '{value}'"
    roles = {step["with"]["role-to-assume"] for job in jobs.values() for step in job["steps"]
             if "configure-aws-credentials" in step.get("uses", "")}
    assert roles == {value}
    assert main(["ci", "gitlab", *options, "--image", value]) == 0
    data = gitlab(repo)
    assert data["genesys-changes"]["script"][0] == f"echo '{value}'" and data["genesys-changes"]["image"] == value
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy", *options]) == 0
    child = gitlab(repo, "genesys-child.yml")
    assert child["deploy:py-fn"]["variables"]["AWS_ROLE_ARN"] == value


@pytest.mark.parametrize("value", ["a\nb: c", "tab\there", "nul\x00", "cr\r"])
def test_a_value_with_a_control_character_is_refused_with_exit_2(repo, value):
    assert main(["ci", "github", "--install", value]) == EXIT_BAD_INPUT
    assert not (repo / ".github/workflows/genesys.yml").exists()
    with pytest.raises(UsageError):
        quote(value)


def test_gitlab_literal_values_double_their_dollars():
    assert quote("$CI_JOB_TOKEN", True) == '"$$CI_JOB_TOKEN"'
    assert quote("$CI_JOB_TOKEN") == '"$CI_JOB_TOKEN"'


@pytest.mark.parametrize("folder", ["a b", "$CI_JOB_TOKEN", "x:y", "q'uote", "h#sh"])
def test_a_function_folder_a_ci_file_cannot_carry_is_refused_with_exit_2(repo, folder, capsys):
    (repo / folder).mkdir()
    (repo / folder / "lambda_odd.toml").write_text('[metadata]\nname = "odd"\nruntime = "python3.12"\n'
                                                   'handler = "app.handler"\n')
    (repo / folder / "app.py").write_text("def handler(e, c):\n    return 1\n")
    commit(repo, "odd folder")
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy"]) == EXIT_BAD_INPUT
    assert main(["ci", "github"]) == EXIT_BAD_INPUT
    assert "cannot carry safely" in capsys.readouterr().err
    assert not (repo / "genesys-child.yml").exists()


@pytest.mark.parametrize("branch", ['main" || $X == "', "a b", "-x", "a..b", "x.lock", "*", "a\\b", "a:b"])
def test_a_branch_that_is_not_a_safe_ref_name_is_refused(repo, branch):
    assert main(["ci", "gitlab", "--branch", branch]) == EXIT_BAD_INPUT
    assert not (repo / ".gitlab-ci.yml").exists()


@pytest.mark.parametrize("environment", ["*", "prod'", "a\"b", "$ENV", "x=Bad", " lead"])
def test_an_environment_that_is_not_an_environment_name_is_refused(repo, environment):
    assert main(["ci", "github", "--environment", environment]) == EXIT_BAD_INPUT


def test_good_names_pass():
    assert check_branch("release/2.x") == "release/2.x"
    assert parse_environment("Production EU=prod-eu") == ("Production EU", "prod-eu")
    assert parse_environment("staging") == ("staging", "")


def test_environments_select_their_stage(repo):
    assert main(["ci", "github", "--environment", "staging=stg", "--environment", "production=prod"]) == 0
    jobs = github(repo)["jobs"]
    assert jobs["deploy-staging"]["env"]["GENESYS_STAGE"] == "stg"
    assert jobs["deploy-production"]["env"]["GENESYS_STAGE"] == "prod"
    assert "--output matrix --stages stg,prod" in jobs["changes"]["steps"][-1]["run"]  # what is deployed, per stage
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy", "--environment", "staging=stg"]) == 0
    assert gitlab(repo, "genesys-child.yml")["deploy:py-fn(staging)"]["variables"]["GENESYS_STAGE"] == "stg"


def test_check_and_regeneration_use_the_options_the_file_records(repo):
    assert main(["ci", "github", "--region", "eu-west-1", "--environment", "prod=prod", "--install", "pip install x"]) == 0
    assert main(["ci", "github", "--check"]) == 0
    assert main(["ci", "github"]) == 0
    text = (repo / ".github/workflows/genesys.yml").read_text()
    assert 'AWS_REGION: "eu-west-1"' in text and '"pip install x"' in text and "deploy-prod" in text
    assert main(["ci", "github", "--region", "us-west-2"]) == 0
    text = (repo / ".github/workflows/genesys.yml").read_text()
    assert 'AWS_REGION: "us-west-2"' in text and '"pip install x"' in text
    assert main(["ci", "gitlab", "--branch", "trunk"]) == 0
    assert main(["ci", "gitlab", "--check"]) == 0


def test_caches_are_per_function_and_environment_and_the_install_is_cached(repo):
    assert main(["ci", "github", "--environment", "staging", "--environment", "prod"]) == 0
    jobs = github(repo)["jobs"]
    keys = {job: [step["with"]["key"] for step in jobs[job]["steps"] if "actions/cache@" in step.get("uses", "")]
            for job in jobs}
    install_keys = {found[-1] for found in keys.values() if found}
    assert len(install_keys) == 1 and next(iter(install_keys)).startswith("genesys-install-")
    assert keys["changes"] == keys["delete-removed"] == list(install_keys)
    for job in ("plan", "deploy-staging", "deploy-prod"):
        assert "${{ matrix.function.name }}" in keys[job][0] and f"-{job}-" in keys[job][0]


def test_actions_are_pinned_by_commit_and_only_role_jobs_get_an_id_token(repo):
    assert main(["ci", "github"]) == 0
    text = (repo / ".github/workflows/genesys.yml").read_text()
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", ref) and re.fullmatch(r" # v\d+\.\d+\.\d+", tag)
                        for ref, tag in uses)
    data = github(repo)
    assert "id-token" not in data["permissions"]
    for name, job in data["jobs"].items():
        assumes = any("configure-aws-credentials" in step.get("uses", "") for step in job["steps"])
        assert (job.get("permissions", {}).get("id-token") == "write") == assumes, name
    assert main(["ci", "github", "--auth", "keys"]) == 0
    assert "id-token" not in (repo / ".github/workflows/genesys.yml").read_text()


def test_the_plan_job_builds_before_it_has_credentials(repo):
    assert main(["ci", "github"]) == 0
    steps = github(repo)["jobs"]["plan"]["steps"]
    build = next(i for i, step in enumerate(steps) if "genesys lambda build" in step.get("run", ""))
    creds = next(i for i, step in enumerate(steps) if "configure-aws-credentials" in step.get("uses", ""))
    assert build < creds and "-u ACTIONS_ID_TOKEN_REQUEST_TOKEN" in steps[build]["run"]
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "plan"]) == 0
    lines = gitlab(repo, "genesys-child.yml")["plan:py-fn"]["before_script"]
    build = next(i for i, line in enumerate(lines) if "genesys lambda build" in line)
    token = next(i for i, line in enumerate(lines) if "GENESYS_ID_TOKEN" in line and "printf" in line)
    assert build < token and "-u GENESYS_ID_TOKEN" in lines[build] and "-u AWS_SECRET_ACCESS_KEY" in lines[build]


def test_deploys_read_what_is_deployed_and_removed_functions_get_gated_delete_jobs(repo):
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "rm", "-q", "-r", "go-fn")
    commit(repo, "remove go-fn")
    assert main(["ci", "github", "--environment", "production"]) == 0
    data = github(repo)
    assert "schedule" in data[True] or "schedule" in data.get("on", {})
    assert "--since deployed" not in data["jobs"]["changes"]["steps"][-1]["run"]  # a variable picks it
    assert "since=deployed" in data["jobs"]["changes"]["steps"][-1]["run"]
    assert "::warning::" in data["jobs"]["changes"]["steps"][-1]["run"]
    delete = data["jobs"]["delete-removed"]
    assert delete["environment"] == "${{ matrix.target.environment }}"
    assert delete["strategy"]["matrix"]["target"] == [{"environment": "production", "stage": ""}]
    assert delete["steps"][0]["with"]["ref"] == "${{ github.event.before }}"
    assert main(["ci", "gitlab-child", "--since", base, "--removed-since", base, "--mode", "deploy"]) == 0
    child = gitlab(repo, "genesys-child.yml")
    job = child["delete:go-fn (removed)"]
    assert job["when"] == "manual" and job["variables"]["GENESYS_TOML"] == "go-fn/lambda_go_fn.toml"
    assert job["variables"]["GENESYS_BASE"] == base and job["script"][-1] == 'genesys delete --yes -- "$GENESYS_TOML"'


def test_a_rendered_file_that_does_not_parse_is_never_written(repo, monkeypatch):
    from genesys_tasks.cicd import render

    monkeypatch.setattr(render, "render", lambda template, context: "a: [unclosed\n")
    assert main(["ci", "github"]) == 1
    assert not (repo / ".github/workflows/genesys.yml").exists()


# --- the install line ---------------------------------------------------------------------------

def test_the_distribution_name_is_genesys_lambda():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION == "genesys-lambda"
    assert project["scripts"] == {"genesys": "genesys_tasks.cli:main"}


def test_an_index_install_is_pinned_by_the_wheel_hash():
    line = install_line(Installed("1.2.3", None), sha256=lambda version: "ab" * 32)
    assert f"'genesys-lambda==1.2.3 --hash=sha256:{'ab' * 32}'" in line
    assert "--require-hashes" in line and "--no-deps" in line


REQUIRES = ("doit>=0.36", "questionary>=2.0", "tree-sitter>=0.23", 'pytest>=8.0; extra == "test"', "uv>=0.4")


def _commands(line: str) -> list[list[str]]:
    import shlex

    return [shlex.split(part) for part in line.split(" && ")]


def test_a_release_is_installed_with_the_uv_beside_it_pinned_then_its_ci_dependencies():
    found = Installed("1.2.3", None, requires=REQUIRES, uv="0.13.9")
    setup, folder, pin, alone, needed = _commands(install_line(found, sha256=lambda version: "ab" * 32))
    assert setup == ["python", "-m", "pip", "install", "uv==0.13.9"]
    assert f"genesys-lambda==1.2.3 --hash=sha256:{'ab' * 32}" in pin
    uv = ["python", "-m", "uv", "pip", "install", "--python", "$(command -v python)",
          "--cache-dir", ci_install.INSTALL_CACHE]
    assert alone == uv + ["--no-deps", "--require-hashes", "-r", ci_install.REQUIREMENT_FILE]
    # The dependencies: genesys's own, without its extras and the wizard's prompts.
    assert needed == uv + ["doit>=0.36", "tree-sitter>=0.23", "uv>=0.4"]


# genesys's Requires-Dist as its wheel says it, in part: every grammar in the base, and an extra per language.
WITH_EXTRAS = ("doit>=0.36", "tree-sitter>=0.23", "tree-sitter-javascript>=0.23", "tree-sitter-typescript>=0.23",
               "tree-sitter-java>=0.23", "tree-sitter-ruby>=0.23", "boto3>=1.34", "questionary>=2.0",
               'tree-sitter>=0.23; extra == "node"', 'tree-sitter-javascript>=0.23; extra == "node"',
               'tree-sitter-typescript>=0.23; extra == "node"', 'tree-sitter>=0.23; extra == "java"',
               'tree-sitter-java>=0.23; extra == "java"', 'tree-sitter>=0.23; extra == "ruby"',
               'tree-sitter-ruby>=0.23; extra == "ruby"', 'pytest>=8.0; extra == "test"')


@pytest.mark.parametrize("grammars, expected", [
    ((), ["doit>=0.36", "boto3>=1.34"]),
    (("node",), ["doit>=0.36", "tree-sitter>=0.23", "tree-sitter-javascript>=0.23", "tree-sitter-typescript>=0.23",
                 "boto3>=1.34"]),
    (("java", "ruby"), ["doit>=0.36", "tree-sitter>=0.23", "tree-sitter-java>=0.23", "tree-sitter-ruby>=0.23",
                        "boto3>=1.34"]),
])
def test_a_release_line_installs_the_grammars_of_the_repos_languages_and_no_other(grammars, expected):
    found = Installed("1.2.3", None, requires=WITH_EXTRAS, uv="0.13.9")
    *_, needed = _commands(install_line(found, sha256=lambda version: "ab" * 32, grammars=grammars))
    assert needed[needed.index(ci_install.INSTALL_CACHE) + 1:] == expected


def test_each_language_read_with_grammars_has_an_extra_that_a_plain_install_already_has():
    import tomllib
    from pathlib import Path

    from packaging.requirements import Requirement

    from genesys_tasks.languages import TABLE

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    base = {Requirement(text).name for text in project["dependencies"]}
    extras = project["optional-dependencies"]
    for row in TABLE:
        if row.grammars:
            names = {Requirement(text).name for text in extras[row.grammars]}
            assert names <= base and any(name.startswith("tree-sitter-") for name in names), row.name
    assert ci_install.grammars_for(["python", "go", "nodejs", "java", "nodejs"]) == ("java", "node")


def _release_writes(monkeypatch):
    """genesys installed from a released wheel (a hashed https archive: pinned as an index install is)."""
    record = {"url": "https://example.com/genesys_lambda-1.2.3-py3-none-any.whl",
              "archive_info": {"hashes": {"sha256": "cd" * 32}}}
    monkeypatch.setattr(ci_install, "installed", lambda: Installed("1.2.3", record, requires=WITH_EXTRAS, uv="0.13.9"))


def test_a_repo_without_node_functions_installs_no_grammar_and_its_file_records_that(tmp_path, monkeypatch):
    make_repo(tmp_path / "repo", {name: text for name, text in FILES.items() if not name.startswith("node-fn/")})
    monkeypatch.chdir(tmp_path / "repo")
    _release_writes(monkeypatch)
    assert main(["ci", "github"]) == 0
    text = (tmp_path / "repo/.github/workflows/genesys.yml").read_text()
    assert "tree-sitter" not in text and '# genesys options: {"grammars": []}' in text
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy"]) == 0
    assert "tree-sitter" not in (tmp_path / "repo/genesys-child.yml").read_text()


def test_check_names_the_command_to_run_when_the_repo_gains_a_language_with_grammars(tmp_path, monkeypatch, capsys):
    make_repo(tmp_path / "repo", {name: text for name, text in FILES.items() if not name.startswith("node-fn/")})
    monkeypatch.chdir(tmp_path / "repo")
    _release_writes(monkeypatch)
    assert main(["ci", "github", "--region", "eu-west-1"]) == 0
    assert main(["ci", "github", "--check"]) == 0
    write(tmp_path / "repo", {name: text for name, text in FILES.items() if name.startswith("node-fn/")})
    capsys.readouterr()
    assert main(["ci", "github", "--check"]) == 1
    err = capsys.readouterr().err
    assert ("installs genesys with the grammars for no language, but the repo's functions now need those for "
            "Node.js (lambda_node_fn.toml): run `genesys ci github` to generate it again") in err
    assert main(["ci", "github"]) == 0
    text = (tmp_path / "repo/.github/workflows/genesys.yml").read_text()
    assert "tree-sitter-javascript" in text and '"grammars": ["node"]' in text and "eu-west-1" in text
    assert main(["ci", "github", "--check"]) == 0


def test_a_child_pipeline_installs_the_grammars_of_every_function_not_only_the_changed_ones(repo, monkeypatch):
    since = git(repo, "rev-parse", "HEAD").strip()
    (repo / "py-fn" / "app.py").write_text("def handler(event, context):\n    return 2\n")
    commit(repo, "only the Python function changes")
    _release_writes(monkeypatch)
    assert main(["ci", "gitlab-child", "--since", since, "--mode", "deploy"]) == 0
    child = (repo / "genesys-child.yml").read_text()
    assert "deploy:py-fn" in child and "deploy:node-fn" not in child
    assert "tree-sitter-javascript" in child and "tree-sitter-java>" not in child


def test_the_install_cache_is_inside_the_cached_folder_of_the_generated_files():
    from genesys_tasks.cicd.model import CACHE_DIR

    assert ci_install.INSTALL_CACHE == f"{CACHE_DIR}/install"


def test_the_install_key_changes_with_the_uv_version_and_the_dependencies():
    from pathlib import Path

    from genesys_tasks.cicd.model import CiOptions, model

    def key(found):
        return model("github", [], Path("."), CiOptions(), install=install_line(found, sha256=lambda v: "ab" * 32))["install_key"]

    first = key(Installed("1.2.3", None, requires=REQUIRES, uv="0.13.9"))
    assert first != key(Installed("1.2.3", None, requires=REQUIRES, uv="0.14.0"))
    assert first != key(Installed("1.2.3", None, requires=REQUIRES[1:], uv="0.13.9"))


def test_without_uv_beside_it_the_release_is_installed_with_pip():
    line = install_line(Installed("1.2.3", None, requires=REQUIRES), sha256=lambda version: "ab" * 32)
    assert "uv" not in line.replace("'uv>=0.4'", "") and "python -m pip install --no-deps --require-hashes" in line


def test_a_vcs_install_with_uv_is_pinned_by_url_and_commit():
    found = Installed(FROM_GIT.version, FROM_GIT.direct_url, uv="0.13.9")
    *_, install = _commands(install_line(found))
    assert install[-1] == INSTALL.split("'")[1] and install[:3] == ["python", "-m", "uv"]


def test_a_vcs_install_is_pinned_by_url_and_commit():
    assert install_line(FROM_GIT) == INSTALL


def test_an_https_archive_with_a_hash_is_pinned():
    found = Installed("1.0", {"url": "https://example.com/g.whl", "archive_info": {"hashes": {"sha256": "cd" * 32}}})
    assert "genesys-lambda @ https://example.com/g.whl --hash=sha256:" + "cd" * 32 in install_line(found)


@pytest.mark.parametrize("record", [{"url": "file:///src/genesys", "dir_info": {"editable": True}},
                                    {"url": "file:///src/genesys", "dir_info": {}},
                                    {"url": "file:///tmp/g.whl", "archive_info": {}}])
def test_an_editable_or_local_install_asks_for_install_with_exit_2(record):
    with pytest.raises(UsageError) as error:
        install_line(Installed("1.0", record))
    assert error.value.exit_code == EXIT_BAD_INPUT and "--install" in error.value.hint


def test_genesys_ci_stops_with_exit_2_when_it_cannot_name_its_install(tmp_path, monkeypatch, capsys):
    make_repo(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    monkeypatch.setattr(ci_install, "installed",
                        lambda: Installed("0.1.0", {"url": "file:///w", "dir_info": {"editable": True}}))
    assert main(["ci", "github"]) == EXIT_BAD_INPUT
    assert "--install" in capsys.readouterr().err


def test_more_changed_functions_than_one_matrix_takes_are_split_over_several_jobs(repo, monkeypatch):
    from genesys_tasks.cicd import model as ci_model

    monkeypatch.setattr(ci_model, "MATRIX_LIMIT", 2)  # three functions, two per matrix
    assert main(["ci", "github", "--environment", "staging", "--environment", "prod"]) == 0
    data = github(repo)
    jobs = data["jobs"]
    assert {"plan-1", "plan-2", "deploy-staging-1", "deploy-staging-2", "deploy-prod-1", "deploy-prod-2"} <= set(jobs)
    assert jobs["deploy-prod-2"]["needs"] == ["changes", "deploy-staging-1", "deploy-staging-2"]
    assert jobs["deploy-prod-2"]["strategy"]["matrix"]["function"] == "${{ fromJSON(needs.changes.outputs.functions_2) }}"
    script = jobs["changes"]["steps"][-1]["run"]
    rows = '[{"name":"a"},{"name":"b"},{"name":"c"}]'
    lines = [line.strip() for line in script.splitlines() if line.strip().startswith('echo "functions_')]
    done = subprocess.run(["bash", "-c", "\n".join(lines)], env={"functions": rows, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert done.stdout.splitlines() == ['functions_1=[{"name":"a"},{"name":"b"}]', 'functions_2=[{"name":"c"}]']


def test_a_manual_environment_waits_for_a_person_on_gitlab(repo):
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy", "--environment", "staging",
                 "--environment", "prod", "--manual-environment", "prod"]) == 0
    child = gitlab(repo, "genesys-child.yml")
    assert child["deploy:py-fn(prod)"]["when"] == "manual" and "when" not in child["deploy:py-fn(staging)"]
    assert main(["ci", "gitlab", "--manual-environment", "nope"]) == EXIT_BAD_INPUT


def test_each_gitlab_job_runs_in_an_image_for_its_runtime(repo):
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy", "--image-go", "my/go:1"]) == 0
    child = gitlab(repo, "genesys-child.yml")
    assert child["deploy:py-fn"]["image"] == "python:3.12"
    assert child["deploy:node-fn"]["image"] == "node:22-bookworm"
    assert child["deploy:go-fn"]["image"] == "my/go:1"
    node = child["deploy:node-fn"]["before_script"]
    assert "python3 -m venv" in node[0] and node[1] == INSTALL  # a Python for genesys, then genesys
    assert "venv" not in " ".join(child["deploy:py-fn"]["before_script"])
    assert main(["ci", "gitlab-child", "--since", "0" * 40, "--mode", "deploy", "--image", ""]) == 0
    assert all("image" not in job for name, job in gitlab(repo, "genesys-child.yml").items() if ":" in name)


def test_every_variant_validates_against_the_official_schemas(repo, monkeypatch):
    import sys

    from genesys_tasks.cicd import model as ci_model

    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "rm", "-q", "-r", "go-fn")
    commit(repo, "go-fn retired")
    envs = ["--environment", "staging=stg", "--environment", "production=prod", "--manual-environment", "production"]
    assert main(["ci", "gitlab", *envs, "--cache-bucket", "b", "--install", "echo 'a: b #c'"]) == 0
    assert main(["ci", "gitlab-child", "--since", base, "--removed-since", base, "--mode", "deploy", *envs,
                 "--out", "deploy.yml"]) == 0
    assert main(["ci", "gitlab-child", "--since", "HEAD", "--removed-since", base, "--mode", "deploy",
                 "--out", "only-delete.yml"]) == 0
    assert main(["ci", "gitlab-child", "--since", base, "--mode", "plan", "--auth", "keys", "--out", "plan.yml"]) == 0
    monkeypatch.setattr(ci_model, "MATRIX_LIMIT", 1)
    assert main(["ci", "github", *envs[:4], "--auth", "keys", "--cache-bucket", "b"]) == 0
    tool = [sys.executable, "-m", "check_jsonschema"]
    github = subprocess.run([*tool, "--builtin-schema", "vendor.github-workflows", ".github/workflows/genesys.yml"],
                            capture_output=True, text=True)
    assert github.returncode == 0, github.stdout + github.stderr
    gitlab_files = [".gitlab-ci.yml", "deploy.yml", "only-delete.yml", "plan.yml"]
    done = subprocess.run([*tool, "--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci",
                           *gitlab_files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
