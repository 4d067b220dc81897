"""Several regions on the emulator: both deploy (layers per region) and a rerun writes nothing; a
failure in the second region stops there with a message naming each region's fate; delete
removes the function from every region."""

from __future__ import annotations

import pytest

from genesys_tasks.cli import main

pytestmark = pytest.mark.production  # real builds and several deploys

REGIONS = 'regions = ["us-east-1", "eu-west-1"]\n'


def _project(project, extra=""):
    p = project(requirements=None)
    p.toml.write_text(p.toml.read_text().replace("\n[deployment]\n", "\n[deployment]\n" + REGIONS) + extra)
    return p


def _functions(boto, region: str) -> set[str]:
    import boto3

    client = boto3.client("lambda", endpoint_url=boto("lambda").meta.endpoint_url, region_name=region)
    return {f["FunctionName"] for f in client.list_functions()["Functions"]}


def test_two_regions_deploy_show_their_plans_and_delete_removes_both(project, boto, aws, capsys):
    p = _project(project)
    assert main(["execute", str(p.toml), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert err.index("region us-east-1:") < err.index("region eu-west-1:")
    assert main(["execute", str(p.toml)]) == 0
    assert _functions(boto, "us-east-1") == _functions(boto, "eu-west-1") == {"hello"}
    err = capsys.readouterr().err
    assert "deployed in us-east-1" in err and "deployed in eu-west-1" in err
    assert main(["execute", str(p.toml)]) == 0  # the role carries both regions' needs: no flip-flop
    err = capsys.readouterr().err
    assert "is up to date in us-east-1" in err and "is up to date in eu-west-1" in err
    assert main(["delete", str(p.toml), "--yes"]) == 0
    assert _functions(boto, "us-east-1") == _functions(boto, "eu-west-1") == set()


def test_a_failure_in_the_second_region_stops_there_with_a_clear_message(project, boto, aws, capsys):
    boto("sqs").create_queue(QueueName="orders")  # only in us-east-1
    p = _project(project, '\n[[triggers]]\ntype = "sqs"\nqueue = "orders"\n')
    assert main(["execute", str(p.toml)]) == 2  # a source that is not there is bad input, in any region
    err = capsys.readouterr().err
    assert "failed in eu-west-1:" in err and "'orders'" in err and "deployed to us-east-1" in err
    assert _functions(boto, "us-east-1") == {"hello"} and _functions(boto, "eu-west-1") == set()
