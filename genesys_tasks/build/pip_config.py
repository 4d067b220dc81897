"""pip's settings as ``pip install`` sees them, read in this process: its configuration files and PIP_* variables.

uv reads none of pip's configuration, so the Python layer build translates it
(``local_python.uv_index_options``): a private index in ``pip.conf`` or in
``PIP_INDEX_URL`` must reach uv as it reaches pip. Reading it here costs a few
``stat`` calls; asking ``python -m pip config list`` cost an interpreter start.

The files and their order are pip's own (``pip/_internal/configuration.py``), a
later one winning for the same key:

1. site-wide: each ``$XDG_CONFIG_DIRS`` folder's ``pip/pip.conf`` (``/etc/xdg/pip/pip.conf``)
   and ``/etc/pip.conf`` (macOS: ``/Library/Application Support/pip/pip.conf``);
2. the user's: ``~/.pip/pip.conf``, then ``$XDG_CONFIG_HOME/pip/pip.conf``
   (``~/.config/pip/pip.conf``), unless ``PIP_CONFIG_FILE`` names a file that exists;
3. the environment's: ``sys.prefix/pip.conf``;
4. ``PIP_CONFIG_FILE``; when it is ``os.devnull`` no file is read at all.

Within the files, ``[install]`` wins over ``[global]``; a ``PIP_<NAME>`` variable wins
over both. Keys come out as pip spells its long options: lower case, dashes.
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path
from typing import Mapping

BASENAME = "pip.ini" if sys.platform == "win32" else "pip.conf"
SECTIONS = ("global", "install")  # the sections ``pip install`` reads, weakest first
_IGNORED_VARIABLES = ("version", "help")  # PIP_VERSION and PIP_HELP are no settings (as pip has it)


def normalise(name: str) -> str:
    """A setting's name as pip compares it: ``--Index_URL`` → ``index-url``."""
    return name.lower().replace("_", "-").removeprefix("--")


def _site_folders(environ: Mapping[str, str]) -> list[Path]:
    if sys.platform == "darwin":
        return [Path("/Library/Application Support/pip")]
    if sys.platform == "win32":
        return [Path(environ.get("ProgramData", r"C:\ProgramData"), "pip")]
    dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(folder, "pip") for folder in dirs.split(os.pathsep) if folder] + [Path("/etc")]


def _user_files(environ: Mapping[str, str]) -> list[Path]:
    home = Path(environ.get("HOME") or os.path.expanduser("~"))
    legacy = home / ("pip" if sys.platform == "win32" else ".pip") / BASENAME
    if sys.platform == "win32":
        new = Path(environ.get("APPDATA", home), "pip")
    elif sys.platform == "darwin" and (home / "Library/Application Support/pip").is_dir():
        new = home / "Library/Application Support/pip"
    else:
        new = Path(environ.get("XDG_CONFIG_HOME") or home / ".config", "pip")
    return [legacy, new / BASENAME]


def config_files(environ: Mapping[str, str] | None = None, prefix: str | None = None) -> list[Path]:
    """pip's configuration files in the order pip reads them (later wins); missing ones included."""
    environ = os.environ if environ is None else environ
    named = environ.get("PIP_CONFIG_FILE")
    if named == os.devnull:
        return []
    files = [folder / BASENAME for folder in _site_folders(environ)]
    if not (named and os.path.exists(named)):
        files += _user_files(environ)
    files.append(Path(prefix if prefix is not None else sys.prefix, BASENAME))
    if named:
        files.append(Path(named))
    return files


def _read(path: Path) -> dict[str, dict[str, str]]:
    """``{section: {key: value}}`` of one file; a missing or unreadable file is no settings (as for pip)."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return {}
    return {section: {normalise(key): value for key, value in parser.items(section)}
            for section in parser.sections() if section in SECTIONS}


def pip_settings(environ: Mapping[str, str] | None = None, prefix: str | None = None) -> dict[str, str]:
    """The settings ``pip install`` runs with here: ``{"index-url": ..., "trusted-host": ...}``."""
    environ = os.environ if environ is None else environ
    by_section: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}
    for path in config_files(environ, prefix):
        if path.is_file():
            for section, values in _read(path).items():
                by_section[section].update(values)
    settings: dict[str, str] = {}
    for section in SECTIONS:
        settings.update(by_section[section])
    for variable, value in environ.items():
        name = normalise(variable[4:]) if variable.startswith("PIP_") else None
        if name and name not in _IGNORED_VARIABLES:
            settings[name] = value
    return settings
