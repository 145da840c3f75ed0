"""Failover and failback as ordered steps. Each step checks state before it acts, so a re-run
resumes; decisions (which promotion method) are kept in the journal's facts."""

from __future__ import annotations

import botocore.exceptions

from ops import facts
from ops.aws import is_unreachable
from ops.outputs import StackOutputs
from ops.runner import Context, Refused, Skip, Step, StepFailed


def _dr(ctx: Context) -> tuple[str, str]:
    dr = ctx.outputs.dr
    if dr.strategy == "none":
        raise Refused(
            f"outputs: stack {ctx.outputs.stack!r} has no disaster recovery (dr.strategy is "
            "'none'): nothing to fail over"
        )
    if dr.strategy == "backup-restore":
        raise Refused(
            f"outputs: stack {ctx.outputs.stack!r} uses backup-restore: there is no standby to "
            f"promote; recovery is a restore into {dr.region} from vault "
            f"{dr.backup.dr_vault_name if dr.backup else '?'} (README 'Restore')"
        )
    assert dr.region is not None
    return ctx.outputs.primary.region, dr.region


def _remember(ctx: Context, **values: object) -> None:
    assert ctx.journal is not None
    ctx.journal.remember(**values)


def _fact(ctx: Context, key: str) -> object:
    assert ctx.journal is not None
    return ctx.journal.facts.get(key)


# --- shared steps ------------------------------------------------------------------------------


def preflight(ctx: Context) -> str:
    primary, dr_region = _dr(ctx)
    account = facts.check_account(ctx)
    standby = ctx.outputs.dr.standby
    db = ctx.outputs.dr.database
    assert standby is not None and db is not None
    try:
        if db.family == "aurora":
            assert db.secondary_cluster_id is not None
            facts.cluster(ctx, dr_region, db.secondary_cluster_id)
        else:
            assert db.replica_instance_id is not None
            facts.instance(ctx, dr_region, db.replica_instance_id)
        facts.asg(ctx, dr_region, standby.web.asg_name)
    except botocore.exceptions.BotoCoreError as err:
        if is_unreachable(err):
            raise StepFailed(f"DR region {dr_region} unreachable: {err}") from None
        raise
    if ctx.outputs.dr.dns is not None:
        facts.check_records(ctx)
    return f"account {account}; DR region {dr_region} reachable; primary {primary}"


# --- failover ----------------------------------------------------------------------------------


def confirm_primary_down(ctx: Context) -> str:
    primary, _ = _dr(ctx)
    checks = facts.records_in(ctx, primary)
    observations: list[str] = []
    down: bool
    if checks:
        states = [facts.check_health(ctx, r.health_check_id) for r in checks if r.health_check_id]
        down = bool(states) and all(s.state == "unhealthy" or s.inverted for s in states)
        observations = [
            f"health check {s.health_check_id} {s.state}"
            + (f" over {len(s.datapoints)} min" if s.datapoints else "")
            for s in states
        ]
    else:
        web = ctx.outputs.primary.web
        try:
            first = facts.healthy_targets(ctx, primary, web.target_group_arn)[0]
            ctx.sleep(ctx.options.poll)
            second = facts.healthy_targets(ctx, primary, web.target_group_arn)[0]
            down = first == 0 and second == 0
            observations = [f"primary web targets healthy: {first} then {second}"]
        except botocore.exceptions.BotoCoreError as err:
            if not is_unreachable(err):
                raise
            down, observations = True, [f"primary region {primary} unreachable"]
    seen = "; ".join(observations)
    if not down:
        if not ctx.options.force_reason:
            raise StepFailed(
                f"primary {primary} is not confirmed down ({seen}); a planned failover needs "
                "--force REASON"
            )
        _remember(ctx, forceReason=ctx.options.force_reason)
        return f"primary not down ({seen}); proceeding: --force {ctx.options.force_reason!r}"
    return f"primary {primary} down: {seen}"


