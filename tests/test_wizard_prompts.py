"""`genesys interact`'s questions driven in process: keys typed into prompt_toolkit's pipe input, a dummy
output; the menu, every question in the seed's order with its default, the preview, Ctrl-C and overwrites."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from genesys_tasks.config import load
from genesys_tasks.runtimes import DEFAULT
from genesys_tasks.wizard.flow import interact
from wizard_projects import CLEAR, CTRL_C, DOWN, ENTER, SPACE, Scripted, ambiguous_folder, node_folder, \
    python_folder, zipped

TODAY = _dt.date(2026, 11, 26)
MENU = [ENTER, ENTER, ENTER]  # aws → Function → Lambda Builder
SEED_ORDER = ["genesys", "aws", "Function", "Where is the code?", "Folder", "Function name", "Runtime", "Handler",
              "Memory in MB (128-10240)", "Timeout in seconds (1-900)",
              "Environment variable (NAME=value, empty to finish)", "AWS services the function uses",
              "Tag (key=value, empty to finish)", "AWS region", "Create a function URL?", "Build method",
              "Architectures",
              "Write lambda_app_python314.toml?"]


@pytest.fixture(autouse=True)
def _no_podman(monkeypatch):
    """The build method's default depends on podman being installed; these tests pin it to "not installed"."""
    monkeypatch.setattr("genesys_tasks.wizard.questions.shutil.which", lambda tool: None)


def _run(base: Path, script: list[str]):
    told: list[str] = []
    prompter = Scripted(script)
    done = interact(prompter, base, DEFAULT, TODAY, told.append)
    assert prompter.script == [], "not every scripted answer was asked for"
    return done, prompter.asked, "\n".join(told)


def test_a_python_folder_asks_in_the_seed_order_with_defaults_and_offers_secrets_as_references(tmp_path):
    python_folder(tmp_path / "app")
    script = [*MENU, ENTER, CLEAR + "app" + ENTER, ENTER, ENTER, ENTER, CLEAR + "256" + ENTER, ENTER,
              "API_TOKEN=abc123" + ENTER, ENTER, "MODE=prod" + ENTER, ENTER,  # the secret: yes, as ${env:...}
              ENTER, ENTER, ENTER, "n", ENTER, ENTER, ENTER, "y"]  # the region: the configured one
    done, asked, told = _run(tmp_path, script)

    assert [a for a in asked if not a.startswith("API_TOKEN looks like")] == [
        *SEED_ORDER[:10], *[SEED_ORDER[10]] * 3, *SEED_ORDER[11:15], "Add a trigger", *SEED_ORDER[15:]]
    assert "API_TOKEN looks like a secret; write ${env:API_TOKEN} instead" in " ".join(asked)
    answers, toml = done
    spec = load(toml)
    assert (spec.name, spec.runtime.id, spec.handler, spec.function.memory_mb) == (
        "app", "python3.14", "app.lambda_handler", 256)
    assert dict(spec.function.environment) == {"API_TOKEN": "${env:API_TOKEN}", "MODE": "prod"}
    assert spec.build.build_method == "local" and "abc123" not in toml.read_text()
    assert "the wheels built for python3.14 on Lambda's Linux are installed on this machine" in told
    assert "app.py: def lambda_handler(event, context)" in told
    assert f"--- {toml.name} ---" in told and 'handler = "app.lambda_handler"' in told


