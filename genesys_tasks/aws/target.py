"""Which AWS endpoint a command talks to, decided from the environment and the TOML alone.

Computing a ``Target`` does no network and imports no boto3, so doit can fold it
into a task's up-to-date check at load time. The account is not part of it: that
needs a call (sts:GetCallerIdentity), made inside task actions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """Where AWS calls go: region, profile and endpoint."""

    region: str | None  # None: the credential chain's region (profile config)
    profile: str | None
    endpoint: str | None  # AWS_ENDPOINT_URL (LocalStack, the sandbox), else AWS's own

    def as_dict(self) -> dict:
        return {"region": self.region, "profile": self.profile, "endpoint": self.endpoint}


def target_for(region: str | None = None, profile: str | None = None) -> Target:
    """``[deployment] region/profile`` win over the environment, as the TOML is more specific.

    Inside ``--sandbox`` (``GENESYS_IN_SANDBOX``) there is no profile: the sandbox's fake
    credentials are the ones to use, and the TOML's profile may not exist on this machine.
    """
    env = os.environ
    in_sandbox = bool(env.get("GENESYS_IN_SANDBOX"))
    return Target(
        region=region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        profile=None if in_sandbox else profile or env.get("AWS_PROFILE") or None,
        endpoint=env.get("AWS_ENDPOINT_URL") or None,
    )
