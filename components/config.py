"""The stack's configuration: parsed once, validated, immutable.

Every setting lives under the project namespace ``webstack:`` (plus ``aws:region``). ``load`` turns
the raw key/value map that Pulumi hands the program into a frozen ``StackConfig``; defaults that
depend on the environment live in ``ENVIRONMENT_DEFAULTS`` beside the models. Bad input raises
``ConfigError`` (a ``pulumi.RunError``, so the CLI prints the message without a traceback) before
any resource is registered.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

PROJECT = "webstack"

# Each AZ gets one subnet per tier; the VPC is cut into 32 equal slots (prefix + 5):
# public subnets take slots 0-7, app subnets 8-15, data subnets 16-23, 24-31 stay free.
SUBNET_PREFIX_DELTA = 5
TIER_SLOT_OFFSETS = {"public": 0, "app": 8, "data": 16}
MAX_AZ_COUNT = 6
# AWS accepts VPCs from /16 to /28 and subnets no smaller than /28.
LARGEST_VPC_PREFIX = 16
SMALLEST_VPC_PREFIX = 28 - SUBNET_PREFIX_DELTA
# RFC 6598 shared address space: not "private" to Python, but AWS accepts it for VPCs.
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
# Load balancer and target group names are "webstack-<stack>-web"/"-app" plus the 8-character
# random suffix Pulumi appends, and AWS allows 32: the name before the suffix may be 24 long.
MAX_LB_NAME_BEFORE_SUFFIX = 32 - 8
MAX_STACK_NAME = MAX_LB_NAME_BEFORE_SUFFIX - len(f"{PROJECT}--app")


class ConfigError(pulumi.RunError):
    """A configuration problem, reported without a Python traceback."""


class Environment(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class NatGateways(StrEnum):
    """How private subnets reach the internet.

    ``perAz`` (production): one NAT gateway per AZ, so losing an AZ never cuts the others off.
    ``single``: one NAT gateway for the whole VPC; cheaper, fine for dev, but a single point of
    failure for outbound traffic.
    """

    SINGLE = "single"
    PER_AZ = "perAz"


class DatabaseEngine(StrEnum):
    AURORA_POSTGRESQL = "aurora-postgresql"
    AURORA_MYSQL = "aurora-mysql"
    POSTGRES = "postgres"
    MYSQL = "mysql"

    @property
    def is_aurora(self) -> bool:
        return self.value.startswith("aurora-")

    @property
    def port(self) -> int:
        return (
            5432 if self.value.endswith("postgres") or self.value.endswith("postgresql") else 3306
        )


class CacheEngine(StrEnum):
    VALKEY = "valkey"
    REDIS = "redis"
    MEMCACHED = "memcached"

    @property
    def port(self) -> int:
        return 11211 if self is CacheEngine.MEMCACHED else 6379


class PriceClass(StrEnum):
    ALL = "PriceClass_All"
    P200 = "PriceClass_200"
    P100 = "PriceClass_100"


class DrStrategy(StrEnum):
    """The four AWS disaster-recovery strategies, cheapest and slowest first."""

    NONE = "none"
    BACKUP_RESTORE = "backup-restore"
    PILOT_LIGHT = "pilot-light"
    WARM_STANDBY = "warm-standby"
    ACTIVE_ACTIVE = "active-active"


INSTANCE_TYPE = r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"
DB_INSTANCE_CLASS = r"^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$"
CACHE_NODE_TYPE = r"^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$"
REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
# Graviton families carry a "g" after the generation digit: t4g, m7g, c7gn, r8gd, ...
_GRAVITON_FAMILY = re.compile(r"^[a-z]+\d+g[a-z]*\.")
_WINDOW = r"^\d{2}:\d{2}-\d{2}:\d{2}$"
_WEEKLY_WINDOW = (
    r"^(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}-(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}$"
)
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_DNS_NAME = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
_RECORD_LABEL = r"^(@|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)$"

# Section fields are strict: structured config arrives as JSON, so a number or boolean written as
# a string ("3", "yes", "on") is a mistake, not something to coerce. 1.0 is not an integer either.
Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
Float = Annotated[float, Strict()]
Port = Annotated[int, Strict(), Field(ge=1, le=65535)]


def architecture_of(instance_type: str) -> Literal["arm64", "x86_64"]:
    """The CPU architecture an EC2 instance type runs, for picking the matching AMI."""
    return "arm64" if _GRAVITON_FAMILY.match(instance_type) else "x86_64"


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
    zone_name: str = Field(pattern=_DNS_NAME, description="Existing Route 53 public hosted zone.")
    record_name: str = Field(
        "www", pattern=_RECORD_LABEL, description="Record in the zone; @ = apex."
    )

    @property
    def fqdn(self) -> str:
        return self.zone_name if self.record_name == "@" else f"{self.record_name}.{self.zone_name}"


class ScheduledAction(Section):
    """A recurring capacity change, e.g. more instances for weekend traffic (seed 001)."""

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
    """Step scaling on an alarm (seed 001): add 2 at 50-75 % CPU, 4 above 75 %.

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


