"""`genesys lambda build` on one TOML: bad paths and settings exit 2, the TOML is read once."""

from __future__ import annotations

from pathlib import Path


def _function(folder: Path, runtime: str = "python3.12") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir()
    (folder / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    toml = folder / "lambda_fn.toml"
    toml.write_text(f'[metadata]\nname = "fn"\nruntime = "{runtime}"\n')
    return toml


def test_lambda_build_of_a_missing_toml_is_a_usage_error_exit_2(tmp_path, run_genesys):
    result = run_genesys("lambda", "build", tmp_path / "lambda_nope.toml")
    assert result.code == 2, result.output
    assert "no such file" in result.stderr and "Traceback" not in result.output


def test_lambda_build_of_a_folder_says_it_wants_a_toml_file_exit_2(tmp_path, run_genesys):
    result = run_genesys("lambda", "build", tmp_path)
    assert result.code == 2, result.output
    assert "is a folder" in result.stderr and "Traceback" not in result.output


def test_lambda_build_shows_a_deprecation_warning_once(tmp_path, run_genesys):
    toml = _function(tmp_path / "fn", runtime="python3.10")  # deprecated, not blocked, on 2026-11-26
    result = run_genesys("lambda", "build", toml, cwd=toml.parent)
    assert result.code == 0, result.output
    assert result.stderr.count("python3.10 is deprecated") == 1, result.stderr


def test_a_malformed_genesys_today_is_a_config_error_exit_2(tmp_path, run_genesys):
    toml = _function(tmp_path / "fn")
    result = run_genesys("lambda", "build", toml, cwd=toml.parent, env={"GENESYS_TODAY": "banana"})
    assert result.code == 2, result.output
    assert "GENESYS_TODAY='banana' is not a date" in result.stderr and "Traceback" not in result.output
