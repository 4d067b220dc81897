"""The layer cache read-through and write-through to a store shared across machines (in memory here;
tests/aws/test_shared_cache.py runs it on the emulator's S3): what is trusted, what is rebuilt."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build.cache import LayerCache, SignedStore
from genesys_tasks.config.cache_url import cache_url
from genesys_tasks.config.runtimes_file import load_registry
from genesys_tasks.errors import AwsError, ConfigError

KEY = "ab" * 32
SECRET = b"s" * 32


class MemoryStore:
    """A RemoteStore in a dict; ``fail`` makes every call raise as an unreachable store would."""

    def __init__(self, fail: bool = False):
        self.objects: dict[str, bytes] = {}
        self.fail = fail
        self.calls: list[tuple[str, str]] = []

    def get(self, name: str, dest: Path) -> bool:
        self.calls.append(("get", name))
        if self.fail:
            raise AwsError("s3:GetObject failed: connection refused")
        if name not in self.objects:
            return False
        dest.write_bytes(self.objects[name])
        return True

    def put(self, name: str, path: Path) -> None:
        self.calls.append(("put", name))
        if self.fail:
            raise AwsError("s3:PutObject failed: AccessDenied")
        self.objects[name] = path.read_bytes()


def a_zip(path: Path, content: bytes = b"x = 1\n") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("python/mod.py", content)
    return path


def shared_entry(tmp_path: Path, store: MemoryStore) -> bytes:
    """An entry machine A built and shared; returns its zip's bytes."""
    here = LayerCache(tmp_path / "machine-a", SignedStore(store, SECRET))
    here.put(KEY, a_zip(tmp_path / "built.zip"), {"runtime": "python3.12", "arch": "arm64"})
    here.share(KEY)
    return (tmp_path / "built.zip").read_bytes()


def test_an_entry_shared_by_one_machine_is_fetched_verified_and_kept_by_another(tmp_path):
    store = MemoryStore()
    built = shared_entry(tmp_path, store)
    assert set(store.objects) == {f"layers/{KEY}.zip", f"layers/{KEY}.json"}

    there = LayerCache(tmp_path / "machine-b", SignedStore(store, SECRET))
    assert there.get(KEY) is None
    fetched = there.fetch(KEY)

    assert fetched is not None and fetched.read_bytes() == built
    assert there.get(KEY) == fetched, "kept in the local cache, as an entry of its own"
    assert there.entries()[0].meta["arch"] == "arm64"


@pytest.mark.parametrize("damage", ["truncated zip", "other bytes", "no record", "record not json",
                                    "no zip"])
