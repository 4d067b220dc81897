"""The spec cache: a no-op ``doit build`` reads no TOML, and any change to a file a spec stands on is seen.

Files are dated ten seconds back before the first run, so its entries are trusted (a file
changed within ``build.walk.RACY_NS`` of being stat'ed never is); every edit after that is new.
"""

from __future__ import annotations

import datetime
import os
import pickle
import re
import time
from pathlib import Path

import pytest

from genesys_tasks.commands.init_repo import DODO
from genesys_tasks.config import load
from genesys_tasks.tasks import spec_cache

APP = '''def lambda_handler(event, context):
    return 1


def other(event, context):
    return 2
'''
TOML = '''[metadata]
name = "{name}"
runtime = "python3.12"
handler = "app.lambda_handler"

[build]
requirements_file = "../requirements.txt"
{extra}'''


def _age(root: Path, seconds: float = 10) -> None:
    """Date every file and folder below ``root`` ``seconds`` back."""
    when = time.time() - seconds
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (when, when))
    os.utime(root, (when, when))


def _function(repo: Path, name: str, extra: str = "") -> Path:
    folder = repo / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(APP)
    toml = folder / f"lambda_{name}.toml"
    toml.write_text(TOML.format(name=name, extra=extra))
    return toml


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dodo.py").write_text(DODO)
    (root / "requirements.txt").write_text("six\n")
    _function(root, "alpha")
    _function(root, "beta", extra='\n[deployment]\nfunction_url = true\nauth_type = "NONE"\n')
    _age(root)
    return root


def executed(result) -> set[str]:
    return set(re.findall(r"^▶ (\S+)", result.stderr, re.M))


@pytest.fixture
def build(repo, run_doit, tmp_path):
    def run(*args):
        return run_doit("build", *args, cwd=repo, env={"GENESYS_CACHE_DIR": str(tmp_path / "cache")})

    first = run()
    assert first.code == 0, first.output
    return run


def _cache_entries(repo: Path) -> dict:
    return pickle.loads(spec_cache.cache_file(repo, None).read_bytes()[spec_cache.CHECKSUM_SIZE:])[1]


def test_a_build_keeps_every_spec_and_a_no_op_run_loads_no_toml(repo, build):
    assert set(_cache_entries(repo)) == {str(repo / "alpha" / "lambda_alpha.toml"),
                                         str(repo / "beta" / "lambda_beta.toml")}
    loaded: list[Path] = []

    def load_one(path, warn):
        loaded.append(path)
        return load(path, warn=warn)

    tomls = [repo / "alpha" / "lambda_alpha.toml", repo / "beta" / "lambda_beta.toml"]
    today = os.environ.get("GENESYS_TODAY", "2026-11-26")  # the day the run had (tests/conftest.py)
    got = spec_cache.load(repo, tomls, "lambda_*.toml", None, today, load_one, lambda line: None)
    assert loaded == []
    assert [function.name for function in got] == ["alpha", "beta"]
    assert got[0].sources == [str(repo / "alpha" / "app.py")]


def test_a_spec_read_from_the_cache_equals_the_one_its_toml_loads_paths_included(repo, build):
    today = os.environ.get("GENESYS_TODAY", "2026-11-26")
    toml = repo / "alpha" / "lambda_alpha.toml"
    function, = spec_cache.load(repo, [toml], "lambda_*.toml", None, today, None, lambda line: None)
    cached = function.spec
    fresh = load(toml, warn=lambda line: None)
    assert cached == fresh
    assert (type(cached.path), cached.path, cached.source_path) == (type(fresh.path), toml, repo / "alpha")


def test_a_no_op_build_from_the_cache_runs_nothing_and_still_says_the_load_warnings(build):
    again = build()
    assert again.code == 0, again.output
    assert executed(again) == set()
    assert "beta: the function URL is public" in again.stderr


def test_a_toml_edit_is_seen(repo, build):
    toml = repo / "alpha" / "lambda_alpha.toml"
    toml.write_text(toml.read_text().replace("app.lambda_handler", "app.other"))
    result = build()
    assert result.code == 0, result.output
    assert "build:alpha" in executed(result)  # the handler is a package setting
    assert not {"build:beta", "layer:alpha"} & executed(result)


