"""The configuration models: one immutable, validated section per concern, and the whole stack."""

from __future__ import annotations

import difflib
import functools
import ipaddress
import re
from collections.abc import Mapping
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from components.config.capabilities import global_datastore_problem, write_forwarding_supported
from components.config.defaults import DEFAULT_CACHE_VERSIONS, DEFAULT_DATABASE_VERSIONS
from components.config.values import (
    CACHE_NODE_TYPE,
    DB_INSTANCE_CLASS,
    DNS_NAME,
    EMAIL,
    INSTANCE_TYPE,
    LARGEST_VPC_PREFIX,
    MAX_AZ_COUNT,
    PROJECT,
    RECORD_LABEL,
    REGION,
    SHARED_ADDRESS_SPACE,
    SMALLEST_VPC_PREFIX,
    SUBNET_PREFIX_DELTA,
    TIER_SLOT_OFFSETS,
    WEEKLY_WINDOW,
    WINDOW,
    Bool,
    CacheEngine,
    DatabaseEngine,
    DrStrategy,
    EngineFamily,
    Environment,
    Float,
    Int,
    NatGateways,
    Port,
    PriceClass,
    architecture_of,
    quoted,
)
from components.config.windows import MIN_BACKUP_WINDOW, MIN_SNAPSHOT_WINDOW, window_problems

# Production minimums, the same as the organisation's pack config for prod
# (policies/config/prod.json: db-backup-retention, cache-snapshots); a test holds them equal.
PROD_MIN_BACKUP_DAYS = 14
PROD_MIN_SNAPSHOT_DAYS = 7


class Section(BaseModel):
    """Base of every config section: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class NetworkConfig(Section):
    cidr: ipaddress.IPv4Network = Field(
        ipaddress.IPv4Network("10.0.0.0/16"),
        description="The VPC's IPv4 block, RFC 1918 or 100.64.0.0/10, from /16 to /23.",
    )
    az_count: Int = Field(3, ge=2, le=MAX_AZ_COUNT, description="Availability zones to span.")
    nat_gateways: NatGateways = Field(NatGateways.PER_AZ, description="single or perAz.")
    flow_log_retention_days: Int = Field(
        90, ge=1, le=3653, description="Days VPC flow logs are kept."
    )

    @field_validator("cidr", mode="before")
    @classmethod
    def _strict_cidr(cls, value: Any) -> Any:
        return _vpc_cidr(value)

    def subnet_cidr(self, tier: str, az_index: int) -> str:
        """The deterministic block of ``tier``'s subnet in the ``az_index``-th AZ."""
        slots = list(self.cidr.subnets(prefixlen_diff=SUBNET_PREFIX_DELTA))
        return str(slots[TIER_SLOT_OFFSETS[tier] + az_index])


def _vpc_cidr(value: Any) -> Any:
    accepted = (
        f"a private IPv4 block in CIDR notation from /{LARGEST_VPC_PREFIX} to "
        f"/{SMALLEST_VPC_PREFIX} (RFC 1918 or 100.64.0.0/10), such as 10.0.0.0/16 (the subnet "
        "layout cuts it into 32 subnets, and AWS's smallest subnet is /28)"
    )
    if isinstance(value, ipaddress.IPv4Network):
        return value
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ValueError(accepted) from None
    routable_inside_a_vpc = network.is_private or network.subnet_of(SHARED_ADDRESS_SPACE)
    if not LARGEST_VPC_PREFIX <= network.prefixlen <= SMALLEST_VPC_PREFIX or not (
        routable_inside_a_vpc
    ):
        raise ValueError(accepted)
    return network


class DomainConfig(Section):
    zone_name: str = Field(pattern=DNS_NAME, description="Existing Route 53 public hosted zone.")
    record_name: str = Field(
        "www", pattern=RECORD_LABEL, description="Record in the zone; @ = apex."
    )

    @property
    def fqdn(self) -> str:
        return self.zone_name if self.record_name == "@" else f"{self.record_name}.{self.zone_name}"


