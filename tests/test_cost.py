"""`genesys cost`: figures for a known configuration match a hand calculation from the price table."""

from __future__ import annotations

import json

import pytest
from test_config import TODAY, project

from genesys_tasks import config, pricing
from genesys_tasks.cli import main

TOML = """\
[metadata]
name = "demo"

[function]
memory_mb = 512
ephemeral_storage_mb = 1024
reserved_concurrency = 10

[cost]
invocations_per_month = 10000000
average_duration_ms = 200
"""


@pytest.fixture
def spec(tmp_path):
    return config.load(project(tmp_path, TOML), today=TODAY)


def test_the_estimate_is_the_hand_calculation_from_the_price_table(spec):
    prices = pricing.load_prices()
    e = pricing.estimate(spec, 10_000_000, 200, prices)
    gb_seconds = 10_000_000 * 0.2 * 0.5  # invocations x seconds x GB
    assert e.gb_seconds == gb_seconds == 1_000_000
    assert e.requests == pytest.approx(10 * prices["requests_per_million"])
    assert e.compute == pytest.approx(gb_seconds * prices["duration_gb_second"]["x86_64"][0][1])
    assert e.ephemeral_storage == pytest.approx(10_000_000 * 0.2 * 0.5 * prices["ephemeral_storage_gb_second"])
    assert e.free_tier == pytest.approx(1 * prices["requests_per_million"]
                                        + 400_000 * prices["duration_gb_second"]["x86_64"][0][1])
    assert (round(e.total, 2), round(e.total_after_free_tier, 2)) == (18.70, 11.83)
    assert e.reserved_concurrency == "10 (no charge)"


def test_duration_is_priced_in_monthly_tiers_and_arm64_costs_less(spec):
    prices = {**pricing.load_prices(), "duration_gb_second": {"x86_64": [[10, 1.0], [20, 0.5], [0, 0.25]],
                                                              "arm64": [[10, 0.8], [0, 0.4]]}}
    # 80 invocations of 1 s at 512 MB = 40 GB-s: 10 in the first tier, 10 in the second, 20 in the last
    e = pricing.estimate(spec, 80, 1000, prices)
    assert e.gb_seconds == 40 and e.compute == pytest.approx(10 * 1.0 + 10 * 0.5 + 20 * 0.25)
    arm, bigger, biggest = pricing.compare(spec, 80, 1000, prices)
    assert (arm.architecture, arm.compute) == ("arm64", pytest.approx(10 * 0.8 + 30 * 0.4))
    assert (bigger.memory_mb, biggest.memory_mb) == (1024, 1536)


def test_a_price_file_replaces_the_table_and_one_lacking_keys_is_exit_2(spec, tmp_path, capsys):
    own = tmp_path / "prices.toml"
    own.write_text(pricing.PRICES.read_text().replace('region = "us-east-1"', 'region = "eu-west-1"')
                   .replace("requests_per_million = 0.20", "requests_per_million = 1.0"))
    assert main(["cost", str(spec.path), "--prices", str(own), "--output", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["prices"]["region"] == "eu-west-1" and out["estimate"]["requests"] == pytest.approx(10.0)
    own.write_text('region = "x"\n')
    assert main(["cost", str(spec.path), "--prices", str(own)]) == 2
    assert "lacks" in capsys.readouterr().err


def test_cost_needs_invocations_from_the_command_or_the_toml(tmp_path, capsys):
    path = project(tmp_path, '[metadata]\nname = "demo"\n')
    assert main(["cost", str(path)]) == 2
    assert "--invocations" in capsys.readouterr().err
    assert main(["cost", str(path), "--invocations", "1000000", "--duration-ms", "100"]) == 0
    assert "total" in capsys.readouterr().err


def test_from_profile_prices_the_last_measurement_its_duration_memory_and_architecture(spec, capsys):
    from genesys_tasks import measured, paths

    root = paths.find_root(spec.path)
    measured.save(root, measured.Measurement("tune", "demo", 1024, "arm64", 87.2, 310.0, "2026-12-06T04:00:00Z"))
    assert main(["cost", str(spec.path), "--from-profile", "--output", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    e = out["estimate"]
    assert (e["memory_mb"], e["architecture"], e["duration_ms"]) == (1024, "arm64", 88)  # 87.2 billed as 88
    prices = pricing.load_prices()
    assert e["gb_seconds"] == pytest.approx(10_000_000 * 0.088 * 1.0)
    assert e["total"] == pytest.approx(10 * 0.20 + 10_000_000 * 0.088 * prices["duration_gb_second"]["arm64"][0][1]
                                       + 10_000_000 * 0.088 * 0.5 * prices["ephemeral_storage_gb_second"], rel=1e-3)
    assert out["measured"]["source"] == "tune"
    assert main(["cost", str(spec.path), "--from-profile"]) == 0
    assert "measured by genesys tune" in capsys.readouterr().err


def test_from_profile_without_a_measurement_names_profile_and_tune_exit_2(spec, capsys):
    assert main(["cost", str(spec.path), "--from-profile"]) == 2
    err = capsys.readouterr().err
    assert "has no measurement" in err and "genesys profile" in err and "genesys tune" in err
    assert main(["cost", str(spec.path), "--from-profile", "--duration-ms", "5"]) == 2
    assert "one of them" in capsys.readouterr().err
