"""S3: the artifact bucket that carries zips over Lambda's 50 MB direct-upload limit, the
notification configurations of buckets that trigger functions, and the shared layer cache."""

from __future__ import annotations

from .base import Adapter, operation


class S3Adapter(Adapter):
    service = "s3"

    get_bucket_notification_configuration = operation("get_bucket_notification_configuration", "Bucket",
                                                      missing_ok=True)
    put_bucket_notification_configuration = operation("put_bucket_notification_configuration", "Bucket")

    def put_object(self, Bucket: str, Key: str, Body) -> dict:
        return self.call("put_object", f"s3://{Bucket}/{Key}", Bucket=Bucket, Key=Key, Body=Body)

    def get_object(self, Bucket: str, Key: str) -> dict | None:
        """The object (its ``Body`` a stream), or None when the key or the bucket does not exist."""
        return self.call("get_object", f"s3://{Bucket}/{Key}", missing_ok=True, Bucket=Bucket, Key=Key)
