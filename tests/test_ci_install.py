"""A generated CI job installs genesys and only the requirements its repo's functions use."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from genesys_tasks.cicd.install import install_command, requirements
from genesys_tasks.config import load

REPO = Path(__file__).resolve().parent.parent
LISTED = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
EXAMPLES = {"python": "flask-app", "nodejs": "node-cjs", "java": "java-hello"}


def _spec(language: str):
    return load(next((REPO / "examples" / EXAMPLES[language]).glob("lambda_*.toml")))


def _names(lines: list[str]) -> set[str]:
    return {line.split(">")[0].split("=")[0].split("[")[0].strip() for line in lines}


def test_a_python_repo_installs_no_grammar_and_no_wizard():
    names = _names(requirements([_spec("python")], LISTED))
    assert not {name for name in names if name.startswith("tree-sitter")}
    assert "questionary" not in names
    assert {"doit", "boto3", "uv", "rich"} <= names


@pytest.mark.parametrize("language, grammars", [
    ("nodejs", {"tree-sitter", "tree-sitter-javascript", "tree-sitter-typescript"}),
    ("java", {"tree-sitter", "tree-sitter-java"}),
])
def test_a_repo_gets_the_grammars_of_its_own_languages_only(language, grammars):
    names = _names(requirements([_spec("python"), _spec(language)], LISTED))
    assert {name for name in names if name.startswith("tree-sitter")} == grammars


def test_the_install_line_takes_genesys_without_dependencies_then_what_the_job_uses_with_uv():
    line = install_command("1.2.3", [_spec("python")], LISTED)
    first, second, third = line.split(" && ")
    assert first == "python -m pip install uv"
    assert second == "python -m uv pip install --system --no-deps genesys==1.2.3"
    assert third.startswith("python -m uv pip install --system ") and "'boto3>=1.34'" in third
    assert "tree-sitter" not in third and "questionary" not in third
