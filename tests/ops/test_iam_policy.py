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
    for name in ("aurora", "rds", "managed", "switchover", "datastore", "simulate"):
        (tmp_path / name).mkdir()
    aws = support.make_aws(boto_session=session)
    # Read-only verbs on a stack with every part (Aurora global database, global datastore, DNS).
    path, _ = support.seed("warm-standby-aurora", tmp_path)
    for verb in ("status", "verify", "drill"):
        main([verb, "--outputs", str(path)], aws=aws, out=io.StringIO(), err=io.StringIO())
    # Unplanned failover, primary unreachable: detach-and-promote, cache failover, scaling.
    unreachable = support.make_aws(
        {"*": support.moto_url(), "us-east-1": support.closed_port_url()}, boto_session=session
    )
    flows.aurora_failover_with_the_primary_unreachable(tmp_path / "aurora", unreachable)
    # Planned failover and failback on RDS: promote replicas, invert and restore a health check.
    flows.planned_rds_failover_and_failback(tmp_path / "rds", aws)
    # What moto does not implement: the same session, answered by Stubber.
    test_stubber.managed_aurora_failover(tmp_path / "managed", session)
    test_stubber.aurora_switchover_back(tmp_path / "switchover", session)
    test_stubber.datastore_failover_and_back(tmp_path / "datastore", session)
    test_stubber.simulated_permissions(tmp_path / "simulate", {}, session)

    policy = statements()
    allowed = policy["ReadStackState"] | policy["FailoverAndFailback"]
    assert sorted(calls - allowed) == []
    assert sorted(allowed - calls) == sorted(UNUSED_BY_DESIGN)
    assert len(calls) == 22
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
    assert len(policy["ReadStackState"]) == 15
    assert len(policy["FailoverAndFailback"]) == 7
    assert [a for s in policy.values() for a in s if "*" in a] == []
