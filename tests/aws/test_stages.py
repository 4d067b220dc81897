"""Stages on the emulator: dev and prod deploy side by side with their own names, settings and
stage tags, and deleting dev leaves prod untouched."""

from __future__ import annotations

import pytest

from genesys_tasks.cli import main

pytestmark = pytest.mark.production  # several deploys: run by .ci/run's production step

STAGES = """
[stages.dev]
function = { memory_mb = 128 }

[stages.prod]
function = { memory_mb = 1024, reserved_concurrency = 5 }
"""


def test_dev_and_prod_deploy_side_by_side_and_deleting_dev_leaves_prod(project, clients, boto, deploy):
    p = project(requirements=None)
    p.toml.write_text(p.toml.read_text() + STAGES)
    for stage in ("dev", "prod"):
        p.name = f"hello-{stage}"
        p.code("def handler(event, context):\n    return 1\n")  # the zip the build leaves for this stage
        p.stage = stage
        deploy(p, clients())
    lam = boto("lambda")
    dev, prod = (lam.get_function(FunctionName=f"hello-{s}") for s in ("dev", "prod"))
    assert (dev["Configuration"]["MemorySize"], prod["Configuration"]["MemorySize"]) == (128, 1024)
    assert (dev["Tags"]["genesys:stage"], prod["Tags"]["genesys:stage"]) == ("dev", "prod")
    assert prod["Configuration"]["Role"].endswith("/genesys-lambda-hello-prod")
    assert lam.get_function_concurrency(FunctionName="hello-prod")["ReservedConcurrentExecutions"] == 5
    assert "role_arn" not in p.toml.read_text()  # one [iam] role_arn cannot record each stage's role

    assert main(["delete", str(p.toml), "--stage", "dev", "--yes"]) == 0
    names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    assert names == {"hello-prod"}
    assert boto("iam").get_role(RoleName="genesys-lambda-hello-prod")["Role"]["RoleName"]
    p.stage = "prod"
    again = clients()
    deploy(p, again)
    assert again.log.writes == []
    assert main(["delete", str(p.toml), "--stage", "staging", "--yes"]) == 2
