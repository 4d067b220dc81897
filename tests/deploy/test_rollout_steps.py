"""The rollout's later steps with a recording executor: each step's routing, and Ctrl-C or a failed
step putting the alias back on the old version (exit 1)."""

from __future__ import annotations

import pytest

from genesys_tasks.deploy import rollout
from genesys_tasks.errors import AwsError

TRAFFIC = 'alias = "live"\n\n[deployment.traffic]\nstrategy = "linear"\npercent = 40\ninterval_minutes = 2\n'


class Recording:
    applies = True

    def __init__(self, fail_at: int | None = None):
        self.routes, self.fail_at = [], fail_at

    def run(self, plan):
        params = plan.calls[0].params
        if len(self.routes) == self.fail_at:
            self.routes.append("failed")
            raise AwsError("lambda:UpdateAlias on live: throttled")
        self.routes.append((params["FunctionVersion"], params["RoutingConfig"]["AdditionalVersionWeights"]))
        return {}


def test_each_step_shifts_the_routing_then_points_the_alias_at_the_new_version(make_spec):
    executor, waits = Recording(), []
    rollout.proceed(make_spec(TRAFFIC), None, executor, "1", "2", 40, sleep=waits.append)
    assert executor.routes == [("1", {"2": 0.8}), ("2", {})]
    assert waits == [120, 120]


@pytest.mark.parametrize("stop", ["ctrl-c", "failed step"])
def test_ctrl_c_or_a_failed_step_puts_the_alias_back_and_exits_1(make_spec, stop):
    def sleep(_):
        if stop == "ctrl-c":
            raise KeyboardInterrupt

    executor = Recording(fail_at=0 if stop == "failed step" else None)
    with pytest.raises(rollout.RolloutError) as caught:
        rollout.proceed(make_spec(TRAFFIC), None, executor, "1", "2", 40, sleep=sleep)
    assert executor.routes[-1] == ("1", {})
    assert caught.value.exit_code == 1 and "back on version 1" in caught.value.message
    assert ("interrupted" if stop == "ctrl-c" else "throttled") in caught.value.message
