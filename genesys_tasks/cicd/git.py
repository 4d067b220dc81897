"""The git questions ``genesys changed`` asks, read-only: is a ref known here, and which paths differ.

Paths differ between a ref and the working tree when git's diff says so (added,
modified, deleted, staged or not) or when they are new and not ignored. A ref git
does not know (a typo, a shallow clone without it, the all-zero SHA GitHub and GitLab
give for a new branch) is reported as unknown, never guessed: the caller then takes
every function.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import GenesysError, UsageError
from ..languages import SKIP_DIRS

NULL_SHA = "0" * 40


@dataclass(frozen=True)
class Diff:
    """Absolute paths that differ between the ref and the working tree; ``deleted`` is a subset."""

    changed: frozenset[Path]
    deleted: frozenset[Path]


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except FileNotFoundError:
        raise GenesysError("git is not installed", hint="install git: `genesys changed` compares commits") from None
    if check and done.returncode:
        raise GenesysError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def top_level(start: Path) -> Path:
    """The work tree holding ``start`` (UsageError outside one)."""
    done = _git(start, "rev-parse", "--show-toplevel", check=False)
    if done.returncode:
        raise UsageError(f"{start} is not inside a git work tree",
                         hint="run `genesys changed` in a git checkout (CI checks out with history: fetch-depth 0)")
    return Path(done.stdout.strip()).resolve()


def known_commit(root: Path, ref: str) -> bool:
    """Whether ``ref`` names a commit this clone has (never the all-zero SHA of a new branch)."""
    if not ref or ref.strip("0") == "":
        return False
    return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).returncode == 0


def _split(output: str) -> list[str]:
    return [part for part in output.split("\0") if part]


def diff(root: Path, ref: str) -> Diff:
    """What differs between commit ``ref`` and the working tree of ``root`` (tracked and new files)."""
    fields = _split(_git(root, "diff", "--name-status", "--no-renames", "-z", ref, "--").stdout)
    changed, deleted = set(), set()
    for status, name in zip(fields[::2], fields[1::2]):
        path = root / name
        changed.add(path)
        if status.startswith("D"):
            deleted.add(path)
    skipped = [f"--exclude={name}/" for name in sorted(SKIP_DIRS)]  # never inputs: do not list them
    new = _git(root, "ls-files", "--others", "--exclude-standard", *skipped, "-z").stdout
    changed.update(root / name for name in _split(new))
    return Diff(frozenset(changed), frozenset(deleted))


def show(root: Path, ref: str, path: Path) -> str | None:
    """The text of ``path`` at ``ref`` (None when git cannot show it)."""
    done = _git(root, "show", f"{ref}:{path.relative_to(root).as_posix()}", check=False)
    return done.stdout if done.returncode == 0 else None
