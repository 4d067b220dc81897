"""Which environment variables hold secrets: the one detector the wizard, the loader's warning and
anything else that reads environment values share.

A secret written into a TOML file ends up in git. A variable is taken for a secret when

- its name says so: a word of it (split at ``_``, ``-``, ``.``) is, or ends with, one of
  ``SECRET_WORDS`` (``DB_PASS``, ``SLACK_WEBHOOK_URL``, ``SENTRY_DSN``, ``APIKEY``), or
- its value holds one: a URL with a password (``https://user:pw@host``), a token with a known
  prefix (``TOKEN_PREFIXES``: AWS key ids, GitHub, Slack, Stripe, GitLab), a PEM private key,
  or a long, varied string (high Shannon entropy) such as a generated key.

A ``${env:NAME}`` reference is no secret: a value that is one is never flagged, and in a
value that holds some (``postgres://app:${env:DB_PW}@db/app``) only the rest is looked at.
Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter

SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASS", "PWD", "CREDENTIAL", "CREDENTIALS",
                "PRIVATE", "AUTH", "DSN", "WEBHOOK")
WORD_ENDINGS = tuple(w for w in SECRET_WORDS if w != "PASS")  # APIKEY, DBPWD; but BYPASS, COMPASS are no secrets
REFERENCE = re.compile(r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$")
ANY_REFERENCE = re.compile(r"\$\{env:[A-Za-z_][A-Za-z0-9_]*\}")
URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@")
TOKEN_PREFIXES = re.compile(
    r"(?<![A-Za-z0-9])(?:(?:AKIA|ASIA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abeoprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{10,}|glpat-[A-Za-z0-9_-]{20,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----)")
HEX = re.compile(r"[0-9a-fA-F]{32,}")
MIN_RANDOM_LENGTH = 20
MIN_BITS_PER_CHAR = 3.5


def entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str) -> bool:
    """Long, without spaces, and varied enough to be a generated key or token: three kinds of
    characters (lower, upper, digits, others) at high entropy, or a long hex string. Names
    (``orders-table-prod``), URLs, paths and ARNs are not."""
    if len(value) < MIN_RANDOM_LENGTH or " " in value or value.startswith(("http://", "https://", "/", "arn:")):
        return False
    if HEX.fullmatch(value):
        return True
    kinds = sum(any(test(c) for c in value) for test in (str.islower, str.isupper, str.isdigit,
                                                            lambda c: not c.isalnum()))
    return kinds >= 3 and entropy(value) >= MIN_BITS_PER_CHAR


def secret_name(name: str) -> bool:
    """Whether the variable's name says it holds a secret."""
    words = re.split(r"[^A-Z0-9]+", name.upper())
    return any(word in SECRET_WORDS or word.endswith(WORD_ENDINGS) for word in words)


def secret_value(value: str) -> str | None:
    """What in ``value`` is a secret (``a URL with a password``, ``a ... token``), or None."""
    rest = ANY_REFERENCE.sub("", value)
    if URL_PASSWORD.search(rest):
        return "a URL with a password"
    if TOKEN_PREFIXES.search(rest):
        return "a key or token"
    if rest == value and looks_random(value):
        return "a random-looking key"
    return None


def looks_secret(name: str, value: str) -> bool:
    """True when ``name`` or ``value`` suggests a secret written as it is (not a reference)."""
    if REFERENCE.match(value):
        return False
    if ANY_REFERENCE.search(value):  # the secret part is a reference already: only the rest counts
        return secret_value(value) is not None
    return secret_name(name) or secret_value(value) is not None


def reference(name: str) -> str:
    """The ``${env:NAME}`` form the loader resolves at deploy time."""
    return "${env:" + name + "}"
