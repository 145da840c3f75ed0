"""ops/iam-policy.json allows every call the tool makes in these runs, and nothing unused beyond
the documented list (calls moto cannot serve, covered by Stubber tests or not reached here)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from ops.cli import main
from ops.permissions import iam_action
from tests.ops import support

POLICY = Path(__file__).resolve().parents[2] / "ops" / "iam-policy.json"
# Allowed but not called in the recorded runs below: moto 5.2.5 cannot serve them or the
# runs stop before them (promotion paths; see test_cli.py MOTO_PROMOTION and test_stubber.py).
UNUSED_BY_DESIGN = {
    "rds:FailoverGlobalCluster",
    "rds:SwitchoverGlobalCluster",
    "rds:PromoteReadReplica",
    "rds:RemoveFromGlobalCluster",
    "route53:UpdateHealthCheck",
    "autoscaling:UpdateAutoScalingGroup",
}


def allowed() -> set[str]:
    statements = json.loads(POLICY.read_text())["Statement"]
    assert len(statements) == 2
    return {action for s in statements if s["Effect"] == "Allow" for action in s["Action"]}


def test_the_policy_allows_exactly_the_calls_the_tool_makes(tmp_path: Path) -> None:
    session = support.fresh_session()
    calls: set[str] = set()

    def record(model: Any, **_: Any) -> None:
        service = model.service_model.signing_name
        action = iam_action(service, model.name)
        if action:
            calls.add(action)

    session.events.register("before-call", record)
    aws = support.make_aws(boto_session=session)
    path, _ = support.seed("warm-standby-aurora", tmp_path)
    for verb in ("status", "verify", "drill"):
        main([verb, "--outputs", str(path)], aws=aws, out=io.StringIO(), err=io.StringIO())
    main(
        [
            "failover",
            "--outputs",
            str(path),
            "--execute",
            "--force",
            "test",
            "--journal",
            str(tmp_path / "j.json"),
            "--timeout",
            "0",
            "--poll-interval",
            "0",
        ],
        aws=aws,
        out=io.StringIO(),
        err=io.StringIO(),
    )
    policy = allowed()
    assert sorted(calls - policy) == []
    assert sorted(policy - calls) == sorted(UNUSED_BY_DESIGN - calls)
    assert len(calls) == 15
