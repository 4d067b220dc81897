"""``genesys config setup``: write the standard AWS shared config and credentials files.

What the AWS CLI and every SDK read: ``~/.aws/config`` (``AWS_CONFIG_FILE``) gets the
profile's region, ``~/.aws/credentials`` (``AWS_SHARED_CREDENTIALS_FILE``) its keys. Keys
come from ``--access-key``/``--secret-key``, else from ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (with ``AWS_SESSION_TOKEN``); with neither, only the region is
written. Other profiles and keys are kept as they are (``configparser``; comments are
not kept). Both files are replaced atomically and are readable by their owner only (0600).

A secret is never shown: the key id is masked. Keys typed on a command line land in shell
history and process lists, and long-lived keys in CI are weaker than OIDC
(``genesys ci bootstrap-oidc``): genesys says so when either happens.
"""

from __future__ import annotations

import configparser
import io
import os
import re
from pathlib import Path

from .. import ui
from ..config.regions import region_option
from ..errors import ConfigError, UsageError, Where
from ..paths import replace_atomic

PROFILE = re.compile(r"^[\w.+=,@-]+$")


def shared_files() -> tuple[Path, Path]:
    """(config, credentials): where boto3 and the AWS CLI look, honouring their variables."""
    config = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    credentials = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return Path(config).expanduser(), Path(credentials).expanduser()


def masked(key_id: str) -> str:
    return f"****{key_id[-4:]}" if len(key_id) > 8 else "****"


def keys_from(args) -> tuple[dict, str]:
    """The keys to write (by credentials-file name) and where they came from: ``command line``,
    ``environment`` or ``""`` (none)."""
    if bool(args.access_key) != bool(args.secret_key):
        raise UsageError("--access-key and --secret-key go together",
                         hint="give both, or neither to read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if args.access_key:
        return {"aws_access_key_id": args.access_key, "aws_secret_access_key": args.secret_key}, "command line"
    env = os.environ
    key_id, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if bool(key_id) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key_id else "AWS_ACCESS_KEY_ID"
        raise UsageError(f"{missing} is not set while its pair is",
                         hint="set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")
    if not key_id:
        return {}, ""
    keys = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
    if env.get("AWS_SESSION_TOKEN"):
        keys["aws_session_token"] = env["AWS_SESSION_TOKEN"]
    return keys, "environment"


def read_ini(path: Path) -> configparser.RawConfigParser:
    """The file as it is (empty when missing); a malformed one is a ConfigError with its line."""
    parser = configparser.RawConfigParser(default_section="genesys:no-default-section", interpolation=None)
    parser.optionxform = str  # keys as written
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return parser
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}", hint="fix its permissions or point "
                          "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere") from None
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as err:
        line = getattr(err, "lineno", None) or next((n for n, _ in getattr(err, "errors", [])), None)
        raise ConfigError(f"not a valid INI file: {err.message.splitlines()[0]}",
                          hint="fix the line shown (AWS files are [section] headers and key = value lines), "
                          "or move the file away", where=Where(path, line)) from None
    return parser


def write_private(path: Path, parser: configparser.RawConfigParser) -> None:
    """``parser`` to ``path`` through a temporary sibling made 0600 before any byte is written."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = io.StringIO()
    parser.write(text)

    def fill(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text.getvalue())

    replace_atomic(path, fill)


def update(path: Path, section: str, values: dict, drop: tuple[str, ...] = ()) -> None:
    """Set ``values`` in ``section`` of the INI file ``path`` (removing ``drop``), keeping the rest."""
    parser = read_ini(path)
    if not parser.has_section(section):
        parser.add_section(section)
    for key in drop:
        parser.remove_option(section, key)
    for key, value in values.items():
        parser.set(section, key, value)
    write_private(path, parser)


def ask_missing(args, ask=input, ask_secret=None) -> None:
    """With ``--provider`` or ``--region`` left out in a terminal, ask them (and the profile and keys)."""
    import getpass
    import sys

    if args.provider and args.region:
        return
    if not sys.stdin.isatty():
        raise UsageError("genesys config setup needs --provider and --region",
                         hint="genesys config setup --provider aws --region eu-west-1 (or run it in a terminal to "
                              "be asked)")
    ask_secret = ask_secret or getpass.getpass
    current = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    args.provider = args.provider or ask("provider [aws]: ").strip() or "aws"
    args.region = args.region or ask(f"region [{current}]: ").strip() or current
    args.profile = args.profile or ask("profile [default]: ").strip() or None
    if not (args.access_key or os.environ.get("AWS_ACCESS_KEY_ID")):
        args.access_key = ask("access key id (empty: write no keys): ").strip() or None
        if args.access_key:
            args.secret_key = ask_secret("secret access key (not shown): ").strip() or None
            args.typed = True


def run(args) -> int:
    ask_missing(args)
    if args.provider != "aws":
        raise UsageError(f"unknown provider {args.provider!r}", hint="use --provider aws")
    region_option(args.region)  # the flag's or the answer's: checked as every --region is
    keys, source = keys_from(args)
    profile = args.profile or "default"
    if not PROFILE.match(profile):
        raise UsageError(f"--profile {profile!r} is not a profile name",
                         hint="letters, digits and . _ - + = , @ (e.g. --profile ci)")
    config, credentials = shared_files()
    update(config, "default" if profile == "default" else f"profile {profile}", {"region": args.region})
    ui.success(f"{config}: profile {profile} uses region {args.region}")
    if keys:
        # keys from the command line carry no token: an old one would not match them
        update(credentials, profile, keys, drop=() if "aws_session_token" in keys else ("aws_session_token",))
        ui.success(f"{credentials}: keys of profile {profile} (key id {masked(keys['aws_access_key_id'])}, "
                   f"from the {source})")
    else:
        ui.info("no keys given and none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: credentials file left as it is")
    if source == "command line" and not getattr(args, "typed", False):
        ui.warn("keys typed on a command line land in shell history and process lists: "
                "prefer AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, and OIDC in CI")
    if keys and os.environ.get("CI"):
        ui.warn("long-lived keys in CI: OIDC is preferred (short-lived credentials, nothing stored); "
                "`genesys ci bootstrap-oidc` creates the provider and role")
    return 0
