"""What AWS refuses in names and small strings, as data and pure predicates.

Each predicate returns what is wrong (a sentence) or None, so the loader and
``checks`` can fail at the key's line before anything is built or called. The
numbers and patterns are AWS's own:

- IAM role names: ``[\\w+=,.@-]{1,64}`` (IAM CreateRole);
- Lambda environment keys: ``[a-zA-Z]([a-zA-Z0-9_])+``, and all variables together at
  most 4 KB measured as Lambda measures them, the JSON of the map;
- descriptions: at most 256 characters (functions and layer versions);
- tags: at most 50 per resource, counting the ones genesys adds; keys 1-128 and values
  at most 256 characters of letters, digits, spaces and ``_ . : / = + - @``; keys
  starting ``aws:`` are AWS's;
- S3 bucket names: 3-63 lowercase letters, digits, ``.`` and ``-``, with the reserved
  prefixes and suffixes and the IP-address form excluded;
- handlers: the handler names a file inside the function's folder, so it has no
  whitespace, no ``..`` and no leading dot or slash (Lambda: ``[^\\s]+``, at most 128).
"""

from __future__ import annotations

import json
import re

ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
ENV_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
ENV_LIMIT_BYTES = 4096
DESCRIPTION_MAX = 256
# Room a layer description keeps for the marker genesys writes in front of it (its own
# prefix and the zip's sha256), so the user's text is never cut.
LAYER_MARKER_ROOM = 96
COMPATIBLE_RUNTIMES_MAX = 15

MAX_TAGS = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_SYMBOLS = set("_.:/=+-@")
# The tags genesys puts on what it creates, besides the user's: they count toward the 50.
GENESYS_TAGS = ("genesys:managed", "genesys:owner", "genesys:toml", "genesys:commit")
GENESYS_TAG_PREFIX = "genesys:"

BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")

HANDLER_MAX = 128


def role_name_problem(name: str) -> str | None:
    if ROLE_NAME.fullmatch(name):
        return None
    if not name or len(name) > 64:
        return f"role name {name!r} has {len(name)} characters; IAM allows 1 to 64"
    bad = sorted({c for c in name if not re.fullmatch(r"[\w+=,.@-]", c, re.ASCII)})
    return f"role name {name!r} has characters IAM does not allow: {' '.join(repr(c) for c in bad)}"


def env_key_problem(key: str) -> str | None:
    if ENV_KEY.fullmatch(key):
        return None
    if len(key) < 2 and key[:1].isascii() and key[:1].isalpha():
        return f"{key!r} is too short: Lambda needs environment variable names of at least 2 characters"
    return f"{key!r} is not a valid environment variable name"


def environment_size(environment: dict) -> int:
    """The size Lambda counts against its 4 KB: the bytes of the variables' JSON."""
    return len(json.dumps(environment, separators=(",", ":"), ensure_ascii=False).encode())


def description_problem(text: str, limit: int = DESCRIPTION_MAX) -> str | None:
    if len(text) <= limit:
        return None
    return f"the description has {len(text)} characters; at most {limit} fit"


def _tag_text_ok(text: str) -> bool:
    return all(c.isalnum() or c.isspace() or c in TAG_SYMBOLS for c in text)


def tag_problem(key: str, value: str) -> str | None:
    """What AWS would refuse in one tag, or None."""
    if not key or len(key) > TAG_KEY_MAX:
        return f"tag key {key[:40]!r} has {len(key)} characters; AWS allows 1 to {TAG_KEY_MAX}"
    if key.lower().startswith("aws:"):
        return f"tag key {key!r} starts with aws:, which AWS keeps for its own tags"
    if key.startswith(GENESYS_TAG_PREFIX):
        return f"tag key {key!r} starts with {GENESYS_TAG_PREFIX}, which genesys keeps for the tags that mark what it made"
    if len(value) > TAG_VALUE_MAX:
        return f"the value of tag {key!r} has {len(value)} characters; AWS allows at most {TAG_VALUE_MAX}"
    for what, text in (("key", key), ("value", value)):
        if not _tag_text_ok(text):
            return f"tag {what} {text[:40]!r} has characters AWS does not allow in tags"
    return None


def bucket_problem(name: str) -> str | None:
    """Why S3 would refuse ``name`` as a general purpose bucket name, or None."""
    if not BUCKET_NAME.fullmatch(name):
        return f"{name!r} is not a valid bucket name"
    if ".." in name:
        return f"{name!r} is not a valid bucket name: it has two adjacent periods"
    if IP_ADDRESS.fullmatch(name):
        return f"{name!r} is not a valid bucket name: it is formatted as an IP address"
    reserved = next((p for p in BUCKET_RESERVED_PREFIXES if name.startswith(p)), None) or next(
        (s for s in BUCKET_RESERVED_SUFFIXES if name.endswith(s)), None)
    if reserved:
        return f"{name!r} is not a valid bucket name: {reserved!r} is reserved by S3"
    return None


BUCKET_HINT = "the bucket's name (not an ARN or URL): 3-63 lowercase letters, digits, . and -"


def handler_problem(handler: str) -> str | None:
    """What Lambda (or the function's folder) cannot take in a handler, or None."""
    if len(handler) > HANDLER_MAX:
        return f"handler has {len(handler)} characters; Lambda allows at most {HANDLER_MAX}"
    if any(c.isspace() for c in handler):
        return f"handler {handler!r} has whitespace, which Lambda does not allow"
    if handler.startswith((".", "/", "\\")) or ".." in handler:
        return (f"handler {handler!r} must name a file inside the source folder: "
                "no leading dot or slash, and no ..")
    return None
