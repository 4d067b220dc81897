"""Which project a function's TOML belongs to: the identity genesys writes into its marks.

Two repos may name a function alike; the mark on what genesys makes says whose it is
(``deploy/marker.py``): the project's id and the TOML's path inside the project. The id is,
first found wins:

1. ``[project] id`` in ``genesys.toml``, the nearest one in the TOML's folder or above it
   (``genesys init-repo`` writes it). It is what the user chose, so it survives a renamed or
   mirrored remote; a fork deploying into the same account must change it.
2. the git remote's URL (``origin``, else the first remote), normalised: no scheme, no user
   or password, no ``.git``, lower case (``git@github.com:Org/Repo.git`` and
   ``https://github.com/org/repo`` are both ``github.com/org/repo``).
3. ``local/<folder name>`` of the project root, for a folder with neither (a scratch folder).

The TOML's path is relative to the folder of ``genesys.toml``, else the git work tree, else
the project root, with ``/`` separators. A mark that names a TOML of the same project that is
gone is the moved TOML's (``Owner.moved_from``): renaming a folder keeps its function. Both values are kept to the characters AWS tag
values take. Reading git here is one ``git`` call per work tree, cached for the process.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError, Where

PROJECT_FILE = "genesys.toml"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$")
ID_RULE = "1 to 128 letters, digits and _ . : / = + - @, starting with a letter or digit"
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.:/=+@-]")
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$")  # git@host:org/repo.git
VALUE_MAX = 256


@dataclass(frozen=True)
class Owner:
    """Who deploys a function: the project's id and the TOML's path in it (relative to ``base``)."""

    project: str
    toml: str
    base: Path | None = field(default=None, compare=False)  # the folder TOML paths are relative to

    def moved_from(self, toml: str) -> bool:
        """Whether ``toml``, the TOML a mark of this project records, is gone from the project: the
        function's TOML moved (its file or folder renamed), so the mark is this TOML's now."""
        if self.base is None or toml == self.toml or not toml:
            return False
        if "_" not in toml:
            return not (self.base / toml).exists()
        # a mark holds the path as ``_tag_safe`` wrote it: "_" may stand for a character a tag cannot take
        return not any(_tag_safe(found.relative_to(self.base).as_posix()) == toml
                       for found in self.base.glob(toml.replace("_", "?")))


def normalise_remote(url: str) -> str:
    """A git remote's URL as an id: host and path, lower case, no scheme, credentials, port or ``.git``."""
    url = url.strip()
    scp = _SCP_LIKE.match(url) if "://" not in url else None
    if scp:
        host, path = scp.group(1), scp.group(2)
    else:
        rest = url.split("://", 1)[-1]
        authority, _, path = rest.partition("/")
        host = authority.rsplit("@", 1)[-1].split(":", 1)[0]  # never the user or password
    path = path.strip("/")
    path = path[:-4] if path.endswith(".git") else path
    return _tag_safe(f"{host}/{path}".strip("/").lower())


def _tag_safe(value: str) -> str:
    return _UNSAFE.sub("_", value)[-VALUE_MAX:]


def owner_of(toml: Path) -> Owner:
    """The owner genesys writes into the marks of what it makes for the function in ``toml``."""
    toml = toml.resolve()
    project_file = _find_up(toml.parent, PROJECT_FILE)
    if project_file is not None:
        base, project = project_file.parent, read_project_id(project_file)
    else:
        top, remote = _git(toml.parent)
        if top is not None and remote:
            base, project = top, normalise_remote(remote)
        else:
            from .paths import find_root

            base = top or find_root(toml)
            project = _tag_safe(f"local/{base.name}")
    return Owner(project, _tag_safe(toml.relative_to(base).as_posix()), base)


def read_project_id(path: Path) -> str:
    """``[project] id`` of a ``genesys.toml``; ConfigError when it is missing or not a valid id."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path} cannot be read: {err}", hint="fix it, or write it again: genesys init-repo",
                          where=Where(path)) from None
    found = (data.get("project") or {}).get("id") if isinstance(data.get("project"), dict) else None
    if not isinstance(found, str) or not ID_PATTERN.match(found):
        raise ConfigError(f"[project] id in {path} is {found!r}; it must be {ID_RULE}",
                          hint='write e.g. [project] id = "github.com/org/repo"', where=Where(path, key="project.id"))
    return found


def default_id(folder: Path) -> str:
    """The id ``genesys init-repo`` writes: the normalised git remote, else ``local/<folder>-<random>``."""
    _top, remote = _git(folder.resolve())
    if remote:
        return normalise_remote(remote)
    import secrets

    return _tag_safe(f"local/{folder.resolve().name}-{secrets.token_hex(4)}")[:128]


def _find_up(start: Path, name: str) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / name).is_file():
            return folder / name
    return None


def _git(folder: Path) -> tuple[Path | None, str | None]:
    """The git work tree holding ``folder`` (the nearest folder up with ``.git``) and its remote's
    URL (origin, else the first), or Nones: one ``git`` call per work tree."""
    top = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
    return (top, _remote(top)) if top is not None else (None, None)


@lru_cache(maxsize=64)
def _remote(top: Path) -> str | None:
    try:
        remotes = subprocess.run(["git", "-C", str(top), "config", "--get-regexp", r"^remote\..*\.url$"],
                                 capture_output=True, text=True, timeout=30).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    urls = dict(line.split(" ", 1) for line in remotes if " " in line)
    return urls.get("remote.origin.url") or next(iter(urls.values()), None)
