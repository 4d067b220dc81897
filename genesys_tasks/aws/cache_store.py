"""The shared layer cache's store on S3: ``build.cache.RemoteStore`` over ``s3://bucket/prefix``.

Objects are ``<prefix><name>`` (names such as ``layers/<key>.zip``). Nothing here checks
what it reads: the layer cache verifies every object against its sha256 before use.
The S3 client is made on first use, from the normal credential chain and
``AWS_ENDPOINT_URL`` (``target``), and is not pickled with the store, so a doit
action holding a store costs nothing until a layer misses the local cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import AwsError


class S3Store:
    """Get and put objects under ``s3://bucket/prefix``; ``clients``: an ``aws.session.Clients``
    (default: one for the environment's target, made on first use)."""

    def __init__(self, bucket: str, prefix: str = "", clients=None):
        self.bucket, self.prefix = bucket, prefix
        self._clients = clients

    def __getstate__(self) -> dict:
        return {"bucket": self.bucket, "prefix": self.prefix, "_clients": None}

    def _s3(self):
        if self._clients is None:
            from .session import Clients
            from .target import target_for

            self._clients = Clients(target_for())
        return self._clients.s3

    def get(self, name: str, dest: Path) -> bool:
        """Write the object ``name`` to ``dest``; False when there is none."""
        key = self.prefix + name
        response = self._s3().get_object(Bucket=self.bucket, Key=key)
        if response is None:
            return False
        try:
            with response["Body"] as body, open(dest, "wb") as out:
                shutil.copyfileobj(body, out, 1 << 20)
        except OSError:
            raise
        except Exception as err:  # noqa: BLE001 - botocore/urllib3 stream errors: the download broke off
            raise AwsError(f"the download of s3://{self.bucket}/{key} broke off: {err}") from None
        return True

    def put(self, name: str, path: Path) -> None:
        # bytes, not an open file: a retried call must send the whole file again
        self._s3().put_object(Bucket=self.bucket, Key=self.prefix + name, Body=Path(path).read_bytes())
