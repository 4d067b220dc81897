"""Deterministic zips: same inputs, same bytes, wherever and whenever they were made."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from genesys_tasks.build.sources import source_files
from genesys_tasks.build.zipper import tree_entries, write_zip


def _make_tree(root: Path, mtime: int) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "run.sh").chmod(0o775)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "util.cpython-311.pyc").write_bytes(b"\0bytecode")
    (root / "stale.pyc").write_bytes(b"\0")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    for path in root.rglob("*"):
        os.utime(path, (mtime, mtime))


def test_same_tree_under_two_paths_with_different_mtimes_gives_the_same_sha256(tmp_path):
    a, b = tmp_path / "one" / "src", tmp_path / "elsewhere" / "deeper" / "src"
    _make_tree(a, 1_000_000_000)
    _make_tree(b, 1_700_000_000)
    sha_a = write_zip(source_files(a, "python"), tmp_path / "a.zip")
    sha_b = write_zip(source_files(b, "python"), tmp_path / "b.zip")
    assert sha_a == sha_b
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_zip_entries_are_sorted_dated_1980_with_normalised_modes_and_no_bytecode(tmp_path):
    src = tmp_path / "src"
    _make_tree(src, 1_600_000_000)
    (src / "app.py").chmod(0o600)  # an odd local mode must not leak into the zip
    write_zip(source_files(src, "python"), tmp_path / "f.zip")
    with zipfile.ZipFile(tmp_path / "f.zip") as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) == ["app.py", "pkg/util.py", "run.sh"]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos}
    assert modes == {"app.py": 0o644, "pkg/util.py": 0o644, "run.sh": 0o755}


def test_user_excludes_and_dependency_folders_stay_out(tmp_path):
    src = tmp_path / "src"
    (src / "tests").mkdir(parents=True)
    (src / "node_modules" / "ms").mkdir(parents=True)
    (src / "index.js").write_text("exports.handler = async () => 1;\n")
    (src / "README.md").write_text("docs\n")
    (src / "tests" / "test_app.js").write_text("test\n")
    (src / "node_modules" / "ms" / "index.js").write_text("module.exports = 1;\n")
    names = [name for name, _ in source_files(src, "nodejs", ("tests/**", "*.md"))]
    assert names == ["index.js"]


def test_layer_tree_entries_carry_the_prefix_and_skip_bytecode(tmp_path):
    (tmp_path / "python" / "six" / "__pycache__").mkdir(parents=True)
    (tmp_path / "python" / "six" / "__init__.py").write_text("")
    (tmp_path / "python" / "six" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert [name for name, _ in tree_entries(tmp_path)] == ["python/six/__init__.py"]
