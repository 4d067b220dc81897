"""doit's saved state is a cache, never the truth: after a delete (by genesys, by doit, or by hand)
`doit deploy:<fn>` deploys the function again instead of reporting it up to date."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("how", ["genesys delete", "doit delete"])
def test_doit_deploys_again_after_the_function_was_deleted(doit_repo, how, boto, run_doit, run_genesys):
    assert run_doit("deploy:plain", cwd=doit_repo).code == 0
    if how == "genesys delete":
        gone = run_genesys("delete", doit_repo / "plain" / "lambda_plain.toml", "--yes")
    else:
        gone = run_doit("delete:plain", cwd=doit_repo)
    assert gone.code == 0, gone.output
    assert boto("lambda").list_functions()["Functions"] == []

    again = run_doit("deploy:plain", cwd=doit_repo)
    assert again.code == 0, again.output
    assert "deploy:plain" in again.stderr
    assert boto("lambda").get_function(FunctionName="plain")["Configuration"]["FunctionName"] == "plain"


def test_doit_deploy_is_not_up_to_date_when_the_function_vanished_behind_its_back(doit_repo, boto, run_doit):
    assert run_doit("deploy:plain", cwd=doit_repo).code == 0
    boto("lambda").delete_function(FunctionName="plain")  # someone removed it in the console
    again = run_doit("deploy:plain", cwd=doit_repo)
    assert again.code == 0, again.output
    assert boto("lambda").get_function(FunctionName="plain")["Configuration"]["FunctionName"] == "plain"
