"""Changes doit's own file check misses, which a ``doit build`` must still see.

``tasks.file_check``: a change that keeps a file's mtime still rebuilds its zip. ``chmod +x`` turns
the zip's entry 0755; an edit that puts the mtime back (``cp -p``, ``rsync -t``, ``touch -r``) changes
its bytes. Both move only the change time. ``tasks.build.SourcesHeld``: a file saved while its build
ran (after the zip read it) fails that build, so the next one zips it."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.tasks import file_check
from genesys_tasks.tasks.file_check import ChangeTimeMD5Checker
from settled import settled

from genesys_tasks.commands.init_repo import DODO

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
    return path, ChangeTimeMD5Checker().get_state(str(path), None)


def _modified(path: Path, state) -> bool:
    return ChangeTimeMD5Checker().check_modified(str(path), path.stat(), state)


def test_an_untouched_file_is_unchanged_and_its_state_kept(saved):
    path, state = saved
    assert not _modified(path, state)
    assert ChangeTimeMD5Checker().get_state(str(path), list(state)) is None  # doit keeps it as JSON: a list


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


def test_a_file_of_several_names_is_not_hashed_again_when_a_name_comes_or_goes(saved, monkeypatch):
    """A shared layer zip: linking it for one more function moves its ctime for every function naming it."""
    path, _ = saved
    os.link(path, path.with_name("cache.zip"))
    state = ChangeTimeMD5Checker().get_state(str(path), None)
    settled(path.parent)
    os.link(path, path.with_name("one-more.zip"))
    path.with_name("cache.zip").unlink()
    monkeypatch.setattr(file_check, "get_file_md5", lambda path: pytest.fail("hashed again"))
    assert not _modified(path, state)
    assert ChangeTimeMD5Checker().get_state(str(path), list(state)) is None
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    assert _modified(path, state)  # its bit is still compared


# ---------------------------------------------------------------- doit build

@pytest.fixture
def repo(tmp_path, run_doit):
    """A built function, and ``build()``: one more ``doit build`` there, its Result."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dodo.py").write_text(DODO)
    (root / "lambda_fn.toml").write_text(TOML)
    (root / "app.py").write_text(APP)
    env = {"GENESYS_CACHE_DIR": str(tmp_path / "cache")}

    def build():
        return run_doit("build", cwd=root, env=env)

    _ran(build())
    settled(root)
    return root, build


def _ran(result) -> set[str]:
    """The tasks a successful run ran."""
    assert result.code == 0, result.output
    return set(re.findall(r"^▶ (\S+)", result.stderr, re.M))


def _entry(root: Path, name: str) -> tuple[zipfile.ZipInfo, bytes]:
    with zipfile.ZipFile(root / ".genesys" / "build" / "fn" / "function-x86_64.zip") as archive:
        return archive.getinfo(name), archive.read(name)


def test_doit_build_sees_chmod_plus_x_and_back(repo):
    root, build = repo
    app = root / "app.py"
    app.chmod(0o755)
    assert "build:fn" in _ran(build())
    assert _entry(root, "app.py")[0].external_attr >> 16 == 0o100755
    assert _ran(build()) == set()
    settled(root)
    app.chmod(0o644)
    assert "build:fn" in _ran(build())
    assert _entry(root, "app.py")[0].external_attr >> 16 == 0o100644


def test_doit_build_sees_an_edit_that_puts_the_mtime_back_and_its_undoing(repo):
    """Missing the first edit also kept a saved md5 of the bytes before it: undoing the edit later
    (``git checkout``) then looked unchanged, and the zip kept the edited bytes."""
    root, build = repo
    app = root / "app.py"
    _put_back(app, APP.replace("1", "2"))
    assert "build:fn" in _ran(build())
    assert _entry(root, "app.py")[1] == APP.replace("1", "2").encode()
    settled(root)
    app.write_text(APP)
    assert "build:fn" in _ran(build())
    assert _entry(root, "app.py")[1] == APP.encode()


def test_a_source_saved_while_the_build_runs_fails_it_and_the_next_build_zips_it(repo, tmp_path):
    """doit saves a file's state when the task has run: an edit saved after the zip read the file (here by
    post_build, as a formatter or an editor would) was taken for what the zip holds, for good."""
    root, build = repo
    marker, hook = tmp_path / "edit-while-building", tmp_path / "hook.py"
    hook.write_text("import os, sys\n\nif os.path.exists(sys.argv[1]):\n    os.remove(sys.argv[1])\n"
                    "    open('app.py', 'a').write('# saved during the build\\n')\n")
    (root / "lambda_fn.toml").write_text(TOML + f'post_build = ["{sys.executable} {hook} {marker}"]\n')
    _ran(build())
    settled(root)
    marker.write_text("")
    (root / "app.py").write_text(APP + "# v2\n")
    failed = build()
    assert failed.code == 1, failed.output
    assert "app.py changed while the build ran" in failed.stderr and "run `doit build` again" in failed.stderr
    assert "build:fn" in _ran(build())
    assert _entry(root, "app.py")[1] == (APP + "# v2\n# saved during the build\n").encode()


def test_a_doit_db_an_older_genesys_wrote_makes_one_build_then_none(repo):
    """Its states hold three values under another checker's name: doit runs the task again instead of
    handing them to this checker, and saves this checker's."""
    root, build = repo
    db = root / ".genesys" / "doit.db"
    with sqlite3.connect(db) as conn:
        for task_id, data in conn.execute("select task_id, task_data from doit").fetchall():
            values = json.loads(data)
            if values.get("checker:") == "ChangeTimeMD5Checker":
                values = {key: (value[:3] if isinstance(value, list) and len(value) == 5 else value)
                          for key, value in values.items()}
                values["checker:"] = "SharedMD5Checker"
                conn.execute("update doit set task_data = ? where task_id = ?", (json.dumps(values), task_id))
    again = build()
    assert "build:fn" in _ran(again) and "Traceback" not in again.output
    assert _ran(build()) == set()



def test_a_link_leaving_the_folder_added_after_a_build_fails_the_next_build_as_a_clean_build_does(repo, tmp_path):
    """The link is no source the zip carries (a problem of the listing), so no file doit checks changed:
    the build said up to date and the zip went on without the file the handler now imports."""
    root, build = repo
    outside = tmp_path / "outside.py"
    outside.write_text("X = 1\n")
    (root / "util.py").symlink_to(outside)
    for _ in range(2):  # every build until it is fixed, as a build from nothing does
        failed = build()
        assert failed.code == 1, failed.output
        assert "util.py is a link to" in failed.stderr and "Traceback" not in failed.output
    (root / "util.py").unlink()
    fixed = build()
    assert fixed.code == 0, fixed.output
    assert "util.py" not in zipfile.ZipFile(root / ".genesys" / "build" / "fn" / "function-x86_64.zip").namelist()
