"""The DR configuration rules, with their exact messages (key path, bad value, what is accepted).

Every message is what ``pulumi up`` prints (a ConfigError, no traceback), checked whole.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.synth import synth

DR = {"region": "us-west-2", "cidr": "10.1.0.0/16"}
REGIONS = "accepted: an AWS region of the aws partition such as us-east-1, us-west-2, eu-west-1"
GLOBAL_FAMILIES = "m5, m6g, m7g, r5, r6g, r6gd, r7g, c7gn"


def error_of(stack: str, overrides: dict[str, Any]) -> str | None:
    return synth(stack, overrides).error


REFUSED = [
    (
        "aws-region-misspelt",
        "dev",
        {"aws:region": "us-east-7"},
        f"aws:region is 'us-east-7'; did you mean 'us-east-2'? {REGIONS}",
    ),
    (
        "aws-region-malformed",
        "dev",
        {"aws:region": "moon-base-1"},
        "aws:region is 'moon-base-1'; accepted: an AWS region such as us-east-1 or eu-west-1",
    ),
    (
        "dr-region-misspelt",
        "prod",
        {"webstack:dr": {"strategy": "pilot-light", "region": "us-wset-2", "cidr": "10.1.0.0/16"}},
        f"webstack:dr.region is 'us-wset-2'; did you mean 'us-west-2'? {REGIONS}",
    ),
    (
        "dr-region-is-the-primary",
        "prod",
        {"webstack:dr": {"strategy": "pilot-light", "region": "us-east-1", "cidr": "10.1.0.0/16"}},
        "webstack:dr.region is 'us-east-1'; accepted: a region other than the primary us-east-1",
    ),
    (
        "dr-cidr-overlaps",
        "prod",
        {
            "webstack:dr": {
                "strategy": "warm-standby",
                "region": "us-west-2",
                "cidr": "10.0.128.0/17",
            }
        },
        "webstack:dr.cidr is '10.0.128.0/17'; accepted: a block that does not overlap "
        "network.cidr 10.0.0.0/16",
    ),
    (
        "dr-region-has-fewer-azs",
        "prod",
        {"webstack:dr": {"strategy": "pilot-light", "region": "us-west-1", "cidr": "10.1.0.0/16"}},
        "webstack:network.azCount is 3; accepted: at most 2, the AZs us-west-1 offers "
        "(us-west-1a, us-west-1c)",
    ),
    (
        "headless-secondary-under-warm-standby",
        "prod",
        {"webstack:dr": {"strategy": "warm-standby", **DR, "secondaryReaders": 0}},
        "webstack:dr.secondaryReaders is 0; accepted: at least 1 under warm-standby: the DR "
        "region's tiers read from it (0, a headless secondary, suits pilot-light only)",
    ),
    (
        "headless-secondary-under-active-active",
        "prod",
        {"webstack:dr": {"strategy": "active-active", **DR, "secondaryReaders": 0}},
        "webstack:dr.secondaryReaders is 0; accepted: at least 1 under active-active: the DR "
        "region's tiers read from it (0, a headless secondary, suits pilot-light only)",
    ),
    # Issue 17: under latency routing about half the users write to the DR region's database,
    # which for RDS is a read-only cross-Region replica.
    (
        "active-active-with-rds",
        "prod",
        {
            "webstack:dr": {"strategy": "active-active", **DR},
            "webstack:database": {"engine": "postgres"},
        },
        "webstack:database.engine is 'postgres'; accepted: aurora-postgresql or aurora-mysql "
        "under active-active (writes from the DR region are forwarded by Aurora; an RDS replica "
        "is read-only), or dr.strategy warm-standby for RDS",
    ),
    (
        "active-active-without-write-forwarding",
        "prod",
        {
            "webstack:dr": {"strategy": "active-active", **DR},
            "webstack:database": {"engineVersion": "15.3"},
        },
        "webstack:database.engineVersion is '15.3'; accepted: a version with global write "
        "forwarding under active-active (Aurora PostgreSQL 14.9+, 15.4+, 16+; Aurora MySQL "
        "2.08.1+ or 3)",
    ),
    (
        "active-region-elsewhere",
        "prod",
        {"webstack:dr": {"strategy": "warm-standby", **DR, "activeRegion": "eu-west-1"}},
        "webstack:dr.activeRegion is 'eu-west-1'; accepted: empty, us-east-1 (the primary) or "
        "us-west-2 (dr.region, after a failover)",
    ),
    (
        "active-region-under-backup-restore",
        "prod",
        {"webstack:dr": {"strategy": "backup-restore", **DR, "activeRegion": "us-west-2"}},
        "webstack:dr.activeRegion is 'us-west-2'; accepted: empty or us-east-1: backup-restore "
        "has no standby database to promote (recovery builds a fresh stack in the DR region)",
    ),
    (
        "active-region-twice",
        "prod",
        {
            "webstack:dr": {"strategy": "warm-standby", **DR, "activeRegion": "us-east-1"},
            "webstack:dr.activeRegion": "us-west-2",
        },
        "webstack:dr.activeRegion is 'us-west-2' but webstack:dr has activeRegion 'us-east-1'; "
        "accepted: one of them (pulumi config rm one)",
    ),
    (
        "too-many-secondary-readers",
        "prod",
        {"webstack:dr": {"strategy": "pilot-light", **DR, "secondaryReaders": 16}},
        "webstack:dr.secondaryReaders is 16; accepted: a number less than or equal to 15",
    ),
    (
        "global-datastore-burstable-node",
        "prod",
        {
            "webstack:dr": {"strategy": "warm-standby", **DR},
            "webstack:cache": {"nodeType": "cache.t4g.medium"},
        },
        "webstack:cache.nodeType is 'cache.t4g.medium'; accepted: what an ElastiCache global "
        "datastore (warm-standby mirrors the cache) accepts: node type 'cache.t4g.medium': a "
        f"global datastore needs size large or above of {GLOBAL_FAMILIES} (no burstable t-nodes)",
    ),
    (
        "global-datastore-old-valkey",
        "prod",
        {
            "webstack:dr": {"strategy": "warm-standby", **DR},
            "webstack:cache": {"engineVersion": "7.1"},
        },
        "webstack:cache.engineVersion is '7.1'; accepted: what an ElastiCache global datastore "
        "(warm-standby mirrors the cache) accepts: version '7.1': a global datastore needs "
        "valkey 7.2.0 or later",
    ),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_the_dr_rules_refuse_with_the_exact_message(
    stack: str, overrides: dict[str, Any], message: str
) -> None:
    assert error_of(stack, overrides) == message


ACCEPTED = [
    (
        "headless-secondary-under-pilot-light",
        {"strategy": "pilot-light", "secondaryReaders": 0},
        {},
    ),
    # RDS has one cross-Region replica whatever dr.secondaryReaders says.
    (
        "rds-ignores-secondary-readers",
        {"strategy": "warm-standby", "secondaryReaders": 0},
        {"webstack:database": {"engine": "postgres"}},
    ),
    # Active-active runs a cache per region: no global datastore, so burstable nodes will do.
    (
        "active-active-with-a-burstable-cache",
        {"strategy": "active-active"},
        {"webstack:cache": {"nodeType": "cache.t4g.medium"}},
    ),
    (
        "pilot-light-with-a-burstable-cache",
        {"strategy": "pilot-light"},
        {"webstack:cache": {"nodeType": "cache.t4g.medium"}},
    ),
]


@pytest.mark.parametrize(
    ("dr", "extra"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_what_the_dr_rules_accept(dr: dict[str, Any], extra: dict[str, Any]) -> None:
    result = synth("prod", {"webstack:dr": {**dr, **DR}, **extra})
    assert result.error is None, result.error
    assert result.resources


def test_a_headless_secondary_has_no_instances() -> None:
    result = synth(
        "prod", {"webstack:dr": {"strategy": "pilot-light", **DR, "secondaryReaders": 0}}
    )
    assert result.error is None, result.error
    dr_instances = [
        r
        for r in result.of_type("aws:rds/clusterInstance:ClusterInstance")
        if r.region == "us-west-2"
    ]
    assert dr_instances == []
    (secondary,) = [r for r in result.of_type("aws:rds/cluster:Cluster") if r.region == "us-west-2"]
    # A headless secondary is still a member of the global database (no credentials of its own).
    assert (secondary.get("masterUsername"), secondary.get("databaseName")) == (None, None)
    assert "globalClusterIdentifier" in secondary.ignore_changes
