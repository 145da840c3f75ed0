"""Read-only verbs: status, drill and verify. Each returns a list of checks (name, ok, detail)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.exceptions
from botocore.parsers import ResponseParserError

from ops import facts, topology
from ops.aws import AWS_FAILURES, GLOBAL_REGION, describe_error
from ops.outputs import Region
from ops.permissions import FAILOVER_ACTIONS
from ops.runner import Context, StepFailed

WORLD = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # pass | fail | warn | info
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail}


def _guard(name: str, region: str, fn: Callable[[], list[Check]]) -> list[Check]:
    try:
        return fn()
    except StepFailed as err:
        return [Check(name, "fail", str(err))]
    except AWS_FAILURES as err:
        return [Check(name, "fail", describe_error(err, region))]


def _database_status(ctx: Context, region: Region) -> list[Check]:
    db = region.database
    if db is None:
        return [Check(f"{region.region}/database", "info", "no database in this region")]
    if db.family == "aurora":
        assert db.cluster_id
        c = facts.cluster(ctx, region.region, db.cluster_id)
        members = c.get("DBClusterMembers", [])
        writers = [m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter")]
        readers = [m["DBInstanceIdentifier"] for m in members if not m.get("IsClusterWriter")]
        detail = (
            f"cluster {db.cluster_id} {c['Status']}; writer {writers or 'none'}; readers {readers}"
        )
    else:
        i = facts.instance(ctx, region.region, db.instance_ids[0])
        source = i.get("ReadReplicaSourceDBInstanceIdentifier")
        role = f"replica of {source}" if source else "writer"
        detail = f"instance {db.instance_ids[0]} {i['DBInstanceStatus']} ({role})"
    return [Check(f"{region.region}/database", "info", detail)]


def _tier_status(ctx: Context, region: Region) -> list[Check]:
    out = []
    for tier in (region.web, region.app):
        if tier is None:
            continue
        group = facts.asg(ctx, region.region, tier.asg_name)
        healthy, registered = facts.healthy_targets(ctx, region.region, tier.target_group_arn)
        out.append(
            Check(
                f"{region.region}/{tier.asg_name}",
                "info",
                f"min {group['MinSize']} desired {group['DesiredCapacity']} "
                f"max {group['MaxSize']}; "
                f"{healthy}/{registered} targets healthy",
            )
        )
    return out


def _writers(ctx: Context) -> list[Check]:
    """How many databases accept writes: more than one is a FAIL, whatever else is fine."""
    topo = topology.read(ctx)
    lag = facts.replica_lag_seconds(ctx)
    lag_text = "n/a (no recent datapoint)" if lag is None else f"{lag:.1f}s"
    seen = f"{topo.primary.describe()}; {topo.standby.describe()}"
    writers = topo.writers
    if len(writers) > 1:
        serving = [n.region for n in writers if n.serving is not False]
        return [
            Check(
                "writers",
                "fail",
                f"TWO WRITERS: {seen}; tiers running over a writer in {serving or 'neither'}; "
                "failback refuses until the stale one is rebuilt as a replica (pulumi up with "
                "webstack:dr.activeRegion set to the region users write to)",
            )
        ]
    if not writers:
        unknown = any(n.role == "unreachable" for n in (topo.primary, topo.standby))
        return [Check("writers", "warn" if unknown else "fail", f"no writer known: {seen}")]
    active = ctx.outputs.dr.active_region
    note = ""
    if active and active != writers[0].region:
        note = (
            f"; the stack says webstack:dr.activeRegion={active}: set it to "
            f"{writers[0].region} and `pulumi up`"
        )
    return [
        Check("writers", "info", f"writer in {writers[0].region}: {seen}; lag {lag_text}{note}")
    ]


def _uploads(ctx: Context) -> list[Check]:
    rep = ctx.outputs.dr.replication
    assert rep is not None
    latency = facts.uploads_replication_latency(ctx)
    rpo = ctx.outputs.dr.uploads_rpo
    shown = "n/a (no ReplicationLatency datapoint)" if latency is None else f"{latency:.0f}s"
    status = "info"
    if latency is not None and rpo is not None and latency > rpo.seconds:
        status = "warn"
    rtc = "RTC on" if rep.replication_time_control else "no RTC (no time bound)"
    return [
        Check(
            "uploads",
            status,
            f"{rep.source_bucket} -> {rep.replica_bucket}: {rtc}; latency {shown}"
            + (f" (uploads RPO {rpo.value} {rpo.unit})" if rpo else ""),
        )
    ]


def _flags(h: facts.CheckHealth) -> str:
    if h.held:
        return ", HELD OUT (disabled and inverted)"
    return ", INVERTED" if h.inverted else ", DISABLED" if h.disabled else ""


def status(ctx: Context) -> list[Check]:
    o = ctx.outputs
    where = (
        f"{o.primary.region} only, no disaster recovery"
        if o.dr.region is None
        else f"{o.primary.region} -> {o.dr.region}"
    )
    checks = [Check("strategy", "info", f"{o.dr.strategy} ({where})")]
    for region in o.regions():
        checks += _guard(
            f"{region.region}/database",
            region.region,
            functools.partial(_database_status, ctx, region),
        )
        checks += _guard(
            f"{region.region}/tiers", region.region, functools.partial(_tier_status, ctx, region)
        )
    if o.dr.database is not None and o.dr.standby is not None:
        checks += _guard("writers", o.dr.region or "", functools.partial(_writers, ctx))
    if o.dr.replication is not None:
        checks += _guard("uploads", o.primary.region, functools.partial(_uploads, ctx))
    if o.dr.cache is not None and o.dr.region:
        cache = o.dr.cache

        def datastore() -> list[Check]:
            members = facts.global_datastore(
                ctx, o.dr.region or "", cache.global_replication_group_id
            )
            primary = [m.replication_group_id for m in members if m.role == "PRIMARY"]
            listed = ", ".join(
                f"{m.replication_group_id} ({m.region}) {m.role.lower()} {m.status}"
                for m in members
            )
            return [
                Check(
                    "cache/global-datastore",
                    "info",
                    f"{cache.global_replication_group_id}: primary "
                    f"{primary[0] if primary else 'none'}; members {listed}",
                )
            ]

        checks += _guard("cache/global-datastore", o.dr.region, datastore)
    if o.dr.dns is not None:

        def dns() -> list[Check]:
            out = []
            serving = []
            for record in o.dr.dns.records if o.dr.dns else ():
                if record.health_check_id is None:
                    out.append(Check(f"dns/{record.set_identifier}", "info", "no health check"))
                    serving.append(record.set_identifier)
                    continue
                h = facts.check_health(ctx, record.health_check_id)
                checkers = ctx.client("route53", GLOBAL_REGION).get_health_check_status(
                    HealthCheckId=record.health_check_id
                )["HealthCheckObservations"]
                ok = sum(1 for c in checkers if c["StatusReport"]["Status"].startswith("Success"))
                out.append(
                    Check(
                        f"dns/{record.set_identifier}",
                        "info",
                        f"health check {record.health_check_id}: {h.state} (metric), "
                        f"{ok}/{len(checkers)} checkers OK{_flags(h)}",
                    )
                )
                if h.routable:
                    serving.append(record.set_identifier)
            switch = o.dr.dns.traffic_switch if o.dr.dns else None
            if switch is not None:
                serves = facts.switch_serves_primary(ctx, switch)
                if serves is False:
                    # The primary's record carries its probe AND the switch: held out.
                    held = {r.set_identifier for r in facts.records_in(ctx, o.primary.region)}
                    serving = [s for s in serving if s not in held]
                out.append(
                    Check(
                        "dns/traffic-switch",
                        "info",
                        f"in {switch.region}: "
                        + {
                            True: f"serving {o.primary.region}",
                            False: f"holding {o.primary.region} out",
                            None: "not set in the last day (its alarm keeps its state)",
                        }[serves],
                    )
                )
            if o.dr.dns and o.dr.dns.routing == "failover":
                primary = [r.set_identifier for r in o.dr.dns.records if r.failover == "PRIMARY"]
                target = (
                    primary[0]
                    if primary and primary[0] in serving
                    else (
                        next(
                            (
                                r.set_identifier
                                for r in o.dr.dns.records
                                if r.failover == "SECONDARY"
                            ),
                            "none",
                        )
                    )
                )
                out.append(Check("dns/serving", "info", f"Route 53 sends users to '{target}'"))
            else:
                out.append(Check("dns/serving", "info", f"latency routing across {serving}"))
            return out

        checks += _guard("dns", GLOBAL_REGION, dns)
    return checks


# --- drill -------------------------------------------------------------------------------------


def drill(ctx: Context) -> list[Check]:
    """Everything a failover needs, without changing anything."""
    from ops import plans

    o = ctx.outputs
    checks: list[Check] = []

    def step(name: str, fn: Callable[[Context], str]) -> None:
        try:
            checks.append(Check(name, "pass", fn(ctx)))
        except StepFailed as err:
            checks.append(Check(name, "fail", str(err)))
        except AWS_FAILURES as err:
            checks.append(Check(name, "fail", describe_error(err)))

    step("preflight", plans.preflight)
    db = o.dr.database
    assert db is not None and o.dr.region and o.dr.standby and o.dr.failover_capacity

    def data_ready(c: Context) -> str:
        region = o.dr.region or ""
        topo = topology.read(c)
        if topo.standby.role == "writer":
            raise StepFailed(f"the DR database already writes: {topo.standby.describe()}")
        versions = (topo.primary.engine_version, topo.standby.engine_version)
        if db.family == "aurora" and all(versions) and versions[0] != versions[1]:
            raise StepFailed(
                f"aurora: engine versions differ (primary {versions[0]}, DR {versions[1]}): AWS "
                "allows a managed failover or switchover only between identical versions; "
                "upgrade the DR cluster to the primary's version"
            )
        if db.family == "aurora":
            assert db.global_cluster_id and db.secondary_cluster_arn
            members = facts.global_members(c, region, db.global_cluster_id)
            if db.secondary_cluster_arn not in members:
                raise StepFailed(
                    f"aurora: {db.secondary_cluster_id} is not in {db.global_cluster_id}"
                )
            if members[db.secondary_cluster_arn]:
                raise StepFailed(f"aurora: {db.secondary_cluster_id} is already the writer")
            detail = f"{db.secondary_cluster_id} is a secondary of {db.global_cluster_id}"
        else:
            assert db.replica_instance_id
            source = facts.instance(c, region, db.replica_instance_id).get(
                "ReadReplicaSourceDBInstanceIdentifier"
            )
            if not source:
                raise StepFailed(f"rds: {db.replica_instance_id} is not a read replica")
            detail = f"{db.replica_instance_id} replicates {source}"
        lag = facts.replica_lag_seconds(c)
        if lag is not None and o.dr.rpo is not None and lag > o.dr.rpo.seconds:
            raise StepFailed(f"replication lag {lag:.1f}s exceeds the RPO {o.dr.rpo.seconds:.0f}s")
        return detail + ("" if lag is None else f"; lag {lag:.1f}s")

    step("dr-data-store", data_ready)

    def capacity(c: Context) -> str:
        cap = o.dr.failover_capacity
        assert cap is not None
        seen = []
        for want in (cap.web, cap.app):
            if want is not None:
                group = facts.asg(c, o.dr.region or "", want.asg_name)
                seen.append(
                    f"{want.asg_name} now {group['DesiredCapacity']}, "
                    f"failover {want.desired_capacity}"
                )
        return "; ".join(seen)

    step("dr-capacity", capacity)
    if o.dr.cache is not None:
        cache = o.dr.cache

        def cache_ready(c: Context) -> str:
            region = o.dr.region or ""
            gid, want = cache.global_replication_group_id, cache.secondary_replication_group_id
            members = {
                (m.replication_group_id, m.region): m
                for m in facts.global_datastore(c, region, gid)
            }
            mine = members.get((want, region))
            if mine is None:
                raise StepFailed(f"elasticache: {want} ({region}) is not a member of {gid}")
            if mine.role != "SECONDARY" or mine.status != "associated":
                raise StepFailed(
                    f"elasticache: {want} is {mine.role.lower()} {mine.status} in {gid}, "
                    "expected secondary associated"
                )
            return f"{want} is an associated secondary of {gid}"

        step("dr-cache", cache_ready)
    if o.dr.dns is not None:

        def dr_dns(c: Context) -> str:
            out = []
            standby = o.dr.standby
            assert standby is not None
            idle = facts.asg(c, o.dr.region or "", standby.web.asg_name)["DesiredCapacity"] == 0
            for record in facts.records_in(c, o.dr.region or ""):
                if record.health_check_id:
                    h = facts.check_health(c, record.health_check_id)
                    if not h.routable and idle:
                        # Pilot light runs no instance: its check passes once failover scales up.
                        out.append(
                            f"'{record.set_identifier}' {h.state}, as expected with 0 instances "
                            "(failover scales the tier before it routes traffic)"
                        )
                        continue
                    if not h.routable:
                        raise StepFailed(f"DR health check {record.health_check_id} is {h.state}")
                    out.append(f"'{record.set_identifier}' healthy")
            return "; ".join(out) or "no DR health check"

        step("dr-dns", dr_dns)
    else:
        checks.append(Check("dr-dns", "warn", "no dr.dns: writes do not fail over (no domain)"))
    if o.dr.replication is not None:
        checks += [
            c if c.status != "warn" else Check(c.name, "fail", c.detail)
            for c in _guard("uploads", o.primary.region, functools.partial(_uploads, ctx))
        ]
    checks.append(_permissions(ctx))
    return checks


def _permissions(ctx: Context) -> Check:
    """Simulate the failover's write actions for the caller (iam:SimulatePrincipalPolicy)."""
    try:
        region = ctx.outputs.dr.region or ctx.outputs.primary.region
        arn = str(ctx.client("sts", region).get_caller_identity()["Arn"])
        if ":assumed-role/" in arn:
            account = arn.split(":")[4]
            role = arn.split(":assumed-role/")[1].split("/")[0]
            arn = f"arn:aws:iam::{account}:role/{role}"
        result = ctx.client("iam", GLOBAL_REGION).simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=list(FAILOVER_ACTIONS)
        )
    except (
        botocore.exceptions.BotoCoreError,
        botocore.exceptions.ClientError,
        ResponseParserError,
    ) as err:
        return Check(
            "permissions", "warn", "not verified: " + describe_error(err).splitlines()[0][:200]
        )
    denied = [
        r["EvalActionName"] for r in result["EvaluationResults"] if r["EvalDecision"] != "allowed"
    ]
    if denied:
        return Check("permissions", "fail", f"{arn} is denied {', '.join(sorted(denied))}")
    return Check(
        "permissions", "pass", f"{arn} may perform all {len(FAILOVER_ACTIONS)} failover actions"
    )


