"""Real layer builds in Podman, with the local images that ci/podman/setup.sh builds.

Run with ``CONTAINERS_CONF=$PWD/ci/podman/containers.conf python -m pytest -m podman``
after ``bash ci/podman/setup.sh`` (as root). Nothing here pulls: setup.sh tags its locally
built images with the fully qualified names of the AWS images genesys uses by default
(``public.ecr.aws/lambda/python:3.11``), and containers run with ``--pull=never``.
Ownership is checked for a non-root uid by running the build as uid 1234 (CI runs as root,
where every owner would be root).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from genesys_tasks.build import container
from genesys_tasks.build.cache import LayerCache
from genesys_tasks.build.installers import InstallJob
from genesys_tasks.build.layer import build_layer
from genesys_tasks.errors import EXIT_FAILED, BuildError
from genesys_tasks.runtimes import RUNTIME_TABLE, from_row

PYTHON_IMAGE = "public.ecr.aws/lambda/python:3.11"
NODE_IMAGE = "public.ecr.aws/lambda/nodejs:22"
# The local stand-in carries Debian's Node 18 (AWS now blocks creating nodejs18.x functions); the
# layer's packages are pure JavaScript, so the Node version that installs them does not matter.
NODE_RUNTIME = "nodejs22.x"
OTHER_UID = 1234
# Pure-Python wheels, pinned: the same files whichever machine or installer fetches them.
PURE_REQUIREMENTS = "six==1.16.0\nidna==3.7\ncertifi==2024.2.2\n"
PACKAGE_JSON = {"name": "fn", "version": "1.0.0", "dependencies": {"is-number": "7.0.0", "semver": "7.6.0"},
                "devDependencies": {"is-odd": "3.0.1"}}


def _image_present(image: str) -> bool:
    return subprocess.run(["podman", "image", "exists", image], capture_output=True).returncode == 0


def _require(image: str) -> None:
    # CI sets GENESYS_REQUIRE_PODMAN so a missing engine or image fails there instead of skipping.
    give_up = pytest.fail if os.environ.get("GENESYS_REQUIRE_PODMAN") else pytest.skip
    if shutil.which("podman") is None:
        give_up("podman is not installed (run ci/podman/setup.sh as root)")
    if not _image_present(image):
        give_up(f"the local image {image} is absent (run ci/podman/setup.sh as root)")


pytestmark = pytest.mark.podman


@pytest.fixture
def python_source(tmp_path) -> Path:
    _require(PYTHON_IMAGE)
    src = tmp_path / "py-src"
    src.mkdir()
    (src / "requirements.txt").write_text(PURE_REQUIREMENTS)
    (src / "app.py").write_text("import six\n\n\ndef lambda_handler(event, context):\n    return six.PY3\n")
    return src


@pytest.fixture
def node_source(tmp_path) -> Path:
    _require(NODE_IMAGE)
    src = tmp_path / "node-src"
    src.mkdir()
    (src / "package.json").write_text(json.dumps(PACKAGE_JSON))
    # The lock file is written by the host's npm, so `npm ci` inside runs from a real lock.
    subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=src, check=True,
                   capture_output=True)
    (src / "index.js").write_text("exports.handler = async () => require('is-number')(1);\n")
    return src


def _job(source: Path, manifest: str, runtime: str, target: Path, **extra) -> InstallJob:
    """A podman layer build with the runtime's default image (the locally tagged stand-in)."""
    return InstallJob(runtime=from_row(runtime, RUNTIME_TABLE[runtime]), arch="x86_64", manifest=source / manifest,
                      source=source, target=target, method="podman", image="", **extra)


def test_the_stand_in_images_carry_the_names_genesys_uses_by_default():
    assert {from_row(r, RUNTIME_TABLE[r]).image for r in ("python3.11", NODE_RUNTIME)} == {PYTHON_IMAGE, NODE_IMAGE}


def _as_other_user(monkeypatch, target: Path) -> None:
    """Build as uid 1234: the layer folder is theirs, as a temp folder of the invoking user would be."""
    monkeypatch.setattr(container, "invoking_user", lambda: (OTHER_UID, OTHER_UID))
    target.mkdir(exist_ok=True)
    os.chown(target, OTHER_UID, OTHER_UID)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _owners(root: Path) -> set[tuple[int, int]]:
    return {(p.lstat().st_uid, p.lstat().st_gid) for p in [root, *root.rglob("*")]}


