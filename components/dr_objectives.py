"""What each disaster-recovery strategy runs in the DR region, and the RTO/RPO it is expected to
achieve, as plain data: the composer builds from ``plan(strategy)`` and the stack exports
``objectives(strategy, family)`` for operators (the ops runbook reads them).

Every figure carries its source: the comparison of the four AWS disaster-recovery strategies this
stack is drawn from (backup & restore: RTO hours to days, RPO hours; pilot light: RTO tens of
minutes, RPO minutes; warm standby: RTO minutes, RPO seconds; multi-site active-active: real time,
near zero), the active-passive multi-region architecture with an RDS read replica promoted on
failover ("RTO 5-15 minutes, RPO 5 minutes"), the
Aurora global database figures AWS publishes (storage-level replication with typical lag under one
second; a secondary promoted to read/write in under a minute), and the Route 53 failover timing
this stack configures (health check interval x failure threshold, plus the alias record's TTL).
Values are the expected upper bound of each range, so operators plan for the worst case.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from components.config.values import DrStrategy

# --- Route 53 failover timing: failover_dns configures exactly these ---------------------------
# Standard (not fast) health checks: 30 s between checks from each checker region.
HEALTH_CHECK_INTERVAL_SECONDS = 30
# Consecutive failures before Route 53 marks an endpoint unhealthy.
HEALTH_CHECK_FAILURE_THRESHOLD = 3
# Alias records to an ALB answer with the load balancer's own TTL, 60 seconds.
ALIAS_TTL_SECONDS = 60
DNS_FAILOVER_SECONDS = (
    HEALTH_CHECK_INTERVAL_SECONDS * HEALTH_CHECK_FAILURE_THRESHOLD + ALIAS_TTL_SECONDS
)

# --- Data replication figures (AWS) ------------------------------------------------------------
# Aurora global database: "replicates ... with typical latency of less than 1 second"; a
# secondary can be promoted to full read/write "in less than a minute" (Aurora User Guide,
# "Using Amazon Aurora global databases"; managed failover / detach-and-promote).
AURORA_GLOBAL_LAG_SECONDS = 1
AURORA_GLOBAL_PROMOTION_SECONDS = 60
# AWS Backup plan of the backup-restore strategy: one backup a day, copied to the DR vault.
BACKUP_INTERVAL_HOURS = 24

SEED = "the four AWS disaster-recovery strategies compared (webstack's architecture notes)"
SEED_PATTERN_6 = (
    "active-passive multi-region with a promoted RDS read replica (webstack's architecture notes)"
)


class TimeUnit(StrEnum):
    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"

    @property
    def seconds(self) -> int:
        return {"seconds": 1, "minutes": 60, "hours": 3600}[self.value]


class DatabaseFamily(StrEnum):
    AURORA = "aurora"
    RDS = "rds"


@dataclass(frozen=True)
class Objective:
    """An expected recovery time or point: a number, its unit, and where the number comes from."""

    value: int
    unit: TimeUnit
    source: str

    @property
    def seconds(self) -> int:
        return self.value * self.unit.seconds

    def as_output(self) -> dict[str, Any]:
        """The stack output shape of ``ops/outputs.py``: ``{"value", "unit", "source"}``."""
        return {"value": self.value, "unit": self.unit.value, "source": self.source}


@dataclass(frozen=True)
class Objectives:
    rto: Objective
    rpo: Objective


def objectives(strategy: DrStrategy, family: DatabaseFamily) -> Objectives | None:
    """The expected RTO and RPO of ``strategy`` for a database of ``family``; None without DR."""
    if strategy is DrStrategy.NONE:
        return None
    aurora = family is DatabaseFamily.AURORA
    replica_rpo = (
        Objective(
            AURORA_GLOBAL_LAG_SECONDS,
            TimeUnit.SECONDS,
            "Aurora global database: storage-level replication, typical lag under 1 second "
            f"(AWS); {SEED}: RPO seconds",
        )
        if aurora
        else Objective(
            5,
            TimeUnit.MINUTES,
            f"cross-Region RDS read replica, asynchronous: {SEED_PATTERN_6}: RPO 5 minutes",
        )
    )
    dns = (
        f"Route 53: {HEALTH_CHECK_FAILURE_THRESHOLD} failed checks x "
        f"{HEALTH_CHECK_INTERVAL_SECONDS} s + alias TTL {ALIAS_TTL_SECONDS} s = "
        f"{DNS_FAILOVER_SECONDS} s to move traffic"
    )
    promotion = (
        f"Aurora secondary promoted in under {AURORA_GLOBAL_PROMOTION_SECONDS} s (AWS)"
        if aurora
        else "RDS replica promotion takes minutes"
    )
    if strategy is DrStrategy.BACKUP_RESTORE:
        return Objectives(
            rto=Objective(
                24,
                TimeUnit.HOURS,
                f"{SEED}: RTO hours to days (a fresh stack restored from the DR vault; "
                "see README, Disaster recovery)",
            ),
            rpo=Objective(
                BACKUP_INTERVAL_HOURS,
                TimeUnit.HOURS,
                f"AWS Backup plan: one backup every {BACKUP_INTERVAL_HOURS} h copied to the DR "
                f"vault; {SEED}: RPO hours",
            ),
        )
    if strategy is DrStrategy.PILOT_LIGHT:
        return Objectives(
            rto=Objective(
                30,
                TimeUnit.MINUTES,
                f"{SEED}: RTO 10s of minutes (Auto Scaling groups start from 0; {promotion}; "
                f"{dns})",
            ),
            rpo=replica_rpo,
        )
    if strategy is DrStrategy.WARM_STANDBY:
        return Objectives(
            rto=Objective(
                15,
                TimeUnit.MINUTES,
                f"{SEED}: RTO minutes; {SEED_PATTERN_6}: RTO 5-15 minutes ({promotion}; {dns})",
            ),
            rpo=replica_rpo,
        )
    # Active-active: both regions serve; losing one costs the DNS shift (and, for writes, the
    # promotion of the database's secondary).
    promotion_seconds = AURORA_GLOBAL_PROMOTION_SECONDS if aurora else 600
    return Objectives(
        rto=Objective(
            DNS_FAILOVER_SECONDS + promotion_seconds,
            TimeUnit.SECONDS,
            f"{SEED}: RTO real-time for reads; {dns}; writes wait for the promotion "
            f"({promotion}, counted as {promotion_seconds} s)",
        ),
        rpo=replica_rpo,
    )


# --- What runs in the DR region ----------------------------------------------------------------
class StandbySize(StrEnum):
    """The size of the DR region's Auto Scaling groups."""

    NONE = "none"  # no groups at all (backup-restore: a fresh stack is built on recovery)
    ZERO = "zero"  # groups exist at 0 instances (pilot light)
    REDUCED = "reduced"  # running at the configured standby size (warm standby)
    FULL = "full"  # running at the primary's size (active-active)


