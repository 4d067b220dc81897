"""Which Python (and Node) a project pins: every pin file is honoured, a refused pin names the nearest runtime.

Ranges are read by the ecosystems' own libraries (packaging, poetry-core, node-semver), so
the forms their users write (poetry's ``~3.9``, npm's ``>=20 <23``) mean what they mean there.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from genesys_tasks.config import detect
from genesys_tasks.errors import ConfigError

TODAY = dt.date(2026, 11, 26)  # python3.9 can no longer be created; python3.10 is deprecated
PY_HANDLER = "def handler(event, context):\n    return 1\n"


def _detect(root: Path, files: dict[str, str], today: dt.date = TODAY):
    for name, text in files.items():
        (root / name).write_text(text)
    return detect.detect(root, today=today)


@pytest.mark.parametrize("pipfile, runtime", [
    ('[packages]\nsix = "*"\n\n[requires]\npython_version = "3.12"\n', "python3.12"),
    ('[requires]\npython_full_version = "3.13.1"\n', "python3.13"),
])
def test_pipfile_requires_pins_the_python_runtime(tmp_path, pipfile, runtime):
    result = _detect(tmp_path, {"Pipfile": pipfile, "app.py": PY_HANDLER})
    assert result.runtime == runtime
    assert "Pipfile pins" in result.candidates[0].evidence


@pytest.mark.parametrize("spec, runtime", [
    ("~3.12", "python3.12"),
    ("^3.11", "python3.11"),
    (">=3.12 <3.14", "python3.12"),
    ("3.13.*", "python3.13"),
    ("~3.10 || ~3.13", "python3.13"),  # 3.10 is deprecated: the supported one is preferred
])
def test_poetry_python_constraint_pins_the_runtime(tmp_path, spec, runtime):
    pyproject = f'[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\npython = "{spec}"\nsix = "*"\n'
    result = _detect(tmp_path, {"pyproject.toml": pyproject, "app.py": PY_HANDLER})
    assert result.runtime == runtime


def test_requires_python_wins_over_poetry_python(tmp_path):
    pyproject = ('[project]\nname = "x"\nrequires-python = ">=3.13"\n\n'
                 '[tool.poetry.dependencies]\npython = "^3.11"\n')
    assert _detect(tmp_path, {"pyproject.toml": pyproject, "app.py": PY_HANDLER}).runtime == "python3.13"


def test_a_poetry_pin_lambda_no_longer_accepts_names_it_and_the_nearest_runtime(tmp_path):
    pyproject = '[tool.poetry]\nname = "lambda-python-demo"\n\n[tool.poetry.dependencies]\npython = "~3.9"\n'
    with pytest.raises(ConfigError) as info:
        _detect(tmp_path, {"pyproject.toml": pyproject, "app.py": PY_HANDLER})
    err = info.value
    assert err.exit_code == 2 and (err.where.file.name, err.where.line) == ("pyproject.toml", 5)
    assert "no longer accepts for new functions" in err.message and "python3.9 since 2026-08-31" in err.message
    assert err.hint.startswith("the nearest runtime that fits is python3.10")


def test_a_pipfile_pin_older_than_any_runtime_names_the_nearest(tmp_path):
    with pytest.raises(ConfigError) as info:
        _detect(tmp_path, {"Pipfile": '[requires]\npython_version = "3.8"\n', "app.py": PY_HANDLER})
    assert (info.value.where.file.name, info.value.where.line) == ("Pipfile", 2)
    assert "nearest runtime that fits is python3.10" in info.value.hint


def test_an_unreadable_poetry_constraint_is_an_error_with_its_line(tmp_path):
    pyproject = '[tool.poetry.dependencies]\npython = "three point nine"\n'
    with pytest.raises(ConfigError) as info:
        _detect(tmp_path, {"pyproject.toml": pyproject, "app.py": PY_HANDLER})
    assert (info.value.where.line, info.value.where.key) == (2, "tool.poetry.dependencies.python")


def test_without_a_pin_the_newest_runtime_is_used_and_detect_says_so(tmp_path):
    result = _detect(tmp_path, {"app.py": PY_HANDLER})
    assert result.runtime == "python3.14"
    assert "no version pin; the newest python runtime" in result.candidates[0].evidence


@pytest.mark.parametrize("spec, runtime", [
    (">=20 <23 || >=24.1.0-0", "nodejs22.x"),
    ("20.x || 24.x", "nodejs24.x"),
    ("^24.0.0-rc.1", "nodejs24.x"),
])
def test_engines_node_is_read_as_npm_reads_it(tmp_path, spec, runtime):
    files = {"package.json": json.dumps({"engines": {"node": spec}}), "index.js": "exports.handler = async () => 1;\n"}
    assert _detect(tmp_path, files).runtime == runtime