def test_python_layer_in_podman_holds_the_requirements_owned_by_the_invoking_user(python_source, tmp_path,
                                                                                   monkeypatch):
    target = tmp_path / "layer"
    _as_other_user(monkeypatch, target)
    container.install(_job(python_source, "requirements.txt", "python3.11", target))
    files = _tree(target)
    assert {"python/six.py", "python/idna/__init__.py", "python/certifi/cacert.pem"} <= set(files)
    assert not [name for name in files if name.startswith("python/bin/") or name.endswith(".pyc")]
    assert _owners(target) == {(OTHER_UID, OTHER_UID)}


def test_node_layer_in_podman_has_production_dependencies_only_owned_by_the_invoking_user(node_source, tmp_path,
                                                                                          monkeypatch):
    target = tmp_path / "layer"
    _as_other_user(monkeypatch, target)
    container.install(_job(node_source, "package.json", NODE_RUNTIME, target))
    files = _tree(target)
    assert {"nodejs/node_modules/is-number/package.json", "nodejs/node_modules/semver/bin/semver.js"} <= set(files)
    assert not [name for name in files if "/is-odd/" in name], "a devDependency reached the layer"
    assert "nodejs/package.json" in files and "nodejs/package-lock.json" in files
    assert not [name for name in files if name.startswith("nodejs/node_modules/.bin/")]
    assert _owners(target) == {(OTHER_UID, OTHER_UID)}


def test_debug_streams_the_container_output_and_quiet_mode_does_not(python_source, tmp_path):
    streamed = []
    for debug, folder in ((True, "loud"), (False, "quiet")):
        target = tmp_path / folder
        target.mkdir()
        container.install(_job(python_source, "requirements.txt", "python3.11", target,
                               debug=debug, log=streamed.append))
        if debug:
            assert any(line.startswith("Successfully installed") and "six-1.16.0" in line for line in streamed)
            count = len(streamed)
    assert len(streamed) == count


def test_node_layer_without_lock_file_installs_in_podman(node_source, tmp_path):
    (node_source / "package-lock.json").unlink()
    target = tmp_path / "layer"
    target.mkdir()
    container.install(_job(node_source, "package.json", NODE_RUNTIME, target))
    names = set(_tree(target))
    assert "nodejs/node_modules/is-number/index.js" in names
    assert not [name for name in names if "/is-odd/" in name]