# --- verify ------------------------------------------------------------------------------------


def _verify_region(ctx: Context, region: Region) -> list[Check]:
    prod = ctx.outputs.environment == "prod"
    primary = region.role == "primary"
    out: list[Check] = []
    r = region.region

    def add(name: str, ok: bool, detail: str, required: bool = True) -> None:
        out.append(Check(f"{r}/{name}", "pass" if ok else ("fail" if required else "warn"), detail))

    def database_storage(d: Mapping[str, Any], backups: bool) -> None:
        """A cluster's or an instance's description: both spell these settings alike."""
        add(
            "database/encryption",
            bool(d.get("StorageEncrypted")) and d.get("KmsKeyId") == region.data_key_arn,
            f"encrypted={d.get('StorageEncrypted')} key={d.get('KmsKeyId')}",
        )
        add(
            "database/deletion-protection",
            bool(d.get("DeletionProtection")),
            f"{d.get('DeletionProtection')}",
            prod,
        )
        if backups:
            add(
                "database/backups",
                int(d.get("BackupRetentionPeriod", 0)) >= 1,
                f"{d.get('BackupRetentionPeriod')} days",
            )

    db = region.database
    if db is not None and db.family == "aurora":
        assert db.cluster_id
        database_storage(facts.cluster(ctx, r, db.cluster_id), backups=True)
        azs = {facts.instance(ctx, r, i)["AvailabilityZone"] for i in db.instance_ids}
        add("database/multi-az", len(azs) >= 2, f"instances in {sorted(azs)}", prod and primary)
    elif db is not None:
        i = facts.instance(ctx, r, db.instance_ids[0])
        # A read replica's backups are its source's.
        database_storage(i, backups=not i.get("ReadReplicaSourceDBInstanceIdentifier"))
        add(
            "database/multi-az",
            bool(i.get("MultiAZ")),
            f"MultiAZ={i.get('MultiAZ')}",
            prod and primary,
        )
    if region.cache is not None:
        g = ctx.client("elasticache", r).describe_replication_groups(
            ReplicationGroupId=region.cache.replication_group_id
        )["ReplicationGroups"][0]
        add(
            "cache/encryption",
            bool(g.get("AtRestEncryptionEnabled")) and bool(g.get("TransitEncryptionEnabled")),
            f"at-rest={g.get('AtRestEncryptionEnabled')} "
            f"transit={g.get('TransitEncryptionEnabled')}",
        )
        add(
            "cache/failover",
            g.get("AutomaticFailover") == "enabled",
            f"{g.get('AutomaticFailover')}",
            prod,
        )
    lb = ctx.client("elbv2", r).describe_load_balancers(
        LoadBalancerArns=[region.load_balancer.arn]
    )["LoadBalancers"][0]
    public = (
        set(lb.get("SecurityGroups", []))
        if lb.get("Scheme", "internet-facing") == "internet-facing"
        else set()
    )
    groups = ctx.client("ec2", r).describe_security_groups(
        GroupIds=list(region.security_group_ids)
    )["SecurityGroups"]
    open_rules = []
    for group in groups:
        for perm in group.get("IpPermissions", []):
            cidrs = [x["CidrIp"] for x in perm.get("IpRanges", [])] + [
                x["CidrIpv6"] for x in perm.get("Ipv6Ranges", [])
            ]
            if not any(c in WORLD for c in cidrs):
                continue
            web_port = perm.get("FromPort") in (80, 443) and perm.get("FromPort") == perm.get(
                "ToPort"
            )
            if not (group["GroupId"] in public and web_port):
                open_rules.append(f"{group['GroupId']}:{perm.get('FromPort')}-{perm.get('ToPort')}")
    add(
        "network/no-world-open-groups",
        not open_rules,
        f"{len(groups)} groups; world-open: {open_rules or 'none beyond the public ALB on 80/443'}",
    )
    for tier in (region.web, region.app):
        if tier is None:
            continue
        desired = facts.asg(ctx, r, tier.asg_name)["DesiredCapacity"]
        healthy, registered = facts.healthy_targets(ctx, r, tier.target_group_arn)
        add(
            f"targets/{tier.asg_name}",
            healthy >= desired and (desired == 0 or healthy > 0),
            f"{healthy}/{desired} healthy ({registered} registered)",
        )
    s3 = ctx.client("s3", r)
    try:
        rules = s3.get_bucket_encryption(Bucket=region.uploads_bucket)[
            "ServerSideEncryptionConfiguration"
        ]["Rules"]
        algo = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        add(
            "storage/encryption",
            algo in ("aws:kms", "aws:kms:dsse", "AES256"),
            f"{region.uploads_bucket}: {algo}",
        )
    except botocore.exceptions.ClientError as err:
        add("storage/encryption", False, f"{region.uploads_bucket}: {describe_error(err, r)}")
    return out


