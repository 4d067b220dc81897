"""What the planners take besides the spec and AWS's state: the built code (``Artifact``, a zip;
``ImageArtifact``, a container image) and how it reaches AWS, the deploy-time ``Facts``, and the
tags genesys marks things with.

``code_param`` dispatches on the artifact's ``kind``. Zips up to Lambda's 50 MB direct-upload
limit go inline (read only when the call runs); larger ones are uploaded to ``[deployment]
artifact_bucket`` first. An image is named by its repository and digest.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ...config.spec import FunctionSpec
from ...errors import ConfigError
from ..model import FileBytes, Plan
from ..ownership import Ownership

DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
MASK = "****"  # what a change shows instead of an environment value
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|PRIVATE|AUTH|SIGNATURE|COOKIE|SESSION|DSN",
                         re.IGNORECASE)
RANDOM_VALUE = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")


def shown_env(name: str, value: str | None, written: str | None = None) -> str | None:
    """An environment value as a plan shows it: itself, or ``****`` when it came from a ``${...}``
    reference, its name looks secret (KEY, TOKEN, PASSWORD, ...) or it looks like a random string."""
    if value is None:
        return None
    if (written is not None and "${" in written) or SECRET_NAME.search(name) or \
            (RANDOM_VALUE.fullmatch(value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return MASK
    return value


@dataclass(frozen=True)
class Artifact:
    """A built zip and its CodeSha256 (base64 of the sha256 digest, as AWS reports it)."""

    kind: ClassVar[str] = "zip"
    package_type: ClassVar[str] = "Zip"  # Lambda's PackageType
    path: Path
    code_sha256: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def deployed_in(self, function) -> bool:
        """The function (a ``FunctionState``) runs this zip."""
        return function.config.get("CodeSha256") == self.code_sha256

    def reported_sha256(self, function) -> str:
        """The CodeSha256 Lambda reports for this code (what its published versions are compared by)."""
        return self.code_sha256

    def shown(self, function) -> tuple:
        """The change of code a plan shows, from ``function`` (None: created)."""
        return ("CodeSha256", None if function is None else function.config.get("CodeSha256"), self.code_sha256)


@dataclass(frozen=True)
class ImageArtifact:
    """A container image in ECR: ``repository`` (its URI) and ``digest`` (``sha256:<hex>``): one architecture's
    manifest, what Lambda runs (it takes no multi-architecture index). ``index``: the index of both
    architectures' images when the function is built for two; it is what is pushed and tagged."""

    kind: ClassVar[str] = "image"
    package_type: ClassVar[str] = "Image"
    repository: str
    digest: str
    index: str = ""
    layers: tuple[tuple[str, str, int], ...] = ()  # (what it holds, digest, size) of each, the base's first

    @property
    def pushed(self) -> str:
        """The digest pushed and tagged: the index when there is one (it brings every architecture's image)."""
        return self.index or self.digest

    @property
    def code_sha256(self) -> str:
        """What Lambda reports as an image function's CodeSha256: the digest's hex."""
        return self.digest.removeprefix("sha256:")

    @property
    def uri(self) -> str:
        return f"{self.repository}@{self.digest}"

    def deployed_in(self, function) -> bool:
        """The function runs this image: its CodeSha256 is the digest's hex, as Lambda reports an image's
        (read from the configuration: a plan never needs GetFunction's code location). The embedded
        emulator's stub of ECR reports the sha256 of the ImageUri instead; that is this image too."""
        import hashlib

        return function.config.get("CodeSha256") in (self.code_sha256, hashlib.sha256(self.uri.encode()).hexdigest())

    def reported_sha256(self, function) -> str:
        """What Lambda reports for the image the function runs, when it runs this one (an emulator may
        report another hash than the digest); the digest's hex otherwise."""
        if function is not None and self.deployed_in(function):
            return function.config.get("CodeSha256") or self.code_sha256
        return self.code_sha256

    def shown(self, function) -> tuple:
        old = None if function is None else function.config.get("CodeSha256")
        return ("ImageUri", f"@sha256:{old}" if old else None, self.uri)


@dataclass(frozen=True)
class Facts:
    """Deploy-time values the spec does not hold: where, who, and resolved environment."""

    region: str
    account: str
    environment: dict  # ${env:NAME} resolved; never printed or written
    commit: str = ""  # the git commit being deployed (the session's ``Options.commit``), "" unknown


STAGE_KEY = "genesys:stage"
# The commit a function was last deployed from: `genesys changed --since deployed` diffs against it.
COMMIT_KEY = "genesys:commit"  # counted among aws_limits.GENESYS_TAGS


def marker_tags(spec: FunctionSpec, ownership: Ownership = Ownership(), per_toml: bool = True) -> dict:
    """The spec's tags, genesys's mark naming its owner (``marker``) and the stage, for what genesys creates."""
    return {**dict(spec.tags), **ownership.tags(per_toml), **({STAGE_KEY: spec.stage} if spec.stage else {})}


def tag_changes(current: dict, wanted: dict) -> tuple[dict, list[str]]:
    """What to set and which keys to remove so ``current`` tags become ``wanted``: tags taken out of the
    TOML go, but never genesys's own (``genesys:``) nor AWS's (``aws:``)."""
    to_set = {k: v for k, v in wanted.items() if current.get(k) != v}
    to_remove = sorted(k for k in current if k not in wanted and not k.startswith(("genesys:", "aws:")))
    return to_set, to_remove


def code_param(plan: Plan, spec: FunctionSpec, artifact, resource: str, kind: str) -> dict:
    """``Code``/``Content`` for the artifact's kind: see ``CODE_PARAMS``."""
    return CODE_PARAMS[artifact.kind](plan, spec, artifact, resource, kind)


def _image_param(plan: Plan, spec: FunctionSpec, artifact: ImageArtifact, resource: str, kind: str) -> dict:
    if kind != "function":
        raise ConfigError(f"a {kind} cannot be a container image", hint="layers are zips")
    return {"ImageUri": artifact.uri}


def _zip_param(plan: Plan, spec: FunctionSpec, artifact: Artifact, resource: str, kind: str) -> dict:
    """Inline bytes, or an S3 object for zips over 50 MB."""
    if artifact.size <= DIRECT_UPLOAD_LIMIT:
        return {"ZipFile": FileBytes(artifact.path)}
    bucket = spec.deployment.artifact_bucket
    if not bucket:
        raise ConfigError(f"{artifact.path.name} is {artifact.size / 1e6:.0f} MB; Lambda takes at most 50 MB "
                          "directly, larger zips go through S3",
                          hint='set [deployment] artifact_bucket = "<an S3 bucket you own>"')
    key = f"genesys/{spec.name}/{kind}-{artifact.code_sha256.replace('/', '_').replace('+', '-')}.zip"
    plan.call("s3", "put_object", resource, Bucket=bucket, Key=key, Body=FileBytes(artifact.path))
    return {"S3Bucket": bucket, "S3Key": key}


CODE_PARAMS = {"zip": _zip_param, "image": _image_param}  # an artifact's kind → its Code/Content parameters
