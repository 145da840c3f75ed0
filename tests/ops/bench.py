"""Benchmark: a full failover and failback per DR strategy against moto's server on loopback,
on each stack's own world (tests/ops/world.py). Prints the median wall time of several runs and
the RTO the CLI measured beside the strategy's RTO objective (the stack's `dr.rto` output).

    python -m tests.ops.bench [--runs 3]        (make bench)

moto answers in milliseconds and nothing boots: the figures measure the runbook's own work and
its round trips, a floor under what AWS takes (promotions, instance boots, DNS), never an RTO.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import pytest

from tests.ops import flows, support, world
from tests.ops.flows import execute, run

STACKS = {
    "pilot-light (Aurora)": "dr-pilot",
    "pilot-light (RDS)": "dr-pilotrds",
    "warm-standby (RDS)": "dr-warmrds",
    "warm-standby (Aurora, prod)": "prod",
    "active-active (Aurora)": "dr-active",
}


def _once(stack: str, directory: Path) -> tuple[float, float, float, str]:
    import json

    path, outputs = world.build(stack, directory)
    flows.primary_down(outputs)
    started = time.monotonic()
    code, out, err = run(execute(path, directory / "over.json"))
    over = time.monotonic() - started
    assert code == 0, err
    report = json.loads(out)
    flows.rebuild_primary(outputs)
    flows.primary_down(outputs, (1, 1, 1), later=1)
    started = time.monotonic()
    code, _, err = run(execute(path, directory / "back.json", verb="failback"))
    back = time.monotonic() - started
    assert code == 0, err
    rto = outputs["dr"]["rto"]
    return over, back, float(report["measuredRtoSeconds"]), f"{rto['value']} {rto['unit']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("WEBSTACK_OPS_HOME", tempfile.mkdtemp(prefix="webstack-bench-"))
    with pytest.MonkeyPatch.context() as patch:
        support.apply_aws_effects(patch)
        print(
            f"{'strategy':<30} {'failover s':>10} {'failback s':>10} {'measured RTO s':>15}  "
            "RTO objective"
        )
        for label, stack in STACKS.items():
            samples = []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as directory:
                    samples.append(_once(stack, Path(directory)))
            over = statistics.median(s[0] for s in samples)
            back = statistics.median(s[1] for s in samples)
            rto = statistics.median(s[2] for s in samples)
            print(f"{label:<30} {over:>10.2f} {back:>10.2f} {rto:>15.2f}  {samples[0][3]}")


if __name__ == "__main__":
    main()
