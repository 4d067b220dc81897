"""Which environment variables look like secrets, so the wizard writes ``${env:NAME}`` instead.

A secret written into a TOML file ends up in git. A variable whose name says it holds
one (KEY, SECRET, TOKEN, PASSWORD ...) or whose value looks random (long, varied
characters, high Shannon entropy) is offered as a reference resolved at deploy time.
Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter

SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "PRIVATE", "AUTH", "DSN")
REFERENCE = re.compile(r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$")
MIN_RANDOM_LENGTH = 20
MIN_BITS_PER_CHAR = 3.5


def entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str) -> bool:
    """Long, without spaces, and varied enough to be a generated key or token."""
    return (len(value) >= MIN_RANDOM_LENGTH and " " not in value and not value.startswith(("http://", "https://", "/"))
            and entropy(value) >= MIN_BITS_PER_CHAR)


def looks_secret(name: str, value: str) -> bool:
    """True when ``name`` or ``value`` suggests a secret and ``value`` is not already a reference."""
    if REFERENCE.match(value):
        return False
    words = re.split(r"[^A-Z0-9]+", name.upper())
    return any(word in SECRET_WORDS or word.endswith(SECRET_WORDS) for word in words) or looks_random(value)


def reference(name: str) -> str:
    """The ``${env:NAME}`` form the loader resolves at deploy time."""
    return "${env:" + name + "}"