def test_a_corrupt_or_partial_shared_entry_is_ignored(tmp_path, damage):
    store = MemoryStore()
    built = shared_entry(tmp_path, store)
    zip_name, record = f"layers/{KEY}.zip", f"layers/{KEY}.json"
    if damage == "truncated zip":
        store.objects[zip_name] = built[: len(built) // 2]
    elif damage == "other bytes":
        store.objects[zip_name] = a_zip(tmp_path / "evil.zip", b"import os\n").read_bytes()
    elif damage == "no record":
        del store.objects[record]
    elif damage == "record not json":
        store.objects[record] = b"{not json"
    else:
        del store.objects[zip_name]
    there = LayerCache(tmp_path / "machine-b", SignedStore(store, SECRET))
    assert there.fetch(KEY) is None
    assert there.entries() == [] and not any(there.work.iterdir())


@pytest.mark.parametrize("forger", ["a bucket writer", "another secret"])
def test_an_entry_and_its_record_both_rewritten_are_rejected_and_reported_once(tmp_path, forger):
    store = MemoryStore()
    shared_entry(tmp_path, store)
    evil = a_zip(tmp_path / "evil.zip", b"import os; os.system('curl evil')\n").read_bytes()
    import hashlib

    record = json.loads(store.objects[f"layers/{KEY}.json"])
    record.update(size=len(evil), sha256=hashlib.sha256(evil).hexdigest())
    if forger == "another secret":
        record = SignedStore(store, b"x" * 32).seal(KEY, record)
    store.objects.update({f"layers/{KEY}.zip": evil, f"layers/{KEY}.json": json.dumps(record).encode()})

    heard = []
    there = LayerCache(tmp_path / "machine-b", SignedStore(store, SECRET), notify=heard.append)
    assert there.fetch(KEY) is None and there.entries() == []
    assert len(heard) == 1 and "not signed with GENESYS_CACHE_KEY" in heard[0]


def test_without_a_secret_the_store_is_neither_read_nor_written_and_that_is_said_once(tmp_path):
    store, heard = MemoryStore(), []
    shared_entry(tmp_path, store)
    unsigned = SignedStore(store, None)
    for machine in ("b", "c"):  # two functions' caches in one run share the store
        cache = LayerCache(tmp_path / machine, unsigned, notify=heard.append)
        assert cache.fetch(KEY) is None
        cache.put(KEY, a_zip(tmp_path / "other.zip", b"y = 2\n"), {})
        cache.share(KEY)
    assert [c for c in store.calls if c[0] == "get"] == [] and len(heard) == 1
    assert "GENESYS_CACHE_KEY is not set" in heard[0]


def test_an_unreachable_store_is_reported_once_and_the_build_goes_on_without_it(tmp_path):
    store, heard = MemoryStore(fail=True), []
    cache = LayerCache(tmp_path / "cache", SignedStore(store, SECRET), notify=heard.append)
    assert cache.fetch(KEY) is None
    cache.put(KEY, a_zip(tmp_path / "built.zip"), {})
    cache.share(KEY)
    assert store.calls == [("get", f"layers/{KEY}.json")]
    assert len(heard) == 1 and "connection refused" in heard[0]
    assert cache.get(KEY) is not None


def test_the_cache_url_comes_from_the_environment_else_the_repo_file(tmp_path, monkeypatch):
    monkeypatch.delenv("GENESYS_CACHE_URL", raising=False)
    assert cache_url(tmp_path) is None
    (tmp_path / "genesys-runtimes.toml").write_text('[cache]\nurl = "s3://team-cache/genesys/layers/"\n')
    assert str(cache_url(tmp_path)) == "s3://team-cache/genesys/layers/"
    assert "python3.12" in load_registry(tmp_path).ids(), "the runtimes file keeps loading beside [cache]"
    import jsonschema

    from genesys_tasks.config.json_schema import runtimes_schema
    from genesys_tasks.config.loader import read_toml

    jsonschema.validate(read_toml(tmp_path / "genesys-runtimes.toml")[1], runtimes_schema())  # editors accept it
    monkeypatch.setenv("GENESYS_CACHE_URL", "s3://ci-cache")
    url = cache_url(tmp_path)
    assert (url.bucket, url.prefix) == ("ci-cache", "")
    monkeypatch.setenv("GENESYS_CACHE_URL", "")
    assert cache_url(tmp_path) is None


@pytest.mark.parametrize("text, env, where", [
    ('[cache]\nurl = "https://bucket/x"\n', None, "genesys-runtimes.toml:2: [cache.url]"),
    ('[cache]\nurl = "s3://b/x"\nttl = 3\n', None, "genesys-runtimes.toml:1: [cache]"),
    ("", "gs://bucket/prefix", "[GENESYS_CACHE_URL]"),
    ("", "s3://My_Bucket/prefix", "[GENESYS_CACHE_URL]: 's3://My_Bucket/prefix': 'My_Bucket' is not a valid bucket"),
])
def test_a_bad_cache_url_is_a_config_error_naming_where_it_is(tmp_path, monkeypatch, text, env, where):
    (tmp_path / "genesys-runtimes.toml").write_text(text)
    if env is None:
        monkeypatch.delenv("GENESYS_CACHE_URL", raising=False)
    else:
        monkeypatch.setenv("GENESYS_CACHE_URL", env)
    with pytest.raises(ConfigError) as raised:
        cache_url(tmp_path)
    assert where in raised.value.render() and "s3://<bucket>/<prefix>" in raised.value.render()


def test_a_record_names_the_bytes_it_was_written_with(tmp_path):
    store = MemoryStore()
    built = shared_entry(tmp_path, store)
    record = json.loads(store.objects[f"layers/{KEY}.json"])
    import hashlib

    assert record["size"] == len(built) and record["sha256"] == hashlib.sha256(built).hexdigest()


def test_a_layer_action_holding_the_s3_store_pickles_without_its_client():
    import pickle

    from genesys_tasks.aws.cache_store import S3Store

    store = S3Store("team-cache", "genesys/", clients=object())  # a client cannot be pickled
    again = pickle.loads(pickle.dumps(store))
    assert (again.bucket, again.prefix, again._clients) == ("team-cache", "genesys/", None)
