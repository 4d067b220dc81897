"""paths.write_text_atomic and copy_file_atomic: a file is either the old text or the new, and no temp file stays behind."""

from __future__ import annotations

import pytest

from genesys_tasks.paths import copy_file_atomic, write_text_atomic


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


def test_copy_file_atomic_copies_and_a_failed_copy_keeps_the_old_file(tmp_path):
    source, dest = tmp_path / "layer.zip", tmp_path / "out.zip"
    source.write_bytes(b"zip bytes")
    dest.write_bytes(b"old")

    copy_file_atomic(source, dest)
    assert dest.read_bytes() == b"zip bytes"

    with pytest.raises(OSError):
        copy_file_atomic(tmp_path / "missing.zip", dest)
    assert dest.read_bytes() == b"zip bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layer.zip", "out.zip"]
