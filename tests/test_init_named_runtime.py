"""``genesys init --runtime`` wins over a version pin no runtime fits (a stale Pipfile): the pin becomes
a note; without a named runtime the pin's error stands, as before."""

from __future__ import annotations

import shutil
from pathlib import Path

from genesys_tasks.config import load

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "stale-pipfile"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURE, folder)
    (folder / ".git").mkdir()
    return folder


def test_a_named_runtime_wins_over_a_stale_pipfile_pin_which_becomes_a_note(tmp_path, run_genesys):
    folder = _folder(tmp_path)
    done = run_genesys("init", "--source", ".", "--name", "stale", "--runtime", "python3.12", "--yes", cwd=folder)
    assert done.code == 0, done.output
    assert "note: " in done.stderr and "Pipfile:2: Pipfile pins python_version = '3.9'" in done.stderr
    assert "using python3.12, as named" in done.stderr
    spec = load(folder / "lambda_stale_python312.toml")
    assert (spec.runtime.id, spec.handler) == ("python3.12", "app.handler")


def test_without_a_named_runtime_the_stale_pin_is_still_the_error_with_its_fix(tmp_path, run_genesys):
    folder = _folder(tmp_path)
    done = run_genesys("init", "--source", ".", "--name", "stale", "--yes", cwd=folder)
    assert done.code == 2
    assert "Pipfile:2: Pipfile pins python_version = '3.9'" in done.stderr
    assert "or name the runtime under [metadata]" in done.stderr
    assert not list(folder.glob("lambda_*.toml"))