# Versions a new database or cache starts on when engineVersion is unset. Pinned, not left to
# AWS's default, because the parameter group family follows the major version: an unpinned
# default that moves to a new major would make the next run build a mismatched group.
DEFAULT_DATABASE_VERSIONS = {
    DatabaseEngine.AURORA_POSTGRESQL: "16.11",
    DatabaseEngine.AURORA_MYSQL: "8.0.mysql_aurora.3.10.3",
    DatabaseEngine.POSTGRES: "16",
    DatabaseEngine.MYSQL: "8.4",
}
DEFAULT_CACHE_VERSIONS = {
    CacheEngine.VALKEY: "8.0",
    CacheEngine.REDIS: "7.1",
    # In-transit encryption needs Memcached 1.6.12 or later.
    CacheEngine.MEMCACHED: "1.6.22",
}
_DATABASE_VERSION_SHAPES = {
    DatabaseEngine.AURORA_POSTGRESQL: (r"^\d+\.\d+$", "16.11"),
    DatabaseEngine.AURORA_MYSQL: (
        r"^\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+$",
        "8.0.mysql_aurora.3.10.3",
    ),
    DatabaseEngine.POSTGRES: (r"^\d+(\.\d+)?$", "16 or 16.6"),
    DatabaseEngine.MYSQL: (r"^\d+\.\d+(\.\d+)?$", "8.4 or 8.4.5"),
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_MINUTES_PER_WEEK = 7 * _MINUTES_PER_DAY
# AWS's minimums: RDS backup and maintenance windows 30 minutes, ElastiCache snapshot window 60.
_MIN_BACKUP_WINDOW = 30
_MIN_MAINTENANCE_WINDOW = 30
_MIN_SNAPSHOT_WINDOW = 60


def _clock(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return hours * 60 + minutes


def _span(start: int, end: int, period: int) -> tuple[int, int]:
    """A window as (start, length) in minutes; a window that wraps past the period's end wraps."""
    return start, (end - start) % period


def _daily(window: str) -> tuple[int, int]:
    start, end = window.split("-")
    return _span(_clock(start), _clock(end), _MINUTES_PER_DAY)


def _weekly(window: str) -> tuple[int, int]:
    start, end = window.split("-")

    def minute_of_week(point: str) -> int:
        day, clock = point.split(":", 1)
        return _DAYS.index(day) * _MINUTES_PER_DAY + _clock(clock)

    return _span(minute_of_week(start), minute_of_week(end), _MINUTES_PER_WEEK)


def _overlaps(daily: tuple[int, int], weekly: tuple[int, int]) -> bool:
    """Whether a window repeated every day meets a weekly window (minutes of the week)."""
    w_start, w_length = weekly
    d_start, d_length = daily
    for day in range(8):  # one extra day for a daily window that wraps past midnight on Sunday
        start = day * _MINUTES_PER_DAY + d_start
        for offset in (0, _MINUTES_PER_WEEK):
            if start < w_start + offset + w_length and w_start + offset < start + d_length:
                return True
    return False


def _window_problems(
    daily_key: str, daily: str, weekly_key: str, weekly: str, daily_minimum: int
) -> list[str]:
    """Bad clock values, windows shorter than AWS accepts, and overlaps, one message each."""
    try:
        daily_span = _daily(daily)
    except ValueError:
        return [f"{daily_key} is {daily!r}; accepted: a UTC window with hours 00-23, minutes 00-59"]
    try:
        weekly_span = _weekly(weekly)
    except ValueError:
        return [f"{weekly_key} is {weekly!r}; accepted: hours 00-23 and minutes 00-59"]
    problems = []
    if daily_span[1] < daily_minimum:
        problems.append(f"{daily_key} is {daily!r}; accepted: at least {daily_minimum} minutes")
    if weekly_span[1] < _MIN_MAINTENANCE_WINDOW:
        problems.append(
            f"{weekly_key} is {weekly!r}; accepted: at least {_MIN_MAINTENANCE_WINDOW} minutes"
        )
    if not problems and _overlaps(daily_span, weekly_span):
        problems.append(
            f"{daily_key} is {daily!r}; accepted: a window that does not overlap "
            f"{weekly_key} ({weekly}), which AWS refuses"
        )
    return problems


class DatabaseConfig(Section):
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
    readers: Int = Field(1, ge=0, le=15, description="Aurora readers or RDS read replicas.")
    allocated_storage_gb: Int = Field(50, ge=20, le=65536, description="RDS (non-Aurora) only.")
    max_allocated_storage_gb: Int = Field(
        500, ge=20, le=65536, description="Storage autoscaling ceiling (RDS only)."
    )
    backup_retention_days: Int = Field(
        7,
        ge=1,
        le=35,
        description="Days of automated backups (point-in-time restore window); at least 7 in prod.",
    )
    backup_window: str = Field("03:00-04:00", pattern=_WINDOW, description="UTC, hh:mm-hh:mm.")
    maintenance_window: str = Field(
        "sun:05:00-sun:06:00",
        pattern=_WEEKLY_WINDOW,
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
        problems = _window_problems(
            "backupWindow",
            self.backup_window,
            "maintenanceWindow",
            self.maintenance_window,
            _MIN_BACKUP_WINDOW,
        )
        if problems:
            # One problem at a time: the loader prefixes a single line with the section's path.
            raise ValueError(problems[0])
        return self

    @property
    def port(self) -> int:
        return self.engine.port

    @property
    def version(self) -> str:
        return self.engine_version or DEFAULT_DATABASE_VERSIONS[self.engine]

    @property
    def parameter_group_family(self) -> str:
        """aurora-postgresql16, aurora-mysql8.0, postgres16, mysql8.4, ..."""
        major, _, rest = self.version.partition(".")
        if self.engine in (DatabaseEngine.AURORA_MYSQL, DatabaseEngine.MYSQL):
            return f"{self.engine.value}{major}.{rest.split('.')[0]}"
        return f"{self.engine.value}{major}"

    @property
    def log_exports(self) -> tuple[str, ...]:
        """The log types CloudWatch receives, per engine."""
        if self.engine in (DatabaseEngine.AURORA_POSTGRESQL, DatabaseEngine.POSTGRES):
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


class CacheConfig(Section):
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
    replicas: Int = Field(1, ge=0, le=5, description="Replicas per shard (valkey/redis).")
    nodes: Int = Field(2, ge=1, le=40, description="Node count (memcached only).")
    snapshot_retention_days: Int = Field(
        7, ge=0, le=35, description="Days of daily snapshots (valkey/redis); at least 1 in prod."
    )
    snapshot_window: str = Field(
        "02:00-03:00", pattern=_WINDOW, description="Daily UTC snapshot window."
    )
    maintenance_window: str = Field(
        "sun:06:00-sun:07:00",
        pattern=_WEEKLY_WINDOW,
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
            problems += _window_problems(
                "snapshotWindow",
                self.snapshot_window,
                "maintenanceWindow",
                self.maintenance_window,
                _MIN_SNAPSHOT_WINDOW,
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

    @property
    def port(self) -> int:
        return self.engine.port

    @property
    def version(self) -> str:
        return self.engine_version or DEFAULT_CACHE_VERSIONS[self.engine]

    @property
    def parameter_group_family(self) -> str:
        """valkey8, redis7, memcached1.6."""
        major, _, rest = self.version.partition(".")
        if self.engine is CacheEngine.MEMCACHED:
            return f"memcached{major}.{rest.split('.')[0]}"
        return f"{self.engine.value}{major}"


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
        description="Disaster-recovery strategy (validated; only none is built so far).",
    )
    region: str = Field(
        "us-west-2", pattern=REGION, description="The DR region; must differ from aws:region."
    )
    cidr: ipaddress.IPv4Network = Field(
        ipaddress.IPv4Network("10.1.0.0/16"),
        description="The DR VPC's block; must not overlap network.cidr.",
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
        None, pattern=_EMAIL, description="E-mail address subscribed to the alarm topic."
    )
    allowed_account_ids: tuple[Annotated[str, Field(pattern=r"^\d{12}$")], ...] = Field(
        (), description="AWS account ids the providers may touch; any other account is refused."
    )

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PROD

    @property
    def protect_data(self) -> bool:
        """Stateful resources are protected from deletion in production."""
        return self.is_production

    @model_validator(mode="after")
    def _cross_section_rules(self) -> StackConfig:
        problems: list[tuple[str, Any, str]] = []
        if self.dr.enabled:
            if self.dr.region == self.region:
                problems.append(
                    ("dr.region", self.dr.region, f"a region other than the primary {self.region}")
                )
            if self.dr.cidr.overlaps(self.network.cidr):
                problems.append(
                    (
                        "dr.cidr",
                        str(self.dr.cidr),
                        f"a block that does not overlap network.cidr {self.network.cidr}",
                    )
                )
        if self.is_production:
            if self.domain is None:
                problems.append(
                    (
                        "domain",
                        None,
                        "a domain in prod ({zoneName: example.com, recordName: www}): without one "
                        "no certificate can be issued, so viewers get CloudFront's TLSv1 default "
                        "certificate and CloudFront reaches the ALB over plain HTTP",
                    )
                )
            if self.database.backup_retention_days < 7:
                problems.append(
                    (
                        "database.backupRetentionDays",
                        self.database.backup_retention_days,
                        "at least 7 in prod",
                    )
                )
            if self.web.min_size < 2:
                problems.append(("web.minSize", self.web.min_size, "at least 2 in prod"))
            if self.app_tier.enabled and self.app_tier.min_size < 2:
                problems.append(("appTier.minSize", self.app_tier.min_size, "at least 2 in prod"))
            if self.database.engine.is_aurora and self.database.readers < 1:
                problems.append(
                    (
                        "database.readers",
                        self.database.readers,
                        "at least 1 in prod, so Aurora can fail over to another AZ",
                    )
                )
            if self.cache.engine is not CacheEngine.MEMCACHED and self.cache.replicas < 1:
                problems.append(
                    (
                        "cache.replicas",
                        self.cache.replicas,
                        "at least 1 in prod, so the cache survives the loss of an AZ",
                    )
                )
            if (
                self.cache.engine is not CacheEngine.MEMCACHED
                and self.cache.snapshot_retention_days < 1
            ):
                problems.append(
                    (
                        "cache.snapshotRetentionDays",
                        self.cache.snapshot_retention_days,
                        "at least 1 in prod",
                    )
                )
        if problems:
            raise ValueError(
                "\n".join(
                    f"{PROJECT}:{k} is {'unset' if v is None else repr(v)}; accepted: {a}"
                    for k, v, a in problems
                )
            )
        return self


# Defaults that depend on the environment. Sections the user sets are merged over these key by
# key, so `webstack:web: {maxSize: 10}` keeps the environment's instance type and minSize.
ENVIRONMENT_DEFAULTS: dict[Environment, dict[str, dict[str, Any]]] = {
    Environment.DEV: {
        "network": {"azCount": 2, "natGateways": "single", "flowLogRetentionDays": 14},
        "web": {"instanceType": "t4g.micro", "minSize": 2, "maxSize": 3},
        "appTier": {"instanceType": "t4g.micro", "minSize": 2, "maxSize": 3},
        "database": {"instanceClass": "db.t4g.medium", "readers": 1, "backupRetentionDays": 1},
        "cache": {"nodeType": "cache.t4g.micro", "replicas": 1, "snapshotRetentionDays": 1},
        "cdn": {"priceClass": "PriceClass_100"},
    },
    Environment.STAGING: {
        "network": {"azCount": 2, "natGateways": "perAz", "flowLogRetentionDays": 30},
        "web": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 4},
        "appTier": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 4},
        "database": {"instanceClass": "db.t4g.medium", "readers": 1, "backupRetentionDays": 7},
        "cache": {"nodeType": "cache.t4g.small", "replicas": 1},
        "cdn": {"priceClass": "PriceClass_100"},
    },
    Environment.PROD: {
        "network": {"azCount": 3, "natGateways": "perAz", "flowLogRetentionDays": 365},
        "web": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 6},
        "appTier": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 6},
        "database": {"instanceClass": "db.r6g.large", "readers": 1, "backupRetentionDays": 14},
        "cache": {"nodeType": "cache.m7g.large", "replicas": 1, "snapshotRetentionDays": 7},
        "cdn": {"priceClass": "PriceClass_All"},
    },
}