def test_an_edit_that_keeps_the_size_and_puts_the_mtime_back_is_seen(repo, build):
    """``cp -p``, ``rsync -t`` and ``touch -r`` leave a changed file with its old mtime, and an edit may keep
    its size: its change time still moves, and the cache must not give the spec the TOML had before."""
    toml = repo / "alpha" / "lambda_alpha.toml"
    before = toml.stat()
    old, new = 'handler = "app.lambda_handler"', 'handler = "app.other"'
    text = toml.read_text()
    toml.write_text(text.replace(old, new + "\n#" + "x" * (len(old) - len(new) - 2)))
    os.utime(toml, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = toml.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    result = build()
    assert result.code == 0, result.output
    assert "build:alpha" in executed(result)  # the handler is a package setting
    today = os.environ.get("GENESYS_TODAY", "2026-11-26")
    function, = spec_cache.load(repo, [toml], "lambda_*.toml", None, today, None, lambda line: None)
    assert function.spec.handler == "app.other"


def test_a_touched_requirements_file_is_seen(repo, build):
    zips = [repo / ".genesys" / "build" / name / "function-x86_64.zip" for name in ("alpha", "beta")]
    before = [z.read_bytes() for z in zips]
    (repo / "requirements.txt").write_text("six==1.17.0\n")
    result = build()
    assert result.code == 0, result.output
    assert executed(result) >= {"layer:alpha"}  # the one layer task alpha and beta share
    assert [z.read_bytes() for z in zips] == before  # the function zips do not hold the dependencies
    (repo / "requirements.txt").unlink()
    gone = build()
    assert gone.code == 2, gone.output
    assert "requirements_file" in gone.stderr and "Traceback" not in gone.output


def test_a_renamed_handler_file_is_seen(repo, build):
    (repo / "alpha" / "app.py").rename(repo / "alpha" / "main.py")
    result = build()
    assert result.code == 2, result.output
    assert "alpha" in result.stderr and "app" in result.stderr
    assert "Traceback" not in result.output


def test_a_corrupt_cache_file_is_rebuilt_not_trusted(repo, build):
    where = spec_cache.cache_file(repo, None)
    for garbage in (b"", b"not a pickle at all", where.read_bytes()[:100]):
        where.write_bytes(garbage)
        result = build()
        assert result.code == 0, result.output
        assert executed(result) == set() and "Traceback" not in result.output
        assert len(_cache_entries(repo)) == 2


def test_a_cache_entry_stands_only_on_files_old_enough_to_trust(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "requirements.txt").write_text("six\n")
    toml = _function(tmp_path, "fresh")
    calls: list[Path] = []

    def load_one(path, warn):
        calls.append(path)
        return load(path, warn=warn)

    for _ in range(2):  # the files were just written: their stats cannot tell the next edit apart
        spec_cache.load(tmp_path, [toml], "lambda_*.toml", None, "2026-11-26", load_one, lambda line: None)
    assert calls == [toml, toml]
    _age(tmp_path)
    for _ in range(2):
        spec_cache.load(tmp_path, [toml], "lambda_*.toml", None, "2026-11-26", load_one, lambda line: None)
    assert calls == [toml, toml, toml]
    spec_cache.load(tmp_path, [toml], "lambda_*.toml", "prod", "2026-11-26", load_one, lambda line: None)
    spec_cache.load(tmp_path, [toml], "lambda_*.toml", None, "2026-11-27", load_one, lambda line: None)
    assert len(calls) == 5  # another stage or another day is another context


def test_functions_sharing_a_requirements_file_share_one_layer_task_and_each_zip_names_it(repo, run_doit, tmp_path):
    env = {"GENESYS_CACHE_DIR": str(tmp_path / "cache")}
    listed = run_doit("list", "--all", cwd=repo, env=env)
    assert listed.code == 0, listed.output
    layer_tasks = [line.split()[0] for line in listed.stdout.splitlines() if line.startswith("layer:")]
    assert layer_tasks == ["layer:alpha"]
    alone = run_doit("build:beta", cwd=repo, env=env)  # beta's build waits for the layer task it shares
    assert alone.code == 0, alone.output
    assert {"layer:alpha", "build:beta"} <= executed(alone)
    zips = [repo / ".genesys" / "build" / name / "layer-x86_64.zip" for name in ("alpha", "beta")]
    assert os.path.samefile(*zips)


def test_a_run_over_one_toml_keeps_the_other_entries_and_a_deleted_toml_leaves_the_cache(repo, build):
    alpha, beta = repo / "alpha" / "lambda_alpha.toml", repo / "beta" / "lambda_beta.toml"
    spec_cache.load(repo, [alpha], "lambda_*.toml", None, os.environ.get("GENESYS_TODAY", "2026-11-26"),
                    lambda path, warn: load(path, warn=warn), lambda line: None)
    assert set(_cache_entries(repo)) == {str(alpha), str(beta)}
    beta.unlink()
    spec_cache.load(repo, [alpha], "lambda_*.toml", None, os.environ.get("GENESYS_TODAY", "2026-11-26"),
                    lambda path, warn: load(path, warn=warn), lambda line: None)
    assert set(_cache_entries(repo)) == {str(alpha)}


def test_an_edited_version_pin_the_zip_leaves_out_is_seen(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "pinned"
    folder.mkdir()
    (folder / "app.py").write_text(APP)
    (folder / ".python-version").write_text("3.12\n")
    toml = folder / "lambda_pinned.toml"
    toml.write_text('[metadata]\nname = "pinned"\nhandler = "app.lambda_handler"\n'
                    '[build]\nexclude = [".python-version"]\n')
    _age(tmp_path)

    def specs():
        return spec_cache.load(tmp_path, [toml], "lambda_*.toml", None, "2026-11-26",
                               lambda path, warn: load(path, warn=warn, today=datetime.date(2026, 11, 26)),
                               lambda line: None)

    assert specs()[0].spec.runtime.id == "python3.12"
    assert specs()[0].spec.runtime.id == "python3.12"  # from the cache
    (folder / ".python-version").write_text("3.13\n")  # same size: only its stat tells
    assert specs()[0].spec.runtime.id == "python3.13"


def _today() -> str:
    return os.environ.get("GENESYS_TODAY", "2026-11-26")  # the day the runs had (tests/conftest.py)


def _cached(repo: Path, tomls: list[Path]):
    return spec_cache.load(repo, tomls, "lambda_*.toml", None, _today(), None, lambda line: None)


def test_a_no_op_load_unpickles_no_spec_and_one_asked_for_equals_what_its_toml_loads(repo, build, monkeypatch):
    from genesys_tasks.tasks.build import facts_of

    unpacked = []
    unpack = spec_cache._unpack
    monkeypatch.setattr(spec_cache, "_unpack", lambda blob: unpacked.append(blob) or unpack(blob))
    tomls = [repo / "alpha" / "lambda_alpha.toml", repo / "beta" / "lambda_beta.toml"]
    alpha, beta = _cached(repo, tomls)
    assert unpacked == []  # neither a repeated name nor an S3 trigger: nothing to check them together for
    fresh = load(tomls[1], warn=lambda line: None)
    assert beta.facts == facts_of(fresh)  # the tasks are made from these alone
    assert beta.spec == fresh and len(unpacked) == 1
    assert beta.spec is beta.spec and len(unpacked) == 1  # unpickled once


def test_the_build_tasks_made_from_the_cache_equal_those_made_from_the_loaded_specs(repo, build):
    from genesys_tasks.tasks.build import LayerInputs, build_task, function_of, layer_task

    def shape(task):
        return {key: [getattr(u, "config", u) for u in value] if key == "uptodate"
                else [repr(a) for a in value] if key == "actions" else value for key, value in task.items()}

    for cached in _cached(repo, [repo / "alpha" / "lambda_alpha.toml", repo / "beta" / "lambda_beta.toml"]):
        fresh = function_of(load(Path(cached.spec.path), warn=lambda line: None), cached.sources)
        for make in (lambda f: build_task(f, repo, LayerInputs()), lambda f: layer_task(f, repo)):
            assert shape(make(cached)) == shape(make(fresh))


def test_a_byte_changed_anywhere_in_the_cache_file_is_seen_and_the_cache_rebuilt(repo, build):
    where = spec_cache.cache_file(repo, None)
    data = bytearray(where.read_bytes())
    alpha = repo / "alpha" / "lambda_alpha.toml"
    for at in (len(data) // 2, len(data) - 2):  # inside the pickled specs, which are unpickled only later
        changed = bytearray(data)
        changed[at] ^= 0x01
        where.write_bytes(bytes(changed))
        loaded: list[Path] = []
        spec_cache.load(repo, [alpha], "lambda_*.toml", None, _today(),
                        lambda path, warn: loaded.append(path) or load(path, warn=warn), lambda line: None)
        assert loaded == [alpha]
        assert where.read_bytes() != bytes(changed)


def test_specs_from_the_cache_that_clash_are_still_refused(repo, build):
    from genesys_tasks.errors import ConfigError

    s3 = '\n[[triggers]]\ntype = "s3"\nbucket = "photos"\nprefix = "{prefix}"\n'
    first = _function(repo, "gamma", extra=s3.format(prefix="in/"))
    second = _function(repo, "delta", extra=s3.format(prefix="in/jpg/"))
    _age(repo)
    for toml in (first, second):  # each run over one TOML alone: both kept, never checked together
        spec_cache.load(repo, [toml], "lambda_*.toml", None, _today(),
                        lambda path, warn: load(path, warn=warn), lambda line: None)
    with pytest.raises(ConfigError, match="overlap on bucket 'photos'"):
        _cached(repo, [first, second])
    alpha = repo / "alpha" / "lambda_alpha.toml"
    (repo / "beta" / "lambda_beta.toml").write_text(TOML.format(name="alpha", extra=""))
    with pytest.raises(ConfigError, match="function name 'alpha' is also used by"):
        spec_cache.load(repo, [alpha, repo / "beta" / "lambda_beta.toml"], "lambda_*.toml", None, _today(),
                        lambda path, warn: load(path, warn=warn), lambda line: None)


def test_check_together_sees_every_spec_when_a_name_repeats_and_only_the_s3_ones_otherwise():
    from genesys_tasks.config import may_clash

    assert may_clash([("a", False), ("b", True), ("c", False), ("d", True)]) == [1, 3]
    assert may_clash([("a", False), ("b", False), ("a", False)]) == [0, 1, 2]
    assert may_clash([("a", False), ("b", False)]) == []


def test_a_no_op_load_unpickles_one_spec_a_manifest_to_work_out_its_layer_inputs(repo, monkeypatch):
    from doit.loader import load_tasks

    from genesys_tasks.tasks import creators

    def tasks() -> list[str]:
        made = creators(repo, listing=False)
        return [task.name for task in load_tasks({name: made[name] for name in ("task_layer", "task_build")})]

    first = tasks()  # loads both TOMLs and keeps their specs
    unpacked = []
    unpack = spec_cache._unpack
    monkeypatch.setattr(spec_cache, "_unpack", lambda blob: unpacked.append(blob) or unpack(blob))
    assert tasks() == first and "layer:alpha" in first and "layer:beta" not in first
    assert len(unpacked) == 1  # alpha's: beta names the same ../requirements.txt


def test_a_file_added_to_a_build_shared_folder_is_seen_and_zipped(repo, run_doit, tmp_path):
    """A ``[build] shared`` folder's files are the function's sources too: a file added there is zipped by the
    next build, not hidden by the cache's list of the function's files."""
    import zipfile

    common = repo / "common"
    (common / "inner").mkdir(parents=True)
    (common / "helpers.py").write_text("X = 1\n")
    _function(repo, "gamma", extra='shared = ["../common"]\n')
    _age(repo)

    def build():
        return run_doit("build", cwd=repo, env={"GENESYS_CACHE_DIR": str(tmp_path / "cache")})

    assert build().code == 0
    assert build().code == 0  # a no-op: the cache kept gamma's spec and its files
    zipped = repo / ".genesys" / "build" / "gamma" / "function-x86_64.zip"
    for added in (common / "more.py", common / "inner" / "deep.py"):
        added.write_text("Y = 2\n")
        result = build()
        assert result.code == 0, result.output
        assert "build:gamma" in executed(result)
        assert f"common/{added.relative_to(common).as_posix()}" in zipfile.ZipFile(zipped).namelist()
