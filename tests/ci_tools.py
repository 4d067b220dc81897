"""The outside tools the ``pipeline`` tests run: found, or a failure under CI and a skip elsewhere."""

from __future__ import annotations

import os
import shutil

import pytest


def need(tool: str) -> str:
    """The path of ``tool``; under CI (``CI`` set) a missing tool fails the test, elsewhere it skips it."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} is not installed (bash ci/pipeline-setup.sh installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
