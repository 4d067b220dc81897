"""doit's file check as genesys configures it (``tasks.file_check``): a change that keeps a file's
mtime still rebuilds its zip. ``chmod +x`` turns the zip's entry 0755; an edit that puts the mtime
back (``cp -p``, ``rsync -t``, ``touch -r``) changes its bytes. Both move only the change time."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.tasks.file_check import SharedMD5Checker
from settled import settled

TOML = '''[metadata]
name = "fn"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
architectures = ["x86_64"]
'''
APP = "def lambda_handler(event, context):\n    return 1\n"


def _put_back(path: Path, text: str) -> None:
    """Write ``text`` (the same size) into ``path`` and give it back its mtime, as ``cp -p`` does."""
    before = path.stat()
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)


# ---------------------------------------------------------------- the checker alone

@pytest.fixture
def saved(tmp_path):
    """A file and the state the checker saved of it."""
    path = tmp_path / "app.py"
    path.write_text(APP)
    settled(tmp_path)  # a change made now gets a later ctime than the state saved
    return path, SharedMD5Checker().get_state(str(path), None)


def _modified(path: Path, state) -> bool:
    return SharedMD5Checker().check_modified(str(path), path.stat(), state)


def test_an_untouched_file_is_unchanged_and_its_state_kept(saved):
    path, state = saved
    assert not _modified(path, state)
    assert SharedMD5Checker().get_state(str(path), list(state)) is None  # doit keeps it as JSON: a list


def test_chmod_plus_x_is_a_change(saved):
    path, state = saved
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    assert _modified(path, state)


def test_an_edit_that_keeps_size_and_mtime_is_a_change(saved):
    path, state = saved
    _put_back(path, APP.replace("1", "2"))
    assert _modified(path, state)


def test_a_touch_or_a_new_link_is_no_change(saved):
    path, state = saved
    os.link(path, path.with_name("link.py"))  # moves the ctime, not the bytes or the mode
    path.touch()
    assert not _modified(path, state)


def test_a_state_doit_saved_is_checked_as_doit_checks_it(saved):
    path, state = saved
    doit_state = list(state[:3])  # (timestamp, size, md5): an older genesys's doit.db
    assert not _modified(path, doit_state)
    path.write_text(APP + "#\n")
    assert _modified(path, doit_state)
    assert len(SharedMD5Checker().get_state(str(path), doit_state)) == 5  # replaced when its task runs


# ---------------------------------------------------------------- doit build

@pytest.fixture
def repo(tmp_path, run_doit):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dodo.py").write_text("from genesys_tasks.tasks import creators\n\nglobals().update(creators())\n")
    (root / "lambda_fn.toml").write_text(TOML)
    (root / "app.py").write_text(APP)
    env = {"GENESYS_CACHE_DIR": str(tmp_path / "cache")}

    def build():
        result = run_doit("build", cwd=root, env=env)
        assert result.code == 0, result.output
        return set(re.findall(r"^▶ (\S+)", result.stderr, re.M))

    build()
    settled(root)
    return root, build


def _entry(root: Path, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(root / ".genesys" / "build" / "fn" / "function-x86_64.zip") as archive:
        return archive.getinfo(name), archive.read(name)


def test_doit_build_sees_chmod_plus_x_and_back(repo):
    root, build = repo
    app = root / "app.py"
    app.chmod(0o755)
    assert "build:fn" in build()
    assert _entry(root, "app.py")[0].external_attr >> 16 == 0o100755
    assert build() == set()
    settled(root)
    app.chmod(0o644)
    assert "build:fn" in build()
    assert _entry(root, "app.py")[0].external_attr >> 16 == 0o100644


def test_doit_build_sees_an_edit_that_puts_the_mtime_back_and_its_undoing(repo):
    """Missing the first edit also kept a saved md5 of the bytes before it: undoing the edit later
    (``git checkout``) then looked unchanged, and the zip kept the edited bytes."""
    root, build = repo
    app = root / "app.py"
    _put_back(app, APP.replace("1", "2"))
    assert "build:fn" in build()
    assert _entry(root, "app.py")[1] == APP.replace("1", "2").encode()
    settled(root)
    app.write_text(APP)
    assert "build:fn" in build()
    assert _entry(root, "app.py")[1] == APP.encode()
