"""Deploy-side doit tasks are made only when asked for, and then work as before: by name, and in `doit -n` workers."""

from __future__ import annotations

import re

import pytest

from genesys_tasks.commands.init_repo import DODO


@pytest.fixture
def repo(project, tmp_path):
    """A repo (its dodo.py) with one function that has a layer."""
    project("fn")
    (tmp_path / "dodo.py").write_text(DODO)
    return tmp_path


def _ran(result) -> set[str]:
    return set(re.findall(r"^▶ (\S+)", result.stderr, re.M))


def test_deploy_and_plan_asked_for_by_name_run_in_parallel_workers(repo, aws, run_doit, boto):
    result = run_doit("-n", "2", "deploy:fn", "plan:fn", cwd=repo)

    assert result.code == 0, result.output
    assert {"build:fn", "role:fn", "layer_publish:fn", "deploy:fn", "plan:fn"} <= _ran(result)
    assert boto("lambda").get_function(FunctionName="fn")["Configuration"]["Layers"]


def test_one_step_by_name_runs_only_what_it_needs(repo, aws, run_doit):
    result = run_doit("role:fn", cwd=repo)

    assert result.code == 0, result.output
    assert _ran(result) == {"role:fn"}
