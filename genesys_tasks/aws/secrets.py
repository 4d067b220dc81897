"""SSM Parameter Store and Secrets Manager: the values ``${ssm:...}`` and ``${secretsmanager:...}``
in ``[function.environment]`` name, read with the deploy's credentials (read calls only)."""

from __future__ import annotations

from .base import Adapter, operation


class SsmAdapter(Adapter):
    service = "ssm"

    get_parameter = operation("get_parameter", "Name", missing_ok=True)


class SecretsManagerAdapter(Adapter):
    service = "secretsmanager"

    get_secret_value = operation("get_secret_value", "SecretId", missing_ok=True)
