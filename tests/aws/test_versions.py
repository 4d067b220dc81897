"""Versions and aliases on the emulator: each change publishes one version and moves the alias,
a rerun publishes nothing, rollback moves the alias back, pruning spares aliased versions."""

from __future__ import annotations

import pytest

from genesys_tasks.cli import main

pytestmark = pytest.mark.production  # several deploys: run by .ci/run's production step

ALIAS = '\n[deployment]\nalias = "live"\nkeep_versions = 2\n'


def _alias(boto) -> str:
    return boto("lambda").get_alias(FunctionName="hello", Name="live")["FunctionVersion"]


def _published(boto) -> list[str]:
    return [v["Version"] for v in boto("lambda").list_versions_by_function(FunctionName="hello")["Versions"]
            if v["Version"] != "$LATEST"]


def _project(project):
    # no URL: the emulator keeps one URL per function whatever the qualifier, so the alias's URL is
    # planned in tests/deploy/test_version_plans.py
    p = project(requirements=None)
    p.toml.write_text(p.toml.read_text().replace("\n[deployment]\nfunction_url = true\n",
                                                 '\n[deployment]\nalias = "live"\n'))
    return p


def test_two_code_changes_give_two_versions_the_alias_on_the_second_and_a_rerun_publishes_nothing(
        project, clients, boto, deploy):
    p = _project(project)
    deploy(p, clients())
    assert _published(boto) == ["1"] and _alias(boto) == "1"
    p.code("def handler(event, context):\n    return 2\n")
    second = clients()
    deploy(p, second)
    assert second.log.writes == ["lambda:UpdateFunctionCode", "lambda:PublishVersion", "lambda:UpdateAlias"]
    assert _published(boto) == ["1", "2"] and _alias(boto) == "2"
    rerun = clients()
    deploy(p, rerun)
    assert rerun.log.writes == []

    assert main(["rollback", str(p.toml), "--dry-run"]) == 0
    assert _alias(boto) == "2"
    assert main(["rollback", str(p.toml)]) == 0
    assert _alias(boto) == "1"
    after = clients()
    deploy(p, after)  # the rolled-back alias stays until the code or configuration changes
    assert after.log.writes == [] and _alias(boto) == "1"
    assert main(["rollback", str(p.toml), "--to", "2"]) == 0
    assert _alias(boto) == "2"
    assert main(["rollback", str(p.toml), "--to", "9"]) == 2


def test_pruning_keeps_the_newest_and_every_version_an_alias_points_to(project, clients, boto, deploy):
    p = _project(project)
    p.toml.write_text(p.toml.read_text().replace('alias = "live"\n', 'alias = "live"\nkeep_versions = 2\n'))
    deploy(p, clients())
    boto("lambda").create_alias(FunctionName="hello", Name="pinned", FunctionVersion="1")
    for n in (2, 3, 4):
        p.code(f"def handler(event, context):\n    return {n}\n")
        deploy(p, clients())
    assert _published(boto) == ["1", "3", "4"] and _alias(boto) == "4"