# How many keys of a bucket `verify` compares with its replica (the first ones, in S3's order).
SEED_SAMPLE = 1000


def _keys(ctx: Context, region: str, bucket: str, stop_after: str | None) -> dict[str, Any]:
    """Key -> LastModified of ``bucket``'s first SEED_SAMPLE keys, or of every key up to and
    including ``stop_after``."""
    found: dict[str, Any] = {}
    pages = ctx.client("s3", region).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    for page in pages:
        for item in page.get("Contents", []):
            if stop_after is None and len(found) >= SEED_SAMPLE:
                return found
            if stop_after is not None and item["Key"] > stop_after:
                return found
            found[item["Key"]] = item["LastModified"]
    return found


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _uploads_seeded(ctx: Context) -> list[Check]:
    """Every object of the uploads bucket, old enough to have replicated, is in the replica:
    replication copies only what was written after the rule existed (objects uploaded before DR
    was turned on need the one-time S3 Batch Replication job)."""
    o = ctx.outputs
    rep = o.dr.replication
    assert rep is not None and o.dr.region is not None
    grace = o.dr.uploads_rpo.seconds if o.dr.uploads_rpo is not None else 3600.0
    cutoff = _now() - dt.timedelta(seconds=grace)  # younger objects may still be in flight
    pairs = [(o.primary.region, rep.source_bucket, o.dr.region, rep.replica_bucket)]
    if rep.bidirectional:
        pairs.append((o.dr.region, rep.replica_bucket, o.primary.region, rep.source_bucket))
    out = []
    for src_region, src, dst_region, dst in pairs:
        source = _keys(ctx, src_region, src, None)
        replica = _keys(ctx, dst_region, dst, max(source)) if source else {}
        missing = sorted(k for k, when in source.items() if when < cutoff and k not in replica)
        sampled = f"the first {len(source)} objects" if source else "no objects"
        if missing:
            out.append(
                Check(
                    f"uploads/{src}",
                    "fail",
                    f"{len(missing)} of {sampled} of {src} are not in {dst} (e.g. "
                    f"{missing[0]!r}): only one region holds them; seed them once with S3 Batch "
                    "Replication (README: Disaster recovery, Every upload)",
                )
            )
        else:
            out.append(Check(f"uploads/{src}", "pass", f"{sampled} of {src} are in {dst}"))
    return out


def verify(ctx: Context) -> list[Check]:
    checks: list[Check] = []
    try:
        account = facts.check_account(ctx)
        checks.append(Check("account", "pass", account))
    except StepFailed as err:
        return [Check("account", "fail", str(err))]
    for region in ctx.outputs.regions():
        checks += _guard(
            f"{region.region}", region.region, functools.partial(_verify_region, ctx, region)
        )
    if ctx.outputs.dr.replication is not None:
        checks += _guard(
            "uploads", ctx.outputs.primary.region, functools.partial(_uploads_seeded, ctx)
        )
    return checks
