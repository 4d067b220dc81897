"""The artifact record, the contract between build and deploy: written by the build beside the zip,
read back as the same typed record, read by the deployer (never a path guessed), and the planner's
``Code`` and ``PackageType`` dispatching on its kind."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest

from genesys_tasks import paths
from genesys_tasks.build.record import (ImageRecord, LayerZip, ZipRecord, read_record, record_build, record_path,
                                        write_record)
from genesys_tasks.build.zipper import sha256_file
from genesys_tasks.config import load
from genesys_tasks.errors import BuildError

TOML = '[metadata]\nname = "fn"\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n'


def _zip(path: Path, name: str = "app.py", text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, text)
    return path


def test_a_zip_record_reads_back_as_written_with_paths_relative_to_its_folder(tmp_path):
    folder = paths.build_dir(tmp_path, "fn")
    record = ZipRecord(folder / "function-arm64.zip", "ab" * 32, "arm64", 123,
                       LayerZip(folder / "layer-arm64.zip", "cd" * 32, 456))
    path = record_path(tmp_path, "fn", "arm64")
    write_record(path, record)
    assert path.name == "artifact-arm64.json"
    on_disk = json.loads(path.read_text())
    assert on_disk == {"kind": "zip", "path": "function-arm64.zip", "sha256": "ab" * 32, "arch": "arm64",
                       "size": 123, "layer": {"path": "layer-arm64.zip", "sha256": "cd" * 32, "size": 456}}
    assert read_record(path, hint="build") == record


def test_an_image_record_reads_back_as_written(tmp_path):
    record = ImageRecord("sha256:" + "e" * 64, "123456789012.dkr.ecr.us-east-1.amazonaws.com/fn", "x86_64")
    path = record_path(tmp_path, "fn", "x86_64")
    write_record(path, record)
    assert read_record(path, hint="build") == record


@pytest.mark.parametrize("content, said", [(None, "does not exist"), ("{not json", "not a readable artifact record"),
                                           ('{"kind": "jar"}', "unknown artifact kind 'jar'"),
                                           ('{"kind": "zip", "path": "f.zip"}', "a zip record without a valid")])
def test_a_missing_or_broken_record_is_a_build_error_saying_to_build_again(tmp_path, content, said):
    path = record_path(tmp_path, "fn", "x86_64")
    if content is not None:
        path.parent.mkdir(parents=True)
        path.write_text(content)
    with pytest.raises(BuildError) as raised:
        read_record(path, hint="build it again: genesys lambda build lambda_fn.toml")
    assert said in raised.value.message and "genesys lambda build" in raised.value.hint


def test_the_record_names_no_layer_when_the_build_shipped_none(tmp_path):
    _zip(paths.function_zip(tmp_path, "fn", "x86_64"))
    with zipfile.ZipFile(paths.layer_zip(tmp_path, "fn", "x86_64"), "w"):
        pass  # the build's empty layer: nothing to ship
    [record] = record_build(tmp_path, "fn", ["x86_64"], True)
    assert record.layer is None and record.sha256 == sha256_file(paths.function_zip(tmp_path, "fn", "x86_64"))


def test_the_deployer_takes_the_code_and_its_sha256_from_the_record(tmp_path):
    from genesys_tasks.deploy.deployer import code_artifact

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "lambda_fn.toml").write_text(TOML)
    spec = load(tmp_path / "lambda_fn.toml")
    with pytest.raises(BuildError) as raised:  # zips without a record are not the build's
        code_artifact(spec, tmp_path)
    assert "artifact-x86_64.json does not exist" in raised.value.message
    zip_path = _zip(paths.function_zip(tmp_path, "fn", "x86_64"))
    [record] = record_build(tmp_path, "fn", ["x86_64"], False)
    code = code_artifact(spec, tmp_path)
    assert code.path == zip_path and code.code_sha256 == base64.b64encode(bytes.fromhex(record.sha256)).decode()
    _zip(zip_path, text="x = 2  # rebuilt by hand, larger\n")
    with pytest.raises(BuildError) as raised:
        code_artifact(spec, tmp_path)
    assert "not the zip the build recorded" in raised.value.message


def test_an_image_record_deploys_as_an_image_function(tmp_path):
    from genesys_tasks.deploy import planner
    from genesys_tasks.deploy.deployer import code_artifact
    from genesys_tasks.deploy.model import Var

    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / "lambda_fn.toml").write_text(TOML)
    spec = load(tmp_path / "lambda_fn.toml")
    repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fn"
    write_record(record_path(tmp_path, "fn", "x86_64"), ImageRecord("sha256:" + "e" * 64, repository, "x86_64"))
    code = code_artifact(spec, tmp_path)
    plan = planner.plan_function(spec, code, planner.Facts("us-east-1", "123456789012", {}), None, None,
                                 Var("role_arn"), None)
    create = plan.calls[0].params
    assert create["PackageType"] == "Image" and create["Code"] == {"ImageUri": f"{repository}@sha256:{'e' * 64}"}
    assert ("ImageUri", None, f"{repository}@sha256:{'e' * 64}") in plan.changes[0].changes


def test_lambda_build_writes_the_record_as_a_target_and_lists_it(tmp_path, run_genesys):
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (tmp_path / ".git").mkdir()
    toml = tmp_path / "lambda_fn.toml"
    toml.write_text(TOML)
    result = run_genesys("lambda", "build", "--output", "json", toml)
    assert result.code == 0, result.output
    [record] = json.loads(result.stdout)["records"]
    zip_path = paths.function_zip(tmp_path, "fn", "x86_64")
    assert record == {"kind": "zip", "path": str(zip_path), "sha256": sha256_file(zip_path), "arch": "x86_64",
                      "size": zip_path.stat().st_size, "layer": None}
    record_path(tmp_path, "fn", "x86_64").unlink()  # a lost record is rebuilt, as any target
    again = run_genesys("lambda", "build", "--output", "json", toml)
    assert again.code == 0 and json.loads(again.stdout)["records"] == [record]
