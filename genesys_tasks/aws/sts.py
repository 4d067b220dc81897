"""STS: who the credentials belong to (the account a deploy goes to)."""

from __future__ import annotations

from .base import Adapter


class StsAdapter(Adapter):
    service = "sts"

    def get_caller_identity(self) -> dict:
        return self.call("get_caller_identity", "the current credentials")
