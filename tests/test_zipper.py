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


def _varied_tree(root: Path) -> list[tuple[str, Path]]:
    """Files of every kind a layer holds: empty, executable, non-ASCII names, larger than a read chunk,
    incompressible, and many small ones."""
    import random

    rng = random.Random(7)
    files = {
        "python/empty.py": b"",
        "python/bin/tool": b"#!/bin/sh\necho hi\n",
        "python/caf\u00e9/na\u00efve.py": "X = '\u00e9'\n".encode(),
        "python/big/data.txt": b"".join(b"line %d of a long file\n" % i for i in range(120_000)),
        "python/big/native.so": rng.randbytes(700_000),
        **{f"python/many/m{i:03d}.py": (f"V = {i}\n" * (i % 17)).encode() for i in range(300)},
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "python/bin/tool").chmod(0o755)
    return tree_entries(root)


def test_a_zip_written_on_threads_has_the_bytes_zipfile_writes_for_the_same_entries(tmp_path, monkeypatch):
    from genesys_tasks.build import zipper
    from genesys_tasks.build.zipper import sha256_file

    entries = _varied_tree(tmp_path / "tree")
    zipper._fill_with_zipfile(sorted(entries), tmp_path / "reference.zip")
    reference = (tmp_path / "reference.zip").read_bytes()
    monkeypatch.setattr(zipper, "WINDOW", 64 * 1024)  # several windows, each with its largest file first
    monkeypatch.setattr(zipper, "CHUNK", 4093)  # read in other pieces than zipfile's: the same stream
    for threads in (1, 2, 4):
        monkeypatch.setattr(zipper, "_threads", lambda threads=threads: threads)
        dest = tmp_path / f"threads-{threads}.zip"
        sha256 = write_zip(list(reversed(entries)), dest)
        assert dest.read_bytes() == reference, f"{threads} threads"
        assert sha256 == sha256_file(dest)
    with zipfile.ZipFile(tmp_path / "threads-4.zip") as archive:
        assert archive.testzip() is None
        assert archive.read("python/caf\u00e9/na\u00efve.py") == "X = '\u00e9'\n".encode()


def test_a_zip_too_big_for_plain_records_is_written_by_zipfile_with_the_same_bytes(tmp_path, monkeypatch):
    from genesys_tasks.build import zipformat, zipper

    entries = _varied_tree(tmp_path / "tree")
    threaded = write_zip(entries, tmp_path / "threaded.zip")
    monkeypatch.setattr(zipformat, "_COUNT_LIMIT", 10)  # as if it held more than 65,535 entries
    calls = []
    monkeypatch.setattr(zipper, "_fill_with_zipfile",
                        lambda ordered, tmp, real=zipper._fill_with_zipfile: calls.append(tmp) or real(ordered, tmp))
    assert write_zip(entries, tmp_path / "zipfile.zip") == threaded
    assert calls, "zipfile wrote it"


def test_an_unreadable_file_among_many_stops_the_zip_with_its_name_and_leaves_the_old_zip(tmp_path):
    import pytest

    from genesys_tasks.errors import BuildError

    entries = _varied_tree(tmp_path / "tree")
    dest = tmp_path / "layer.zip"
    dest.write_bytes(b"the previous zip")
    fifo = tmp_path / "tree" / "python" / "many" / "m150.py"
    fifo.unlink()
    os.mkfifo(fifo)
    with pytest.raises(BuildError, match="m150.py is not a regular file"):
        write_zip(entries, dest)
    assert dest.read_bytes() == b"the previous zip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layer.zip", "tree"]
