"""The paths `genesys init` takes and prints: the next commands it prints are quoted for a shell (a path
with a space, a quote, ``$(...)`` or a leading ``-`` is one argument again when pasted), and
``--source``/``--into`` are read from the folder init runs in, as typed, whatever ``--dir`` says."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from genesys_tasks.cli import main
from genesys_tasks.config import load
from genesys_tasks.wizard.answers import Answers, Source
from wizard_projects import python_folder, zipped

AWKWARD = ["my functions", "$(touch pwned)", "it's `here`", "-leading"]


def _next_commands(err: str) -> list[list[str]]:
    """The lines after ``next:`` as a shell would split them (``#`` comments dropped)."""
    lines = err.split("next:\n", 1)[1].splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.startswith("  ")]


@pytest.mark.parametrize("folder", AWKWARD)
def test_the_next_commands_init_prints_give_the_tomls_path_back_as_one_argument(tmp_path, monkeypatch, capsys, folder):
    python_folder(tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--source", str(tmp_path / folder), "--dir", str(tmp_path / folder), "--name", "fn",
                 "--runtime", "python3.12", "--build-method", "local", "--yes",
                 "--save-answers", str(tmp_path / folder / "answers.json")]) == 0
    err = capsys.readouterr().err
    toml = f"{folder}/lambda_fn_python312.toml"
    assert (tmp_path / toml).is_file()
    dry_run, deploy, ci = _next_commands(err)
    assert dry_run == ["genesys", "execute", "--dry-run", "--", toml]
    assert deploy == ["genesys", "execute", "--", toml]
    assert ci == ["genesys", "ci", "github"]
    replay = err.split("(replay: ", 1)[1].split(")\n", 1)[0]
    assert shlex.split(replay) == ["genesys", "interact", f"--replay={tmp_path / folder / 'answers.json'}"]
    assert not (tmp_path / "pwned").exists()


def test_source_and_dir_naming_the_same_folder_from_the_repo_root_write_the_toml_beside_the_code(tmp_path, monkeypatch,
                                                                                                   capsys):
    python_folder(tmp_path / "services" / "x")
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--source", "services/x", "--dir", "services/x", "--name", "x", "--runtime", "python3.12",
                 "--build-method", "local", "--yes"]) == 0
    toml = tmp_path / "services" / "x" / "lambda_x_python312.toml"
    assert load(toml).build.source_path == (tmp_path / "services" / "x").resolve()


def test_a_source_zip_and_into_folder_are_read_from_where_init_runs(tmp_path, monkeypatch, capsys):
    zipped(python_folder(tmp_path / "code"), tmp_path / "code.zip")
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--source", "code.zip", "--into", "out/unpacked", "--dir", "out", "--name", "z",
                 "--runtime", "python3.12", "--build-method", "local", "--yes"]) == 0
    assert (tmp_path / "out" / "unpacked" / "app.py").is_file()
    spec = load(tmp_path / "out" / "lambda_z_python312.toml")
    assert spec.build.source_path == (tmp_path / "out" / "unpacked").resolve()


def test_a_source_folder_that_does_not_exist_is_named_as_typed_with_the_folder_it_was_read_from(tmp_path, monkeypatch,
                                                                                                  capsys):
    python_folder(tmp_path / "services" / "x")
    monkeypatch.chdir(tmp_path / "services")
    assert main(["init", "--source", "services/x", "--dir", "x", "--name", "x", "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"--source services/x is not a folder (read from {tmp_path / 'services'}, the folder init runs in)" in err
    assert not list((tmp_path / "services" / "x").glob("lambda_*.toml"))


def test_a_replayed_source_folder_that_does_not_exist_is_named_with_the_folder_it_was_read_from(tmp_path, capsys):
    saved = tmp_path / "answers.json"
    saved.write_text(json.dumps({"genesys_answers": 1, **Answers(Source("folder", "gone", "", "gone"), "fn",
                                                                 "python3.12", "app.lambda_handler").to_dict()}))
    assert main(["interact", "--replay", str(saved), "--dir", str(tmp_path)]) == 2
    assert f"gone is not a folder (read from {tmp_path.resolve()}, where the TOML goes)" in capsys.readouterr().err
