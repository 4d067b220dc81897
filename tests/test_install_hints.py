"""Every ``pip install`` genesys tells people to run names its own distribution, ``genesys-lambda``:
``genesys`` on a package index is another project, whose install would put its own ``genesys``
command in place of this one."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INSTALL = re.compile(r"""pip install [-\w ]*?['"]?(genesys[\w.-]*)(?:\[|['"\s=]|$)""")


def test_the_distribution_is_genesys_lambda():
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"] == "genesys-lambda"


def test_every_pip_install_hint_in_the_package_names_genesys_lambda():
    found = [(path.relative_to(REPO).as_posix(), name) for path in sorted((REPO / "genesys_tasks").rglob("*.py"))
             for name in INSTALL.findall(path.read_text(encoding="utf-8"))]
    assert found, "the pattern finds the package's install hints"
    assert [hit for hit in found if hit[1] != "genesys-lambda"] == []
