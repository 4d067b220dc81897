"""Outside tools a test runs: found, or under CI (``CI`` set) a failure, elsewhere a skip naming the tool.

Every test that needs a program off PATH asks here, directly (``need("shellcheck", how)``) or
through the ``needs_tools`` marker (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import shutil

import pytest

# The Debian package of each optional program (what ci/lang-setup.sh and the ci/*-setup.sh scripts install).
TOOL_PACKAGES = {"go": "golang-go", "mvn": "maven", "java": "default-jdk", "ruby": "ruby", "gem": "ruby",
                 "bundle": "ruby-bundler", "npm": "npm", "node": "nodejs"}


def need(tool: str, how: str | None = None) -> str:
    """The path of ``tool``; when it is missing, fail under CI and skip elsewhere, saying how to install it."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"needs {tool} (not on PATH): {how or 'apt-get install ' + TOOL_PACKAGES.get(tool, tool)}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
