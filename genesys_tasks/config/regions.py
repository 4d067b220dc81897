"""The AWS region names genesys accepts in ``[deployment] region``: those botocore's data lists.

Read from botocore's data files (``partitions.json``, a few KB; else ``endpoints.json``)
without importing botocore or creating a client, and only when a TOML names a region;
once per process. ``region_option`` checks a ``--region`` flag the same way. When the data
cannot be found the check is skipped rather than refusing every region. ``configured_region``
is the region boto3 would use here (environment, then the profile's), read without boto3.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from pathlib import Path

from ..errors import close_matches

DATA_FILES = ("partitions.json", "endpoints.json")


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows; empty when its data is not there."""
    spec = importlib.util.find_spec("botocore")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for name in DATA_FILES:
            regions = _regions_in(Path(folder) / "data" / name)
            if regions:
                return regions
    return frozenset()


def _regions_in(path: Path) -> frozenset[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    partitions = data.get("partitions", []) if isinstance(data, dict) else []
    return frozenset(region for partition in partitions if isinstance(partition, dict)
                     for region in partition.get("regions", {}) if not region.endswith("-global"))


def region_problem(region: str) -> tuple[str, str] | None:
    """(what is wrong, the fix) when ``region`` is not an AWS region; None when it is, or when
    the list of regions is not available."""
    regions = known_regions()
    if not regions or region in regions:
        return None
    close = close_matches(region, sorted(regions))
    hint = (f"did you mean {close[0]!r}? " if close else "use a region name such as 'us-east-1'; ") + (
        "if it is a region newer than the installed botocore, upgrade boto3")
    return f"{region!r} is not an AWS region", hint


def region_option(text: str) -> str:
    """argparse's ``type`` for a ``--region`` flag: the region, checked as ``[deployment] region`` is at
    load; a UsageError naming the flag (exit 2) before the command does anything."""
    from ..errors import UsageError

    problem = region_problem(text)
    if problem:
        raise UsageError(f"--region: {problem[0]}", hint=problem[1])
    return text


def configured_region(env=None) -> str | None:
    """The region boto3 would pick on this machine: ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the
    ``region`` of the profile (``AWS_PROFILE``, else ``default``) in the AWS config file
    (``AWS_CONFIG_FILE``, else ``~/.aws/config``); None when none is set. Reads files, imports no boto3."""
    env = os.environ if env is None else env
    found = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if found:
        return found
    import configparser  # only the wizard asks; loading a TOML does not

    profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    parser = configparser.RawConfigParser(interpolation=None)
    try:
        parser.read(Path(env.get("AWS_CONFIG_FILE") or "~/.aws/config").expanduser(), encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None  # boto3 would refuse the file too; the deploy says so
    for section in (f"profile {profile}",) if profile != "default" else ("default", "profile default"):
        if parser.has_option(section, "region"):
            return parser.get(section, "region").strip() or None
    return None