def test_container_layer_is_cached_under_the_image_id_and_zips_deterministically(python_source, tmp_path):
    cache = LayerCache(tmp_path / "cache")
    job = _job(python_source, "requirements.txt", "python3.11", Path())
    first, from_cache = build_layer(job, tmp_path / "a" / "layer.zip", cache)
    assert not from_cache
    again, from_cache = build_layer(job, tmp_path / "b" / "layer.zip", cache)
    assert from_cache and again == first
    image_id = subprocess.run(["podman", "image", "inspect", "--format", "{{.Id}}", PYTHON_IMAGE],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert image_id in container.version(job)
    with zipfile.ZipFile(tmp_path / "a" / "layer.zip") as zipped:
        names = zipped.namelist()
    assert "python/six.py" in names and names == sorted(names)
    rebuilt, from_cache = build_layer(job, tmp_path / "c" / "layer.zip", LayerCache(tmp_path / "fresh-cache"))
    assert not from_cache and rebuilt == first


INSTALLER_METADATA = {"INSTALLER", "RECORD", "REQUESTED", "direct_url.json"}


def _without_installer_metadata(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items()
            if not (".dist-info/" in name and name.rsplit("/", 1)[1] in INSTALLER_METADATA)}


def test_container_and_local_builds_of_pure_python_requirements_give_the_same_files(python_source, tmp_path):
    from genesys_tasks.build import local_python

    in_container = tmp_path / "container-layer"
    in_container.mkdir()
    container.install(_job(python_source, "requirements.txt", "python3.11", in_container))
    local = tmp_path / "local-layer"
    local.mkdir()
    local_python.install(replace(_job(python_source, "requirements.txt", "python3.11", local),
                                 method="local"))
    container_files = _without_installer_metadata(_tree(in_container))
    local_files = _without_installer_metadata(_tree(local))
    assert "python/six.py" in container_files
    assert sorted(container_files) == sorted(local_files)
    assert [name for name in container_files if container_files[name] != local_files[name]] == []


def test_source_folder_unreadable_by_the_container_user_gives_the_chmod_hint(python_source, tmp_path, monkeypatch):
    target = tmp_path / "layer"
    _as_other_user(monkeypatch, target)
    python_source.chmod(0o700)  # root's folder; uid 1234 in the container cannot enter it
    with pytest.raises(BuildError) as caught:
        container.install(_job(python_source, "requirements.txt", "python3.11", target))
    assert "cannot read the source folder" in caught.value.message
    assert f"chmod -R a+rX -- {python_source}" in caught.value.hint


TOML = '''[metadata]
name = "fn"
runtime = "python3.11"
handler = "app.lambda_handler"

[build]
build_method = "podman"{image}
architectures = ["x86_64"]
'''


def _repo(python_source: Path, image: str | None, requirements: str) -> Path:
    """The function's TOML; ``image`` names a [build] image, None leaves the runtime's default."""
    (python_source / "requirements.txt").write_text(requirements)
    (python_source / "lambda_fn.toml").write_text(TOML.format(image=f'\nimage = "{image}"' if image else ""))
    return python_source / "lambda_fn.toml"


def test_pip_failing_inside_the_container_exits_1_with_its_output_tail(python_source, run_genesys):
    toml = _repo(python_source, None, "genesys-no-such-package-zz==1.0\n")
    result = run_genesys("lambda", "build", toml)
    assert result.code == EXIT_FAILED, result.output
    assert "pip said" in result.stderr
    assert "No matching distribution found for genesys-no-such-package-zz==1.0" in result.stderr
    assert "Traceback" not in result.output


def test_absent_image_that_cannot_be_pulled_exits_1_naming_it(python_source, run_genesys):
    # A "localhost" registry refuses at once: the pull fails without reaching any real registry.
    missing = "localhost/genesys-absent-image:1"
    toml = _repo(python_source, missing, PURE_REQUIREMENTS)
    result = run_genesys("lambda", "build", toml)
    assert result.code == EXIT_FAILED, result.output
    assert f"image {missing} (linux/amd64) is not present and could not be pulled" in result.stderr
    assert f"podman pull --platform linux/amd64 {missing}" in result.stderr
    assert "Traceback" not in result.output


NODE_TOML = '''[metadata]
name = "node-fn"
runtime = "{runtime}"
handler = "index.handler"

[build]
build_method = "podman"{image}
architectures = ["x86_64"]
'''


def test_doit_builds_podman_layers_into_stable_zips_and_a_second_build_runs_nothing(python_source, node_source,
                                                                                     tmp_path, run_doit):
    from genesys_tasks.commands.init_repo import DODO

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dodo.py").write_text(DODO)
    shutil.move(_repo(python_source, None, PURE_REQUIREMENTS).parent, repo / "py")
    (node_source / "lambda_node.toml").write_text(NODE_TOML.format(image="", runtime=NODE_RUNTIME))
    shutil.move(node_source, repo / "node")
    layers = {name: repo / ".genesys" / "build" / name / "layer-x86_64.zip" for name in ("fn", "node-fn")}

    first = run_doit("build", cwd=repo)
    assert first.code == 0, first.output
    with zipfile.ZipFile(layers["fn"]) as zipped:
        assert "python/six.py" in zipped.namelist()
    with zipfile.ZipFile(layers["node-fn"]) as zipped:
        names = zipped.namelist()
    assert "nodejs/node_modules/is-number/index.js" in names and not [n for n in names if "/is-odd/" in n]
    shas = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in layers.items()}

    second = run_doit("build", cwd=repo)
    assert second.code == 0 and "▶ layer:" not in second.stderr, second.output

    shutil.rmtree(repo / ".genesys")
    fresh = run_doit("build", cwd=repo, env={"GENESYS_CACHE_DIR": str(tmp_path / "fresh-cache")})
    assert fresh.code == 0, fresh.output
    assert {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in layers.items()} == shas
