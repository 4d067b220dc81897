"""`execute --dry-run` ends with the monthly estimate when [cost] invocations_per_month is set."""

from __future__ import annotations

import pytest

from genesys_tasks.cli import main

pytestmark = pytest.mark.production  # a real build through the doit tasks


def test_the_dry_run_ends_with_the_monthly_estimate(project, aws, capsys):
    p = project(requirements=None)
    assert main(["execute", str(p.toml), "--dry-run"]) == 0
    assert "monthly cost" not in capsys.readouterr().err
    p.toml.write_text(p.toml.read_text() + "\n[cost]\ninvocations_per_month = 2000000\n")
    assert main(["execute", str(p.toml), "--dry-run"]) == 0
    err = capsys.readouterr().err
    plan_end, estimate = err.index("write call(s) would be made"), err.index("monthly cost of hello")
    assert plan_end < estimate and "requests           0.40 USD" in err
