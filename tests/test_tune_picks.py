"""`genesys tune`'s arithmetic, pure: REPORT lines as Lambda writes them read into figures, a row's
figures and cost, the three picks, and the command line's lists."""

from __future__ import annotations

import pytest

from genesys_tasks import pricing
from genesys_tasks.commands.tune import arch_list, memory_list
from genesys_tasks.deploy.logs import parse_report
from genesys_tasks.deploy.tune import Row, Setting, picks
from genesys_tasks.errors import UsageError

COLD = ("REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 18 MB\tInit Duration: 120.55 ms\t")
WARM = ("REPORT RequestId: 5c3d2b1a-0000-4000-8000-000000000001\tDuration: 2.01 ms\tBilled Duration: 3 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 19 MB\t")

PRICES = pricing.load_prices()


def _report(duration: float, memory: int = 128, billed: int | None = None, used: int = 40, init: str = ""):
    billed = billed if billed is not None else int(-(-duration // 1))
    return parse_report(f"REPORT RequestId: r\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\t"
                        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB{init}")


def _row(memory: int, durations, arch: str = "x86_64", errors: int = 0) -> Row:
    return Row(Setting(memory, arch), tuple(_report(d, memory) for d in durations), errors)


def test_a_cold_report_line_gives_duration_billed_memory_and_init():
    cold = parse_report(COLD)
    assert (cold.request_id, cold.duration_ms, cold.billed_ms, cold.memory_mb, cold.max_memory_mb, cold.init_ms) \
        == ("3604209a-e9a3-11e6-939a-754dd98c7be3", 12.34, 13, 128, 18, 120.55)


def test_a_warm_report_line_has_no_init_and_other_lines_are_none():
    assert parse_report(WARM).init_ms is None
    assert parse_report("START RequestId: x Version: $LATEST") is None
    tail = "START RequestId: r Version: 3\nhello\nEND RequestId: r\n" + WARM + "\n"
    assert parse_report(tail).billed_ms == 3  # a whole log tail: its REPORT line


def test_a_row_takes_the_median_duration_the_mean_billed_the_first_init_and_the_peak_memory():
    reports = (parse_report(COLD), parse_report(WARM), _report(5.0, used=30))
    row = Row(Setting(128, "x86_64"), reports)
    assert row.duration_ms == 5.0 and row.billed_ms == pytest.approx((13 + 3 + 5) / 3)
    assert row.init_ms == 120.55 and row.max_memory_mb == 30


def test_the_cost_of_a_million_is_requests_and_gb_seconds_at_the_architectures_price():
    row = _row(1024, [100.0, 100.0])
    expected = 0.20 + 1_000_000 * 0.1 * 1.0 * PRICES["duration_gb_second"]["x86_64"][0][1]
    assert row.cost(PRICES) == pytest.approx(expected)
    arm = _row(1024, [100.0, 100.0], arch="arm64")
    assert arm.cost(PRICES) == pytest.approx(0.20 + 100_000 * PRICES["duration_gb_second"]["arm64"][0][1])
    assert arm.cost(PRICES) < row.cost(PRICES)


def test_cpu_bound_rows_pick_the_cheapest_the_fastest_and_the_fastest_within_ten_percent_of_the_cheapest():
    # a CPU-bound function: about half the duration for twice the memory, until one vCPU (1769 MB)
    rows = [_row(128, [1600.0] * 3), _row(256, [820.0] * 3), _row(512, [420.0] * 3), _row(1024, [205.0] * 3),
            _row(1769, [140.0] * 3), _row(3008, [120.0] * 3)]
    chosen = picks(rows, PRICES)
    costs = {r.setting.memory_mb: r.cost(PRICES) for r in rows}
    assert chosen["cheapest"].setting.memory_mb == min(costs, key=costs.get) == 128
    assert chosen["fastest"].setting.memory_mb == 3008
    # 256, 512 and 1024 cost within 10 % of 128; 1769 costs more: 1024 is the fastest of those within
    assert costs[1024] <= costs[128] * 1.10 < costs[1769]
    assert chosen["balanced"].setting.memory_mb == 1024


def test_io_bound_rows_pick_the_smallest_memory_for_cheapest_and_balanced():
    rows = [_row(m, [300.0, 301.0, 299.0]) for m in (128, 512, 1769)]  # waits on the network: memory buys nothing
    chosen = picks(rows, PRICES)
    assert chosen["cheapest"].setting.memory_mb == chosen["balanced"].setting.memory_mb == 128
    assert chosen["fastest"].setting.memory_mb == 128  # equal durations: the cheaper one


def test_a_setting_where_an_invocation_failed_is_never_picked_and_none_left_picks_nothing():
    rows = [_row(128, [], errors=3), _row(256, [10.0, 10.0], errors=1), _row(512, [50.0])]
    assert {label: r.setting.memory_mb for label, r in picks(rows, PRICES).items()} == \
        {"cheapest": 512, "fastest": 512, "balanced": 512}
    assert picks([_row(128, [], errors=2)], PRICES) == {}


def test_memory_and_arch_lists_are_checked_and_kept_in_order_once():
    assert memory_list(None) == [128, 256, 512, 1024, 1769, 3008]
    assert memory_list("512, 128,512") == [512, 128]
    assert arch_list("arm64,x86_64,arm64") == ["arm64", "x86_64"] and arch_list(None) is None
    for bad in ("64", "128,lots", "20000"):
        with pytest.raises(UsageError):
            memory_list(bad)
    with pytest.raises(UsageError, match="not a Lambda architecture"):
        arch_list("x86")


def test_the_picked_setting_is_written_under_the_stage_with_the_files_comments_kept(tmp_path):
    from types import SimpleNamespace

    from genesys_tasks.commands.tune import toml_lines, toml_values
    from genesys_tasks.deploy.writeback import set_values

    spec = SimpleNamespace(stage="prod", deployment=SimpleNamespace(architecture="x86_64"))
    assert toml_lines(spec, Setting(512, "arm64")) == ["[stages.prod.function] memory_mb = 512",
                                                       '[stages.prod.deployment] architecture = "arm64"']
    toml = tmp_path / "lambda_x.toml"
    toml.write_text('# mine\n[function]\nmemory_mb = 128  # small\n\n[stages.prod]  # the live one\n'
                    'protected = true\n')
    assert set_values(toml, toml_values(spec, Setting(512, "arm64")))
    text = toml.read_text()
    assert "memory_mb = 128  # small" in text and "[stages.prod]  # the live one" in text
    import tomllib

    data = tomllib.loads(text)
    assert data["stages"]["prod"]["function"] == {"memory_mb": 512}
    assert data["stages"]["prod"]["deployment"] == {"architecture": "arm64"}
    assert not set_values(toml, toml_values(spec, Setting(512, "arm64")))  # already so: nothing written


def test_no_invocations_a_setting_or_an_architecture_not_built_is_exit_2_before_any_call(tmp_path, capsys):
    from genesys_tasks.cli import main

    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    toml = tmp_path / "lambda_tuned.toml"
    toml.write_text('[metadata]\nname = "tuned"\nruntime = "python3.12"\nhandler = "app.handler"\n')
    assert main(["tune", str(toml), "-n", "0"]) == 2
    assert "-n 0: at least one invocation a setting" in capsys.readouterr().err
    assert main(["tune", str(toml), "--arch", "arm64"]) == 2
    err = capsys.readouterr().err
    assert "tuned is not built for arm64" in err and "[build] architectures" in err and "Traceback" not in err