class DatabaseMode(StrEnum):
    NONE = "none"
    # Aurora: a secondary cluster in a global database; RDS: a cross-Region read replica.
    SECONDARY = "secondary"


class CacheMode(StrEnum):
    NONE = "none"
    # The DR region runs a cache of its own: sessions are per region (a user moved to the other
    # region signs in again). Pilot light (its tiers need one to turn healthy) and active-active
    # (both regions write sessions, and a global datastore's secondary is read-only).
    REGIONAL = "regional"
    # Warm standby: the primary's cache replicated to a read-only secondary, promoted by the ops
    # runbook on failover (sessions survive it).
    GLOBAL_DATASTORE = "global-datastore"


class TrafficMode(StrEnum):
    NONE = "none"
    FAILOVER = "failover"  # Route 53 PRIMARY/SECONDARY records
    LATENCY = "latency"  # Route 53 latency records, one per region


class S3Replication(StrEnum):
    NONE = "none"
    ONE_WAY = "one-way"
    TWO_WAY = "two-way"


@dataclass(frozen=True)
class DrPlan:
    """What the composer builds for one strategy."""

    strategy: DrStrategy
    # KMS keys in the DR region (the backups vault and replicated objects need them).
    keys: bool
    # Network, security groups, load balancer(s), launch template(s), Auto Scaling group(s).
    foundation: bool
    standby_size: StandbySize
    database: DatabaseMode
    # RDS: the replica is Multi-AZ when it must be ready to take writes on promotion.
    replica_multi_az: bool
    # Aurora: writes on the secondary are forwarded to the primary (where the version allows).
    write_forwarding: bool
    cache: CacheMode
    traffic: TrafficMode
    # CloudFront origin group: primary ALB first, the DR ALB on 5xx/timeouts.
    origin_group: bool
    s3_replication: S3Replication
    backup: bool

    @property
    def builds_anything(self) -> bool:
        return self.keys


# Each strategy is the one before it plus what it adds, as AWS describes them.
_NONE = DrPlan(
    strategy=DrStrategy.NONE,
    keys=False,
    foundation=False,
    standby_size=StandbySize.NONE,
    database=DatabaseMode.NONE,
    replica_multi_az=False,
    write_forwarding=False,
    cache=CacheMode.NONE,
    traffic=TrafficMode.NONE,
    origin_group=False,
    s3_replication=S3Replication.NONE,
    backup=False,
)
# Backups copied to a DR vault, uploads replicated; nothing runs in the DR region.
_BACKUP_RESTORE = replace(
    _NONE,
    strategy=DrStrategy.BACKUP_RESTORE,
    keys=True,
    s3_replication=S3Replication.ONE_WAY,
    backup=True,
)
# The core running: the whole foundation with its groups at 0, the data replicated, DNS failover.
_PILOT_LIGHT = replace(
    _BACKUP_RESTORE,
    strategy=DrStrategy.PILOT_LIGHT,
    foundation=True,
    standby_size=StandbySize.ZERO,
    database=DatabaseMode.SECONDARY,
    cache=CacheMode.REGIONAL,
    traffic=TrafficMode.FAILOVER,
    backup=False,
)
# Everything running at a reduced size, ready to take writes; the cache replicated too.
_WARM_STANDBY = replace(
    _PILOT_LIGHT,
    strategy=DrStrategy.WARM_STANDBY,
    standby_size=StandbySize.REDUCED,
    replica_multi_az=True,
    cache=CacheMode.GLOBAL_DATASTORE,
    origin_group=True,
)
# Both regions serve at full size; writes forwarded, uploads both ways, a cache per region (a
# global datastore's secondary is read-only, and both regions write sessions).
_ACTIVE_ACTIVE = replace(
    _WARM_STANDBY,
    strategy=DrStrategy.ACTIVE_ACTIVE,
    standby_size=StandbySize.FULL,
    write_forwarding=True,
    cache=CacheMode.REGIONAL,
    traffic=TrafficMode.LATENCY,
    s3_replication=S3Replication.TWO_WAY,
)
PLANS: dict[DrStrategy, DrPlan] = {
    p.strategy: p for p in (_NONE, _BACKUP_RESTORE, _PILOT_LIGHT, _WARM_STANDBY, _ACTIVE_ACTIVE)
}


def plan(strategy: DrStrategy) -> DrPlan:
    return PLANS[strategy]