SECTIONS = ("network", "domain", "web", "appTier", "database", "cache", "cdn", "dr")
SCALARS = ("environment", "alarmEmail", "allowedAccountIds")
KNOWN_KEYS = SECTIONS + SCALARS


def load(raw: Mapping[str, Any], *, stack: str, region: str | None) -> StackConfig:
    """Validate the ``webstack:`` config map (keys without the namespace) into a StackConfig.

    Values may be JSON strings (as the Pulumi engine passes structured config) or already
    decoded. Raises ConfigError naming the key path, the bad value and what is accepted.
    """
    values = {key: _decode(key, value) for key, value in raw.items()}
    unknown = [key for key in values if key not in KNOWN_KEYS]
    if unknown:
        raise ConfigError(
            "\n".join(_unknown_key_message(f"{PROJECT}:{k}", k, KNOWN_KEYS) for k in unknown)
        )
    if region is None:
        raise ConfigError("aws:region is not set; run `pulumi config set aws:region us-east-1`")
    _check_stack_name(stack)

    environment_raw = values.get("environment", Environment.DEV.value)
    try:
        environment = Environment(environment_raw)
    except ValueError:
        raise ConfigError(
            f"{PROJECT}:environment is {environment_raw!r}; accepted: "
            + ", ".join(e.value for e in Environment)
        ) from None

    document: dict[str, Any] = {
        "stack": stack,
        "region": region,
        "environment": environment,
        "alarmEmail": values.get("alarmEmail") or None,  # Pulumi.yaml default: ""
        "allowedAccountIds": values.get("allowedAccountIds", ()),
        "domain": values.get("domain"),
    }
    defaults = ENVIRONMENT_DEFAULTS[environment]
    for section in ("network", "web", "appTier", "database", "cache", "cdn", "dr"):
        given = values.get(section, {})
        if not isinstance(given, Mapping):
            raise ConfigError(
                f"{PROJECT}:{section} is {given!r}; accepted: an object such as "
                f"{json.dumps(defaults.get(section, {}))}"
            )
        document[section] = {**defaults.get(section, {}), **given}

    try:
        return StackConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, document)) from None


