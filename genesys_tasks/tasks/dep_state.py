"""doit's saved state of a function's deploy-side tasks, and forgetting it after a delete."""

from __future__ import annotations

from pathlib import Path

from .. import paths

DEPLOY_STEPS = ("role", "layer_publish", "deploy")


def forget_deployment(root: Path, name: str) -> None:
    """Drop doit's saved state of ``name``'s deploy-side tasks: after a delete none of them is done."""
    from doit.dependency import Dependency, SqliteDB  # the backend doit_config names

    dep_file = paths.dep_file(root)
    if not dep_file.exists():
        return
    state = Dependency(SqliteDB, str(dep_file))
    try:
        for step in DEPLOY_STEPS:
            state.remove(f"{step}:{name}")
    finally:
        state.close()
