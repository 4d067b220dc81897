"""``${...}`` references in ``[function.environment]``, filled at deploy time.

- ``${env:NAME}``                        this process's environment variable;
- ``${ssm:/path/name}``                   an SSM parameter (SecureString decrypted);
- ``${secretsmanager:name}``              a Secrets Manager secret's string, or with
  ``${secretsmanager:name:json-key}``     one key of the JSON object it holds.

AWS values are read with the deploy's credentials (``clients``); without clients their form
is checked and they stay as written. Anything that cannot be filled is a ConfigError naming
the variable and the reference (never a value). Prints nothing.
"""

from __future__ import annotations

import json
import os
import re

from ..config.locate import where_in
from ..config.spec import FunctionSpec
from ..errors import ConfigError

REFERENCE = re.compile(r"\$\{([A-Za-z]+):([^}]*)\}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SOURCES = ("env", "ssm", "secretsmanager")


def fill(spec: FunctionSpec, key: str, value: str, clients=None) -> str:
    """``value`` with its references filled (AWS ones only when ``clients`` are given)."""
    def one(match) -> str:
        source, name = match.group(1), match.group(2)
        written = match.group(0)
        where = where_in(spec.path, "function", "environment", key)
        if source not in SOURCES:
            raise ConfigError(f"{key} = {written!r}: unknown reference source {source!r}",
                              hint="use ${env:NAME}, ${ssm:/path/name} or ${secretsmanager:name[:json-key]}",
                              where=where)
        if source == "env":
            if not ENV_NAME.fullmatch(name):
                raise ConfigError(f"{key}: {written} is not an environment variable name", where=where,
                                  hint="${env:NAME}, NAME made of letters, digits and _")
            if name not in os.environ:
                raise ConfigError(f"{key} refers to ${{env:{name}}}, which is not set",
                                  hint=f"export {name}=... before deploying, or change the value", where=where)
            return os.environ[name]
        if not name:
            raise ConfigError(f"{key}: {written} names nothing", where=where,
                              hint="${ssm:/path/name} or ${secretsmanager:name[:json-key]}")
        if clients is None:
            return written
        return _ssm(clients, key, name, where) if source == "ssm" else _secret(clients, key, name, where)

    return REFERENCE.sub(one, value)


def _ssm(clients, key: str, name: str, where) -> str:
    found = clients.adapter("ssm").get_parameter(Name=name, WithDecryption=True)
    if found is None:
        raise ConfigError(f"{key} refers to ${{ssm:{name}}}, which does not exist in {clients.region}",
                          hint=f"aws ssm put-parameter --name {name} --type SecureString --value ...", where=where)
    return found["Parameter"]["Value"]


def _secret(clients, key: str, name: str, where) -> str:
    secret, _, json_key = name.partition(":")
    found = clients.adapter("secretsmanager").get_secret_value(SecretId=secret)
    if found is None or "SecretString" not in found:
        raise ConfigError(f"{key} refers to ${{secretsmanager:{secret}}}, which has no string value in "
                          f"{clients.region}", hint=f"aws secretsmanager create-secret --name {secret} "
                                                    "--secret-string ...", where=where)
    if not json_key:
        return found["SecretString"]
    try:
        data = json.loads(found["SecretString"])
        return str(data[json_key])
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"{key} refers to key {json_key!r} of secret {secret}, which is not a JSON object "
                          "with that key", hint="name a key the secret's JSON has", where=where) from None