class ScheduledAction(Section):
    """A recurring capacity change, e.g. more instances for weekend traffic."""

    name: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    recurrence: str = Field(
        pattern=r"^\S+( \S+){4}$", description="Cron expression, e.g. '0 7 * * MON-FRI'."
    )
    time_zone: str | None = Field(
        None, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", description="IANA zone; unset: UTC."
    )
    min_size: Int | None = Field(None, ge=0, le=1000)
    max_size: Int | None = Field(None, ge=0, le=1000)
    desired_capacity: Int | None = Field(
        None,
        ge=0,
        le=1000,
        description="Desired capacity from the action's time on.",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> ScheduledAction:
        if self.min_size is None and self.max_size is None and self.desired_capacity is None:
            raise ValueError(
                f"scheduled action {self.name!r} sets nothing; accepted: at least one of "
                "minSize, maxSize, desiredCapacity"
            )
        return self


class StepAdjustment(Section):
    """One step: change capacity by ``adjustment`` while the metric is in [lowerBound, upperBound).

    Bounds are metric values (CPU %), not offsets from the alarm threshold as in the AWS API.
    """

    lower_bound: Float | None = Field(None, ge=0, le=100)
    upper_bound: Float | None = Field(None, ge=0, le=100)
    adjustment: Int = Field(description="Instances to add (scale out) or remove (negative).")


class StepScaling(Section):
    """Step scaling on an alarm, e.g. add 2 at 50-75 % CPU, 4 above 75 %.

    ``scaleOut`` steps are contiguous, start at the alarm threshold and the last one is open-ended
    (no upperBound); ``scaleIn`` steps mirror that downwards. Runs beside target tracking.
    """

    metric: Literal["CPUUtilization"] = "CPUUtilization"
    scale_out: tuple[StepAdjustment, ...] = ()
    scale_in: tuple[StepAdjustment, ...] = ()
    period_seconds: Literal[60, 300] = 60
    evaluation_periods: Int = Field(3, ge=1, le=60)

    @model_validator(mode="after")
    def _steps_are_contiguous(self) -> StepScaling:
        if not self.scale_out and not self.scale_in:
            raise ValueError("stepScaling has no steps; accepted: scaleOut and/or scaleIn steps")
        problems = []
        out = sorted(self.scale_out, key=lambda s: s.lower_bound or 0.0)
        if out:
            if any(s.adjustment <= 0 for s in out) or any(s.lower_bound is None for s in out):
                problems.append("scaleOut steps need a lowerBound and a positive adjustment")
            elif out[-1].upper_bound is not None or any(
                a.upper_bound != b.lower_bound for a, b in pairwise(out)
            ):
                problems.append(
                    "scaleOut steps must be contiguous (each upperBound is the next lowerBound) "
                    "and the last must have no upperBound"
                )
        down = sorted(self.scale_in, key=lambda s: -(s.upper_bound or 0.0))
        if down:
            if any(s.adjustment >= 0 for s in down) or any(s.upper_bound is None for s in down):
                problems.append("scaleIn steps need an upperBound and a negative adjustment")
            elif down[-1].lower_bound is not None or any(
                a.lower_bound != b.upper_bound for a, b in pairwise(down)
            ):
                problems.append(
                    "scaleIn steps must be contiguous (each lowerBound is the next upperBound) "
                    "and the last must have no lowerBound"
                )
        if out and down and not problems and self.scale_in_threshold >= self.scale_out_threshold:
            problems.append("scaleIn must act below the scaleOut threshold")
        if problems:
            raise ValueError("stepScaling: " + "; ".join(problems))
        return self

    @property
    def scale_out_threshold(self) -> float:
        return min(s.lower_bound or 0.0 for s in self.scale_out)

    @property
    def scale_in_threshold(self) -> float:
        return max(s.upper_bound or 0.0 for s in self.scale_in)


class TierConfig(Section):
    instance_type: str = Field(
        "t4g.small",
        pattern=INSTANCE_TYPE,
        description="EC2 instance type; Graviton (t4g, m7g, ...) gets the arm64 AMI.",
    )
    min_size: Int = Field(
        2,
        ge=0,
        le=1000,
        description="Fewest instances; at least 2 in prod (one per AZ survives an AZ loss).",
    )
    max_size: Int = Field(6, ge=1, le=1000, description="Most instances scaling may reach.")
    desired_capacity: Int | None = Field(
        None,
        ge=0,
        le=1000,
        description="Instances at creation; unset lets scaling decide (recommended).",
    )
    target_cpu: Int = Field(50, ge=10, le=90, description="CPU % target tracking aims for.")
    requests_per_target: Int | None = Field(
        1000, ge=1, description="ALB requests per instance per minute to aim for; null disables."
    )
    port: Port = Field(80, description="Port the instances serve on (the target group's port).")
    health_check_grace_seconds: Int = Field(
        300,
        ge=0,
        le=7200,
        description="Seconds a new instance may boot before health checks count.",
    )
    deregistration_delay_seconds: Int = Field(
        30, ge=0, le=3600, description="Connection draining before an instance leaves the ALB."
    )
    slow_start_seconds: Int = Field(
        30, description="Ramp-up of a new instance's share of requests: 0 (off) or 30-900."
    )
    stickiness_seconds: Int | None = Field(
        None,
        ge=1,
        le=604800,
        description="ALB cookie stickiness duration; unset (off): sessions live in the cache.",
    )
    idle_timeout_seconds: Int = Field(60, ge=1, le=4000, description="The ALB's idle timeout.")
    instance_warmup_seconds: Int = Field(
        300, ge=0, le=3600, description="Seconds before a new instance's metrics count."
    )
    root_volume_gb: Int = Field(16, ge=8, le=1024, description="Encrypted gp3 root volume size.")
    ami_id: str | None = Field(
        None,
        pattern=r"^ami-[0-9a-f]{8,17}$",
        description="Pin an AMI; unset: the latest Amazon Linux 2023 (a new release rolls the tier "
        "on the next update).",
    )
    scheduled_actions: tuple[ScheduledAction, ...] = Field(
        (),
        description=(
            "Scheduled capacity changes: [{name, recurrence (cron), timeZone, minSize, "
            "maxSize, desiredCapacity}]."
        ),
    )
    step_scaling: StepScaling | None = Field(
        None,
        description=(
            "Step scaling on CPU: {scaleOut: [{lowerBound, upperBound, adjustment}], "
            "scaleIn: [...], periodSeconds, evaluationPeriods}."
        ),
    )

    @model_validator(mode="after")
    def _slow_start_is_accepted(self) -> TierConfig:
        if self.slow_start_seconds != 0 and not 30 <= self.slow_start_seconds <= 900:
            raise ValueError(
                f"slowStartSeconds is {self.slow_start_seconds}; accepted: 0 or 30-900"
            )
        return self

    @model_validator(mode="after")
    def _sizes_are_ordered(self) -> TierConfig:
        if self.min_size > self.max_size:
            raise ValueError(
                f"minSize is {self.min_size}; accepted: at most maxSize ({self.max_size})"
            )
        if self.desired_capacity is not None and not (
            self.min_size <= self.desired_capacity <= self.max_size
        ):
            raise ValueError(
                f"desiredCapacity is {self.desired_capacity}; accepted: between minSize "
                f"({self.min_size}) and maxSize ({self.max_size})"
            )
        return self

    @property
    def architecture(self) -> Literal["arm64", "x86_64"]:
        return architecture_of(self.instance_type)


class WebConfig(TierConfig):
    pass


class AppTierConfig(TierConfig):
    enabled: Bool = Field(
        False, description="Run an app tier behind an internal ALB (web -> internal ALB -> app)."
    )
    port: Port = Field(8080, description="Port the app instances serve on.")


_DATABASE_VERSION_SHAPES = {
    DatabaseEngine.AURORA_POSTGRESQL: (r"^\d+\.\d+$", "16.11"),
    DatabaseEngine.AURORA_MYSQL: (
        r"^\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+$",
        "8.0.mysql_aurora.3.10.3",
    ),
    DatabaseEngine.POSTGRES: (r"^\d+(\.\d+)?$", "16 or 16.6"),
    DatabaseEngine.MYSQL: (r"^\d+\.\d+(\.\d+)?$", "8.4 or 8.4.5"),
}


class _Engine(Protocol):
    """What DataStoreConfig needs of a database or cache engine enum."""

    @property
    def value(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def family_keeps_minor(self) -> bool: ...


class DataStoreConfig(Section):
    """What the database and the cache share: an engine with its port and pinned default
    version, the parameter group family that follows the version, and a weekly maintenance
    window that must not meet the daily (backup or snapshot) window."""

    DEFAULT_VERSIONS: ClassVar[Mapping[Any, str]]
    if TYPE_CHECKING:
        engine: _Engine
        engine_version: str | None
        maintenance_window: str

    @property
    def port(self) -> int:
        return self.engine.port

    @property
    def version(self) -> str:
        return self.engine_version or self.DEFAULT_VERSIONS[self.engine]

    @property
    def parameter_group_family(self) -> str:
        """aurora-postgresql16, aurora-mysql8.0, postgres16, mysql8.4, valkey8, memcached1.6."""
        major, _, rest = self.version.partition(".")
        if self.engine.family_keeps_minor:
            return f"{self.engine.value}{major}.{rest.split('.')[0]}"
        return f"{self.engine.value}{major}"

    def _window_problems(self, daily_key: str, daily: str, daily_minimum: int) -> list[str]:
        return window_problems(
            daily_key, daily, "maintenanceWindow", self.maintenance_window, daily_minimum
        )


class DatabaseConfig(DataStoreConfig):
    DEFAULT_VERSIONS = DEFAULT_DATABASE_VERSIONS

    engine: DatabaseEngine = Field(
        DatabaseEngine.AURORA_POSTGRESQL,
        description="Aurora cluster (writer + readers) or RDS Multi-AZ instance (+ read replicas).",
    )
    engine_version: str | None = Field(
        None,
        pattern=r"^\d+(\.\d+){0,2}([.-][a-z0-9._]+)?$",
        description="Engine version; unset: the engine's pinned default (see Data tier).",
    )
    instance_class: str = Field(
        "db.r6g.large",
        pattern=DB_INSTANCE_CLASS,
        description="RDS instance class of the writer and readers.",
    )
    readers: Int = Field(
        1, ge=0, le=15, description="Aurora readers (at least 1) or RDS read replicas."
    )
    allocated_storage_gb: Int = Field(50, ge=20, le=65536, description="RDS (non-Aurora) only.")
    max_allocated_storage_gb: Int = Field(
        500, ge=20, le=65536, description="Storage autoscaling ceiling (RDS only)."
    )
    backup_retention_days: Int = Field(
        7,
        ge=1,
        le=35,
        description="Days of automated backups (point-in-time restore), at least 14 in prod.",
    )
    backup_window: str = Field("03:00-04:00", pattern=WINDOW, description="UTC, hh:mm-hh:mm.")
    maintenance_window: str = Field(
        "sun:05:00-sun:06:00",
        pattern=WEEKLY_WINDOW,
        description="Weekly UTC maintenance window; must not overlap the backup window.",
    )
    proxy: Bool = Field(
        False, description="Put an RDS Proxy (TLS, IAM auth) between the tiers and the database."
    )
    database_name: str = Field(
        "app", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$", description="Database created at launch."
    )
    master_username: str = Field(
        "app_admin",
        pattern=r"^[A-Za-z][A-Za-z0-9_]{0,15}$",
        description="Master user; its password is managed by RDS in Secrets Manager.",
    )

    @model_validator(mode="after")
    def _storage_is_ordered(self) -> DatabaseConfig:
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            raise ValueError(
                f"maxAllocatedStorageGb is {self.max_allocated_storage_gb}; accepted: at least "
                f"allocatedStorageGb ({self.allocated_storage_gb})"
            )
        return self

    @model_validator(mode="after")
    def _version_fits_engine(self) -> DatabaseConfig:
        shape, example = _DATABASE_VERSION_SHAPES[self.engine]
        if self.engine_version is not None and not re.match(shape, self.engine_version):
            raise ValueError(
                f"engineVersion is {self.engine_version!r}; accepted: a version of "
                f"{self.engine.value} such as {example}"
            )
        return self

    @model_validator(mode="after")
    def _windows_do_not_overlap(self) -> DatabaseConfig:
        problems = self._window_problems("backupWindow", self.backup_window, MIN_BACKUP_WINDOW)
        if problems:
            # One problem at a time: the loader prefixes a single line with the section's path.
            raise ValueError(problems[0])
        return self

    @property
    def log_exports(self) -> tuple[str, ...]:
        """The log types CloudWatch receives, per engine family."""
        if self.engine.family is EngineFamily.POSTGRESQL:
            return ("postgresql",)
        return ("audit", "error", "general", "slowquery")

    @property
    def performance_insights_supported(self) -> bool:
        """Performance Insights refuses the smallest burstable classes (and, on Aurora MySQL,
        every db.t2/db.t3 class)."""
        family, _, size = self.instance_class.removeprefix("db.").partition(".")
        if self.engine is DatabaseEngine.AURORA_POSTGRESQL:
            return True
        if self.engine is DatabaseEngine.AURORA_MYSQL and family in ("t2", "t3"):
            return False
        return not (family in ("t2", "t3", "t4g") and size in ("micro", "small"))


class CacheConfig(DataStoreConfig):
    DEFAULT_VERSIONS = DEFAULT_CACHE_VERSIONS

    engine: CacheEngine = Field(
        CacheEngine.VALKEY,
        description=(
            "valkey/redis: a replication group with failover; memcached: refused for now "
            "(the app speaks only the Redis protocol)."
        ),
    )
    engine_version: str | None = Field(
        None,
        pattern=r"^\d+(\.\d+){0,2}$",
        description="Engine version; unset: the pinned default of the engine.",
    )
    node_type: str = Field(
        "cache.t4g.small", pattern=CACHE_NODE_TYPE, description="ElastiCache node type."
    )
    replicas: Int = Field(
        1, ge=0, le=5, description="Replicas per shard (valkey/redis; at least 1)."
    )
    nodes: Int = Field(2, ge=1, le=40, description="Node count (memcached only).")
    snapshot_retention_days: Int = Field(
        7, ge=0, le=35, description="Days of daily snapshots (valkey/redis); at least 7 in prod."
    )
    snapshot_window: str = Field(
        "02:00-03:00", pattern=WINDOW, description="Daily UTC snapshot window."
    )
    maintenance_window: str = Field(
        "sun:06:00-sun:07:00",
        pattern=WEEKLY_WINDOW,
        description="Weekly UTC maintenance window; must not overlap the snapshot window.",
    )

    @model_validator(mode="after")
    def _shape_fits_engine(self) -> CacheConfig:
        problems = []
        if self.engine is CacheEngine.MEMCACHED:
            if self.nodes < 2:
                problems.append(
                    f"nodes is {self.nodes}; accepted: at least 2 for memcached, so its nodes "
                    "spread over two AZs (azMode cross-az)"
                )
        else:
            problems += self._window_problems(
                "snapshotWindow", self.snapshot_window, MIN_SNAPSHOT_WINDOW
            )
        if self.engine_version is not None:
            major = self.engine_version.split(".")[0]
            expected = DEFAULT_CACHE_VERSIONS[self.engine].split(".")[0]
            if self.engine is CacheEngine.MEMCACHED and not self.engine_version.startswith("1."):
                problems.append(
                    f"engineVersion is {self.engine_version!r}; accepted: a memcached version "
                    "such as 1.6.22"
                )
            elif self.engine is not CacheEngine.MEMCACHED and (
                self.engine_version.count(".") != 1 or int(major) < int(expected) - 1
            ):
                problems.append(
                    f"engineVersion is {self.engine_version!r}; accepted: a major.minor "
                    f"version of {self.engine.value} such as {DEFAULT_CACHE_VERSIONS[self.engine]}"
                )
        if problems:
            raise ValueError(problems[0])
        return self


class CdnConfig(Section):
    enabled: Bool = Field(
        True,
        description="CloudFront in front of the ALB (which then admits only CloudFront) and of S3.",
    )
    price_class: PriceClass = Field(
        PriceClass.P100, description="Edge locations CloudFront serves from (cost vs. reach)."
    )
    waf: Bool = Field(
        False, description="An AWS WAF web ACL with AWS managed rule groups on the distribution."
    )


class DrConfig(Section):
    strategy: DrStrategy = Field(
        DrStrategy.NONE,
        description=(
            "none, backup-restore, pilot-light, warm-standby or active-active (see Disaster "
            "recovery)."
        ),
    )
    region: str = Field(
        "us-west-2", pattern=REGION, description="The DR region; must differ from aws:region."
    )
    cidr: ipaddress.IPv4Network = Field(
        ipaddress.IPv4Network("10.1.0.0/16"),
        description="The DR VPC's block; must not overlap network.cidr.",
    )
    standby_size: Int = Field(
        1,
        ge=1,
        le=1000,
        description=(
            "Instances per tier the DR region runs under warm-standby (pilot-light runs 0, "
            "active-active the primary's sizes)."
        ),
    )
    failover_capacity: Int | None = Field(
        None,
        ge=1,
        le=1000,
        description=(
            "Instances per tier operators scale the DR region to on failover; unset: the "
            "primary tier's minSize."
        ),
    )
    secondary_readers: Int = Field(
        1,
        ge=0,
        le=15,
        description=(
            "Aurora: instances of the DR secondary cluster (0 = headless, pilot-light only); "
            "RDS always has one cross-Region replica."
        ),
    )

    active_region: str = Field(
        "",
        description=(
            "The region whose database is the writer: empty (the primary, aws:region) or "
            "dr.region after a failover. Set by the runbook's closing instructions "
            "(`pulumi config set webstack:dr.activeRegion <region>`), so `pulumi up` describes "
            "the promoted topology."
        ),
    )

    @field_validator("cidr", mode="before")
    @classmethod
    def _strict_cidr(cls, value: Any) -> Any:
        return _vpc_cidr(value)

    @property
    def enabled(self) -> bool:
        return self.strategy is not DrStrategy.NONE


class StackConfig(Section):
    """The whole validated stack configuration."""

    project: str = PROJECT
    stack: str
    region: str = Field(pattern=REGION)
    environment: Environment = Field(
        description="Picks the environment's defaults (below) and the production rules."
    )
    network: NetworkConfig = Field(description="The VPC and its subnets.")
    domain: DomainConfig | None = Field(
        None, description="Serve the site on your own domain (Route 53 zone + ACM certificates)."
    )
    web: WebConfig = Field(description="The web tier's Auto Scaling group.")
    app_tier: AppTierConfig = Field(
        description="An optional app tier behind an internal load balancer."
    )
    database: DatabaseConfig = Field(description="RDS Multi-AZ or Aurora.")
    cache: CacheConfig = Field(description="ElastiCache: sessions and hot data.")
    cdn: CdnConfig = Field(description="CloudFront in front of the load balancer and S3.")
    dr: DrConfig = Field(description="Disaster-recovery mirror in a second region.")
    alarm_email: str | None = Field(
        None, pattern=EMAIL, description="E-mail address subscribed to the alarm topic."
    )
    allowed_account_ids: tuple[Annotated[str, Field(pattern=r"^\d{12}$")], ...] = Field(
        (), description="AWS account ids the providers may touch; any other account is refused."
    )

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PROD

    @property
    def active_region(self) -> str:
        """The region whose database is the writer (``dr.activeRegion``, else aws:region)."""
        return (self.dr.active_region or self.region) if self.dr.enabled else self.region

    @property
    def dr_active(self) -> bool:
        """Whether the DR region holds the writer (after a failover)."""
        return self.dr.enabled and self.active_region == self.dr.region

    @property
    def protect_data(self) -> bool:
        """Stateful resources are protected from deletion in production."""
        return self.is_production

    @model_validator(mode="after")
    def _cross_section_rules(self) -> StackConfig:
        problems: list[tuple[str, Any, str]] = []
        problems += _region_problems("aws:region", self.region)
        if self.dr.enabled:
            problems += _region_problems(f"{PROJECT}:dr.region", self.dr.region)
            problems += self._dr_problems()
            if self.dr.region == self.region:
                problems.append(
                    (
                        f"{PROJECT}:dr.region",
                        self.dr.region,
                        f"a region other than the primary {self.region}",
                    )
                )
            if self.dr.active_region not in ("", self.region, self.dr.region):
                problems.append(
                    (
                        f"{PROJECT}:dr.activeRegion",
                        self.dr.active_region,
                        f"empty, {self.region} (the primary) or {self.dr.region} (dr.region, "
                        "after a failover)",
                    )
                )
            elif (
                self.dr.active_region == self.dr.region
                and self.dr.strategy is DrStrategy.BACKUP_RESTORE
            ):
                problems.append(
                    (
                        f"{PROJECT}:dr.activeRegion",
                        self.dr.active_region,
                        f"empty or {self.region}: backup-restore has no standby database to "
                        "promote (recovery builds a fresh stack in the DR region)",
                    )
                )
            if self.dr.cidr.overlaps(self.network.cidr):
                problems.append(
                    (
                        f"{PROJECT}:dr.cidr",
                        str(self.dr.cidr),
                        f"a block that does not overlap network.cidr {self.network.cidr}",
                    )
                )
        # The organisation's pack enforces multi-AZ data stores in every environment
        # (aurora-cluster-min-instances, elasticache-multi-az): refuse here what it would stop.
        if self.database.engine.is_aurora and self.database.readers < 1:
            problems.append(
                (
                    f"{PROJECT}:database.readers",
                    self.database.readers,
                    "at least 1, so Aurora can fail over to another AZ",
                )
            )
        if self.cache.engine is not CacheEngine.MEMCACHED and self.cache.replicas < 1:
            problems.append(
                (
                    f"{PROJECT}:cache.replicas",
                    self.cache.replicas,
                    "at least 1, so the cache survives the loss of an AZ",
                )
            )
        if self.is_production:
            if self.domain is None:
                problems.append(
                    (
                        f"{PROJECT}:domain",
                        None,
                        "a domain in prod ({zoneName: example.com, recordName: www}): without one "
                        "no certificate can be issued, so viewers get CloudFront's TLSv1 default "
                        "certificate and CloudFront reaches the ALB over plain HTTP",
                    )
                )
            if self.database.backup_retention_days < PROD_MIN_BACKUP_DAYS:
                problems.append(
                    (
                        f"{PROJECT}:database.backupRetentionDays",
                        self.database.backup_retention_days,
                        f"at least {PROD_MIN_BACKUP_DAYS} in prod",
                    )
                )
            if self.web.min_size < 2:
                problems.append((f"{PROJECT}:web.minSize", self.web.min_size, "at least 2 in prod"))
            if self.app_tier.enabled and self.app_tier.min_size < 2:
                problems.append(
                    (f"{PROJECT}:appTier.minSize", self.app_tier.min_size, "at least 2 in prod")
                )
            if (
                self.cache.engine is not CacheEngine.MEMCACHED
                and self.cache.snapshot_retention_days < PROD_MIN_SNAPSHOT_DAYS
            ):
                problems.append(
                    (
                        f"{PROJECT}:cache.snapshotRetentionDays",
                        self.cache.snapshot_retention_days,
                        f"at least {PROD_MIN_SNAPSHOT_DAYS} in prod",
                    )
                )
        if problems:
            raise ValueError(
                "\n".join(
                    f"{k} is {quoted(v)}; "
                    + (
                        a
                        if a.startswith("did you mean") or a.startswith("accepted:")
                        else f"accepted: {a}"
                    )
                    for k, v, a in problems
                )
            )
        return self

    def _dr_problems(self) -> list[tuple[str, Any, str]]:
        """What a DR strategy needs of the rest of the configuration."""
        problems: list[tuple[str, Any, str]] = []
        strategy = self.dr.strategy
        # Only warm standby mirrors the cache (active-active runs a cache per region).
        mirrored_cache = strategy is DrStrategy.WARM_STANDBY
        if mirrored_cache and self.cache.engine is not CacheEngine.MEMCACHED:
            problem = global_datastore_problem(
                self.cache.engine.value, self.cache.version, self.cache.node_type
            )
            if problem:
                key = (
                    "cache.nodeType"
                    if problem.startswith("node type")
                    else "cache.engineVersion"
                    if problem.startswith("version")
                    else "cache.engine"
                )
                value = {
                    "cache.nodeType": self.cache.node_type,
                    "cache.engineVersion": self.cache.version,
                    "cache.engine": self.cache.engine.value,
                }[key]
                problems.append(
                    (
                        f"{PROJECT}:{key}",
                        value,
                        f"what an ElastiCache global datastore ({strategy.value} mirrors the "
                        f"cache) accepts: {problem}",
                    )
                )
        if strategy is DrStrategy.ACTIVE_ACTIVE:
            # Latency routing sends about half the users to the DR region: they must be able to
            # write there. Aurora write forwarding is the only write-global path here; an RDS
            # cross-Region replica is read-only until promoted (RDS has no write forwarding).
            engine = self.database.engine
            if not engine.is_aurora:
                problems.append(
                    (
                        f"{PROJECT}:database.engine",
                        engine.value,
                        "aurora-postgresql or aurora-mysql under active-active (writes from the "
                        "DR region are forwarded by Aurora; an RDS replica is read-only), or "
                        "dr.strategy warm-standby for RDS",
                    )
                )
            elif not write_forwarding_supported(engine.value, self.database.version):
                problems.append(
                    (
                        f"{PROJECT}:database.engineVersion",
                        self.database.version,
                        "a version with global write forwarding under active-active (Aurora "
                        "PostgreSQL 14.9+, 15.4+, 16+; Aurora MySQL 2.08.1+ or 3)",
                    )
                )
        if (
            strategy is not DrStrategy.PILOT_LIGHT
            and strategy is not DrStrategy.BACKUP_RESTORE
            and self.database.engine.is_aurora
            and self.dr.secondary_readers < 1
        ):
            problems.append(
                (
                    f"{PROJECT}:dr.secondaryReaders",
                    self.dr.secondary_readers,
                    f"at least 1 under {strategy.value}: the DR region's tiers read from it "
                    "(0, a headless secondary, suits pilot-light only)",
                )
            )
        return problems


def _region_problems(key: str, region: str) -> list[tuple[str, Any, str]]:
    """A region must be one AWS publishes (botocore's offline endpoint data, no network call)."""
    known = known_regions()
    if region in known:
        return []
    close = difflib.get_close_matches(region, sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    examples = ", ".join(r for r in ("us-east-1", "us-west-2", "eu-west-1") if r in known)
    return [(key, region, f"{hint}accepted: an AWS region of the aws partition such as {examples}")]


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore ships (its bundled endpoints.json)."""
    import botocore.session

    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition_name=partition)
    )


# Fields the program fills in (from the project, the stack and aws:region), not user settings.
INTERNAL_FIELDS = ("project", "stack", "region")


def section_model(annotation: Any) -> type[Section] | None:
    """The Section model a StackConfig field holds (through ``X | None``), or None."""
    for candidate in getattr(annotation, "__args__", (annotation,)):
        if isinstance(candidate, type) and issubclass(candidate, Section):
            return candidate
    return None


def _user_keys(*, sections: bool, required: bool | None = None) -> tuple[str, ...]:
    return tuple(
        field.alias or name
        for name, field in StackConfig.model_fields.items()
        if name not in INTERNAL_FIELDS
        and (section_model(field.annotation) is not None) == sections
        and (required is None or field.is_required() == required)
    )


# The one list of config sections, read off StackConfig: `webstack:<section>` objects; those
# always present are merged over the environment's defaults (ENVIRONMENT_DEFAULTS).
SECTIONS = _user_keys(sections=True)
DEFAULTED_SECTIONS = _user_keys(sections=True, required=True)
SCALARS = _user_keys(sections=False)
KNOWN_KEYS = SECTIONS + SCALARS
