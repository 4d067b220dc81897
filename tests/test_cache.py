"""The content-addressed layer cache: keys, atomic entries, pruning, and `genesys cache ls/prune`."""

from __future__ import annotations

import json
import os
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer, cache_key
from genesys_tasks.errors import BuildError
from genesys_tasks.paths import cache_dir
from genesys_tasks.runtimes import DEFAULT


def make_job(folder: Path, requirements: str = "six\n", runtime: str = "python3.12", arch: str = "x86_64",
             **extra) -> InstallJob:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.txt").write_text(requirements)
    return InstallJob(runtime=DEFAULT.lookup(runtime), arch=arch, manifest=folder / "requirements.txt",
                      source=folder, target=Path(), installer="pip", **extra)


def make_zip(path: Path, content: bytes = b"x = 1\n") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("python/mod.py", content)
    return path


# --- keys -----------------------------------------------------------------------------------------

def test_same_manifest_bytes_in_two_repos_give_the_same_key(tmp_path):
    one = make_job(tmp_path / "repo-a" / "fn")
    two = make_job(tmp_path / "repo-b" / "deeper" / "fn")
    assert cache_key(one, "pip 23") == cache_key(two, "pip 23")


@pytest.mark.parametrize("change", ["manifest", "runtime", "arch", "method", "installer_version"])
def test_key_changes_with_each_input_that_decides_the_layer(change, tmp_path):
    base = make_job(tmp_path / "a")
    version = "pip 23.2.1"
    if change == "manifest":
        other, other_version = make_job(tmp_path / "b", requirements="six==1.16.0\n"), version
    elif change == "runtime":
        other, other_version = replace(base, runtime=DEFAULT.lookup("python3.11")), version
    elif change == "arch":
        other, other_version = replace(base, arch="arm64"), version
    elif change == "method":
        other, other_version = replace(base, method="podman"), version
    else:
        other, other_version = base, "uv 0.13.9"
    assert cache_key(base, version) != cache_key(other, other_version)


def test_key_changes_when_a_lock_file_beside_the_manifest_changes(tmp_path):
    job = make_job(tmp_path / "fn")
    before = cache_key(job, "pip 23")
    (tmp_path / "fn" / "poetry.lock").write_text("# locked\n")
    assert cache_key(job, "pip 23") != before


# --- entries --------------------------------------------------------------------------------------

