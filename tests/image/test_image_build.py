"""`genesys lambda build` of an image function: the image written from the function's zips on the
base the TOML names (a stand-in in a local registry), its digest recorded, the same on any path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from genesys_tasks.build.record import read_record, record_path
from registry_fixture import needs_tools

pytestmark = needs_tools


def image_project(folder, base, handler="def handler(event, context):\n    return {'ok': 1}\n", extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir(exist_ok=True)
    (folder / "app.py").write_text(handler)
    toml = folder / "lambda_fn.toml"
    toml.write_text(f'[metadata]\nname = "imgfn"\nruntime = "python3.12"\nhandler = "app.handler"\n\n'
                    f'[build]\npackage_type = "image"\nimage = "{base}"\n{extra}')
    return toml


def _built(run_genesys, toml, *args):
    result = run_genesys("lambda", "build", "--output", "json", *args, toml)
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def test_the_build_records_the_image_its_base_and_its_layers(run_genesys, local_registry, tmp_path):
    toml = image_project(tmp_path / "p", local_registry.base)
    out = _built(run_genesys, toml)
    record = read_record(record_path(tmp_path / "p", "imgfn", "x86_64"), hint="")
    assert record.kind == "image" and record.repository == "genesys/imgfn" and record.digest.startswith("sha256:")
    index = json.loads(local_registry.skopeo("inspect", "--tls-verify=false", "--raw", f"docker://{local_registry.base}"))
    assert record.base == next(m["digest"] for m in index["manifests"] if m["platform"]["architecture"] == "amd64")
    assert [layer["from"] for layer in record.layers] == ["base", "function code in /var/task"]
    assert out["records"][0]["digest"] == record.digest and out["records"][0]["layers"][1]["size"] > 0


def test_one_project_under_two_paths_with_other_mtimes_gives_one_digest(run_genesys, local_registry, tmp_path):
    first = image_project(tmp_path / "one", local_registry.base)
    second = image_project(tmp_path / "elsewhere" / "two", local_registry.base)
    os.utime(second.parent / "app.py", (1_500_000_000, 1_500_000_000))
    digests = [_built(run_genesys, toml)["records"][0]["digest"] for toml in (first, second)]
    assert digests[0] == digests[1]


def test_an_unreachable_base_fails_the_build_naming_image_and_registry(run_genesys, tmp_path):
    toml = image_project(tmp_path, "127.0.0.1:9/lambda/python:3.12")
    result = run_genesys("lambda", "build", toml)
    assert result.code == 1, result.output
    assert "127.0.0.1:9/lambda/python:3.12" in result.stderr and "Traceback" not in result.stderr
    assert not record_path(tmp_path, "imgfn", "x86_64").exists()


def test_an_image_function_runs_locally_from_the_files_its_layers_hold(run_genesys, local_registry, tmp_path):
    toml = image_project(tmp_path, local_registry.base,
                         handler="def handler(event, context):\n    return {'got': event, 'file': __file__}\n")
    event = tmp_path / "event.json"
    event.write_text('{"a": 1}')
    result = run_genesys("invoke", toml, "--event", event, "--client", "plain")
    assert result.code == 0, result.output
    out = json.loads(result.stdout)
    assert out["got"] == {"a": 1} and out["file"].endswith("/task/app.py")
    assert read_record(record_path(tmp_path, "imgfn", "x86_64"), hint="").kind == "image"


def test_dependencies_go_in_their_own_layer_under_opt_and_a_dependency_change_replaces_only_it(
        run_genesys, local_registry, tmp_path):
    import gzip
    import io
    import tarfile

    from genesys_tasks.build.image.blobs import BlobStore

    toml = image_project(tmp_path, local_registry.base)
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    first = _built(run_genesys, toml)["records"][0]["layers"]
    assert [layer["from"] for layer in first] == ["base", "dependencies in /opt", "function code in /var/task"]
    store = BlobStore(Path(os.environ["GENESYS_CACHE_DIR"]) / "oci" / "blobs")
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(store.read(first[1]["digest"])))) as tar:
        assert "opt/python/six.py" in tar.getnames()
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    second = _built(run_genesys, toml)["records"][0]["layers"]
    assert second[1]["digest"] != first[1]["digest"] and second[2]["digest"] == first[2]["digest"]


def test_an_image_function_runs_locally_from_its_own_layers_unpacked_once_per_digest(
        run_genesys, local_registry, tmp_path):
    import zipfile

    from genesys_tasks.local.function import Options, open_function
    from genesys_tasks.local.scratch import scratch_for
    from genesys_tasks.tasks.runner import load_spec

    toml = image_project(tmp_path, local_registry.base, handler=(
        "import six\n\ndef handler(event, context):\n    return {'code': __file__, 'six': six.__file__}\n"))
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    assert run_genesys("lambda", "build", toml).code == 0
    # the zip the code layer was made of now says something else: what runs is the image's layer
    with zipfile.ZipFile(tmp_path / ".genesys" / "build" / "imgfn" / "function-x86_64.zip", "w") as zipped:
        zipped.writestr("app.py", "def handler(event, context):\n    return 'from the zip'\n")
    root, spec = load_spec(toml)

    def invoke() -> dict:
        process, _ = open_function(spec, root, Options(client="plain"))
        try:
            result = process.invoke(b"{}")
        finally:
            process.close()
        assert not result.failed, result.payload
        return json.loads(result.payload)

    out = invoke()
    assert out["code"].endswith("/task/app.py") and "/opt/python/six.py" in out["six"]
    task = scratch_for(tmp_path, "imgfn", "x86_64").task
    unpacked = task.stat().st_ino
    assert invoke() == out
    assert task.stat().st_ino == unpacked  # the same layer digest: not unpacked again


GO_EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "go-hello"


def go_image_project(folder, base):
    """examples/go-hello (stdlib only: it speaks the Runtime API itself) as an x86_64 image function on ``base``."""
    import shutil

    shutil.copytree(GO_EXAMPLE, folder)
    (folder / ".git").mkdir()
    toml = folder / "lambda_go_hello.toml"
    toml.write_text(toml.read_text().replace('architectures = ["x86_64", "arm64"]', 'architectures = ["x86_64"]\n'
                                             f'package_type = "image"\nimage = "{base}"'))
    return toml


@pytest.mark.needs_tools("go")
def test_a_go_image_starts_its_bootstrap_and_runs_locally_from_its_layer(run_genesys, local_registry, tmp_path):
    toml = go_image_project(tmp_path / "go", local_registry.base)
    record = _built(run_genesys, toml)["records"][0]
    assert [layer["from"] for layer in record["layers"]] == ["base", "function code in /var/task"]
    from genesys_tasks.build.image.blobs import BlobStore

    store = BlobStore(Path(os.environ["GENESYS_CACHE_DIR"]) / "oci" / "blobs")
    config = json.loads(store.read(json.loads(store.read(record["digest"]))["config"]["digest"]))
    assert config["config"]["Entrypoint"] == ["/var/task/bootstrap"] and config["config"]["Cmd"] == ["bootstrap"]
    result = run_genesys("invoke", toml, "--event", '{"name": "image"}')
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {"message": "hello image"}


def test_a_build_whose_image_left_the_cache_is_made_again_so_the_push_finds_its_blobs(
        run_genesys, local_registry, tmp_path):
    """A cleaned cache folder (or one CI did not keep, while it kept .genesys/build) holds none of the image:
    the build is not up to date, as the deploy's 'build the function again' says."""
    import shutil

    from genesys_tasks import paths

    toml = image_project(tmp_path, local_registry.base)
    digest = _built(run_genesys, toml)["records"][0]["digest"]
    shutil.rmtree(paths.cache_dir() / "oci")
    _built(run_genesys, toml)
    blob = paths.cache_dir() / "oci" / "blobs" / "sha256" / digest.removeprefix("sha256:")
    assert blob.is_file()
    assert read_record(record_path(tmp_path, "imgfn", "x86_64"), hint="").digest == digest


def test_a_base_without_an_entrypoint_stops_the_build_naming_image_and_image_entrypoint(
        run_genesys, local_registry, tmp_path):
    """A plain distribution image has no Entrypoint: Lambda would start the handler's name as a program."""
    from registry_fixture import push_base

    base = push_base(local_registry, tmp_path / "base", tag="plain", entrypoint=False)
    toml = image_project(tmp_path / "p", base)
    result = run_genesys("lambda", "build", toml)
    assert result.code == 2, result.output
    assert "has no Entrypoint" in result.stderr and "image_entrypoint" in result.stderr, result.stderr
    assert "lambda_fn.toml" in result.stderr and "Traceback" not in result.stderr
    assert not record_path(tmp_path / "p", "imgfn", "x86_64").exists()
    with open(toml, "a") as extra:  # the runtime client named as the entrypoint: built
        extra.write('\n[function]\nimage_entrypoint = ["python", "-m", "awslambdaric"]\n')
    assert _built(run_genesys, toml)["records"][0]["digest"].startswith("sha256:")
