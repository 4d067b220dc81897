"""The image layers and documents genesys writes: byte-for-byte the same from the same zip, whatever
the paths and mtimes, with tar entries a container runtime unpacks as Lambda's images lay them out."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zipfile

from genesys_tasks.build.image import oci
from genesys_tasks.build.image.blobs import BlobStore
from genesys_tasks.build.image.layers import layer_from_zip
from genesys_tasks.build.zipper import write_zip


def _zip(folder, files, mtime):
    src = folder / "src"
    for name, (content, mode) in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        path.chmod(mode)
        os.utime(path, (mtime, mtime))
    dest = folder / "fn.zip"
    write_zip([(name, src / name) for name in files], dest)
    return dest


FILES = {"app.py": ("def handler(e, c):\n    return 1\n", 0o600), "pkg/run.sh": ("#!/bin/sh\n", 0o700)}


def test_one_zip_gives_one_layer_digest_whatever_the_path_and_mtimes(tmp_path):
    store = BlobStore(tmp_path / "store")
    first = layer_from_zip(_zip(tmp_path / "a", FILES, 1_000_000), "var/task", store)
    # another store: the layer is written again, not read back from what the first one kept
    second = layer_from_zip(_zip(tmp_path / "b" / "deeper", FILES, 1_700_000_000), "var/task",
                            BlobStore(tmp_path / "other-store"))
    assert first == second
    blob = store.read(first.digest)
    assert "sha256:" + hashlib.sha256(blob).hexdigest() == first.digest and len(blob) == first.size
    assert "sha256:" + hashlib.sha256(gzip.decompress(blob)).hexdigest() == first.diff_id


def test_a_zips_layer_is_compressed_once_and_again_only_when_its_blob_left_the_store(tmp_path, monkeypatch):
    from genesys_tasks.build.image import layers

    store = BlobStore(tmp_path / "store")
    code = _zip(tmp_path / "a", FILES, 1)
    first = layer_from_zip(code, "var/task", store)
    made = []
    real = layers.gzip.GzipFile
    monkeypatch.setattr(layers.gzip, "GzipFile", lambda *a, **k: made.append(1) or real(*a, **k))
    assert layer_from_zip(_zip(tmp_path / "b", FILES, 2), "var/task", store) == first and made == []
    assert layer_from_zip(code, "opt", store).digest != first.digest and made == [1], "another folder, another layer"
    store.path(first.digest).unlink()
    assert layer_from_zip(code, "var/task", store) == first and made == [1, 1] and store.has(first.digest)


def test_the_layer_holds_the_files_under_the_prefix_with_normalised_owners_modes_and_times(tmp_path):
    store = BlobStore(tmp_path / "store")
    layer = layer_from_zip(_zip(tmp_path, FILES, 1_234_567), "var/task", store)
    blob = store.read(layer.digest)
    assert blob[4:8] == b"\0\0\0\0" and not blob[3] & 0x08, "no timestamp, no file name in the gzip header"
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        members = [(m.name, m.type, oct(m.mode), m.uid, m.gid, m.uname, m.mtime) for m in tar.getmembers()]
        assert tar.extractfile("var/task/app.py").read() == FILES["app.py"][0].encode()
    assert members == [
        ("var", tarfile.DIRTYPE, "0o755", 0, 0, "", 0), ("var/task", tarfile.DIRTYPE, "0o755", 0, 0, "", 0),
        ("var/task/app.py", tarfile.REGTYPE, "0o644", 0, 0, "", 0),
        ("var/task/pkg", tarfile.DIRTYPE, "0o755", 0, 0, "", 0),
        ("var/task/pkg/run.sh", tarfile.REGTYPE, "0o755", 0, 0, "", 0)]


def test_an_edit_changes_the_layer(tmp_path):
    store = BlobStore(tmp_path / "store")
    before = layer_from_zip(_zip(tmp_path / "a", FILES, 1), "var/task", store)
    edited = {**FILES, "app.py": ("def handler(e, c):\n    return 2\n", 0o600)}
    assert layer_from_zip(_zip(tmp_path / "b", edited, 1), "var/task", store).digest != before.digest


def test_a_java_layer_zips_jars_go_under_var_task_lib_and_run_locally_from_opt_java_lib(tmp_path):
    from genesys_tasks.build.image.layers import JAVA_LIB, dependency_placement
    from genesys_tasks.local.scratch import Scratch, prepare_image

    jars = {"java/lib/a-1.jar": ("jar a", 0o644), "java/lib/b-2.jar": ("jar b", 0o644)}
    store = BlobStore(tmp_path / "store")
    placement = dependency_placement("java")
    assert placement == JAVA_LIB and dependency_placement("python").folder == "opt"
    layer = layer_from_zip(_zip(tmp_path / "deps", jars, 1), placement.folder, store, placement.zip_folder)
    with tarfile.open(fileobj=io.BytesIO(store.read(layer.digest))) as tar:
        assert tar.getnames() == ["var", "var/task", "var/task/lib", "var/task/lib/a-1.jar", "var/task/lib/b-2.jar"]
    code = layer_from_zip(_zip(tmp_path / "code", {"example/Hello.class": ("class", 0o644)}, 1), "var/task", store)
    scratch = prepare_image(Scratch(tmp_path / "scratch"), (code.digest, store.path(code.digest)),
                            (layer.digest, store.path(layer.digest), placement))
    assert sorted(p.name for p in (scratch.opt / "java" / "lib").iterdir()) == ["a-1.jar", "b-2.jar"]
    assert (scratch.task / "example" / "Hello.class").read_text() == "class" and not (scratch.task / "lib").exists()


def test_the_config_keeps_the_bases_env_and_entrypoint_sets_cmd_and_has_no_creation_time(tmp_path):
    store = BlobStore(tmp_path / "store")
    layer = layer_from_zip(_zip(tmp_path, FILES, 1), "var/task", store)
    base = {"created": "2024-01-01T00:00:00Z", "architecture": "amd64",
            "config": {"Env": ["A=1"], "Entrypoint": ["/lambda-entrypoint.sh"], "Cmd": ["old.handler"]},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]},
            "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "base"}]}
    config = oci.image_config(base, [(layer, "code")], "arm64", ["app.handler"])
    assert "created" not in config and all("created" not in entry for entry in config["history"])
    assert config["config"] == {"Env": ["A=1"], "Entrypoint": ["/lambda-entrypoint.sh"], "Cmd": ["app.handler"],
                                "WorkingDir": "/var/task"}
    assert config["architecture"] == "arm64" and config["rootfs"]["diff_ids"] == ["sha256:" + "0" * 64, layer.diff_id]
    assert oci.canonical(config) == oci.canonical(json.loads(json.dumps(config)))


def test_docker_layer_types_are_listed_as_their_oci_names():
    docker = {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": "sha256:" + "1" * 64,
              "size": 3}
    assert oci.manifest("sha256:" + "2" * 64, 10, [docker])["layers"][0]["mediaType"] == \
        "application/vnd.oci.image.layer.v1.tar+gzip"


def _pinned_base(store: BlobStore, layer_tar: bytes) -> str:
    """A base image put straight into ``store`` (a pinned base is read from the cache, no registry); its digest."""
    layer = store.put(gzip.compress(layer_tar, mtime=0))
    config = store.put(oci.canonical({"architecture": "amd64", "os": "linux", "config": {},
                                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}}))
    return store.put(oci.canonical(oci.manifest(config, store.size(config), [
        {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": store.size(layer)}])))


def test_the_size_limit_counts_what_the_base_layers_unpack_to_not_their_compressed_bytes(tmp_path):
    from genesys_tasks.build.image.assemble import build_image
    from genesys_tasks.config.image_ref import ImageRef
    from genesys_tasks.errors import BuildError
    import pytest

    store = BlobStore(tmp_path / "store")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:  # 200 kB of zeros: a gzip of a few hundred bytes
        info = tarfile.TarInfo("var/big")
        info.size = 200_000
        tar.addfile(info, io.BytesIO(bytes(200_000)))
    digest = _pinned_base(store, raw.getvalue())
    base = ImageRef("127.0.0.1:9", "lambda/python", None, digest)  # never reached: the base is in the store
    code = _zip(tmp_path / "a", FILES, 1_000_000)
    compressed = sum(layer["size"] for layer in json.loads(store.read(digest))["layers"])
    assert compressed < 2_000
    with pytest.raises(BuildError, match="unpacks to 20[0-9],[0-9]{3} bytes"):
        build_image(base, "x86_64", code, None, ["app.handler"], store, registry=None, limit=100_000)
    assert store.unpacked_size(json.loads(store.read(digest))["layers"][0]["digest"]) == len(raw.getvalue())
    assert build_image(base, "x86_64", code, None, ["app.handler"], store, registry=None, limit=300_000).digest