def test_get_misses_an_unknown_key_and_hits_after_put(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    assert cache.get("ab" * 32) is None
    stored = cache.put("ab" * 32, make_zip(tmp_path / "l.zip"), {"runtime": "python3.12", "arch": "x86_64"})
    assert cache.get("ab" * 32) == stored
    assert stored.read_bytes() == (tmp_path / "l.zip").read_bytes()
    assert cache.get("cd" * 32) is None


def test_leftover_temp_file_of_a_killed_put_is_never_returned_or_listed(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    key = "ef" * 32
    cache.root.mkdir(parents=True)
    leftover = cache.root / f".{key}.zip.4242.123456"
    leftover.write_bytes(b"half a zip")
    assert cache.get(key) is None
    assert cache.entries() == []


def test_prune_removes_old_entries_and_stale_temp_files_and_keeps_recent_ones(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    old, new = "01" * 32, "02" * 32
    cache.put(old, make_zip(tmp_path / "old.zip"), {})
    cache.put(new, make_zip(tmp_path / "new.zip", b"y = 2\n"), {})
    meta = cache.root / f"{old}.json"
    meta.write_text(json.dumps(dict(json.loads(meta.read_text()), created=time.time() - 10 * 86400)))
    stale = cache.root / f".{old}.zip.1.2"
    stale.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))

    removed = cache.prune(older_than_days=7)

    assert [entry.key for entry in removed] == [old]
    assert cache.get(old) is None and not meta.exists() and not stale.exists()
    assert cache.get(new) is not None


def test_failed_build_leaves_no_cache_entry_and_a_later_good_build_is_reused(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    bad = make_job(tmp_path / "bad", requirements="genesys-no-such-package-zz==1.0\n")
    with pytest.raises(BuildError):
        build_layer(bad, tmp_path / "out" / "bad.zip", cache)
    assert cache.entries() == []
    assert not (tmp_path / "out" / "bad.zip").exists()

    good = make_job(tmp_path / "good")
    sha, from_cache = build_layer(good, tmp_path / "out" / "first.zip", cache)
    assert not from_cache
    again, from_cache = build_layer(make_job(tmp_path / "other-repo"), tmp_path / "out" / "second.zip", cache)
    assert from_cache and again == sha
    assert [entry.meta["runtime"] for entry in cache.entries()] == ["python3.12"]


def test_layers_built_from_one_entry_share_its_file_and_a_rebuild_replaces_only_its_own(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    dests = [tmp_path / "build" / f"fn-{i}" / "layer-x86_64.zip" for i in range(3)]
    shas = {build_layer(make_job(tmp_path / f"fn-{i}"), dest, cache)[0] for i, dest in enumerate(dests)}
    (entry,) = cache.entries()
    assert len(shas) == 1 and all(dest.samefile(entry.path) for dest in dests)
    before = dests[1].read_bytes()

    build_layer(make_job(tmp_path / "fn-0", requirements="six\n# changed\n"), dests[0], cache)

    assert not dests[0].samefile(dests[1])
    assert dests[1].samefile(entry.path) and dests[1].read_bytes() == before == entry.path.read_bytes()


def test_cache_entries_are_read_only(tmp_path):
    stored = LayerCache(tmp_path / "cache").put("ab" * 32, make_zip(tmp_path / "l.zip"), {})
    assert stored.stat().st_mode & 0o222 == 0


# --- the command line -----------------------------------------------------------------------------

def test_cache_dir_follows_genesys_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere"


def test_genesys_cache_ls_lists_entries_and_prune_empties_the_cache(run_genesys, tmp_path):
    cache = LayerCache(cache_dir())
    cache.put("aa" * 32, make_zip(tmp_path / "a.zip"), {"runtime": "python3.12", "arch": "arm64",
                                                        "manifest": "fn/requirements.txt"})
    cache.put("bb" * 32, make_zip(tmp_path / "b.zip", b"z = 3\n"), {"runtime": "nodejs20.x", "arch": "x86_64"})

    listed = run_genesys("cache", "ls", "--output", "json")
    assert listed.code == 0, listed.output
    entries = {entry["key"]: entry for entry in json.loads(listed.stdout)}
    assert set(entries) == {"aa" * 32, "bb" * 32}
    assert entries["aa" * 32]["arch"] == "arm64" and entries["bb" * 32]["runtime"] == "nodejs20.x"

    text = run_genesys("cache", "ls")
    assert text.code == 0 and "2 layer(s)" in text.stderr and "python3.12" in text.stderr

    kept = run_genesys("cache", "prune", "--older-than", "30")
    assert kept.code == 0 and len(cache.entries()) == 2

    pruned = run_genesys("cache", "prune")
    assert pruned.code == 0, pruned.output
    assert "removed 2" in pruned.stderr
    assert cache.entries() == []
    assert json.loads(run_genesys("cache", "ls", "--output", "json").stdout) == []


def test_a_layer_builds_work_folder_is_removed_on_a_thread_and_the_process_waits_for_it(tmp_path):
    import subprocess
    import sys
    import threading

    cache = LayerCache(tmp_path / "cache")
    with cache.work_dir(remove_on_a_thread=True) as folder:
        (folder / "site").mkdir()
        for i in range(200):
            (folder / "site" / f"m{i}.py").write_text("x = 1\n")
    for thread in threading.enumerate():
        if thread.name == "genesys-remove-work":
            thread.join()
    assert list(cache.work.iterdir()) == []
    # A process that ends right after its build still removes the folder before it exits.
    script = ("import sys; from pathlib import Path; from genesys_tasks.build.cache import LayerCache\n"
              "with LayerCache(Path(sys.argv[1])).work_dir(remove_on_a_thread=True) as folder:\n"
              "    for i in range(2000): (folder / f'm{i}.py').write_text('x = 1')\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "other")], env=env, check=True)
    assert list((tmp_path / "other" / "work").iterdir()) == []
