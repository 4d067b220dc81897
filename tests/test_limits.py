"""Lambda's limits checked on built zips: S3 notes over 50 MB zipped, errors over 250 MB or 5 layers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from genesys_tasks.build import limits
from genesys_tasks.build.limits import check_artifacts
from genesys_tasks.errors import BuildError

MiB = 1024 * 1024
ZEROS = bytes(MiB)


def zip_of(path: Path, files: dict[str, int], stored: bool = False) -> Path:
    """A zip whose entries hold ``size`` bytes of zeros each: deflated, they take almost no disk."""
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method, compresslevel=1) as archive:
        for name, size in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            with archive.open(info, "w", force_zip64=size > 2 ** 31) as out:
                for start in range(0, size, MiB):
                    out.write(ZEROS[:min(MiB, size - start)])
    return path


@pytest.fixture(scope="module")
def heavy(tmp_path_factory):
    """A function and a layer that together unzip to 260 MB, with five clear top-level packages."""
    work = tmp_path_factory.mktemp("heavy")
    layer = zip_of(work / "layer-x86_64.zip", {
        "python/numpy/core/_multiarray.so": 90 * MiB, "python/numpy/linalg/lapack.so": 30 * MiB,
        "python/pandas/_libs/lib.so": 60 * MiB, "python/pyarrow/libarrow.so": 40 * MiB,
        "python/six.py": 1000,
    })
    node = zip_of(work / "layer-nodejs.zip", {
        "nodejs/node_modules/@aws-sdk/client-s3/dist/index.js": 20 * MiB,
        "nodejs/node_modules/aws-sdk/lib/core.js": 15 * MiB,
    })
    function = zip_of(work / "function-x86_64.zip", {"app.py": 100, "vendor/big.bin": 5 * MiB})
    return function, [layer, node]


def test_function_and_layers_over_250_mb_unzipped_fail_naming_the_five_largest_packages(heavy):
    function, layers = heavy
    with pytest.raises(BuildError) as failure:
        check_artifacts(function, layers, 0, None)
    message = failure.value.message
    assert "260.0 MB unzipped" in message and "250.0 MB" in message
    shown = [line.split(None, 2)[2] for line in message.splitlines() if line.startswith("  ")]
    assert shown == ["python/numpy (layer-x86_64.zip)", "python/pandas (layer-x86_64.zip)",
                     "python/pyarrow (layer-x86_64.zip)", "nodejs/node_modules/@aws-sdk/client-s3 (layer-nodejs.zip)",
                     "nodejs/node_modules/aws-sdk (layer-nodejs.zip)"]
    assert "120.0 MB  python/numpy" in message
    for remedy in ("production dependencies only", "several layers", "container image"):
        assert remedy in failure.value.hint
    assert failure.value.exit_code == 1


def test_unzipped_size_counts_every_zip_so_the_same_layer_alone_passes(heavy):
    function, layers = heavy
    small_function = zip_of(function.with_name("tiny.zip"), {"app.py": 100})
    assert check_artifacts(small_function, layers[:1], 0, None) == []  # 220 MB: under the limit


def test_exactly_250_mb_unzipped_is_allowed_and_one_byte_more_is_not(tmp_path):
    layer = zip_of(tmp_path / "layer.zip", {"python/big/blob.bin": limits.UNZIPPED_MAX - 100})
    at_limit = zip_of(tmp_path / "function.zip", {"app.py": 100})
    assert check_artifacts(at_limit, [layer], 0, None) == []
    over = zip_of(tmp_path / "function-over.zip", {"app.py": 101})
    with pytest.raises(BuildError):
        check_artifacts(over, [layer], 0, None)


def test_more_than_five_layers_in_all_is_an_error_counting_layers_given_by_arn(tmp_path):
    function = zip_of(tmp_path / "function.zip", {"app.py": 100})
    layer = zip_of(tmp_path / "layer.zip", {"python/six.py": 1000})
    assert check_artifacts(function, [layer], 4, None) == []
    with pytest.raises(BuildError) as failure:
        check_artifacts(function, [layer], 5, None)
    assert "6 layers" in failure.value.message and "allows 5" in failure.value.message


def test_limits_are_lambda_quotas_in_bytes():
    # GetAccountSettings reports CodeSizeZipped 52428800 and CodeSizeUnzipped 262144000.
    assert limits.DIRECT_UPLOAD_MAX == 52_428_800
    assert limits.UNZIPPED_MAX == 262_144_000
    assert limits.MAX_LAYERS == 5


@pytest.fixture(scope="module")
def over_50_mb_zipped(tmp_path_factory):
    """A function zip just over 50 MB on disk: stored zeros (the smallest file that is that large)."""
    return zip_of(tmp_path_factory.mktemp("big") / "function-arm64.zip", {"data.bin": 50 * MiB + 1}, stored=True)


def test_zip_over_50_mb_without_artifact_bucket_gets_a_note_asking_for_one(over_50_mb_zipped):
    notes = check_artifacts(over_50_mb_zipped, [], 0, None)
    assert len(notes) == 1
    assert "function-arm64.zip" in notes[0] and "through S3" in notes[0]
    assert "[deployment] artifact_bucket" in notes[0]


def test_zip_over_50_mb_with_artifact_bucket_gets_a_note_naming_the_bucket(over_50_mb_zipped):
    notes = check_artifacts(over_50_mb_zipped, [], 0, "my-artifacts")
    assert len(notes) == 1 and "my-artifacts" in notes[0] and "through S3" in notes[0]
    assert "set [deployment]" not in notes[0]


def test_layer_over_50_mb_zipped_is_noted_too(over_50_mb_zipped, tmp_path):
    function = zip_of(tmp_path / "function.zip", {"app.py": 100})
    notes = check_artifacts(function, [over_50_mb_zipped], 0, "bucket")
    assert len(notes) == 1 and over_50_mb_zipped.name in notes[0]


@pytest.mark.parametrize("entry, package", [
    ("python/numpy/core/x.so", "python/numpy"),
    ("python/lib/python3.12/site-packages/yaml/__init__.py", "python/lib/python3.12/site-packages/yaml"),
    ("nodejs/node_modules/@aws-sdk/client-s3/dist/index.js", "nodejs/node_modules/@aws-sdk/client-s3"),
    ("nodejs/node_modules/ms/index.js", "nodejs/node_modules/ms"),
    ("nodejs/node20/node_modules/ms/index.js", "nodejs/node20/node_modules/ms"),
    ("java/lib/jackson-core.jar", "java/lib/jackson-core.jar"),
    ("vendor/requests/api.py", "vendor"),
    ("app.py", "app.py"),
])
def test_entries_are_grouped_by_their_top_level_package(entry, package):
    assert limits.package_of(entry) == package
