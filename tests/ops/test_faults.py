"""The fault matrix: every state-changing verb, at every step boundary, under a crash, a primary
region that refuses or hangs from that step on, throttling, a partition, and a returning primary
that is not yet what failback needs. The worlds are the program's own (tests/ops/world.py builds
moto from the stacks' recorded resources); each case asserts the invariants of
tests/ops/invariants.py on the world's state after the run, not only the exit code.

Marked ``faults``: `make test` runs it after the unit tests (it takes a few minutes on 2 cores).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops import journal, plans
from ops.outputs import parse_outputs
from tests.ops import flows, invariants, support, world
from tests.ops.faults import FaultProxy
from tests.ops.flows import execute, run

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
# One RDS and one Aurora world, with and without a global datastore.
STACKS = ("dr-warmrds", "dr-pilot")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WEBSTACK_OPS_HOME", str(tmp_path / "ops-home"))
    support.apply_aws_effects(monkeypatch)


@pytest.fixture
def primary_proxy() -> Iterator[FaultProxy]:
    with FaultProxy(support.moto_url(), hold_seconds=10) as proxy:
        yield proxy


def _outage(outputs: dict[str, Any]) -> None:
    """The primary region is down as Route 53's checkers see it (every minute failed)."""
    flows.primary_down(outputs)


def _steps(outputs: dict[str, Any], verb: str) -> list[plans.Step]:
    parsed = parse_outputs(json.dumps(outputs))
    return plans.failover_steps(parsed) if verb == "failover" else plans.failback_steps(parsed)


