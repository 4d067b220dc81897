"""The wizard and `genesys init` for image functions: `--package-type image` writes it (and no build
method), and a person is asked only when the dependencies name something heavy."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from genesys_tasks.cli import main
from genesys_tasks.config import load
from genesys_tasks.runtimes import DEFAULT
from genesys_tasks.wizard.flow import interact
from wizard_projects import CLEAR, DOWN, ENTER, Scripted, python_folder

TODAY = _dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _no_podman(monkeypatch):
    monkeypatch.setattr("genesys_tasks.wizard.questions.shutil.which", lambda tool: None)


def test_init_with_package_type_image_writes_an_image_function(tmp_path):
    python_folder(tmp_path)
    assert main(["init", "--dir", str(tmp_path), "--yes", "--package-type", "image"]) == 0
    (toml,) = tmp_path.glob("lambda_*.toml")
    spec = load(toml)
    assert spec.build.is_image and "build_method" not in toml.read_text()


def test_init_keeps_a_zip_by_default(tmp_path):
    python_folder(tmp_path)
    assert main(["init", "--dir", str(tmp_path), "--yes"]) == 0
    (toml,) = tmp_path.glob("lambda_*.toml")
    assert load(toml).build.package_type == "zip"


def test_a_person_is_asked_for_the_package_type_when_the_dependencies_are_heavy(tmp_path):
    python_folder(tmp_path / "app")
    (tmp_path / "app" / "requirements.txt").write_text("torch==2.5.1\npandas\n")
    told: list[str] = []
    script = [ENTER, ENTER, ENTER, ENTER, CLEAR + "app" + ENTER, *[ENTER] * 11, DOWN + ENTER, ENTER, "y"]
    prompter = Scripted(script)
    done = interact(prompter, tmp_path, DEFAULT, TODAY, told.append)
    assert "Package as" in prompter.asked and "Build method" not in prompter.asked
    assert "pandas, torch: the dependencies may pass Lambda's 250 MB" in "\n".join(told)
    _, toml = done
    assert load(toml).build.is_image
