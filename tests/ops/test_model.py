"""Model-based test of the runbook: random sequences of regional outage and recovery, failover,
failback, the `pulumi up` that rebuilds a returning primary, drill, status and runs killed half
way, on a world built from the program's own resources, with the invariants checked on the
world's state after every step (tests/ops/invariants.py). Shrunk counterexamples are kept as the
explicit examples below (hypothesis's @example of a state machine is its regression list).

Marked ``faults`` (run by `make faults`); the example count is bounded to keep it near a minute.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ops import journal, topology
from ops.outputs import parse_outputs
from tests.ops import flows, invariants, support, world
from tests.ops.faults import FaultProxy
from tests.ops.flows import execute, run

pytestmark = pytest.mark.faults


class Killed(BaseException):
    """A run stopped dead half way (the in-process stand-in for SIGKILL: not an Exception, so no
    handler of the tool catches it, and the journal records no end)."""


class Runbook(RuleBasedStateMachine):
    """One operator, one stack (RDS warm standby with a global datastore), one primary region
    that goes away and comes back."""

    stack = "dr-warmrds"

    @initialize()
    def build(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="webstack-model-"))
        self.path, self.outputs = world.build(self.stack, self.tmp)
        self.proxy = FaultProxy(support.moto_url(), hold_seconds=5).start()
        self.endpoints = {
            "*": support.moto_url(),
            self.outputs["primary"]["region"]: self.proxy.url,
        }
        self.primary_up = True
        self._health(1)
        self.lineage = invariants.Lineage(self.outputs)

    @property
    def aws(self) -> Any:
        """A new session per run, as each `python -m ops` is a new process (what one run learnt
        about an unreachable endpoint is not carried to the next)."""
        return support.make_aws(self.endpoints)

    def teardown(self) -> None:
        self.proxy.stop()

    def _health(self, value: int) -> None:
        support.forget_metrics("us-east-1", "AWS/Route53")
        for record in self.outputs["dr"]["dns"]["records"]:
            healthy = value if record["region"] == self.outputs["primary"]["region"] else 1
            support.put_health(record["healthCheckId"], [healthy] * 3)

    def _verb(self, verb: str, *extra: str) -> tuple[int, str]:
        argv = [*execute(self.path, self.tmp / f"{verb}.json", *extra, verb=verb)]
        argv += ["--again", "--call-timeout", "2"]
        code, _, err = run(argv, aws=self.aws)
        assert code in (0, 1), err
        assert "Traceback" not in err
        return code, err

    @rule()
    def outage(self) -> None:
        self.proxy.refuse()
        self.primary_up = False
        self._health(0)

    @rule()
    def recovery(self) -> None:
        self.proxy.passthrough()
        self.primary_up = True
        self._health(1)

    @rule()
    def failover(self) -> None:
        self._verb("failover")

    @rule()
    def failback(self) -> None:
        self._verb("failback")

    @rule()
    def pulumi_up_rebuilds_the_returning_primary(self) -> None:
        """`pulumi up` with webstack:dr.activeRegion naming the writer's region: the primary's
        database is rebuilt as a replica of the DR writer (only possible while it answers)."""
        if not self.primary_up:
            return
        writers = invariants.read(self.outputs).writers
        if self.outputs["dr"]["region"] in writers and self.outputs["primary"]["region"] in writers:
            flows.rebuild_primary(self.outputs)

    @rule(
        verb=st.sampled_from(["failover", "failback"]),
        at=st.integers(min_value=0, max_value=8),
    )
    def killed_half_way(self, verb: str, at: int) -> None:
        update = journal.Journal.update
        seen: list[str] = []

        def die(self_: journal.Journal, name: str, **fields: Any) -> None:
            update(self_, name, **fields)
            if fields.get("status") == "running":
                seen.append(name)
                if len(seen) > at:
                    raise Killed(name)

        journal.Journal.update = die  # type: ignore[method-assign,assignment]
        try:
            self._verb(verb)
        except Killed:
            pass
        finally:
            journal.Journal.update = update  # type: ignore[method-assign]

    @rule()
    def status_and_drill(self) -> None:
        for verb in ("status", "drill"):
            code, _, err = run(
                [verb, "--outputs", str(self.path), "--json", "--call-timeout", "2"], aws=self.aws
            )
            assert code in (0, 1, 2), err
            assert "Traceback" not in err

    @invariant()
    def at_most_one_writer_takes_traffic(self) -> None:
        if hasattr(self, "outputs"):
            invariants.check(self.outputs)

    @invariant()
    def no_write_is_stranded(self) -> None:
        if hasattr(self, "outputs"):
            self.lineage.observe(invariants.read(self.outputs))

    @invariant()
    def status_fails_on_two_writers(self) -> None:
        if not hasattr(self, "outputs") or not self.primary_up:
            return
        state = invariants.read(self.outputs)
        _, out, _ = run(["status", "--outputs", str(self.path), "--json"], aws=self.aws)
        failed = json.loads(out)["failed"]
        if len(state.writers) > 1:
            assert "writers" in failed, state.describe()


Runbook.TestCase.settings = settings(
    max_examples=8,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _effects(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WEBSTACK_OPS_HOME", str(tmp_path / "ops-home"))
    support.apply_aws_effects(monkeypatch)


TestRunbook = Runbook.TestCase

# The sequences of the issue and of earlier counterexamples, played every time (hypothesis draws
# the rest). Each is a list of the machine's rules, by name.
REGRESSIONS = {
    "failback onto a primary that came back as a standalone writer": [
        "outage",
        "failover",
        "recovery",
        "failback",
        "failback",
    ],
    "failback killed after switching, primary rebuilt, re-run": [
        "outage",
        "failover",
        "recovery",
        "pulumi_up_rebuilds_the_returning_primary",
        ("killed_half_way", "failback", 4),
        "failback",
    ],
    "second outage during failback": [
        "outage",
        "failover",
        "recovery",
        "pulumi_up_rebuilds_the_returning_primary",
        ("killed_half_way", "failback", 2),
        "outage",
        "failback",
        "recovery",
        "failback",
    ],
    "failover killed after fencing, re-run after recovery": [
        "outage",
        ("killed_half_way", "failover", 2),
        "recovery",
        "failover",
        "failback",
    ],
}


@pytest.mark.parametrize("steps", list(REGRESSIONS.values()), ids=list(REGRESSIONS))
def test_regression(steps: list[Any]) -> None:
    machine = Runbook()
    machine.build()
    try:
        for step in steps:
            name, *args = step if isinstance(step, tuple) else (step,)
            getattr(machine, name)(*args)
            machine.at_most_one_writer_takes_traffic()
            machine.no_write_is_stranded()
            machine.status_fails_on_two_writers()
    finally:
        machine.teardown()


def test_the_model_reads_the_same_topology_as_the_tool(tmp_path: Path) -> None:
    """The invariant checker and the tool agree on who writes, on the unchanged world."""
    path, outputs = world.build("dr-warmrds", tmp_path)
    state = invariants.read(outputs)
    from ops.runner import Context, Options

    ctx = Context(
        outputs=parse_outputs(path.read_text()), aws=support.make_aws(), options=Options()
    )
    topo = topology.read(ctx)
    assert [n.region for n in topo.writers] == list(state.writers) == [outputs["primary"]["region"]]
