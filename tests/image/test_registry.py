"""Pulling a base and pushing images against a real registry on 127.0.0.1 (Debian's docker-registry,
plain HTTP), read back with skopeo: only missing blobs go up, failures name the image and registry."""

from __future__ import annotations

import threading
import zipfile
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from genesys_tasks.build.image.assemble import build_image, build_index
from genesys_tasks.build.image.blobs import BlobStore
from genesys_tasks.build.image.registry import Registry, RegistryError
from genesys_tasks.config.image_ref import parse
from registry_fixture import LocalRegistry, needs_tools

pytestmark = needs_tools


def _code_zip(folder, body="def handler(event, context):\n    return 1\n"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fn.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("app.py", (1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o100644 << 16
        archive.writestr(info, body)
    return path


def _build(local_registry, tmp_path, store, arch="x86_64", body=None):
    base = parse(local_registry.base)
    code = _code_zip(tmp_path / "code", *([body] if body else []))
    return build_image(base, arch, code, None, ["app.handler"], store, Registry.for_ref(base))


def test_a_pushed_image_reads_back_with_the_bases_entrypoint_and_the_handler(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    image = _build(local_registry, tmp_path, store)
    repo = parse(f"{local_registry.host}/genesys/fn")
    registry = Registry.for_ref(repo)
    sent = registry.push(repo, image.digest, store)
    assert sent > 0
    seen = local_registry.inspect(f"genesys/fn@{image.digest}", "--config")
    assert seen["config"]["Entrypoint"] == ["/lambda-entrypoint.sh"] and seen["config"]["Cmd"] == ["app.handler"]
    assert seen["architecture"] == "amd64" and "created" not in seen
    layers = local_registry.inspect(f"genesys/fn@{image.digest}")["Layers"]
    assert layers == [layer["digest"] for layer in image.layers] and len(layers) == 2


def test_an_unchanged_push_sends_nothing_and_an_edit_sends_one_small_layer(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    repo = parse(f"{local_registry.host}/genesys/edits")
    first = _build(local_registry, tmp_path / "1", store)
    Registry.for_ref(repo).push(repo, first.digest, store)
    assert Registry.for_ref(repo).push(repo, first.digest, store) == 0
    edited = _build(local_registry, tmp_path / "2", store, body="def handler(event, context):\n    return 2\n")
    registry = Registry.for_ref(repo)
    sent = registry.push(repo, edited.digest, store)
    code_layer = edited.layers[-1]["size"]
    config = len(store.read(json_config(store, edited.digest)))
    assert sent == code_layer + config + edited.size, "the code layer, the config and the manifest"


def json_config(store, digest):
    import json

    return json.loads(store.read(digest))["config"]["digest"]


def test_both_architectures_get_their_base_and_one_index(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    images = {arch: _build(local_registry, tmp_path / arch, store, arch) for arch in ("x86_64", "arm64")}
    assert images["x86_64"].base != images["arm64"].base
    index = build_index(images, store)
    repo = parse(f"{local_registry.host}/genesys/multi")
    Registry.for_ref(repo).push(repo, index, store)
    raw = local_registry.skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{repo}@{index}")
    assert images["arm64"].digest in raw and images["x86_64"].digest in raw


def test_the_base_is_read_from_the_cache_once_pinned(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    image = _build(local_registry, tmp_path, store)
    pinned = parse(f"{local_registry.base.rsplit(':', 1)[0]}@{image.base}")
    offline = Registry("127.0.0.1:9", loopback=True)  # nothing listens there
    again = build_image(pinned, "x86_64", _code_zip(tmp_path / "code"), None, ["app.handler"], store, offline)
    assert again.digest == image.digest


def test_an_unreachable_base_names_the_image_and_the_registry(tmp_path):
    base = parse("127.0.0.1:9/lambda/python:3.12")
    with pytest.raises(RegistryError) as caught:
        build_image(base, "x86_64", _code_zip(tmp_path), None, ["app.handler"], BlobStore(tmp_path / "s"),
                    Registry.for_ref(base))
    assert "127.0.0.1:9/lambda/python:3.12" in caught.value.message and "127.0.0.1:9" in caught.value.message
    assert caught.value.exit_code == 1


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def _server(handler):
    """A plain HTTP server on 127.0.0.1 answering with ``handler``; its host:port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("answer", [b"<html>a web page</html>", b"[1, 2]", b'{"layers": []}'])
def test_a_server_that_answers_something_else_than_a_manifest_is_a_registry_error(tmp_path, answer):
    class Page(_Quiet):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    with _server(Page) as host, pytest.raises(RegistryError) as caught:
        base = parse(f"{host}/lambda/python:3.12")
        build_image(base, "x86_64", _code_zip(tmp_path), None, ["app.handler"], BlobStore(tmp_path / "s"),
                    Registry.for_ref(base))
    assert str(base) in caught.value.message and "something else than an image manifest" in caught.value.message
    assert "OCI registry" in caught.value.hint and caught.value.exit_code == 1


def test_a_server_that_takes_an_upload_without_saying_where_it_goes_is_a_registry_error(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    image = _build(local_registry, tmp_path, store)

    class NoLocation(_Quiet):
        def do_HEAD(self):
            self.send_response(404)
            self.end_headers()

        def do_POST(self):
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with _server(NoLocation) as host, pytest.raises(RegistryError) as caught:
        repo = parse(f"{host}/genesys/fn")
        Registry.for_ref(repo).push(repo, image.digest, store)
    assert str(repo) in caught.value.message and "no Location header" in caught.value.message
    assert caught.value.exit_code == 1


def test_a_registry_that_refuses_the_push_names_the_image_and_the_registry(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    image = _build(local_registry, tmp_path, store)
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text("someone:$2y$05$0000000000000000000000000000000000000000000000000000u\n")
    locked = LocalRegistry(tmp_path, htpasswd)
    try:
        repo = parse(f"{locked.host}/genesys/fn")
        with pytest.raises(RegistryError) as caught:
            Registry.for_ref(repo, credentials=lambda host: None).push(repo, image.digest, store)
    finally:
        locked.stop()
    assert f"{locked.host}/genesys/fn" in caught.value.message and "user and password" in caught.value.message
    assert "log in" in caught.value.hint


def test_a_blob_over_the_chunk_size_is_uploaded_in_chunks_and_reads_back(local_registry, tmp_path, monkeypatch):
    from genesys_tasks.build.image import registry as registry_module

    store = BlobStore(tmp_path / "store")
    image = _build(local_registry, tmp_path, store, body="def handler(event, context):\n    return 'x' * 3\n" * 40)
    monkeypatch.setattr(registry_module, "CHUNK", 64)
    repo = parse(f"{local_registry.host}/genesys/chunks")
    sent = Registry.for_ref(repo).push(repo, image.digest, store)
    assert sent == sum(store.size(layer["digest"]) for layer in image.layers) + len(
        store.read(json_config(store, image.digest))) + image.size
    copied = tmp_path / "copied"
    local_registry.skopeo("copy", "--src-tls-verify=false", f"docker://{repo}@{image.digest}", f"oci:{copied}:x")
    assert (copied / "blobs" / "sha256" / image.layers[-1]["digest"].split(":")[1]).is_file()


def test_a_dependency_change_sends_the_dependency_layer_and_not_the_code_layer(local_registry, tmp_path):
    store = BlobStore(tmp_path / "store")
    repo = parse(f"{local_registry.host}/genesys/deps")
    base = parse(local_registry.base)
    code = _code_zip(tmp_path / "code")

    def deps(version: str):
        path = tmp_path / f"deps-{version}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            info = zipfile.ZipInfo("python/six.py", (1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            archive.writestr(info, f"__version__ = {version!r}\n")
        return build_image(base, "x86_64", code, path, ["app.handler"], store, Registry.for_ref(base))

    first, second = deps("1.16.0"), deps("1.17.0")
    Registry.for_ref(repo).push(repo, first.digest, store)
    assert second.layers[-1] == first.layers[-1] and second.layers[-2] != first.layers[-2]
    sent = Registry.for_ref(repo).push(repo, second.digest, store)
    config = len(store.read(json_config(store, second.digest)))
    assert sent == second.layers[-2]["size"] + config + second.size, "the dependency layer, the config, the manifest"
