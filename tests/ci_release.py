"""genesys as a release on a package index, for the tests that run the generated install step as written.

``release`` builds this checkout's wheel into a local PEP 503 index folder; ``from_index`` installs it
from there into a new venv (so it records no ``direct_url.json``, as an index install does); ``runner``
is a job's Python without genesys. Their dependencies (and pip and uv) are links to this environment's,
in their own site-packages (where uv looks) and not through ``PYTHONPATH`` (where another genesys
installed here would come first), except genesys and the wizard's ``questionary`` (which the index
does not serve, so a job asking for it fails). Nothing but genesys itself is installed and nothing is
fetched from the network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).parent.parent
NEVER = shutil.ignore_patterns(".git", ".genesys", "*.egg-info", "__pycache__", ".pytest_cache")


def left_out(folder: str, names: list[str]) -> set[str]:
    """What a copy of the checkout leaves out: caches, and the build output at its top."""
    top = {"build", "dist"} if Path(folder) == REPO else set()
    return set(NEVER(folder, names)) | (top & set(names))


@dataclass(frozen=True)
class Release:
    index: Path  # the index folder: <index>/genesys-lambda/{index.html, the wheel}
    wheel: Path
    sha256: str

    def env(self) -> dict:
        """The environment of a process that installs from this index (and finds the dependencies here)."""
        index = self.index.as_uri() + "/"
        environ = {**os.environ, "PIP_INDEX_URL": index, "UV_INDEX_URL": index, "PIP_NO_INPUT": "1"}
        environ.pop("PYTHONPATH", None)
        return environ


def release(folder: Path) -> Release:
    """This checkout's wheel, served from a local index folder under ``folder``."""
    source = folder / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=left_out)
    project = folder / "index" / "genesys-lambda"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(project), str(source)],
                   check=True)
    wheel = next(project.glob("genesys_lambda-*.whl"))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (project / "index.html").write_text(f'<a href="{wheel.name}#sha256={digest}">{wheel.name}</a>\n')
    return Release(folder / "index", wheel, digest)


NOT_LINKED = ("genesys", "__editable__", "questionary")


def _left_out(name: str, with_uv: bool, without: tuple[str, ...] = ()) -> bool:
    name = name.lower()
    return name.startswith(NOT_LINKED + without) or (not with_uv and (name == "uv" or name.startswith("uv-")))


def runner(folder: Path, with_uv: bool = True, without: tuple[str, ...] = ()) -> Path:
    """A new venv with no genesys in it, whose site-packages links to this environment's packages
    (copies of their metadata) but genesys's, questionary and those whose names start with ``without``
    (``tree_sitter``: no grammar), and whose bin holds this environment's uv (``with_uv=False``: no uv
    at all, so a genesys installed there writes the pip form of the step)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    ours = Path(sysconfig.get_paths()["purelib"])
    theirs = folder / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    for entry in ours.iterdir():
        if _left_out(entry.name, with_uv, without) or os.path.lexists(theirs / entry.name):
            continue
        if entry.name.endswith(".dist-info"):  # uv reads only real folders as installed distributions
            shutil.copytree(entry, theirs / entry.name)
        else:
            (theirs / entry.name).symlink_to(entry)
    uv = Path(sysconfig.get_path("scripts")) / "uv"
    if with_uv and not os.path.lexists(folder / "bin" / "uv"):
        (folder / "bin" / "uv").symlink_to(uv)
    return folder


def dependencies(folder: Path) -> Path:
    """A folder of links to this environment's packages but genesys's, for a job's ``PYTHONPATH`` (an
    editable genesys here must not count as installed there); the links point into ``site_packages()``."""
    folder.mkdir(parents=True)
    for entry in site_packages().iterdir():
        if not _left_out(entry.name, True):
            (folder / entry.name).symlink_to(entry)
    return folder


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def from_index(found: Release, folder: Path, with_uv: bool = True) -> Path:
    """A venv with genesys installed from ``found``'s index, as a user installs a release."""
    runner(folder, with_uv)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(folder / "bin/python"), "install", "-q",
                    "--no-deps", "genesys-lambda"], env=found.env(), check=True)
    return folder
