"""Corrupt artifacts are found and rebuilt, and killed builds leave nothing that lasts: a cache entry whose
bytes are not the recorded ones is never reused, a zip that is not a zip is a clear error where it is read,
and temp folders and temp zips of a killed build are removed by the next build or `genesys cache prune`."""

from __future__ import annotations

import json
import os
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from genesys_tasks import paths
from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer
from genesys_tasks.build.limits import check_artifacts
from genesys_tasks.errors import BuildError
from genesys_tasks.runtimes import DEFAULT

DEAD_PID = 4_194_304 + 17  # above Linux's largest pid: no process has it


def make_zip(path: Path, content: bytes = b"x = 1\n") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("python/mod.py", content)
    return path


def truncate(path: Path) -> None:
    """Cut a file to half its size in place (through every hard link), as a full disk or a kill would."""
    size = path.stat().st_size
    os.chmod(path, 0o644)
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)


def job(folder: Path) -> InstallJob:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.txt").write_text("six\n")
    return InstallJob(runtime=DEFAULT.lookup("python3.12"), arch="x86_64", manifest=folder / "requirements.txt",
                      source=folder, target=Path(), installer="pip")


# --- the cache --------------------------------------------------------------------------------------

def test_a_cache_entry_records_its_size_and_sha256(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    stored = cache.put("ab" * 32, make_zip(tmp_path / "l.zip"), {"runtime": "python3.12"})
    meta = json.loads((cache.root / f"{'ab' * 32}.json").read_text())
    assert meta["size"] == stored.stat().st_size and len(meta["sha256"]) == 64


def test_a_truncated_cache_entry_is_never_reused_and_is_removed(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    stored = cache.put("ab" * 32, make_zip(tmp_path / "l.zip"), {})
    truncate(stored)
    assert cache.get("ab" * 32) is None
    assert not stored.exists() and cache.entries() == []


def test_a_cache_entry_whose_bytes_changed_but_not_its_size_is_not_reused(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    stored = cache.put("ab" * 32, make_zip(tmp_path / "l.zip"), {})
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF
    os.chmod(stored, 0o644)
    stored.write_bytes(bytes(data))
    assert cache.get("ab" * 32) is None


def test_an_entry_with_no_record_of_its_bytes_is_not_trusted(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    stored = cache.put("ab" * 32, make_zip(tmp_path / "l.zip"), {})
    (cache.root / f"{'ab' * 32}.json").write_text(json.dumps({"created": 1}))
    assert cache.get("ab" * 32) is None and not stored.exists()


def test_a_layer_whose_cache_entry_was_truncated_is_built_again(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    sha, _ = build_layer(job(tmp_path / "fn"), tmp_path / "out" / "layer.zip", cache)
    truncate(cache.entries()[0].path)

    again, from_cache = build_layer(job(tmp_path / "fn"), tmp_path / "out" / "layer.zip", cache)

    assert not from_cache and again == sha
    with zipfile.ZipFile(tmp_path / "out" / "layer.zip") as archive:
        assert archive.testzip() is None


# --- leftovers of killed builds ---------------------------------------------------------------------

def _killed_work_dir(cache: LayerCache) -> Path:
    leftover = cache.work / f"{socket.gethostname()}-{DEAD_PID}-abc123"
    (leftover / "layer" / "python").mkdir(parents=True)
    (leftover / "layer" / "python" / "half.py").write_text("")
    return leftover


def test_the_next_layer_build_removes_the_work_folder_of_a_killed_build(tmp_path):
    cache = LayerCache(tmp_path / "cache")
    leftover = _killed_work_dir(cache)
    running = cache.work / f"{socket.gethostname()}-{os.getpid()}-def456"
    running.mkdir()
    build_layer(job(tmp_path / "fn"), tmp_path / "out" / "layer.zip", cache)
    assert not leftover.exists() and running.exists()
    for thread in threading.enumerate():  # the build's own folder is removed on a thread
        if thread.name == "genesys-remove-work":
            thread.join()
    assert sorted(p.name for p in cache.work.iterdir()) == [running.name]


def test_cache_prune_removes_the_work_folders_of_killed_builds(tmp_path, run_genesys):
    cache = LayerCache(paths.cache_dir())
    leftover = _killed_work_dir(cache)
    result = run_genesys("cache", "prune")
    assert result.code == 0, result.output
    assert not leftover.exists()


def test_the_next_build_removes_temp_zips_a_killed_build_left(tmp_path, run_genesys):
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n')
    (tmp_path / ".genesys").mkdir()
    folder = paths.build_dir(tmp_path, "fn")
    folder.mkdir(parents=True)
    leftover = folder / f".function-x86_64.zip.{DEAD_PID}.tmp"
    leftover.write_bytes(b"PK half")

    result = run_genesys("lambda", "build", toml)

    assert result.code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["artifact-x86_64.json", "function-x86_64.zip"]  # no temp left


def test_remove_stale_temps_keeps_temps_of_running_processes_and_other_files(tmp_path):
    mine = tmp_path / f".layer-x86_64.zip.{os.getpid()}.tmp"
    parent = tmp_path / f".layer-x86_64.zip.{os.getppid()}.tmp"
    dead = tmp_path / f".layer-x86_64.zip.{DEAD_PID}.tmp"
    other = tmp_path / "function-x86_64.zip"
    for path in (mine, parent, dead, other):
        path.write_bytes(b"")
    assert paths.remove_stale_temps(tmp_path) == [dead]
    assert mine.exists() and parent.exists() and other.exists()


# --- reading a zip that is not one -------------------------------------------------------------------

def test_the_limits_check_of_a_truncated_zip_is_a_build_error_naming_it(tmp_path):
    zip_path = make_zip(tmp_path / "function-x86_64.zip")
    truncate(zip_path)
    with pytest.raises(BuildError) as raised:
        check_artifacts(zip_path, [], 0, None)
    assert f"{zip_path} is not a valid zip" in raised.value.message


@pytest.mark.parametrize("kind", ["function", "layer"])
def test_the_deploy_reading_a_zip_that_is_not_a_zip_gives_a_build_error(kind, tmp_path):
    from genesys_tasks.config import load
    from genesys_tasks.build.record import record_build
    from genesys_tasks.deploy.deployer import code_artifact, layer_artifact

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "requirements.txt").write_text("six\n")
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text('[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n')
    spec = load(toml)
    for path in (paths.function_zip(tmp_path, "fn", "x86_64"), paths.layer_zip(tmp_path, "fn", "x86_64")):
        path.parent.mkdir(parents=True, exist_ok=True)
        make_zip(path)
    record_build(tmp_path, "fn", ["x86_64"], True)  # as the build leaves it, before the zip breaks
    broken = paths.function_zip(tmp_path, "fn", "x86_64") if kind == "function" else \
        paths.layer_zip(tmp_path, "fn", "x86_64")
    truncate(broken)
    read = code_artifact if kind == "function" else layer_artifact
    with pytest.raises(BuildError) as raised:
        read(spec, tmp_path)
    assert f"{broken} is not a valid zip" in raised.value.message
    assert "genesys lambda build" in raised.value.hint