def _old_writer_accepts_writes(ctx: Context) -> tuple[bool | None, str]:
    """(True/False/None=unreachable, description) for the primary region's writer."""
    primary = ctx.outputs.primary
    db = ctx.outputs.dr.database
    assert db is not None
    try:
        if db.family == "aurora":
            assert db.primary_cluster_id is not None
            state = facts.cluster(ctx, primary.region, db.primary_cluster_id)["Status"]
            return state == "available", f"cluster {db.primary_cluster_id} is {state}"
        assert db.primary_instance_id is not None
        inst = facts.instance(ctx, primary.region, db.primary_instance_id)
        is_writer = not inst.get("ReadReplicaSourceDBInstanceIdentifier")
        state = inst["DBInstanceStatus"]
        return (
            is_writer and state == "available",
            f"instance {db.primary_instance_id} is {state}" + ("" if is_writer else " (replica)"),
        )
    except botocore.exceptions.BotoCoreError as err:
        if is_unreachable(err):
            return None, f"primary region {primary.region} unreachable"
        raise
    except botocore.exceptions.ClientError as err:
        if facts.not_found(err):
            return False, "old writer not found"
        raise


def promote_database(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None
    if db.family == "aurora":
        assert db.global_cluster_id and db.secondary_cluster_arn and db.secondary_cluster_id
        gid, target = db.global_cluster_id, db.secondary_cluster_arn
        members = facts.global_members(ctx, dr_region, gid)
        if members.get(target):
            return f"{db.secondary_cluster_id} is already the writer of {gid}"
        method = _fact(ctx, "promotion")
        if target not in members and method != "managed":
            return f"{db.secondary_cluster_id} already detached from {gid} (standalone writer)"
        if method is None:
            accepts, seen = _old_writer_accepts_writes(ctx)
            method = "detach" if accepts is None else "managed"
            _remember(ctx, promotion=method, oldWriter=seen)
        if method == "managed":
            rds = ctx.client("rds", dr_region)
            rds.failover_global_cluster(
                GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=target
            )

            def writer() -> tuple[bool, str]:
                now = facts.global_members(ctx, dr_region, gid)
                return bool(now.get(target)), "writer " + (
                    next((arn for arn, w in now.items() if w), "none")
                )

            ctx.wait_until(f"{db.secondary_cluster_id} to become the global writer", writer)
            return f"managed failover of {gid} to {db.secondary_cluster_id}"
        rds = ctx.client("rds", dr_region)
        rds.remove_from_global_cluster(GlobalClusterIdentifier=gid, DbClusterIdentifier=target)

        def detached() -> tuple[bool, str]:
            state = facts.cluster(ctx, dr_region, db.secondary_cluster_id or "")["Status"]
            member = target in facts.global_members(ctx, dr_region, gid)
            return (state == "available" and not member), f"{state}, member={member}"

        ctx.wait_until(f"{db.secondary_cluster_id} to stand alone", detached)
        return (
            f"detached {db.secondary_cluster_id} from {gid} (primary unreachable) and promoted it"
        )
    assert db.replica_instance_id is not None
    replica = db.replica_instance_id
    if not facts.instance(ctx, dr_region, replica).get("ReadReplicaSourceDBInstanceIdentifier"):
        return f"{replica} is already a standalone writer"
    accepts, seen = _old_writer_accepts_writes(ctx)
    if accepts:
        if not ctx.options.force_reason:
            raise StepFailed(
                f"never two writers: the old writer still accepts writes ({seen}); stop it or "
                "pass --force REASON"
            )
        _remember(ctx, twoWritersForced=ctx.options.force_reason)
    _promote_read_replica(ctx, dr_region, replica)
    return f"promoted read replica {replica} ({seen})"


def _promote_read_replica(ctx: Context, region: str, name: str) -> None:
    """Promote the read replica ``name`` of ``region`` to a standalone instance (keeping 7 days of
    backups) and wait until it is one and available."""
    ctx.client("rds", region).promote_read_replica(
        DBInstanceIdentifier=name, BackupRetentionPeriod=7
    )

    def promoted() -> tuple[bool, str]:
        inst = facts.instance(ctx, region, name)
        standalone = not inst.get("ReadReplicaSourceDBInstanceIdentifier")
        return standalone and inst["DBInstanceStatus"] == "available", inst["DBInstanceStatus"]

    ctx.wait_until(f"{name} to be promoted", promoted)


def _make_cache_primary(ctx: Context, region: str, group_id: str) -> str:
    """Make `group_id` (in `region`) the primary of the global datastore; resumable."""
    cache = ctx.outputs.dr.cache
    assert cache is not None
    gid = cache.global_replication_group_id

    def role() -> tuple[bool, str]:
        members = facts.global_datastore(ctx, region, gid)
        mine = [m for m in members if (m.replication_group_id, m.region) == (group_id, region)]
        if not mine:
            raise StepFailed(
                f"elasticache: {group_id} ({region}) is not a member of global datastore {gid}"
            )
        return mine[0].role == "PRIMARY", f"{mine[0].role.lower()}, {mine[0].status}"

    if role()[0]:
        return f"{group_id} is already the primary of {gid}"
    ctx.client("elasticache", region).failover_global_replication_group(
        GlobalReplicationGroupId=gid, PrimaryRegion=region, PrimaryReplicationGroupId=group_id
    )
    ctx.wait_until(f"{group_id} to become the primary of {gid}", role)
    return f"failed over global datastore {gid} to {group_id} in {region}"


def promote_cache(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    cache = ctx.outputs.dr.cache
    assert cache is not None
    return _make_cache_primary(ctx, dr_region, cache.secondary_replication_group_id)


def switch_cache_back(ctx: Context) -> str:
    primary, _ = _dr(ctx)
    cache = ctx.outputs.dr.cache
    assert cache is not None
    return _make_cache_primary(ctx, primary, cache.primary_replication_group_id)


def _scale(ctx: Context, region: str, name: str, lo: int, hi: int, want: int) -> str:
    group = facts.asg(ctx, region, name)
    now = (group["MinSize"], group["MaxSize"], group["DesiredCapacity"])
    if now == (lo, hi, want):
        return f"{name} already {lo}/{want}/{hi}"
    ctx.client("autoscaling", region).update_auto_scaling_group(
        AutoScalingGroupName=name, MinSize=lo, MaxSize=hi, DesiredCapacity=want
    )
    return f"{name} {now[0]}/{now[2]}/{now[1]} -> {lo}/{want}/{hi}"


def scale_standby(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    capacity = ctx.outputs.dr.failover_capacity
    assert capacity is not None
    done = [
        _scale(ctx, dr_region, c.asg_name, c.min_size, c.max_size, c.desired_capacity)
        for c in (capacity.web, capacity.app)
        if c is not None
    ]
    return "; ".join(done)


def _wait_targets(ctx: Context, region: str, tiers: list[tuple[str, str, int]]) -> str:
    seen = []
    for name, arn, want in tiers:
        if want == 0:
            continue

        def probe(arn: str = arn, want: int = want) -> tuple[bool, str]:
            healthy, registered = facts.healthy_targets(ctx, region, arn)
            return healthy >= want, f"{healthy}/{want} healthy ({registered} registered)"

        seen.append(f"{name}: " + ctx.wait_until(f"{name} healthy targets", probe))
    return "; ".join(seen) or "no capacity to wait for"


def wait_healthy_targets(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    capacity, standby = ctx.outputs.dr.failover_capacity, ctx.outputs.dr.standby
    assert capacity is not None and standby is not None
    tiers = [(capacity.web.asg_name, standby.web.target_group_arn, capacity.web.desired_capacity)]
    if capacity.app is not None and standby.app is not None:
        tiers.append(
            (capacity.app.asg_name, standby.app.target_group_arn, capacity.app.desired_capacity)
        )
    return _wait_targets(ctx, dr_region, tiers)


def route_traffic(ctx: Context) -> str:
    primary, dr_region = _dr(ctx)
    if ctx.outputs.dr.dns is None:
        raise Skip("no dr.dns (no domain): only CloudFront's origin group fails over, reads only")
    notes = []
    for record in facts.records_in(ctx, primary):
        if not record.health_check_id:
            raise StepFailed(
                f"route53: primary record '{record.set_identifier}' has no health check"
            )
        health = facts.check_health(ctx, record.health_check_id)
        if health.routable:
            # A forced (planned) failover: invert the primary's check so Route 53 fails over.
            ctx.client("route53", "us-east-1").update_health_check(
                HealthCheckId=record.health_check_id, Inverted=True
            )
            _remember(ctx, invertedHealthChecks=[record.health_check_id])
            notes.append(
                f"inverted health check {record.health_check_id} of '{record.set_identifier}'"
            )
        else:
            notes.append(f"'{record.set_identifier}' is out of service ({health.state})")
    for record in facts.records_in(ctx, dr_region):
        if record.health_check_id:
            health = facts.check_health(ctx, record.health_check_id)
            if not health.routable:
                raise StepFailed(
                    f"route53: DR record '{record.set_identifier}' health check "
                    f"{record.health_check_id} is {health.state}: "
                    "Route 53 would not send users there"
                )
        notes.append(f"Route 53 answers with '{record.set_identifier}'")
    return "; ".join(notes)


# --- failback ----------------------------------------------------------------------------------


def confirm_primary_rebuilt(ctx: Context) -> str:
    primary, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None
    if db.family == "aurora":
        arn = ctx.outputs.primary.database.cluster_arn if ctx.outputs.primary.database else None
        if not arn or not db.global_cluster_id:
            raise StepFailed(
                "outputs: primary.database.clusterArn is needed for an aurora failback"
            )
        members = facts.global_members(ctx, primary, db.global_cluster_id)
        if arn not in members:
            raise StepFailed(
                f"aurora: {arn} is not a member of {db.global_cluster_id}: rebuild the old "
                "primary as a secondary (pulumi up) first"
            )
        return f"{db.primary_cluster_id} is {'the writer' if members[arn] else 'a secondary'}"
    assert db.primary_instance_id and db.replica_instance_id
    inst = facts.instance(ctx, primary, db.primary_instance_id)
    source = inst.get("ReadReplicaSourceDBInstanceIdentifier") or ""
    if source and not source.endswith(db.replica_instance_id):
        raise StepFailed(
            f"rds: {db.primary_instance_id} replicates {source}, not {db.replica_instance_id}"
        )
    if not source:
        return f"{db.primary_instance_id} is already a standalone writer"
    return f"{db.primary_instance_id} replicates {db.replica_instance_id} from {dr_region}"


def switch_database_back(ctx: Context) -> str:
    primary, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None
    if db.family == "aurora":
        assert ctx.outputs.primary.database and ctx.outputs.primary.database.cluster_arn
        assert db.global_cluster_id
        gid, target = db.global_cluster_id, ctx.outputs.primary.database.cluster_arn
        if facts.global_members(ctx, primary, gid).get(target):
            return f"{db.primary_cluster_id} is already the writer of {gid}"
        ctx.client("rds", primary).switchover_global_cluster(
            GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=target
        )

        def writer() -> tuple[bool, str]:
            now = facts.global_members(ctx, primary, gid)
            return bool(now.get(target)), "writer " + next((a for a, w in now.items() if w), "none")

        ctx.wait_until(f"{db.primary_cluster_id} to become the global writer", writer)
        return f"switchover of {gid} to {db.primary_cluster_id} (no data loss)"
    assert db.primary_instance_id and db.replica_instance_id
    name = db.primary_instance_id
    if not facts.instance(ctx, primary, name).get("ReadReplicaSourceDBInstanceIdentifier"):
        return f"{name} is already a standalone writer"
    dr_writer = facts.instance(ctx, dr_region, db.replica_instance_id)
    if dr_writer["DBInstanceStatus"] == "available" and not ctx.options.force_reason:
        raise StepFailed(
            f"never two writers: {db.replica_instance_id} in {dr_region} still accepts writes; "
            "stop writes there (scale the DR tier to 0 or stop the instance) or pass --force REASON"
        )
    _promote_read_replica(ctx, primary, name)
    return f"promoted {name} in {primary}"


def route_traffic_back(ctx: Context) -> str:
    primary, _ = _dr(ctx)
    if ctx.outputs.dr.dns is None:
        raise Skip("no dr.dns (no domain): nothing to switch back")
    notes = []
    route53 = ctx.client("route53", "us-east-1")
    for record in facts.records_in(ctx, primary):
        if not record.health_check_id:
            continue
        check_id = record.health_check_id
        if facts.check_health(ctx, check_id).inverted:
            route53.update_health_check(HealthCheckId=check_id, Inverted=False)
            notes.append(f"restored health check {check_id}")

        def healthy(check_id: str = check_id) -> tuple[bool, str]:
            state = facts.check_health(ctx, check_id)
            return state.routable, state.state

        ctx.wait_until(f"primary health check {check_id} healthy", healthy)
        notes.append(f"Route 53 answers with '{record.set_identifier}'")
    return "; ".join(notes)


def scale_standby_down(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    standby = ctx.outputs.dr.standby
    assert standby is not None
    done = [
        _scale(ctx, dr_region, t.asg_name, t.min_size, t.max_size, t.desired_capacity)
        for t in (standby.web, standby.app)
        if t is not None
    ]
    return "; ".join(done)


PREFLIGHT = Step("preflight", "check identity, account, DR region and DNS records", preflight)


def _with_global_datastore(outputs: StackOutputs, step: Step) -> list[Step]:
    """``step`` when the stack has a global datastore (dr.cache), else nothing."""
    return [step] if outputs.dr.cache is not None else []


def failover_steps(outputs: StackOutputs) -> list[Step]:
    """The failover of this stack; a cache step only with a global datastore (dr.cache)."""
    cache = _with_global_datastore(
        outputs,
        Step(
            "promote-cache",
            "make the DR cache the primary of the global datastore",
            promote_cache,
            True,
        ),
    )
    return [
        PREFLIGHT,
        Step(
            "confirm-primary-down",
            "confirm the primary is down (health checks)",
            confirm_primary_down,
        ),
        Step(
            "promote-database",
            "promote the DR data store (never two writers)",
            promote_database,
            True,
        ),
        *cache,
        Step(
            "scale-standby",
            "scale the DR Auto Scaling groups to failover capacity",
            scale_standby,
            True,
        ),
        Step(
            "wait-healthy-targets",
            "wait for healthy targets in the DR region",
            wait_healthy_targets,
        ),
        Step("route-traffic", "make Route 53 send users to the DR region", route_traffic, True),
    ]


def failback_steps(outputs: StackOutputs) -> list[Step]:
    cache = _with_global_datastore(
        outputs,
        Step(
            "switch-cache",
            "make the primary region's cache the primary of the global datastore",
            switch_cache_back,
            True,
        ),
    )
    return [
        PREFLIGHT,
        Step(
            "confirm-primary-rebuilt",
            "confirm the old primary is a secondary again",
            confirm_primary_rebuilt,
        ),
        Step(
            "switch-database",
            "make the primary region's data store the writer",
            switch_database_back,
            True,
        ),
        *cache,
        Step(
            "route-traffic-back",
            "make Route 53 send users to the primary region",
            route_traffic_back,
            True,
        ),
        Step(
            "scale-standby-down",
            "scale the DR Auto Scaling groups back to standby",
            scale_standby_down,
            True,
        ),
    ]
