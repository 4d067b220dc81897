"""paths.write_text_atomic: a file is either the old text or the new, and no temp file stays behind."""

from __future__ import annotations

import pytest

from genesys_tasks.paths import write_text_atomic


def test_write_text_atomic_replaces_the_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "dodo.py"
    target.write_text("old\n")

    write_text_atomic(target, "new\n")

    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dodo.py"]


def test_a_failed_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a folder cannot be replaced by a file

    with pytest.raises(OSError):
        write_text_atomic(target, "text")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
