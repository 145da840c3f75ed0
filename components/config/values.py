"""The value types of the configuration: enums with their guidance, patterns, strict scalars."""

from __future__ import annotations

import ipaddress
import json
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, Strict

# The Pulumi project's name (Pulumi.yaml), the config namespace and the names' prefix.
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


# The PHP PDO driver the app connects with.
PdoDriver = Literal["pgsql", "mysql"]
# The tiers the instances serve: the public web tier and the optional internal app tier.
TierRole = Literal["web", "app"]


class EngineFamily(StrEnum):
    """The SQL dialect of a database engine: its port, log types and driver."""

    POSTGRESQL = "postgresql"
    MYSQL = "mysql"

    @property
    def port(self) -> int:
        return 5432 if self is EngineFamily.POSTGRESQL else 3306

    @property
    def pdo_driver(self) -> PdoDriver:
        return "pgsql" if self is EngineFamily.POSTGRESQL else "mysql"


class DatabaseEngine(StrEnum):
    AURORA_POSTGRESQL = "aurora-postgresql"
    AURORA_MYSQL = "aurora-mysql"
    POSTGRES = "postgres"
    MYSQL = "mysql"

    @property
    def is_aurora(self) -> bool:
        return self in (DatabaseEngine.AURORA_POSTGRESQL, DatabaseEngine.AURORA_MYSQL)

    @property
    def family(self) -> EngineFamily:
        if self in (DatabaseEngine.AURORA_POSTGRESQL, DatabaseEngine.POSTGRES):
            return EngineFamily.POSTGRESQL
        return EngineFamily.MYSQL

    @property
    def port(self) -> int:
        return self.family.port

    @property
    def family_keeps_minor(self) -> bool:
        """MySQL parameter group families carry major.minor (mysql8.4); PostgreSQL's the major."""
        return self.family is EngineFamily.MYSQL


class CacheEngine(StrEnum):
    VALKEY = "valkey"
    REDIS = "redis"
    MEMCACHED = "memcached"

    @property
    def port(self) -> int:
        return 11211 if self is CacheEngine.MEMCACHED else 6379

    @property
    def family_keeps_minor(self) -> bool:
        """memcached1.6 carries major.minor; valkey8 and redis7 the major alone."""
        return self is CacheEngine.MEMCACHED


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
WINDOW = r"^\d{2}:\d{2}-\d{2}:\d{2}$"
WEEKLY_WINDOW = (
    r"^(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}-(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}$"
)
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DNS_NAME = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
RECORD_LABEL = r"^(@|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)$"

# Section fields are strict: structured config arrives as JSON, so a number or boolean written as
# a string ("3", "yes", "on") is a mistake, not something to coerce. 1.0 is not an integer either.
Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
Float = Annotated[float, Strict()]
Port = Annotated[int, Strict(), Field(ge=1, le=65535)]


def architecture_of(instance_type: str) -> Literal["arm64", "x86_64"]:
    """The CPU architecture an EC2 instance type runs, for picking the matching AMI."""
    return "arm64" if _GRAVITON_FAMILY.match(instance_type) else "x86_64"


def quoted(value: Any) -> str:
    """A config value as every error message shows it: text in single quotes (as the Pulumi
    CLI quotes keys and values), ``unset`` for none, anything else as JSON."""
    if value is None:
        return "unset"
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value, default=str)