def _check_stack_name(stack: str) -> None:
    """AWS names derive from the stack name; refuse one that would push them past AWS's limits
    instead of failing halfway through a deployment."""
    if len(stack) > MAX_STACK_NAME:
        raise ConfigError(
            f"the stack name {stack!r} is {len(stack)} characters; accepted: at most "
            f"{MAX_STACK_NAME}. Load balancer and target group names are "
            f"'{PROJECT}-<stack>-web' and '{PROJECT}-<stack>-app' plus an 8-character random "
            f"suffix, and AWS allows 32 characters ('{PROJECT}-{stack}-app' is "
            f"{len(f'{PROJECT}-{stack}-app')}, at most {MAX_LB_NAME_BEFORE_SUFFIX} fit). "
            "Create the stack under a shorter name (`pulumi stack init`)."
        )


def refuse_unbuilt(config: StackConfig) -> None:
    """Refuse settings the model accepts but the program does not build yet, rather than
    deploying a stack that silently lacks them."""
    if config.dr.enabled:
        raise ConfigError(
            f"{PROJECT}:dr.strategy is {config.dr.strategy.value!r}; accepted: none for now. "
            "Disaster-recovery mirrors are not built yet (dr.region and dr.cidr are validated, "
            "so the stack file is ready for them)."
        )
    if config.cache.engine is CacheEngine.MEMCACHED:
        raise ConfigError(
            f"{PROJECT}:cache.engine is 'memcached'; accepted: valkey or redis for now. The app "
            "the instances run keeps its sessions and hot data over the Redis protocol, which "
            "Memcached does not speak, so the web tier would never turn healthy."
        )


