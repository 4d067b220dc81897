"""Running a deploy in several regions: the first alone, the first failure stopping the regions not
started (unless keep_going), and one message naming what each region did."""

from __future__ import annotations

from dataclasses import replace

import pytest

from genesys_tasks.deploy.regions import region_specs, run_regions, summary_error
from genesys_tasks.errors import AwsError, ConfigError

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1")


@pytest.fixture
def specs(make_spec):
    spec = make_spec()
    return region_specs(replace(spec, deployment=replace(spec.deployment, region=None, regions=REGIONS)))


def _fail_in(region: str):
    done = []

    def one(spec):
        done.append(spec.deployment.region)
        if spec.deployment.region == region:
            raise AwsError("the SQS queue 'orders' does not exist", hint="create it")
        return spec.deployment.region

    return one, done


def test_each_region_gets_its_own_spec(specs):
    assert [s.deployment.region for s in specs] == ["us-east-1", "eu-west-1", "ap-south-1"]
    assert all(s.deployment.regions == () for s in specs)


def test_a_failure_in_the_first_region_starts_no_other(specs):
    one, done = _fail_in("us-east-1")
    results = run_regions(specs, one)
    assert done == ["us-east-1"] and [r.started for r in results] == [True, False, False]
    error = summary_error("hello", results)
    assert error.message == ("hello: failed in us-east-1: the SQS queue 'orders' does not exist; deployed nowhere; "
                             "not started: eu-west-1, ap-south-1")
    assert error.exit_code == 1 and error.hint == "create it"


def test_keep_going_deploys_the_other_regions(specs):
    one, done = _fail_in("us-east-1")
    results = run_regions(specs, one, keep_going=True)
    assert sorted(done) == sorted(["us-east-1", "eu-west-1", "ap-south-1"])
    assert "deployed to eu-west-1, ap-south-1" in summary_error("hello", results).message


def test_all_regions_deployed_is_no_error(specs):
    one, _ = _fail_in("nowhere")
    results = run_regions(specs, one, parallel=False)
    assert summary_error("hello", results) is None and [r.outcome for r in results] == [
        "us-east-1", "eu-west-1", "ap-south-1"]


def test_region_and_regions_together_or_an_unknown_region_are_exit_2(make_spec):
    with pytest.raises(ConfigError, match="region and regions are both set"):
        make_spec('regions = ["eu-west-1"]\n')  # the base TOML sets region too
    with pytest.raises(ConfigError, match="mars-east-1"):
        make_spec('regions = ["mars-east-1"]\n')
