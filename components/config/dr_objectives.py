"""What each disaster-recovery strategy runs in the DR region, and the RTO/RPO it is expected to
achieve, as plain data: the composer builds from ``plan(strategy)`` and the stack exports
``objectives(strategy, family, ...)`` for operators (the ops runbook reads them).

Every figure says what it is and where its parts come from (public AWS documentation, cited by
URL in its ``source``):

- RTO: a LOWER BOUND, the sum of what ``python -m ops failover`` waits for, in order: Route 53
  detection (failure threshold x interval), the database promotion, for a headless Aurora
  secondary the creation of its writer instance, the cache promotion (global datastore), Auto
  Scaling groups at 0 launching and passing the health-check grace period, and the resolvers'
  cache of the old answer (the record's TTL). The operator's decision to fail over is not
  counted; nor is anything slower than AWS's typical figure.
- RPO: the EXPECTED data loss: Aurora's typical replication lag, an RDS replica's asynchronous
  lag (a planning figure: AWS gives no bound), or the backup schedule.
- Uploads RPO (separate): S3 Replication Time Control's bound (99.99% of objects within 15
  minutes) where the strategy turns it on; without it S3 states no bound at all.

Figures are whole minutes (rounded up) once they pass two minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from components.config.values import DrStrategy

# --- public sources ------------------------------------------------------------------------------
DOCS = "https://docs.aws.amazon.com"
DR_WHITEPAPER = (
    f"{DOCS}/whitepapers/latest/disaster-recovery-workloads-on-aws/"
    "disaster-recovery-options-in-the-cloud.html"
)
AURORA_GLOBAL = f"{DOCS}/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html"
AURORA_FAILOVER = (
    f"{DOCS}/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html"
)
RDS_PROMOTE = f"{DOCS}/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html"
RDS_REPLICA_LAG = f"{DOCS}/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html"
ROUTE53_HEALTH = (
    f"{DOCS}/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html"
)
ASG_GRACE = f"{DOCS}/autoscaling/ec2/userguide/health-check-grace-period.html"
ELASTICACHE_GLOBAL = f"{DOCS}/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Console.html"
S3_RTC = f"{DOCS}/AmazonS3/latest/userguide/replication-time-control.html"
BACKUP_COPY = f"{DOCS}/aws-backup/latest/devguide/cross-region-backup.html"

# --- Route 53 failover timing: failover_dns configures exactly these ---------------------------
# Standard (not fast) health checks: 30 s between checks from each checker region.
HEALTH_CHECK_INTERVAL_SECONDS = 30
# Consecutive failures before Route 53 marks an endpoint unhealthy.
HEALTH_CHECK_FAILURE_THRESHOLD = 3
# Alias records to an ALB answer with the load balancer's own TTL, 60 seconds.
ALIAS_TTL_SECONDS = 60
DETECTION_SECONDS = HEALTH_CHECK_INTERVAL_SECONDS * HEALTH_CHECK_FAILURE_THRESHOLD
DNS_FAILOVER_SECONDS = DETECTION_SECONDS + ALIAS_TTL_SECONDS

# --- Data replication and recovery steps (AWS; "typical", never a bound) ----------------------
# Aurora global database: replication "typically under a second"; a managed failover promotes a
# secondary in about a minute (Aurora User Guide, the pages above).
AURORA_GLOBAL_LAG_SECONDS = 1
AURORA_GLOBAL_PROMOTION_SECONDS = 60
# RDS PromoteReadReplica: the instance reboots and is available "in a few minutes".
RDS_PROMOTION_SECONDS = 300
# RDS cross-Region replica lag: asynchronous, no AWS bound; the planning figure operators hold
# the ReplicaLag metric to (the drill checks it).
RDS_REPLICA_LAG_SECONDS = 300
# A new Aurora DB instance (the headless secondary's writer): our planning figure, no AWS one.
AURORA_INSTANCE_CREATION_SECONDS = 600
# ElastiCache global datastore: promoting the secondary to primary.
GLOBAL_DATASTORE_PROMOTION_SECONDS = 60
# EC2 launch to the start of the user data (Auto Scaling groups at 0 launch all at once).
INSTANCE_LAUNCH_SECONDS = 60
# AWS Backup plan of the backup-restore strategy: one backup a day, copied to the DR vault.
BACKUP_INTERVAL_HOURS = 24
# S3 Replication Time Control: 99.99% of objects within 15 minutes.
RTC_MINUTES = 15


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
    # The uploads bucket's RPO (S3 replication), apart from the database's.
    uploads_rpo: Objective


def _time(seconds: int, source: str) -> Objective:
    if seconds <= 120:
        return Objective(seconds, TimeUnit.SECONDS, source)
    return Objective(math.ceil(seconds / 60), TimeUnit.MINUTES, source)


def _rto(steps: list[tuple[str, int, str]]) -> Objective:
    total = sum(seconds for _, seconds, _ in steps)
    parts = "; ".join(f"{what} {seconds} s ({url})" for what, seconds, url in steps)
    return _time(
        total,
        f"lower bound, what the runbook waits for in order (the operator's decision not "
        f"counted): {parts}",
    )


def objectives(
    strategy: DrStrategy,
    family: DatabaseFamily,
    *,
    health_check_grace_seconds: int = 300,
    headless: bool = False,
) -> Objectives | None:
    """The RTO, RPO and uploads RPO of ``strategy`` for a database of ``family``; None without
    DR. ``health_check_grace_seconds``: the web tier's (instances started at failover count
    it); ``headless``: an Aurora secondary without instances (pilot light)."""
    if strategy is DrStrategy.NONE:
        return None
    aurora = family is DatabaseFamily.AURORA
    rpo = (
        Objective(
            AURORA_GLOBAL_LAG_SECONDS,
            TimeUnit.SECONDS,
            f"expected: Aurora global database replication lag, typically under a second "
            f"({AURORA_GLOBAL}); an unplanned failover (AllowDataLoss) loses what had not "
            f"replicated ({AURORA_FAILOVER})",
        )
        if aurora
        else Objective(
            RDS_REPLICA_LAG_SECONDS // 60,
            TimeUnit.MINUTES,
            "expected, a planning figure: a cross-Region RDS read replica is asynchronous and "
            f"AWS states no bound; hold the ReplicaLag metric under it ({RDS_REPLICA_LAG})",
        )
    )
    time_control = strategy in (DrStrategy.WARM_STANDBY, DrStrategy.ACTIVE_ACTIVE)
    uploads_rpo = (
        Objective(
            RTC_MINUTES,
            TimeUnit.MINUTES,
            f"bound for 99.99% of new objects: S3 Replication Time Control ({S3_RTC}); "
            "objects older than the replication rule are seeded by S3 Batch Replication",
        )
        if time_control
        else Objective(
            RTC_MINUTES,
            TimeUnit.MINUTES,
            "expected, NOT a bound: without Replication Time Control S3 states no replication "
            f"time and publishes no ReplicationLatency metric ({S3_RTC}); objects older than the "
            "replication rule are seeded by S3 Batch Replication",
        )
    )
    detection = ("Route 53 detection", DETECTION_SECONDS, ROUTE53_HEALTH)
    ttl = ("DNS answers cached for the TTL", ALIAS_TTL_SECONDS, ROUTE53_HEALTH)
    promotion = (
        ("Aurora managed failover", AURORA_GLOBAL_PROMOTION_SECONDS, AURORA_FAILOVER)
        if aurora
        else ("RDS replica promotion", RDS_PROMOTION_SECONDS, RDS_PROMOTE)
    )
    if strategy is DrStrategy.BACKUP_RESTORE:
        return Objectives(
            rto=Objective(
                24,
                TimeUnit.HOURS,
                "expected: a fresh stack restored from the DR vault (docs/disaster-recovery.md, "
                f"Backups); AWS: RTO hours for backup and restore ({DR_WHITEPAPER})",
            ),
            rpo=Objective(
                BACKUP_INTERVAL_HOURS,
                TimeUnit.HOURS,
                f"upper bound for the database: one backup every {BACKUP_INTERVAL_HOURS} h "
                f"copied to the DR vault, plus the copy's own time ({BACKUP_COPY})",
            ),
            uploads_rpo=uploads_rpo,
        )
    if strategy is DrStrategy.PILOT_LIGHT:
        steps = [detection, promotion]
        if aurora and headless:
            steps.append(
                (
                    "the headless secondary's writer instance created (planning figure)",
                    AURORA_INSTANCE_CREATION_SECONDS,
                    AURORA_GLOBAL,
                )
            )
        steps += [
            (
                "Auto Scaling groups from 0: launch and health-check grace",
                INSTANCE_LAUNCH_SECONDS + health_check_grace_seconds,
                ASG_GRACE,
            ),
            ttl,
        ]
        return Objectives(rto=_rto(steps), rpo=rpo, uploads_rpo=uploads_rpo)
    if strategy is DrStrategy.WARM_STANDBY:
        steps = [
            detection,
            promotion,
            ("global datastore promotion", GLOBAL_DATASTORE_PROMOTION_SECONDS, ELASTICACHE_GLOBAL),
            ttl,
        ]
        return Objectives(rto=_rto(steps), rpo=rpo, uploads_rpo=uploads_rpo)
    # Active-active: both regions serve; reads move with DNS, writes wait for the promotion.
    return Objectives(rto=_rto([detection, promotion, ttl]), rpo=rpo, uploads_rpo=uploads_rpo)


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
    # CloudFront reads the DR region: an S3 origin group for the file paths (primary bucket
    # first), and the DR ALB as the origin of every method once it holds the writer.
    origin_group: bool
    s3_replication: S3Replication
    # S3 Replication Time Control (and its metrics) where the strategy promises minutes.
    s3_time_control: bool
    backup: bool


# Each strategy is written as the one before it with what AWS's description of it changes;
# mostly additions, but pilot light drops backup and restore's AWS Backup copies (its data
# replicates continuously instead).
_NONE = DrPlan(
    strategy=DrStrategy.NONE,
    foundation=False,
    standby_size=StandbySize.NONE,
    database=DatabaseMode.NONE,
    replica_multi_az=False,
    write_forwarding=False,
    cache=CacheMode.NONE,
    traffic=TrafficMode.NONE,
    origin_group=False,
    s3_replication=S3Replication.NONE,
    s3_time_control=False,
    backup=False,
)
# Backups copied to a DR vault, uploads replicated; nothing runs in the DR region.
_BACKUP_RESTORE = replace(
    _NONE,
    strategy=DrStrategy.BACKUP_RESTORE,
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
    s3_time_control=True,
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
