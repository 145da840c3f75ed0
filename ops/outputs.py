"""The stack outputs the runbook reads: `pulumi stack output --json --show-secrets`.

This module is the contract (docs/disaster-recovery.md, "Stack outputs", is generated from it).
Models are strict and frozen; every missing or invalid key is reported with its dotted path in
one line.
"""

from __future__ import annotations

import difflib
import functools
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import boto3
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

Strategy = Literal["none", "backup-restore", "pilot-light", "warm-standby", "active-active"]
STANDBY_STRATEGIES: tuple[str, ...] = ("pilot-light", "warm-standby", "active-active")
HINT = "is this a webstack stack output from `pulumi stack output --json --show-secrets`?"


class OutputsError(Exception):
    """Outputs that the runbook cannot use; the message has one line per problem."""


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region botocore's offline endpoint data knows, in every partition."""
    session = boto3.session.Session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for service in ("ec2", "rds")
        for region in session.get_available_regions(service, partition_name=partition)
    )


def _known_region(name: str) -> str:
    if name not in known_regions():
        close = difflib.get_close_matches(name, sorted(known_regions()), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(f"{name!r} is not an AWS region{hint}")
    return name


AwsRegion = Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$"), AfterValidator(_known_region)]


class _Model(BaseModel):
    model_config = ConfigDict(
        strict=True, frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


class Capacity(_Model):
    asg_name: str = Field(min_length=1)
    min_size: int = Field(ge=0)
    max_size: int = Field(ge=0)
    desired_capacity: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Capacity:
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise ValueError(
                f"needs minSize <= desiredCapacity <= maxSize, got {self.min_size}/"
                f"{self.desired_capacity}/{self.max_size}"
            )
        return self


class Tier(Capacity):
    target_group_arn: str = Field(min_length=1)


class Database(_Model):
    family: Literal["aurora", "rds"]
    engine: Literal["aurora-postgresql", "aurora-mysql", "postgres", "mysql"]
    cluster_id: str | None
    cluster_arn: str | None
    instance_ids: tuple[str, ...]
    instance_arn: str | None

    @model_validator(mode="after")
    def _family(self) -> Database:
        if self.family == "aurora" and not self.cluster_id:
            raise ValueError("an aurora database needs 'clusterId'")
        if self.family == "rds" and not self.instance_ids:
            raise ValueError("an rds database needs at least one of 'instanceIds'")
        return self


class Cache(_Model):
    replication_group_id: str


class LoadBalancer(_Model):
    arn: str
    dns_name: str


class Region(_Model):
    region: AwsRegion
    role: Literal["primary", "standby"]
    data_key_arn: str
    database: Database | None
    cache: Cache | None
    web: Tier
    app: Tier | None
    load_balancer: LoadBalancer
    security_group_ids: tuple[str, ...]
    uploads_bucket: str


class Objective(_Model):
    value: int | float
    unit: Literal["seconds", "minutes", "hours", "days"]
    source: str

    @property
    def seconds(self) -> float:
        return (
            float(self.value)
            * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[self.unit]
        )


class FailoverInstance(_Model):
    """The writer instance the runbook adds to a headless Aurora secondary when it promotes it."""

    identifier: str = Field(min_length=1)
    instance_class: str = Field(min_length=1)


class DrDatabase(_Model):
    family: Literal["aurora", "rds"]
    global_cluster_id: str | None
    primary_cluster_id: str | None
    secondary_cluster_id: str | None
    secondary_cluster_arn: str | None
    primary_instance_id: str | None
    replica_instance_id: str | None
    replica_instance_arn: str | None
    write_forwarding: bool
    failover_instance: FailoverInstance | None = None

    @model_validator(mode="after")
    def _family(self) -> DrDatabase:
        need = (
            ("globalClusterId", "primaryClusterId", "secondaryClusterId", "secondaryClusterArn")
            if self.family == "aurora"
            else ("primaryInstanceId", "replicaInstanceId", "replicaInstanceArn")
        )
        dumped = self.model_dump(by_alias=True)
        missing = [key for key in need if not dumped[key]]
        if missing:
            raise ValueError(f"a {self.family} DR database needs {', '.join(missing)}")
        return self


class DrCache(_Model):
    global_replication_group_id: str
    primary_replication_group_id: str
    secondary_replication_group_id: str


class FailoverCapacity(_Model):
    web: Capacity
    app: Capacity | None


class DnsRecord(_Model):
    set_identifier: str
    region: str
    failover: Literal["PRIMARY", "SECONDARY"] | None
    health_check_id: str | None  # the endpoint probe: Route 53's verdict on the region
    # The check the record carries when it is not the probe: the primary's calculated check
    # (the probe AND the traffic switch).
    record_health_check_id: str | None = None

    @property
    def carried_check_id(self) -> str | None:
        return self.record_health_check_id or self.health_check_id


class TrafficSwitch(_Model):
    """A data-plane switch for the primary's record, set from the DR region: a CloudWatch metric
    there whose alarm a Route 53 health check of the primary record follows (1 serve the
    primary, 0 take it out), so moving traffic needs no us-east-1 control plane."""

    region: AwsRegion
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    health_check_id: str | None = None  # the CLOUDWATCH_METRIC check that follows its alarm


class Dns(_Model):
    zone_id: str
    record_name: str
    routing: Literal["failover", "latency"]
    records: tuple[DnsRecord, ...]
    traffic_switch: TrafficSwitch | None = None


class Backup(_Model):
    plan_id: str
    plan_name: str
    vault_name: str
    dr_vault_name: str
    dr_vault_arn: str


class Replication(_Model):
    source_bucket: str
    replica_bucket: str
    rule_ids: tuple[str, ...]
    bidirectional: bool
    replication_time_control: bool = False


class Dr(_Model):
    strategy: Strategy
    region: AwsRegion | None
    # The region whose database is the writer, as the stack's config says (dr.activeRegion).
    active_region: AwsRegion | None = None
    rto: Objective | None
    rpo: Objective | None
    uploads_rpo: Objective | None = None
    standby: Region | None
    database: DrDatabase | None
    cache: DrCache | None
    failover_capacity: FailoverCapacity | None
    dns: Dns | None
    backup: Backup | None
    replication: Replication | None

    @model_validator(mode="after")
    def _strategy(self) -> Dr:
        s = self.strategy
        if s == "none":
            return self
        if self.region is None:
            raise ValueError(f"'region' is null but strategy is {s!r}")
        if s in STANDBY_STRATEGIES:
            for key, value in (
                ("standby", self.standby),
                ("database", self.database),
                ("failoverCapacity", self.failover_capacity),
            ):
                if value is None:
                    raise ValueError(f"{key!r} is null but strategy is {s!r}")
            assert self.standby is not None
            if self.standby.region != self.region:
                raise ValueError(
                    f"'standby.region' is {self.standby.region!r} but 'region' is {self.region!r}"
                )
        return self


class StackOutputs(_Model):
    project: str
    stack: str
    environment: Literal["dev", "staging", "prod"]
    allowed_account_ids: tuple[str, ...]
    primary: Region
    dr: Dr

    @model_validator(mode="after")
    def _regions(self) -> StackOutputs:
        if self.dr.region is not None and self.dr.region == self.primary.region:
            raise ValueError(f"'dr.region' is the primary region {self.primary.region!r}")
        for account in self.allowed_account_ids:
            if not (len(account) == 12 and account.isdigit()):
                raise ValueError(f"'allowedAccountIds' has {account!r}; accepted: 12 digits")
        return self

    @property
    def has_standby(self) -> bool:
        return self.dr.strategy in STANDBY_STRATEGIES

    def regions(self) -> tuple[Region, ...]:
        return (self.primary,) if self.dr.standby is None else (self.primary, self.dr.standby)


def _describe(error: ValidationError) -> str:
    """One line per invalid or missing key, in the file's order."""
    lines = []
    for problem in error.errors():
        path = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] == "missing":
            lines.append(f"outputs: missing '{path}' - {HINT}")
        elif not path:
            lines.append(f"outputs: {message}")
        elif problem["type"] == "value_error":
            lines.append(f"outputs: '{path}': {message}")
        else:
            lines.append(f"outputs: '{path}' = {json.dumps(problem.get('input'))[:80]}: {message}")
    return "\n".join(dict.fromkeys(lines))


def parse_outputs(text: str) -> StackOutputs:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise OutputsError(f"outputs: not JSON ({err}) - {HINT}") from None
    if not isinstance(data, dict):
        raise OutputsError(f"outputs: expected a JSON object, got {type(data).__name__} - {HINT}")
    try:
        return StackOutputs.model_validate_json(text)
    except ValidationError as err:
        raise OutputsError(_describe(err)) from None


def load_outputs(source: str) -> StackOutputs:
    """Read outputs from a file path, or from stdin when `source` is '-'."""
    if source == "-":
        return parse_outputs(sys.stdin.read())
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise OutputsError(f"outputs: cannot read {source}: {err.strerror}") from None
    return parse_outputs(text)
