"""Where the wizard's code comes from: a local git repository cloned by file:// URL (at a ref), and zips
extracted safely (no path escapes, no links, bounded size and file count); what init writes from each."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.cli import main
from genesys_tasks.config import load
from genesys_tasks.errors import BuildError, UsageError
from genesys_tasks.wizard import sources
from genesys_tasks.wizard.answers import Source
from wizard_projects import git_repo, node_folder, python_folder, zipped


def test_locations_are_told_apart_and_named_after_their_repository_or_zip():
    assert [sources.classify(x) for x in ("file:///r/x", "https://h/o/api.git", "git@h:o/api.git", "a.zip", "src")] \
        == ["git", "git", "git", "zip", "folder"]
    assert sources.default_folder("https://h/o/api.git", "git") == "api"
    assert sources.default_folder("git@h:o/my-api.git", "git") == "my-api"
    assert sources.default_folder("dl/Bundle.ZIP", "zip") == "Bundle"


def test_init_from_a_git_url_clones_at_the_ref_and_points_the_toml_at_the_clone(tmp_path):
    repo = python_folder(tmp_path / "upstream")
    url = git_repo(repo)
    (repo / "app.py").write_text("# after the tag: no handler here\n")  # the working tree moved on; v1 did not
    work = tmp_path / "work"
    work.mkdir()
    assert main(["init", "--source", url, "--ref", "v1", "--dir", str(work), "--name", "fn",
                 "--build-method", "local", "--yes"]) == 0
    spec = load(work / "lambda_fn_python314.toml")
    assert spec.build.source_path == (work / "upstream").resolve() and spec.handler == "app.lambda_handler"
    assert 'source_path = "upstream"' in (work / "lambda_fn_python314.toml").read_text()


def test_a_bad_ref_fails_clearly_and_leaves_no_clone(tmp_path):
    url = git_repo(python_folder(tmp_path / "upstream"))
    with pytest.raises(BuildError) as caught:
        sources.materialize(Source("git", url, "no-such-ref", "clone"), tmp_path)
    assert "checkout" in caught.value.message and "ref" in caught.value.hint
    assert not (tmp_path / "clone").exists()


def test_init_from_a_zip_extracts_it_next_to_the_toml(tmp_path):
    archive = zipped(node_folder(tmp_path / "pkg"), tmp_path / "bundle.zip")
    work = tmp_path / "work"
    work.mkdir()
    assert main(["init", "--source", str(archive), "--dir", str(work), "--build-method", "local", "--yes"]) == 0
    spec = load(work / "lambda_bundle_nodejs24x.toml")
    assert spec.handler == "index.handler" and (work / "bundle" / "index.js").is_file()


def test_an_init_that_writes_nothing_leaves_no_extracted_folder_behind(tmp_path):
    archive = zipped(node_folder(tmp_path / "pkg"), tmp_path / "bundle.zip")
    (tmp_path / "lambda_bundle_nodejs24x.toml").write_text("# mine\n")
    assert main(["init", "--source", str(archive), "--dir", str(tmp_path), "--build-method", "local", "--yes"]) == 2
    assert not (tmp_path / "bundle").exists() and (tmp_path / "lambda_bundle_nodejs24x.toml").read_text() == "# mine\n"


def _zip(path: Path, entries: list[tuple[str, bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w") as handle:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            handle.writestr(info, data)
    return path


@pytest.mark.parametrize("name, mode, said", [
    ("../escape.py", stat.S_IFREG | 0o644, "points outside the folder"),
    ("/etc/escape.py", stat.S_IFREG | 0o644, "points outside the folder"),
    ("a/../../escape.py", stat.S_IFREG | 0o644, "points outside the folder"),
    ("link", stat.S_IFLNK | 0o777, "is a link or a special file"),
])
def test_zip_entries_that_escape_or_link_out_are_refused_before_anything_is_written(tmp_path, name, mode, said):
    archive = _zip(tmp_path / "bad.zip", [("app.py", b"x", stat.S_IFREG | 0o644), (name, b"/etc/passwd", mode)])
    with pytest.raises(UsageError) as caught:
        sources.extract_zip(archive, tmp_path / "out")
    assert said in caught.value.message
    assert not (tmp_path / "out").exists() and not (tmp_path / "escape.py").exists()


def test_zip_size_and_file_count_are_bounded(tmp_path, monkeypatch):
    archive = _zip(tmp_path / "big.zip", [(f"f{i}.py", b"x" * 100, stat.S_IFREG | 0o644) for i in range(5)])
    monkeypatch.setattr(sources, "MAX_FILES", 4)
    with pytest.raises(UsageError, match="holds 5 files, over 4"):
        sources.extract_zip(archive, tmp_path / "out")
    monkeypatch.setattr(sources, "MAX_FILES", 10)
    monkeypatch.setattr(sources, "MAX_BYTES", 499)
    with pytest.raises(UsageError, match="unpacks to 500 bytes, over 499"):
        sources.extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_zip_keeps_executable_bits_and_an_existing_folder_is_used_as_it_is(tmp_path):
    archive = _zip(tmp_path / "ok.zip", [("bin/run", b"#!/bin/sh\n", stat.S_IFREG | 0o755), ("d/", b"", 0)])
    assert sources.extract_zip(archive, tmp_path / "out") == 1
    assert (tmp_path / "out" / "bin" / "run").stat().st_mode & 0o111
    folder, said = sources.materialize(Source("zip", "ok.zip", "", "out"), tmp_path)
    assert folder == (tmp_path / "out").resolve() and "as it is" in said


# --- what the user names never reaches git as an option ------------------------------------------------

def test_a_ref_or_source_starting_with_a_dash_never_reaches_git_as_an_option(tmp_path, capsys):
    url = git_repo(python_folder(tmp_path / "upstream"))
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE\n")
    work = tmp_path / "work"
    work.mkdir()
    common = ["--dir", str(work), "--name", "fn", "--build-method", "local", "--yes", "--into", "clone"]

    assert main(["init", "--source", url, f"--ref=--pathspec-from-file={secret}", *common]) == 2
    out = capsys.readouterr()
    assert "TOP-SECRET-LINE" not in out.out + out.err and "starts with '-'" in out.err
    assert main(["init", "--source=-uecho@example.com:repo", *common]) == 2
    assert "starts with '-'" in capsys.readouterr().err
    assert not (work / "clone").exists() and not list(work.glob("lambda_*.toml"))


def test_a_ref_git_would_not_accept_is_refused_and_a_commit_id_is_checked_out(tmp_path):
    import subprocess

    repo = python_folder(tmp_path / "upstream")
    url = git_repo(repo)
    for bad in ("main..x", "v1 ", "a:b", "HEAD@{1}~"):
        with pytest.raises(UsageError, match="is not a valid branch or tag name") as caught:
            sources.materialize(Source("git", url, bad, f"clone-{len(bad)}"), tmp_path)
        assert caught.value.exit_code == 2
    assert not list(tmp_path.glob("clone-*"))
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    folder, said = sources.materialize(Source("git", url, commit[:12], "at-commit"), tmp_path)
    assert (folder / "app.py").is_file() and commit[:12] in said


# --- zips that cannot be extracted as they are ------------------------------------------------------------

@pytest.mark.parametrize("entries, said", [
    ([("app.py", b"one", stat.S_IFREG | 0o644), ("app.py", b"two", stat.S_IFREG | 0o644)], "holds 'app.py' twice"),
    ([("lib", b"a file", stat.S_IFREG | 0o644), ("lib/mod.py", b"x", stat.S_IFREG | 0o644)],
     "holds 'lib' both as a file and as a folder"),
    ([("lib/mod.py", b"x", stat.S_IFREG | 0o644), ("lib", b"a file", stat.S_IFREG | 0o644)],
     "holds 'lib' both as a file and as a folder"),
    ([("lib/", b"", stat.S_IFDIR | 0o755), ("lib", b"a file", stat.S_IFREG | 0o644)],
     "holds 'lib' both as a file and as a folder"),
])
def test_a_zip_with_duplicate_or_file_versus_folder_entries_is_refused_and_leaves_nothing(tmp_path, capsys,
                                                                                          entries, said):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is told to write
        archive = _zip(tmp_path / "bundle.zip", [("index.py", b"def handler(e, c): pass\n",
                                                  stat.S_IFREG | 0o644), *entries])
    work = tmp_path / "work"
    work.mkdir()
    assert main(["init", "--source", str(archive), "--dir", str(work), "--build-method", "local", "--yes"]) == 2
    assert said in capsys.readouterr().err
    assert [p.name for p in work.iterdir()] == []


def test_a_zip_that_breaks_off_mid_way_leaves_no_folder_to_reuse(tmp_path, capsys):
    archive = zipped(node_folder(tmp_path / "pkg"), tmp_path / "bundle.zip")
    with zipfile.ZipFile(archive) as handle:
        last = handle.infolist()[-1]
    data = bytearray(archive.read_bytes())
    start = last.header_offset + 30 + len(last.filename.encode()) + len(last.extra)
    data[start:start + last.compress_size] = bytes(b ^ 0xFF for b in data[start:start + last.compress_size])
    archive.write_bytes(bytes(data))  # the last entry's bytes no longer match its CRC
    work = tmp_path / "work"
    work.mkdir()
    assert main(["init", "--source", str(archive), "--dir", str(work), "--build-method", "local", "--yes"]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert [p.name for p in work.iterdir()] == []

    good = zipped(node_folder(tmp_path / "pkg2"), tmp_path / "bundle.zip")
    assert main(["init", "--source", str(good), "--dir", str(work), "--build-method", "local", "--yes"]) == 0
    assert (work / "bundle" / "index.js").is_file()


def test_a_zip_bomb_is_refused_by_its_ratio_and_unpacked_size_is_capped_at_250_mb(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("index.py", b"\0" * (8 * 1024 * 1024))  # 8 MB of zeros packs to about 8 KB
    assert archive.stat().st_size < 100_000
    with pytest.raises(UsageError, match="times as much: not source code") as caught:
        sources.extract_zip(archive, tmp_path / "out")
    assert caught.value.exit_code == 2 and not (tmp_path / "out").exists()
    assert sources.MAX_BYTES == 250 * 1024 * 1024