def test_services_resources_url_and_a_trigger_are_asked_with_their_fields(tmp_path):
    python_folder(tmp_path / "app")
    script = [*MENU, ENTER, CLEAR + "app" + ENTER, *[ENTER] * 6,
              DOWN + SPACE + ENTER,  # logs stays checked; S3 read added
              "uploads" + ENTER, "team=data" + ENTER, ENTER, ENTER,  # the configured region
              "y", DOWN + ENTER, "y",  # a function URL, auth NONE, CORS on
              DOWN + DOWN + DOWN + ENTER, "jobs" + ENTER, CLEAR + "5" + ENTER, ENTER,  # an sqs trigger
              ENTER,  # no more triggers
              ENTER, DOWN + SPACE + ENTER, "y"]  # build method local; arm64 added to x86_64
    (answers, toml), asked, _ = _run(tmp_path, script)

    assert "s3 resource names to scope to (comma-separated; empty: every one)" in asked
    spec = load(toml)
    assert spec.iam.required_policies == ("logs", "s3-read") and spec.iam.resources.s3_buckets == ("uploads",)
    assert dict(spec.tags) == {"team": "data"}
    assert (spec.deployment.function_url, spec.deployment.auth_type, spec.deployment.cors_enabled) == (
        True, "NONE", True)
    assert [(t.type, t.get("queue"), t.get("batch_size")) for t in spec.triggers] == [("sqs", "jobs", 5)]
    assert spec.build.architectures == ("x86_64", "arm64")


def test_an_ambiguous_folder_offers_the_candidates_with_their_evidence(tmp_path):
    ambiguous_folder(tmp_path / "app")
    script = [*MENU, ENTER, CLEAR + "app" + ENTER, ENTER, DOWN + ENTER, ENTER, ENTER, ENTER, ENTER, ENTER,
              ENTER, ENTER, "n", ENTER, ENTER, ENTER, "y"]
    (answers, toml), _, told = _run(tmp_path, script)
    assert "more than one runtime fits; pick one" in told and "package.json" in told and "requirements.txt" in told
    assert toml.name == "lambda_app_nodejs24x.toml" and load(toml).handler == "index.handler"


def test_ctrl_c_at_the_last_question_writes_nothing_and_removes_the_extracted_zip(tmp_path):
    zipped(node_folder(tmp_path / "pkg"), tmp_path / "bundle.zip")
    script = [*MENU, DOWN + DOWN + ENTER, "bundle.zip" + ENTER, ENTER, *[ENTER] * 9, "n", ENTER, ENTER, ENTER,
              CTRL_C]
    with pytest.raises(KeyboardInterrupt):
        interact(Scripted(script), tmp_path, DEFAULT, TODAY, lambda message: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.zip", "pkg"]


def test_an_existing_file_is_kept_when_the_person_says_no(tmp_path):
    python_folder(tmp_path)
    toml = tmp_path / "lambda_fn_python314.toml"
    toml.write_text("# mine\n")
    script = [*MENU, ENTER, ENTER, CLEAR + "fn" + ENTER, *[ENTER] * 8, "n", ENTER, ENTER, ENTER, "y", "n"]
    done, asked, told = _run(tmp_path, script)
    assert done is None and toml.read_text() == "# mine\n" and asked[-1] == f"{toml.name} exists; replace it?"
    assert "nothing written" in told


@pytest.mark.parametrize("typed, written", [(ENTER, None), (CLEAR + "eu-central-1" + ENTER, "eu-central-1"),
                                            (CLEAR + ENTER, None)], ids=["kept", "another", "cleared"])
def test_the_region_starts_at_the_configured_one_and_is_written_only_when_another(tmp_path, monkeypatch, typed,
                                                                                  written):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = eu-west-3\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    python_folder(tmp_path / "app")
    script = [*MENU, ENTER, CLEAR + "app" + ENTER, *[ENTER] * 8, typed, "n", ENTER, ENTER, ENTER, "y"]
    (answers, toml), asked, told = _run(tmp_path, script)
    assert "eu-west-3 is configured here" in told
    assert load(toml).deployment.region == written and answers.region == (written or "")
    assert ("region" in toml.read_text()) == (written is not None)


def test_a_region_that_is_not_one_is_asked_again(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    python_folder(tmp_path / "app")
    script = [*MENU, ENTER, CLEAR + "app" + ENTER, *[ENTER] * 8, CLEAR + "eu-wset-1" + ENTER + CLEAR + "eu-west-1" + ENTER,
              "n", ENTER, ENTER, ENTER, "y"]
    (answers, toml), asked, told = _run(tmp_path, script)
    assert load(toml).deployment.region == "eu-west-1"
