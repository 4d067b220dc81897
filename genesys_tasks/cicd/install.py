"""What a generated CI job installs: genesys and only the requirements of genesys that repo's jobs use.

A plain ``pip install genesys`` brings everything any command may use. A CI job runs
``doit``/``genesys`` builds and deploys, never the wizard, and parses only its repo's
languages: the syntax-tree grammars (tree-sitter and one compiled wheel per language)
serve JavaScript/TypeScript, Java and Ruby functions only, and questionary (with
prompt_toolkit under it) serves ``genesys interact`` only. So the job installs genesys
without its dependencies, then the requirements it needs, read from genesys's own
metadata (``requirements``): a Python-only repo skips six wheels.

For the template model (``cicd.model``): ``install_command(version, specs)`` is the install
line of a job (with uv, see there); ``requirements(specs)`` the list it names.
"""

from __future__ import annotations

import shlex
from importlib import metadata

from packaging.requirements import Requirement

from ..config import FunctionSpec

DISTRIBUTION = "genesys"
# Requirement name -> the languages whose functions need it (parsing handlers and imports).
GRAMMARS = {
    "tree-sitter": frozenset({"nodejs", "java", "ruby"}),
    "tree-sitter-javascript": frozenset({"nodejs"}),
    "tree-sitter-typescript": frozenset({"nodejs"}),
    "tree-sitter-java": frozenset({"java"}),
    "tree-sitter-ruby": frozenset({"ruby"}),
}
NOT_IN_CI = frozenset({"questionary"})  # the wizard's terminal UI: a CI job asks no questions


def own_requirements() -> list[str]:
    """genesys's install requirements (no extras), as its installed metadata lists them."""
    parsed = [Requirement(line) for line in metadata.requires(DISTRIBUTION) or []]
    return [str(req) for req in parsed if req.marker is None or "extra" not in str(req.marker)]


def requirements(specs: list[FunctionSpec], listed: list[str] | None = None) -> list[str]:
    """The requirements of genesys a CI job over ``specs`` uses: the grammars of their languages only,
    no wizard."""
    languages = {spec.runtime.language for spec in specs}
    needed = []
    for line in own_requirements() if listed is None else listed:
        name = Requirement(line).name.lower().replace("_", "-")
        if name in NOT_IN_CI or (name in GRAMMARS and not GRAMMARS[name] & languages):
            continue
        needed.append(line)
    return needed


def install_command(version: str, specs: list[FunctionSpec], listed: list[str] | None = None) -> str:
    """A CI job's install line: uv (one wheel, through pip), then with uv genesys ``version`` without its
    dependencies and the ones the job uses.

    uv installs from a warm cache in about a second where pip takes twenty (bench figures in the
    README). It reads no pip configuration: a private index is given to it as ``UV_INDEX_URL``
    (or ``UV_DEFAULT_INDEX``) in the job's environment.
    """
    wanted = " ".join(shlex.quote(line) for line in requirements(specs, listed))
    return (f"python -m pip install uv && python -m uv pip install --system --no-deps genesys=={version} "
            f"&& python -m uv pip install --system {wanted}")
