"""``genesys sync --watch`` syncs on a change to what the function zip carries (the build's own
source rules), its TOML or its dependency manifests, and on nothing else."""

from __future__ import annotations

import pytest

from genesys_tasks.commands.sync import packaged
from genesys_tasks.config import load

TOML = '''[metadata]
name = "watched"
runtime = "python3.12"
handler = "app.handler"

[build]
exclude = ["notes/**"]
'''


@pytest.fixture
def relevant(tmp_path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    (tmp_path / "lambda_watched.toml").write_text(TOML)
    return packaged(load(tmp_path / "lambda_watched.toml"))


@pytest.mark.parametrize("path", ["app.py", "lib/helpers.py", "lambda_watched.toml", "requirements.txt"])
def test_a_change_to_what_the_build_reads_starts_a_sync(relevant, tmp_path, path):
    assert relevant(None, str(tmp_path / path))


@pytest.mark.parametrize("path", [".genesys/build/watched/function-x86_64.zip", "__pycache__/app.cpython-312.pyc",
                                  ".git/index", ".venv/lib/site.py", "node_modules/left-pad/index.js",
                                  "notes/todo.py", "app.pyc"])
def test_a_change_the_zip_does_not_carry_starts_nothing(relevant, tmp_path, path):
    assert not relevant(None, str(tmp_path / path))


def test_a_change_outside_the_source_folder_starts_nothing(relevant, tmp_path):
    assert not relevant(None, str(tmp_path.parent / "elsewhere.py"))