def from_pulumi() -> StackConfig:
    """Read and validate the running stack's configuration."""
    all_config: Mapping[str, Any] = pulumi.runtime.config.CONFIG.get()
    raw: dict[str, Any] = {}
    for full_key, value in all_config.items():
        namespace, _, key = full_key.partition(":")
        if namespace == PROJECT:
            raw[key.removeprefix("config:")] = value
    region = pulumi.Config("aws").get("region")
    return load(raw, stack=pulumi.get_stack(), region=region)


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in SECTIONS or key == "allowedAccountIds":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # reported by the model as the wrong type
    return value


def _unknown_key_message(path: str, key: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{path} is not a known setting{hint} Accepted keys: {', '.join(valid)}"


def _describe(exc: ValidationError, document: Mapping[str, Any]) -> str:
    """One line per problem: key path, bad value, what is accepted."""
    lines = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        path = ".".join(location)
        value = error.get("input")
        if error["type"] == "extra_forbidden":
            section_model = _model_at(location[:-1])
            valid = (
                tuple((f.alias or name) for name, f in section_model.model_fields.items())
                if section_model
                else ()
            )
            lines.append(_unknown_key_message(f"{PROJECT}:{path}", location[-1], valid))
            continue
        if error["type"] == "value_error" and isinstance(value, Mapping):
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{PROJECT}:{path}.{message}" if path else message)
            continue
        accepted = _accepted(error)
        shown = json.dumps(value, default=str) if not isinstance(value, Mapping) else "the section"
        lines.append(f"{PROJECT}:{path} is {shown}; accepted: {accepted}")
    return "\n".join(lines)


def _model_at(location: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = StackConfig
    for part in location:
        if model is None:
            return None
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        annotation = field.annotation
        candidates = getattr(annotation, "__args__", (annotation,))
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            # tuple[Model, ...] and similar containers
            for c in candidates:
                inner = getattr(c, "__args__", ())
                model = next(
                    (i for i in inner if isinstance(i, type) and issubclass(i, BaseModel)), None
                )
                if model:
                    break
    return model


def _accepted(error: Any) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "enum":
        return str(ctx.get("expected", "")).replace("'", "")
    if kind == "literal_error":
        return str(ctx.get("expected", ""))
    if kind == "string_pattern_mismatch":
        return _PATTERN_EXAMPLES.get(
            ctx.get("pattern", ""), f"a value matching {ctx.get('pattern')}"
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return str(error["msg"]).replace("Input should be ", "a number ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return str(error["msg"]).replace("Input should be ", "").split(",")[0]
    return str(error["msg"]).removeprefix("Value error, ")


_PATTERN_EXAMPLES = {
    INSTANCE_TYPE: "an EC2 instance type such as t4g.small or m7i.large",
    DB_INSTANCE_CLASS: "an RDS instance class such as db.r6g.large or db.t4g.medium",
    CACHE_NODE_TYPE: "an ElastiCache node type such as cache.t4g.small or cache.r7g.large",
    REGION: "an AWS region such as us-east-1 or eu-west-1",
    _WINDOW: "a UTC window hh:mm-hh:mm such as 03:00-04:00",
    _WEEKLY_WINDOW: "a weekly UTC window ddd:hh:mm-ddd:hh:mm such as sun:05:00-sun:06:00",
    _EMAIL: "an e-mail address such as ops@example.com",
    _DNS_NAME: "a lower-case DNS zone name such as example.com",
    _RECORD_LABEL: "a record label such as www, or @ for the zone apex",
}
