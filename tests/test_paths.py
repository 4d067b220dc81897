"""paths' atomic writes: a file is either the old bytes or the new, no temp file stays behind, and a hard link is replaced, never written through."""

from __future__ import annotations

import errno
import os

import pytest

from genesys_tasks.paths import copy_file_atomic, link_file_atomic, write_text_atomic


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


def test_link_file_atomic_shares_the_bytes_and_replacing_the_link_leaves_the_source_alone(tmp_path):
    cached, dest = tmp_path / "cache.zip", tmp_path / "layer.zip"
    cached.write_bytes(b"layer v1")

    link_file_atomic(cached, dest)
    assert os.path.samefile(cached, dest)

    link_file_atomic(cached, dest)  # again: nothing to do
    assert os.path.samefile(cached, dest)

    newer = tmp_path / "newer.zip"
    newer.write_bytes(b"layer v2")
    link_file_atomic(newer, dest)
    copy_file_atomic(newer, dest)
    write_text_atomic(dest, "v3")
    assert cached.read_bytes() == b"layer v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.zip", "layer.zip", "newer.zip"]


def test_link_file_atomic_replaces_a_dangling_link_or_another_file_in_its_place(tmp_path):
    cached, dest, other = tmp_path / "cache.zip", tmp_path / "layer.zip", tmp_path / "other.zip"
    cached.write_bytes(b"layer")
    other.write_bytes(b"other")
    dest.symlink_to(tmp_path / "gone.zip")
    link_file_atomic(cached, dest)
    assert not dest.is_symlink() and os.path.samefile(cached, dest)
    link_file_atomic(other, dest)
    assert os.path.samefile(other, dest) and cached.read_bytes() == b"layer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.zip", "layer.zip", "other.zip"]


def test_link_file_atomic_copies_where_the_file_system_cannot_link(tmp_path, monkeypatch):
    cached, dest = tmp_path / "cache.zip", tmp_path / "layer.zip"
    cached.write_bytes(b"layer")

    def cross_device(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    link_file_atomic(cached, dest)

    assert dest.read_bytes() == b"layer" and not os.path.samefile(cached, dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.zip", "layer.zip"]


def test_a_temp_file_left_linked_by_a_killed_run_is_never_written_through(tmp_path):
    cached, dest = tmp_path / "cache.zip", tmp_path / "layer.zip"
    cached.write_bytes(b"cached layer")
    leftover = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    os.link(cached, leftover)

    copy_file_atomic(tmp_path / "cache.zip", dest)  # same temp name as the killed run's
    write_text_atomic(dest, "other bytes")

    assert cached.read_bytes() == b"cached layer"
    assert not leftover.exists()


def test_write_text_atomic_writes_a_symlink_at_its_target_keeps_its_mode_and_translates_no_newline(tmp_path):
    target = tmp_path / "real.toml"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "link.toml"
    link.symlink_to("real.toml")

    write_text_atomic(link, "a\r\nb\r\n")

    assert link.is_symlink() and target.read_bytes() == b"a\r\nb\r\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.toml", "real.toml"]
