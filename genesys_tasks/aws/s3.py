"""S3: the artifact bucket that carries zips over Lambda's 50 MB direct-upload limit."""

from __future__ import annotations

from .base import Adapter, operation


class S3Adapter(Adapter):
    service = "s3"

    head_object = operation("head_object", "Key", missing_ok=True)

    def put_object(self, Bucket: str, Key: str, Body) -> dict:
        return self.call("put_object", f"s3://{Bucket}/{Key}", Bucket=Bucket, Key=Key, Body=Body)
