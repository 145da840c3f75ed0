"""ops/iam-policy.json allows exactly the calls the tool makes: every action it calls in runs
that take every path of the tool (against moto, and with botocore's Stubber for what moto does not
implement), and nothing else."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from ops.cli import main
from ops.permissions import FAILOVER_ACTIONS, iam_action
from tests.ops import flows, support, test_stubber

POLICY = Path(__file__).resolve().parents[2] / "ops" / "iam-policy.json"
# Allowed although no recorded run calls it: none. (A write action listed here could never be
# caught as over-broad, so the list stays empty unless a path truly cannot be run in tests.)
UNUSED_BY_DESIGN: set[str] = set()


def statements() -> dict[str, set[str]]:
    found = json.loads(POLICY.read_text())["Statement"]
    assert [s["Sid"] for s in found] == ["ReadStackState", "FailoverAndFailback"]
    assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in found)
    return {s["Sid"]: set(s["Action"]) for s in found}


def recording(calls: set[str]) -> boto3.Session:
    """A session whose clients record the IAM action of every call they make, including calls a
    Stubber answers (provide-client-params fires before any before-call handler)."""
    session = support.fresh_session()

    def record(model: Any, **_: Any) -> None:
        action = iam_action(model.service_model.signing_name, model.name)
        if action:
            calls.add(action)

    session.events.register("provide-client-params", record)
    return session


def test_the_policy_allows_exactly_the_calls_the_tool_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    support.apply_aws_effects(monkeypatch)
    calls: set[str] = set()
    session = recording(calls)
    for name in ("aurora", "rds", "planned", "versions", "headless", "datastore", "simulate"):
        (tmp_path / name).mkdir()
    aws = support.make_aws(boto_session=session)
    # Read-only verbs on a stack with every part (Aurora global database, global datastore, DNS).
    path, _ = support.seed("warm-standby-aurora", tmp_path)
    for verb in ("status", "verify", "drill"):
        main([verb, "--outputs", str(path)], aws=aws, out=io.StringIO(), err=io.StringIO())
    # Unplanned failover, primary unreachable: managed failover (AllowDataLoss), cache, scaling.
    unreachable = support.make_aws(
        {"*": support.moto_url(), "us-east-1": support.closed_port_url()}, boto_session=session
    )
    flows.aurora_failover_with_the_primary_unreachable(tmp_path / "aurora", unreachable)
    # Planned failover and failback on RDS: fence, promote replicas, hold and restore a record.
    flows.planned_rds_failover_and_failback(tmp_path / "rds", aws)
    # Planned Aurora move and back: switchovers; engine versions apart: detach.
    flows.aurora_planned_failover_and_failback(tmp_path / "planned", aws)
    flows.aurora_failover_across_versions(tmp_path / "versions", aws)
    # us-east-1 gone: the traffic switch in the DR region, a writer instance for a headless
    # secondary.
    gone = support.make_aws(
        {
            "*": support.moto_url(),
            "us-east-1": support.closed_port_url(),
            "global": support.closed_port_url(),
        },
        boto_session=session,
    )
    flows.headless_failover_with_us_east_1_gone(tmp_path / "headless", gone)
    # What moto does not implement: the same session, answered by Stubber.
    test_stubber.datastore_failover_and_back(tmp_path / "datastore", session)
    test_stubber.simulated_permissions(tmp_path / "simulate", {}, session)

    policy = statements()
    allowed = policy["ReadStackState"] | policy["FailoverAndFailback"]
    assert sorted(calls - allowed) == []
    assert sorted(allowed - calls) == sorted(UNUSED_BY_DESIGN)
    assert len(calls) == len(policy["ReadStackState"]) + len(FAILOVER_ACTIONS)
    # The write statement is exactly what drill simulates, and nothing in it is a read.
    assert policy["FailoverAndFailback"] == set(FAILOVER_ACTIONS)
    assert all(
        not a.split(":")[1].startswith(("Describe", "Get", "List"))
        for a in policy["FailoverAndFailback"]
    )
    assert all(
        a.split(":")[1].startswith(("Describe", "Get", "List", "Simulate"))
        for a in policy["ReadStackState"]
    )


def test_the_policy_names_every_action_without_wildcards() -> None:
    policy = statements()
    assert policy["FailoverAndFailback"] == set(FAILOVER_ACTIONS)
    assert [a for s in policy.values() for a in s if "*" in a] == []