def _world_before(verb: str, stack: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The world a verb starts from: the primary down for failover, failed over for failback."""
    if verb == "failback":
        return _failed_over(stack, tmp_path)
    path, outputs = world.build(stack, tmp_path)
    _outage(outputs)
    return path, outputs


def _failed_over(stack: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The stack's world after an unplanned failover and the `pulumi up` that rebuilds the old
    primary as a replica of the DR writer: where a failback starts."""
    path, outputs = world.build(stack, tmp_path)
    _outage(outputs)
    code, _, err = run(execute(path, tmp_path / "failover.json"))
    assert code == 0, err
    flows.rebuild_primary(outputs)
    flows.primary_down(outputs, (1, 1, 1), later=1)  # the region is back
    return path, outputs


def _killed(step: str, phase: str, argv: list[str], endpoints: dict[str, str], tmp: Path) -> int:
    state = tmp / "launcher.json"
    state.write_text(json.dumps({"endpoints": endpoints, "datastores": support.DATASTORES.groups}))
    done = subprocess.run(
        [sys.executable, "-m", "tests.ops.kill_at", step, phase, str(state), "--", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    support.DATASTORES.groups.update(json.loads(state.read_text())["datastores"])
    return done.returncode


def _kill_cases() -> list[Any]:
    cases = []
    for stack in STACKS:
        for verb in ("failover", "failback"):
            # The plan's step names, from the stack's real outputs (no moto needed for that).
            names = [s.name for s in _steps(world.synthesis(stack).outputs, verb)]
            changes = {s.name for s in _steps(world.synthesis(stack).outputs, verb) if s.changes}
            for name in names:
                phases = ("running", "acted") if name in changes else ("running",)
                for phase in phases:
                    cases.append(
                        pytest.param(stack, verb, name, phase, id=f"{stack}-{verb}-{name}-{phase}")
                    )
    return cases


@pytest.mark.parametrize(("stack", "verb", "step", "phase"), _kill_cases())
def test_sigkill_at_a_step_boundary_then_a_rerun_completes(
    tmp_path: Path, stack: str, verb: str, step: str, phase: str
) -> None:
    path, outputs = _world_before(verb, stack, tmp_path)
    journal_path = tmp_path / f"{verb}.json"
    argv = execute(path, journal_path, verb=verb)
    code = _killed(step, phase, argv, {"*": support.moto_url()}, tmp_path)
    assert code == -9  # SIGKILL
    invariants.check(outputs)
    saved = json.loads(journal_path.read_text())
    assert [s["status"] for s in saved["steps"] if s["name"] == step] == ["running"]
    code, _, err = run(argv)
    assert code == 0, err
    assert err.splitlines()[0] == (
        f"the last run stopped during {step} without recording an end (killed?); checking its state"
    )
    invariants.check(outputs, completed=verb)


def _fault_from(monkeypatch: pytest.MonkeyPatch, step: str, fault: Any) -> None:
    """Apply ``fault`` when ``step`` starts (and leave it on)."""
    update = journal.Journal.update

    def update_and_fault(self: journal.Journal, name: str, **fields: Any) -> None:
        if name == step and fields.get("status") == "running":
            fault()
        update(self, name, **fields)

    monkeypatch.setattr(journal.Journal, "update", update_and_fault)


def _region_cases() -> list[Any]:
    return [
        pytest.param(stack, verb, step.name, mode, id=f"{mode}-{stack}-{verb}-{step.name}")
        for mode in ("refuse", "hang")
        for stack in (STACKS if mode == "refuse" else STACKS[:1])  # a hang costs a deadline
        for verb in ("failover", "failback")
        for step in _steps(world.synthesis(stack).outputs, verb)
    ]


def _run_with_primary_fault(
    monkeypatch: pytest.MonkeyPatch,
    proxy: FaultProxy,
    tmp_path: Path,
    stack: str,
    verb: str,
    step: str,
    mode: str,
) -> None:
    path, outputs = _world_before(verb, stack, tmp_path)
    aws = support.make_aws({"*": support.moto_url(), outputs["primary"]["region"]: proxy.url})
    _fault_from(monkeypatch, step, proxy.refuse if mode == "refuse" else proxy.hang)
    # 5 s: long enough for moto on a loaded 2-core machine, short against the proxy's 10 s hold.
    argv = [*execute(path, tmp_path / f"{verb}.json", verb=verb), "--call-timeout", "5"]
    code, out, err = run(argv, aws=aws)
    assert code in (0, 1), err
    report = json.loads(out)
    invariants.check(outputs, completed=verb if report["completed"] else None)
    if verb == "failover":
        # A failover away from a dead primary still completes: nothing it needs is there.
        assert report["completed"], err
    else:
        # A failback onto a primary that stopped answering stops, and says where.
        assert report["completed"] == (step in ("scale-standby-down",)), err


@pytest.mark.parametrize(("stack", "verb", "step", "mode"), _region_cases())
def test_the_primary_region_refuses_or_hangs_from_a_step_on(
    monkeypatch: pytest.MonkeyPatch,
    primary_proxy: FaultProxy,
    tmp_path: Path,
    stack: str,
    verb: str,
    step: str,
    mode: str,
) -> None:
    _run_with_primary_fault(monkeypatch, primary_proxy, tmp_path, stack, verb, step, mode)


@pytest.mark.parametrize("stack", STACKS)
def test_throttling_and_5xx_on_both_regions_are_retried(tmp_path: Path, stack: str) -> None:
    path, outputs = world.build(stack, tmp_path)
    _outage(outputs)
    with FaultProxy(support.moto_url()) as east, FaultProxy(support.moto_url()) as west:
        east.throttle(2)
        west.fail5xx(2, body="<html>Service Unavailable</html>", content_type="text/html")
        aws = support.make_aws(
            {
                "*": support.moto_url(),
                outputs["primary"]["region"]: east.url,
                outputs["dr"]["region"]: west.url,
            }
        )
        code, _, err = run(execute(path, tmp_path / "j.json"), aws=aws)
        assert (east.count, west.count) > (2, 2)
    assert code == 0, err
    invariants.check(outputs, completed="failover")


@pytest.mark.parametrize("stack", STACKS)
def test_a_partition_is_not_an_outage(
    tmp_path: Path, primary_proxy: FaultProxy, stack: str
) -> None:
    """The operator cannot reach the primary, but Route 53's checkers (outside the operator's
    path) see it healthy: promoting would make two writers, so the failover refuses."""
    path, outputs = world.build(stack, tmp_path)
    flows.primary_down(outputs, (1, 1, 1))
    primary_proxy.refuse()
    aws = support.make_aws(
        {"*": support.moto_url(), outputs["primary"]["region"]: primary_proxy.url}
    )
    before = invariants.read(outputs)
    sent = flows.record_writes(aws)
    code, out, _ = run(execute(path, tmp_path / "j.json"), aws=aws)
    report = json.loads(out)
    assert code == 1
    assert report["steps"][1]["detail"].startswith(
        f"partition, not an outage: {outputs['primary']['region']} is unreachable from here but "
        "nothing outside this network path says it is down (health check "
    )
    assert sent == []
    assert invariants.read(outputs) == before


@pytest.mark.parametrize("stack", STACKS)
def test_with_us_east_1_gone_the_traffic_switch_keeps_users_off_the_primary_when_it_returns(
    tmp_path: Path, stack: str
) -> None:
    """us-east-1 gone whole (its regional services and Route 53's control plane): the evidence
    comes from the DR region, and the primary's record is held by the traffic switch alone.
    When the old primary answers again (its probe passes, its database still the pre-outage
    writer), Route 53 must keep answering with the DR region."""
    path, outputs = world.build(stack, tmp_path)
    flows.primary_down(outputs)
    flows.replication_stopped(outputs)
    gone = support.make_aws(
        {
            "*": support.moto_url(),
            "us-east-1": support.closed_port_url(),
            "global": support.closed_port_url(),
        }
    )
    code, out, err = run(execute(path, tmp_path / "j.json"), aws=gone)
    assert code == 0, err
    steps = {s["name"]: s["detail"] for s in json.loads(out)["steps"]}
    assert "held by the traffic switch alone" in steps["fence-primary"]
    invariants.check(outputs, completed="failover")
    # us-east-1 is back, its database as it was before the outage, its probe passing.
    flows.primary_down(outputs, (1, 1, 1), later=1)
    state = invariants.check(outputs)
    assert state.routed == (outputs["dr"]["region"],), state.describe()
    # status says so too: the switch holds the primary out, users go to the DR record.
    code, out, _ = run(["status", "--outputs", str(path), "--json"])
    said = {c["name"]: c["detail"] for c in json.loads(out)["checks"]}
    dr_region = outputs["dr"]["region"]
    assert said["dns/traffic-switch"] == f"in {dr_region}: holding us-east-1 out"
    assert said["dns/serving"] == f"Route 53 sends users to 'secondary-{dr_region}'"


@pytest.mark.parametrize("stack", STACKS)
def test_failback_onto_a_primary_that_came_back_as_it_was_changes_nothing(
    tmp_path: Path, stack: str
) -> None:
    path, outputs = world.build(stack, tmp_path)
    _outage(outputs)
    db = outputs["dr"]["database"]
    if db["family"] == "aurora":
        # An Aurora primary stays a writer only when the DR cluster was detached, as the
        # runbook does when the regions' engine versions differ.
        support.set_engine_version(outputs["dr"]["region"], db["secondaryClusterId"], "99.9")
    assert run(execute(path, tmp_path / "failover.json"))[0] == 0
    flows.primary_down(outputs, (1, 1, 1), later=1)  # back, its database not rebuilt
    aws = support.make_aws()
    sent = flows.record_writes(aws)
    before = invariants.read(outputs)
    code, out, _ = run(execute(path, tmp_path / "failback.json", verb="failback"), aws=aws)
    report = json.loads(out)
    assert code == 1
    assert report["steps"][1]["name"] == "confirm-primary-rebuilt"
    assert "pulumi config set webstack:dr.activeRegion " in report["steps"][1]["detail"]
    assert sent == []
    assert invariants.read(outputs) == before
    invariants.check(outputs)


@pytest.mark.parametrize("stack", STACKS)
def test_failback_onto_a_lagging_replica_waits_for_it(tmp_path: Path, stack: str) -> None:
    path, outputs = _failed_over(stack, tmp_path)
    flows.lag(outputs, [900, 800])
    aws = support.make_aws()
    sent = flows.record_writes(aws)
    code, out, _ = run(execute(path, tmp_path / "failback.json", verb="failback"), aws=aws)
    report = json.loads(out)
    assert code == 1
    assert "lags 800s behind the writer, more than the RPO" in report["steps"][1]["detail"]
    assert sent == []
    flows.lag(outputs, [5, 0], later=1)
    code, _, err = run(execute(path, tmp_path / "failback.json", verb="failback"))
    assert code == 0, err
    invariants.check(outputs, completed="failback")
