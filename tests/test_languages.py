"""The language table: every module a row names exists, and the registry, detection and packaging agree with it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from genesys_tasks import languages
from genesys_tasks.config import discover
from genesys_tasks.config.runtimes_file import load_registry
from genesys_tasks.runtimes import DEFAULT

ROWS = [pytest.param(row, id=row.name) for row in languages.TABLE]


@pytest.mark.parametrize("row", ROWS)
def test_every_module_a_row_names_exists(row):
    for module in row.installers.values():
        importlib.import_module(f"genesys_tasks.build.{module}")
    if row.packager:
        module, _, function = row.packager.partition(":")
        assert callable(getattr(importlib.import_module(f"genesys_tasks.build.{module}"), function))
    if row.detector:
        detector = importlib.import_module(f"genesys_tasks.config.detect.{row.detector}")
        assert all(callable(getattr(detector, name)) for name in ("runtime_for", "find", "check"))


@pytest.mark.parametrize("row", ROWS)
def test_a_row_is_consistent(row):
    assert row.manifests, "a layer is built from a manifest"
    assert row.dependency_files[: len(row.manifests)] == row.manifests
    assert all(ext.startswith(".") for ext in row.source_extensions)
    assert row.layer_only_files <= set(row.dependency_files)
    if row.installers:
        assert row.layer_path, "an installer fills a layer folder"


def test_every_runtime_takes_its_layer_path_image_and_files_from_its_language():
    for runtime in load_registry(None).all():
        row = languages.get(runtime.language)
        assert row is not None, runtime.id
        assert runtime.layer_path == row.layer_path_for(runtime.version), runtime.id
        assert runtime.image == f"{row.image_repo}:{runtime.version}", runtime.id
        assert runtime.language_row is row


def test_built_in_runtimes_default_their_files_to_the_table():
    python = DEFAULT.lookup("python3.12")
    assert python.dependency_files == languages.get("python").dependency_files
    assert python.extensions == (".py",)


def test_a_language_only_a_runtime_file_knows_gets_a_row_from_the_runtime():
    row = languages.generic("shell", ("tools.txt",), (".sh",))
    assert (row.manifests, row.layer_only_files, row.source_extensions) == (("tools.txt",), {"tools.txt"}, (".sh",))
    assert (row.packager, row.detector, dict(row.installers)) == ("", "", {})


def test_one_skip_list_the_zipper_detection_and_discovery_share():
    assert languages.IGNORED_DIRS <= languages.SKIP_DIRS
    assert {"node_modules", "target", "vendor"} <= languages.SKIP_DIRS
    assert languages.skipped_dirs("java") == languages.IGNORED_DIRS | {"target", "build", ".gradle"}
    assert languages.skipped_dirs("shell") == languages.IGNORED_DIRS


def test_discovery_skips_dependency_and_tool_folders(tmp_path: Path):
    for folder in ("fn", "node_modules/pkg", ".aws-sam/build", "target/classes", ".venv/lib"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "lambda_x.toml").write_text("")
    assert discover(tmp_path) == [tmp_path / "fn" / "lambda_x.toml"]


def test_discovery_skips_every_dot_folder_cdk_output_and_virtualenvs_by_their_pyvenv_cfg(tmp_path: Path):
    # Deploy tools copy a repo's files into their build output (cdk.out, .build, .esbuild), and a
    # virtualenv may have any name: none of their TOMLs is one of the repo's functions.
    for folder in ("fn", "cdk.out/asset.1234", ".build/fn", "py-env/lib/site-packages/pkg", "deps"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "lambda_x.toml").write_text("")
    (tmp_path / "py-env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert discover(tmp_path) == [tmp_path / "deps" / "lambda_x.toml", tmp_path / "fn" / "lambda_x.toml"]


def test_discovery_finds_what_a_top_down_walk_finds_in_its_order_and_enters_no_link_to_a_folder(tmp_path: Path):
    import os

    from genesys_tasks.globs import matches

    for folder in ("b", "B", "a/z", "a/Y/deep", "a10", "a2", "elsewhere", "venv", "node_modules/x", ".git/x"):
        (tmp_path / folder).mkdir(parents=True)
        for name in ("lambda_b.toml", "lambda_A.toml", "lambda_.toml", "app.py"):
            (tmp_path / folder / name).write_text("")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    (tmp_path / "link-to-folder").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "a" / "lambda_link.toml").symlink_to(tmp_path / "b" / "lambda_b.toml")
    (tmp_path / "lambda_top.toml").write_text("")

    walked = []  # os.walk top-down, the rules discovery states: sorted, no skipped/dot folder, no virtualenv
    for folder, dirs, files in os.walk(tmp_path):
        below = os.path.relpath(folder, tmp_path).replace(os.sep, "/")
        below = "" if below == "." else below
        if below and "pyvenv.cfg" in files:
            dirs.clear()
            continue
        dirs[:] = sorted(d for d in dirs if d not in languages.SKIP_DIRS and not d.startswith("."))
        walked += [Path(folder, f) for f in sorted(files) if matches(f"{below}/{f}".lstrip("/"), ("lambda_*.toml",))]
    found = discover(tmp_path)
    assert found == walked
    assert tmp_path / "a" / "lambda_link.toml" in found and not any("link-to-folder" in str(p) for p in found)
    assert not any("venv" in str(p) or "node_modules" in str(p) for p in found)


def test_discovery_walks_on_when_a_folders_link_check_fails_as_os_walk_does(tmp_path: Path, monkeypatch):
    import os

    from genesys_tasks import config

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "lambda_x.toml").write_text("")
    (tmp_path / "lambda_top.toml").write_text("")

    class Unlinkable:  # an entry whose lstat fails (removed mid-walk, a filesystem without d_type)
        def __init__(self, entry):
            self.name, self.path, self.is_dir = entry.name, entry.path, entry.is_dir

        def is_symlink(self):
            raise FileNotFoundError(self.path)

    real = os.scandir

    class Listing:
        def __init__(self, folder):
            self.listing = real(folder)

        def __enter__(self):
            return [Unlinkable(e) if e.name == "a" else e for e in self.listing.__enter__()]

        def __exit__(self, *exc):
            return self.listing.__exit__(*exc)

    monkeypatch.setattr(config.os, "scandir", Listing)
    assert discover(tmp_path) == [tmp_path / "lambda_top.toml", tmp_path / "a" / "lambda_x.toml",
                                  tmp_path / "b" / "lambda_x.toml"]


def test_default_build_images_are_named_fully_as_aws_publishes_them(tmp_path: Path):
    # A short name (amazon/aws-lambda-python) does not resolve on a stock Podman, nor does its `podman pull`.
    registry = load_registry(tmp_path)
    images = {rid: registry.lookup(rid).image for rid in ("python3.12", "nodejs22.x", "java21", "provided.al2023",
                                                          "ruby3.4")}
    assert images == {
        "python3.12": "public.ecr.aws/lambda/python:3.12", "nodejs22.x": "public.ecr.aws/lambda/nodejs:22",
        "java21": "public.ecr.aws/lambda/java:21", "provided.al2023": "public.ecr.aws/lambda/provided:al2023",
        "ruby3.4": "public.ecr.aws/lambda/ruby:3.4",
    }
    assert all(r.image.startswith("public.ecr.aws/lambda/") for r in registry.all()), registry.ids()
