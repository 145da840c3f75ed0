"""One rule set: any config the program accepts passes the pack config of its environment.

For every environment, a configuration drawn from the documented config space either is refused
by the program at config time (one message naming the key) or yields zero mandatory violations
when the real pack, started as the CLI starts it, checks the synthesized stack with the pack
config shipped for that environment (``policies/config/<environment>.json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from components.config.models import PROD_MIN_BACKUP_DAYS, PROD_MIN_SNAPSHOT_DAYS
from tools.analyzer import PolicyPackProcess
from tools.mockcloud import ROOT, synthesize
from tools.preview import check, render_findings

PACK = ROOT / "policies"
ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK) as process:
        yield process


def pack_config(environment: str) -> dict[str, Any]:
    return json.loads((PACK / "config" / f"{environment}.json").read_text())


def test_every_environment_ships_a_pack_config() -> None:
    shipped = sorted(p.stem for p in (PACK / "config").glob("*.json"))
    assert shipped == sorted(ENVIRONMENTS)


def test_the_programs_production_minimums_are_the_packs() -> None:
    prod = pack_config("prod")
    assert prod["db-backup-retention"]["minimumDays"] == PROD_MIN_BACKUP_DAYS
    assert prod["cache-snapshots"]["minimumDays"] == PROD_MIN_SNAPSHOT_DAYS


def _section(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


CONFIGS = st.fixed_dictionaries(
    {
        "webstack:environment": st.sampled_from(ENVIRONMENTS),
        "webstack:network": _section(
            azCount=st.integers(2, 3), natGateways=st.sampled_from(["single", "perAz"])
        ),
        "webstack:web": _section(
            minSize=st.integers(1, 3),
            maxSize=st.integers(3, 6),
            instanceType=st.sampled_from(["t4g.small", "m7g.large", "t3.small"]),
        ),
        "webstack:appTier": _section(enabled=st.booleans()),
        "webstack:database": _section(
            engine=st.sampled_from(["aurora-postgresql", "aurora-mysql", "postgres", "mysql"]),
            readers=st.integers(0, 2),
            backupRetentionDays=st.integers(1, 35),
            proxy=st.booleans(),
        ),
        "webstack:cache": _section(
            engine=st.sampled_from(["valkey", "redis"]),
            nodeType=st.sampled_from(["cache.t4g.small", "cache.m7g.large"]),
            replicas=st.integers(0, 2),
            snapshotRetentionDays=st.integers(0, 10),
        ),
        "webstack:cdn": _section(enabled=st.booleans(), waf=st.booleans()),
        "webstack:dr": _section(
            strategy=st.sampled_from(
                ["none", "backup-restore", "pilot-light", "warm-standby", "active-active"]
            ),
            region=st.sampled_from(["us-west-2", "us-east-2"]),
        ),
    },
    optional={
        "webstack:domain": st.just({"zoneName": "example.com", "recordName": "www"}),
        "webstack:alarmEmail": st.just("ops@example.com"),
    },
)


def _dr_example(strategy: str, engine: str) -> dict[str, Any]:
    return {
        "webstack:environment": "staging",
        "webstack:network": {},
        "webstack:web": {},
        "webstack:appTier": {},
        "webstack:database": {"engine": engine},
        "webstack:cache": {"nodeType": "cache.m7g.large"},
        "webstack:cdn": {},
        "webstack:dr": {"strategy": strategy, "region": "us-west-2"},
        "webstack:domain": {"zoneName": "example.com", "recordName": "www"},
    }


EXPECTED_ACCEPTED = [
    _dr_example(strategy, engine)
    for strategy, engine in (
        ("warm-standby", "aurora-postgresql"),
        ("active-active", "aurora-mysql"),
        ("pilot-light", "postgres"),
        ("backup-restore", "mysql"),
    )
]


@settings(
    # Each example synthesizes the whole stack and sends it through the pack (~1 s): a fixed,
    # derandomized sample keeps the suite fast and CI repeatable; no shrinking (a failure
    # prints the config as drawn).
    max_examples=40,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(overrides=CONFIGS)
# Every DR strategy, once each, accepted (the random draws rarely land on an accepted one).
@example(overrides=EXPECTED_ACCEPTED[0])
@example(overrides=EXPECTED_ACCEPTED[1])
@example(overrides=EXPECTED_ACCEPTED[2])
@example(overrides=EXPECTED_ACCEPTED[3])
def test_a_config_the_program_accepts_passes_its_environments_pack_config(
    pack: PolicyPackProcess, overrides: dict[str, Any]
) -> None:
    synthesis = synthesize("dev", overrides=overrides)
    strategy = overrides["webstack:dr"].get("strategy", "none")
    event(f"dr {strategy}: {'refused' if synthesis.error else 'accepted'}")
    if overrides in EXPECTED_ACCEPTED:
        assert synthesis.error is None, synthesis.error
    if synthesis.error is not None:
        # Refused at config time: the message names the key it is about.
        assert "webstack:" in synthesis.error or "aws:region" in synthesis.error
        assert "Traceback" not in synthesis.error
        return
    pack.configure(pack_config(overrides["webstack:environment"]))
    mandatory = [f for f in check(pack, synthesis) if f["level"] == "mandatory"]
    assert mandatory == [], "\n".join(render_findings(mandatory))
