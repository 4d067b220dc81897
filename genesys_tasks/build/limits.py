"""Lambda's size and layer-count limits, checked on the built zips before anything is uploaded.

The numbers are Lambda's quotas as ``GetAccountSettings`` reports them, in bytes
(AWS writes "50 MB" and "250 MB" for what are mebibytes):

- ``CodeSizeZipped`` 52,428,800: a zip (function or layer) uploaded directly in the
  API request. Larger zips must go through S3 — a note, not an error: the deploy
  step uploads them to ``[deployment] artifact_bucket``.
- ``CodeSizeUnzipped`` 262,144,000: the function and all its layers, extracted.
- 5 layers per function.

Over the last two, AWS would refuse the function, so the build fails here with
the largest packages named and the ways out.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import BuildError
from .ziplist import entries, unzipped_size  # a layer that functions share is summed once

MiB = 1024 * 1024
DIRECT_UPLOAD_MAX = 50 * MiB  # 52,428,800 bytes
UNZIPPED_MAX = 250 * MiB  # 262,144,000 bytes, function and layers together
MAX_LAYERS = 5
LARGEST_SHOWN = 5


def _mb(size: int) -> str:
    return f"{size / MiB:.1f} MB"


def package_of(entry: str) -> str:
    """The top-level package an entry belongs to: ``python/numpy``, ``nodejs/node_modules/@aws-sdk/client-s3``."""
    parts = PurePosixPath(entry).parts
    depth = 1
    if parts[0] == "python":
        # python/<pkg> or python/lib/pythonX.Y/site-packages/<pkg>
        depth = 5 if len(parts) > 4 and parts[1] == "lib" and parts[3] == "site-packages" else 2
    elif parts[0] == "nodejs" and "node_modules" in parts:
        depth = parts.index("node_modules") + 2
        if len(parts) > depth and parts[depth - 1].startswith("@"):
            depth += 1
    elif parts[0] == "java" and len(parts) > 2 and parts[1] == "lib":
        depth = 3
    return "/".join(parts[:min(depth, len(parts))])


def package_sizes(zip_paths: list[Path]) -> dict[str, int]:
    """Unzipped bytes per top-level package, labelled with the zip it is in."""
    sizes: dict[str, int] = {}
    for zip_path in zip_paths:
        for info in entries(zip_path):
            if info.is_dir():
                continue
            label = f"{package_of(info.filename)} ({zip_path.name})"
            sizes[label] = sizes.get(label, 0) + info.file_size
    return sizes


def upload_notes(zip_paths: list[Path], artifact_bucket: str | None) -> list[str]:
    """A note for each zip too large to send in the API request itself."""
    notes = []
    for zip_path in zip_paths:
        size = zip_path.stat().st_size
        if size <= DIRECT_UPLOAD_MAX:
            continue
        note = (f"{zip_path.name} is {_mb(size)} zipped, over Lambda's {_mb(DIRECT_UPLOAD_MAX)} direct upload "
                "limit: it will be uploaded through S3")
        if artifact_bucket:
            note += f" (bucket {artifact_bucket})"
        else:
            note += "; set [deployment] artifact_bucket = \"<bucket>\" before deploying"
        notes.append(note)
    return notes


def check_artifacts(function_zip: Path, layer_zips: list[Path], extra_layer_count: int,
                    artifact_bucket: str | None) -> list[str]:
    """Notes about zips that go through S3; BuildError when Lambda would refuse the function."""
    zips = [function_zip, *layer_zips]
    notes = upload_notes(zips, artifact_bucket)
    problems = []
    layer_count = len(layer_zips) + extra_layer_count
    if layer_count > MAX_LAYERS:
        problems.append(f"the function would use {layer_count} layers ({len(layer_zips)} built, "
                        f"{extra_layer_count} in [function] layers); Lambda allows {MAX_LAYERS}")
    total = sum(unzipped_size(z) for z in zips)
    largest = ""
    if total > UNZIPPED_MAX:
        by_arn = f" (the {extra_layer_count} layer(s) given by ARN come on top)" if extra_layer_count else ""
        problems.append(f"{function_zip.name} and its layers are {_mb(total)} unzipped; Lambda allows "
                        f"{_mb(UNZIPPED_MAX)} for a function and all its layers together{by_arn}")
        ranked = sorted(package_sizes(zips).items(), key=lambda item: (-item[1], item[0]))[:LARGEST_SHOWN]
        largest = "\nlargest packages, unzipped:\n" + "\n".join(f"  {_mb(size):>10}  {name}"
                                                                 for name, size in ranked)
    if problems:
        raise BuildError(
            "\n".join(problems) + largest,
            hint="install production dependencies only (no test, dev or build tools; boto3 is in the Python "
                 "runtime already); split the dependencies into several layers, each attached only to the "
                 "functions that use it, and merge small ones (5 at most per function); or deploy the "
                 "function as a container image (up to 10 GB unzipped)",
        )
    return notes
