"""S3: the artifact bucket that carries zips over Lambda's 50 MB direct-upload limit."""

from __future__ import annotations

from .base import Adapter


class S3Adapter(Adapter):
    service = "s3"

    def put_object(self, Bucket: str, Key: str, Body) -> dict:
        return self.call("put_object", f"s3://{Bucket}/{Key}", Bucket=Bucket, Key=Key, Body=Body)
