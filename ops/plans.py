"""Failover and failback as ordered steps.

Every step reads the world before it acts, so a re-run (after a crash, a timeout, Ctrl-C or
SIGKILL) resumes exactly: only the decision that the primary is down is taken once and kept in the
journal. What must hold at every step, whatever order outages, crashes and re-runs come in:

* at most one database accepts writes while users are routed to it: the primary is taken out of
  traffic (its tiers scaled to 0, its Route 53 record held unhealthy) before the DR database is
  promoted, and users are routed only to a region whose database is the sole writer;
* a partition is not an outage: promotion while the operator cannot reach the primary needs
  evidence from outside the operator's network path (the Route 53 health checks' verdict over the
  confirmation window, or, with us-east-1's control planes gone too, replication into the DR
  region stalled for that window);
* failback discards no write: it proceeds only when the returning primary replicates the current
  writer and is caught up within the RPO, and otherwise stops before any change and says how to
  rebuild it.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from ops import facts, topology
from ops.aws import AWS_FAILURES, GLOBAL_REGION, is_regional_trouble, is_unreachable
from ops.outputs import Capacity, StackOutputs, Tier
from ops.runner import Context, Refused, Skip, Step, StepFailed
from ops.topology import Topology


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


def _fact(ctx: Context, key: str) -> Any:
    assert ctx.journal is not None
    return ctx.journal.facts.get(key)


def _rebuild_hint(ctx: Context, writer_region: str) -> str:
    return (
        f"`pulumi config set webstack:dr.activeRegion {writer_region} --stack "
        f"{ctx.outputs.stack} && pulumi up --refresh --stack {ctx.outputs.stack}`"
    )


# --- shared steps ------------------------------------------------------------------------------


def preflight(ctx: Context) -> str:
    """Credentials, account and the DR region. Checked against the DR region's endpoints (STS is
    regional), so that a failover does not depend on the region it fails away from."""
    primary, dr_region = _dr(ctx)
    account = facts.check_account(ctx, dr_region)
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
    notes = [f"account {account}", f"DR region {dr_region} reachable", f"primary {primary}"]
    if ctx.outputs.dr.dns is not None:
        try:
            facts.check_records(ctx)
        except botocore.exceptions.BotoCoreError as err:
            if not is_unreachable(err):
                raise
            notes.append(f"Route 53 control plane ({GLOBAL_REGION}) unreachable: {err}")
    return "; ".join(notes)


def _health_verdict(ctx: Context, region: str) -> tuple[bool | None, str]:
    """Route 53's verdict on ``region``'s records over the confirmation window: True (down:
    every minute failed), False (serving), None (no verdict: no health check, or us-east-1's
    Route 53/CloudWatch cannot be read)."""
    records = [r for r in facts.records_in(ctx, region) if r.health_check_id]
    if not records:
        return None, "no Route 53 health check"
    try:
        states = [facts.check_health(ctx, r.health_check_id or "") for r in records]
    except AWS_FAILURES as err:
        if not is_regional_trouble(err):
            raise
        return None, f"Route 53 health checks unreadable: {err}"
    seen = "; ".join(
        f"health check {s.health_check_id} {s.state}"
        + (f" over {len(s.datapoints)} min" if s.datapoints else "")
        for s in states
    )
    if all(s.state == "unhealthy" for s in states):
        return True, seen
    if any(s.state == "healthy" for s in states):
        return False, seen
    return None, seen


def _replication_stalled(ctx: Context) -> tuple[bool, str]:
    """Evidence from the DR region itself: nothing has replicated in for the whole window."""
    lag = facts.replica_lag_seconds(ctx)
    window = ctx.options.confirm_minutes * 60
    if lag is None:
        return False, "no replication-lag datapoint in the DR region"
    if lag < 0:
        return True, "replication into the DR region has stopped (lag -1)"
    if lag >= window:
        return True, f"replication into the DR region stalled: lag {lag:.0f}s >= {window}s"
    return False, f"replication into the DR region is flowing (lag {lag:.1f}s)"


# --- failover ----------------------------------------------------------------------------------


def confirm_primary_down(ctx: Context) -> str:
    """Decide, once, what kind of failover this is; the decision is journaled."""
    primary, _ = _dr(ctx)
    topo = topology.read(ctx)
    if topo.standby.writes:
        # Promoted by an earlier run (or by hand): finish the failover, fencing the primary.
        _remember(ctx, kind="resumed")
        return (
            f"the DR database already writes ({topo.standby.describe()}); the old primary: "
            f"{topo.primary.describe()}"
        )
    force = ctx.options.force_reason
    verdict, seen = _health_verdict(ctx, primary)
    if topo.primary.reachable:
        if topo.primary.writes and verdict is not True:
            if not force:
                raise StepFailed(
                    f"primary {primary} is not confirmed down ({topo.primary.describe()}; "
                    f"{seen}); a planned failover needs --force REASON"
                )
            _remember(ctx, kind="planned", forceReason=force, evidence=seen)
            return f"primary not down ({seen}); proceeding: --force {force!r}"
        _remember(
            ctx,
            kind="unplanned",
            evidence=f"{topo.primary.describe()}; {seen}",
            outsideEvidence=verdict is True,
        )
        return f"primary {primary} is failing: {topo.primary.describe()}; {seen}"
    # The operator cannot reach the primary: that alone may be a partition of the operator's path.
    if verdict is True:
        _remember(ctx, kind="outage", evidence=seen, outsideEvidence=True)
        return f"primary {primary} down: unreachable from here and {seen}"
    if verdict is None:
        stalled, how = _replication_stalled(ctx)
        if stalled:
            _remember(ctx, kind="outage", evidence=f"{seen}; {how}", outsideEvidence=True)
            return f"primary {primary} down: unreachable from here; {seen}; {how}"
        seen = f"{seen}; {how}"
    if not force:
        raise StepFailed(
            f"partition, not an outage: {primary} is unreachable from here but nothing outside "
            f"this network path says it is down ({seen}); promoting now could make two writers. "
            "Check from another network, or pass --force REASON once the primary's tiers are "
            "known to be stopped"
        )
    _remember(ctx, kind="forced", forceReason=force, evidence=seen)
    return f"primary unreachable, not confirmed down ({seen}); proceeding: --force {force!r}"


def _scale(ctx: Context, region: str, name: str, lo: int, hi: int, want: int) -> str:
    group = facts.asg(ctx, region, name)
    now = (group["MinSize"], group["MaxSize"], group["DesiredCapacity"])
    if now == (lo, hi, want):
        return f"{name} already {lo}/{want}/{hi}"
    ctx.client("autoscaling", region).update_auto_scaling_group(
        AutoScalingGroupName=name, MinSize=lo, MaxSize=hi, DesiredCapacity=want
    )
    return f"{name} {now[0]}/{now[2]}/{now[1]} -> {lo}/{want}/{hi}"


def _tiers(tiers: tuple[Capacity | None, ...]) -> list[Capacity]:
    return [t for t in tiers if t is not None]


def _scale_to_zero(ctx: Context, region: str, tiers: list[Capacity]) -> list[str]:
    return [_scale(ctx, region, t.asg_name, 0, t.max_size, 0) for t in tiers]


def _stopped(ctx: Context, region: str, tiers: list[Capacity]) -> bool:
    """Every tier of ``region`` is scaled to 0 (read now, not remembered)."""
    return all(facts.asg(ctx, region, t.asg_name)["DesiredCapacity"] == 0 for t in tiers)


def _dns_hold(ctx: Context, region: str, serve: bool) -> list[str]:
    """Hold ``region``'s records out of (serve=False) or back in (serve=True) Route 53's answers.

    The primary's record has a traffic switch (a CloudWatch metric in the DR region that its
    calculated check follows): it is set first, as it needs neither the failed region nor
    Route 53's control plane. Every record's probe is also disabled and inverted (control plane,
    us-east-1): two holds, either one enough. With us-east-1 failing, a hold stands on the switch
    alone and a later run adds the other; serving again needs both released."""
    dns = ctx.outputs.dr.dns
    if dns is None:
        return []
    notes = []
    switch = dns.traffic_switch if region == ctx.outputs.primary.region else None
    if switch is not None:
        ctx.client("cloudwatch", switch.region).put_metric_data(
            Namespace=switch.namespace,
            MetricData=[
                {
                    "MetricName": switch.metric_name,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in switch.dimensions.items()],
                    "Value": 1.0 if serve else 0.0,
                }
            ],
        )
        _remember(ctx, primaryServing=serve)
        notes.append(
            f"traffic switch in {switch.region} set to {'serve' if serve else 'hold'} {region}"
        )
    try:
        notes += _hold_probes(ctx, region, serve)
    except AWS_FAILURES as err:
        if switch is None or serve or not is_regional_trouble(err):
            raise
        notes.append(
            f"Route 53 control plane unreachable ({err}): held by the traffic switch alone "
            "until a run reaches it"
        )
    return notes


def _hold_probes(ctx: Context, region: str, serve: bool) -> list[str]:
    notes = []
    for record in facts.records_in(ctx, region):
        if not record.health_check_id:
            raise StepFailed(
                f"route53: record '{record.set_identifier}' has no health check to hold it with"
            )
        health = facts.check_health(ctx, record.health_check_id)
        # Serving: both flags off; held: both on (anything else is set to what is wanted).
        if health.disabled == health.inverted == (not serve):
            notes.append(f"'{record.set_identifier}' already {'served' if serve else 'held'}")
            continue
        # A disabled check counts as healthy whatever the endpoint answers, so disabled and
        # inverted it is unhealthy for good: the hold stays when the old primary answers again
        # (inverting alone would serve a failing primary and drop a passing one back in later).
        ctx.client("route53", GLOBAL_REGION).update_health_check(
            HealthCheckId=record.health_check_id, Disabled=not serve, Inverted=not serve
        )
        _remember(ctx, primaryServing=serve)
        notes.append(
            f"health check {record.health_check_id} of '{record.set_identifier}' "
            + ("back on (probing again)" if serve else "disabled and inverted (held out)")
        )
    return notes


def fence_primary(ctx: Context) -> str:
    """Take the primary out of traffic before the DR database may write: its tiers to 0 and its
    Route 53 record held out. Aurora's managed switchover makes the old primary read-only itself,
    so a planned Aurora failover keeps the primary serving until traffic moves."""
    primary, _ = _dr(ctx)
    kind = _fact(ctx, "kind")
    db = ctx.outputs.dr.database
    assert db is not None
    if kind == "planned" and db.family == "aurora":
        raise Skip("planned Aurora switchover: Aurora makes the old primary read-only itself")
    tiers = _tiers((ctx.outputs.primary.web, ctx.outputs.primary.app))
    notes: list[str] = []
    try:
        notes += _scale_to_zero(ctx, primary, tiers)
        tiers_stopped = True
    except botocore.exceptions.BotoCoreError as err:
        if not is_unreachable(err):
            raise
        notes.append(f"primary tiers unreachable ({err}): fenced by the outage evidence")
        tiers_stopped = False
    try:
        notes += _dns_hold(ctx, primary, serve=False)
    except botocore.exceptions.BotoCoreError as err:
        if not is_unreachable(err):
            raise
        # Route 53's data plane keeps answering with the SECONDARY while the primary's checks
        # fail; holding it out for when they pass again is retried by route-traffic.
        notes.append(f"primary record not held out yet ({err}); route-traffic retries")
    _remember(ctx, primaryTiersStopped=tiers_stopped, fenced=True)
    return "; ".join(notes) or "nothing to fence"


def _require_fenced(ctx: Context, topo: Topology) -> None:
    """The primary takes no traffic: its tiers read 0 now, or it is unreachable after outside
    evidence of the outage (journaled by confirm-primary-down), or the operator forced it."""
    primary = ctx.outputs.primary.region
    tiers = _tiers((ctx.outputs.primary.web, ctx.outputs.primary.app))
    if not topo.primary.reachable:
        # Unreachable now: fenced if fence-primary stopped its tiers while it answered, or if
        # the decision rested on outside evidence (Route 53's checkers, DR-side replication).
        stopped = bool(_fact(ctx, "primaryTiersStopped"))
        evidence = _fact(ctx, "outsideEvidence") or _fact(ctx, "kind") == "forced"
        if _fact(ctx, "fenced") and (stopped or evidence):
            return
        raise StepFailed(
            f"never two writers: {primary} is unreachable and was not confirmed down; re-run "
            "confirm-primary-down's checks (move the journal away) or pass --force REASON"
        )
    try:
        if _stopped(ctx, primary, tiers):
            return
    except botocore.exceptions.BotoCoreError as err:
        if not is_unreachable(err):
            raise
        if _fact(ctx, "fenced"):
            return
    raise StepFailed(
        f"never two writers: the primary's tiers in {primary} still run and its database "
        f"{topo.primary.describe()}; fence-primary scales them to 0 first"
    )


def promote_database(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None
    topo = topology.read(ctx)
    if topo.standby.role == "writer" and topo.standby.writes:
        return f"already the writer: {topo.standby.describe()}"
    if topo.standby.role in ("unreachable", "missing"):
        raise StepFailed(f"the DR database is {topo.standby.describe()}")
    planned_aurora = db.family == "aurora" and _fact(ctx, "kind") == "planned"
    if not planned_aurora:
        _require_fenced(ctx, topo)
    if db.family == "rds":
        assert db.replica_instance_id
        _promote_read_replica(ctx, dr_region, db.replica_instance_id)
        old = topo.primary.describe()
        return f"promoted read replica {db.replica_instance_id} (old writer: {old})"
    return _promote_aurora(ctx, topo, planned_aurora)


def _promote_aurora(ctx: Context, topo: Topology, planned: bool) -> str:
    _, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None and db.global_cluster_id and db.secondary_cluster_arn
    gid, target = db.global_cluster_id, db.secondary_cluster_arn
    rds = ctx.client("rds", dr_region)
    versions = (topo.primary.engine_version, topo.standby.engine_version)
    if planned:
        if versions[0] != versions[1]:
            raise StepFailed(
                f"aurora: engine versions differ (primary {versions[0]}, DR {versions[1]}); AWS "
                "switches over only between identical versions: upgrade the DR cluster first"
            )
        rds.switchover_global_cluster(GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=target)
        how = f"switchover of {gid} to {db.secondary_cluster_id} (no data loss)"
    elif topo.primary.reachable and versions[0] and versions[0] != versions[1]:
        # A managed failover needs identical versions: detaching is the one way left.
        rds.remove_from_global_cluster(GlobalClusterIdentifier=gid, DbClusterIdentifier=target)
        how = (
            f"detached {db.secondary_cluster_id} from {gid} (engine versions differ: "
            f"{versions[0]} / {versions[1]})"
        )
    else:
        rds.failover_global_cluster(
            GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=target, AllowDataLoss=True
        )
        how = f"managed failover (AllowDataLoss) of {gid} to {db.secondary_cluster_id}"
    _remember(ctx, promotion=how)

    def writer() -> tuple[bool, str]:
        now = topology.read(ctx).standby
        return now.writes, now.describe()

    ctx.wait_until(f"{db.secondary_cluster_id} to become the writer", writer)
    return how


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


def add_writer_instance(ctx: Context) -> str:
    """A headless Aurora secondary (no instances, pilot light) gets its writer instance."""
    _, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None and db.failover_instance is not None and db.secondary_cluster_id
    wanted = db.failover_instance
    cluster = facts.cluster(ctx, dr_region, db.secondary_cluster_id)
    members = [m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", [])]
    if members and wanted.identifier not in members:
        return f"{db.secondary_cluster_id} already has instances {members}"
    if not members:
        ctx.client("rds", dr_region).create_db_instance(
            DBInstanceIdentifier=wanted.identifier,
            DBClusterIdentifier=db.secondary_cluster_id,
            DBInstanceClass=wanted.instance_class,
            Engine=cluster["Engine"],
            # As the program declares global members (it adopts this instance on `pulumi up`):
            # minor upgrades are the operator's, secondaries first.
            AutoMinorVersionUpgrade=False,
            PromotionTier=0,
        )

    def available() -> tuple[bool, str]:
        state = facts.instance(ctx, dr_region, wanted.identifier)["DBInstanceStatus"]
        return state == "available", state

    ctx.wait_until(f"{wanted.identifier} to be available", available)
    return (
        f"{wanted.identifier} ({wanted.instance_class}) is the writer of {db.secondary_cluster_id}"
    )


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


def scale_standby(ctx: Context) -> str:
    _, dr_region = _dr(ctx)
    capacity = ctx.outputs.dr.failover_capacity
    assert capacity is not None
    done = [
        _scale(ctx, dr_region, c.asg_name, c.min_size, c.max_size, c.desired_capacity)
        for c in _tiers((capacity.web, capacity.app))
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


def _require_sole_writer(ctx: Context, region: str, other_fenced: bool) -> Topology:
    topo = topology.read(ctx)
    if not topo.sole_writer(region, other_fenced=other_fenced):
        raise StepFailed(
            f"not routing users to {region}: its database is not the only writer "
            f"({topo.primary.describe()}; {topo.standby.describe()})"
        )
    return topo


def route_traffic(ctx: Context) -> str:
    primary, dr_region = _dr(ctx)
    _require_sole_writer(ctx, dr_region, other_fenced=bool(_fact(ctx, "fenced")))
    if ctx.outputs.dr.dns is None:
        raise Skip("no dr.dns (no domain): only CloudFront's origin group fails over, reads only")
    try:
        notes = _dns_hold(ctx, primary, serve=False)
        for record in facts.records_in(ctx, dr_region):
            if record.health_check_id:
                health = facts.check_health(ctx, record.health_check_id)
                if not health.routable:
                    raise StepFailed(
                        f"route53: DR record '{record.set_identifier}' health check "
                        f"{record.health_check_id} is {health.state}: Route 53 would not send "
                        "users there"
                    )
            notes.append(f"Route 53 answers with '{record.set_identifier}'")
    except botocore.exceptions.BotoCoreError as err:
        if not is_unreachable(err):
            raise
        dns = ctx.outputs.dr.dns
        assert dns is not None
        if dns.traffic_switch is None or _fact(ctx, "primaryServing") is not False:
            raise StepFailed(
                f"Route 53 control plane unreachable ({err}): users reach {dr_region} only while "
                f"the primary's health check fails; re-run when it answers to hold {primary} out"
            ) from None
        # The switch (CloudWatch in the DR region) holds the primary's record out through
        # Route 53's data plane, and wait-healthy-targets saw the DR targets healthy.
        return (
            f"Route 53 control plane unreachable ({err}); the traffic switch in "
            f"{dns.traffic_switch.region} holds {primary} out and the DR targets are healthy: "
            f"Route 53's data plane answers with {dr_region}"
        )
    return "; ".join(notes)


# --- failback ----------------------------------------------------------------------------------


def _caught_up(ctx: Context, region: str, name: str) -> str:
    """The returning primary's replication lag, within the RPO (measured, never assumed)."""
    lag = facts.lag_seconds(ctx, region, name)
    rpo = ctx.outputs.dr.rpo
    limit = rpo.seconds if rpo is not None else 0.0
    if lag is None or lag < 0:
        what = "unknown (no recent datapoint)" if lag is None else "stopped (-1)"
        if not ctx.options.force_reason:
            raise StepFailed(
                f"{name} replication lag is {what}: cannot show it is caught up; wait for "
                "CloudWatch to report it, or pass --force REASON"
            )
        return f"lag {what}; --force {ctx.options.force_reason!r}"
    if lag > limit:
        raise StepFailed(
            f"{name} lags {lag:.0f}s behind the writer, more than the RPO {limit:.0f}s: wait "
            "until it catches up, then re-run"
        )
    return f"lag {lag:.1f}s (RPO {limit:.0f}s)"


def confirm_primary_rebuilt(ctx: Context) -> str:
    """The old primary replicates the current writer and is caught up; otherwise stop before any
    change (re-evaluated on every run: the journal is never trusted for this)."""
    primary, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None
    topo = topology.read(ctx)
    if topo.sole_writer(primary):
        return f"already failed back: {topo.primary.describe()}; {topo.standby.describe()}"
    if not topo.standby.writes:
        raise StepFailed(
            f"the DR database is not the writer ({topo.standby.describe()}) and neither is the "
            f"primary ({topo.primary.describe()}): nothing to fail back to; see `status`"
        )
    old, new = topo.primary, topo.standby
    rebuild = _rebuild_hint(ctx, dr_region)
    if not old.reachable or old.role == "missing":
        raise StepFailed(f"the old primary is {old.describe()}: rebuild it with {rebuild}")
    if old.role == "writer":
        raise StepFailed(
            f"two writers: {old.describe()} while {new.describe()}; failing back now would "
            f"discard what was written in {dr_region} since the failover. Rebuild {old.name} as "
            f"a replica of {new.name}: {rebuild}, then re-run failback"
        )
    expected = db.replica_instance_id if db.family == "rds" else db.secondary_cluster_arn
    if not expected or not (old.source == expected or old.source.endswith(f":{expected}")):
        raise StepFailed(
            f"{old.name} replicates {old.source or 'nothing'}, not the writer {new.name}: "
            f"rebuild it with {rebuild}"
        )
    lag = _caught_up(ctx, primary, old.name)
    return f"{old.name} replicates {new.name} from {dr_region}; {lag}"


def fence_standby(ctx: Context) -> str:
    """RDS has no managed switchover: the DR tiers stop writing before the primary is promoted."""
    primary, dr_region = _dr(ctx)
    if topology.read(ctx).sole_writer(primary):
        raise Skip("the primary already is the writer")
    standby = ctx.outputs.dr.standby
    assert standby is not None
    return "; ".join(_scale_to_zero(ctx, dr_region, _tiers((standby.web, standby.app))))


def switch_database_back(ctx: Context) -> str:
    primary, dr_region = _dr(ctx)
    db = ctx.outputs.dr.database
    assert db is not None
    topo = topology.read(ctx)
    if topo.sole_writer(primary):
        return f"already the writer: {topo.primary.describe()}"
    confirm_primary_rebuilt(ctx)  # the state may have changed since that step ran
    if db.family == "aurora":
        assert db.global_cluster_id and ctx.outputs.primary.database
        target = ctx.outputs.primary.database.cluster_arn
        versions = (topo.primary.engine_version, topo.standby.engine_version)
        if versions[0] != versions[1]:
            raise StepFailed(
                f"aurora: engine versions differ (primary {versions[0]}, DR {versions[1]}); AWS "
                "switches over only between identical versions: upgrade the secondary first"
            )
        ctx.client("rds", primary).switchover_global_cluster(
            GlobalClusterIdentifier=db.global_cluster_id, TargetDbClusterIdentifier=target
        )

        def writer() -> tuple[bool, str]:
            now = topology.read(ctx)
            return now.sole_writer(primary), now.primary.describe()

        ctx.wait_until(f"{db.primary_cluster_id} to become the writer", writer)
        return f"switchover of {db.global_cluster_id} to {db.primary_cluster_id} (no data loss)"
    assert db.primary_instance_id and db.replica_instance_id
    standby = ctx.outputs.dr.standby
    assert standby is not None
    if not _stopped(ctx, dr_region, _tiers((standby.web, standby.app))):
        if not ctx.options.force_reason:
            raise StepFailed(
                f"never two writers: {db.replica_instance_id} in {dr_region} still has tiers "
                "writing to it; fence-standby scales them to 0 first (or pass --force REASON)"
            )
        _remember(ctx, twoWritersForced=ctx.options.force_reason)

    def drained() -> tuple[bool, str]:
        lag = facts.lag_seconds(ctx, primary, db.primary_instance_id or "")
        return lag == 0, f"lag {lag}"

    ctx.wait_until(f"{db.primary_instance_id} to replay the last writes", drained)
    _promote_read_replica(ctx, primary, db.primary_instance_id)
    return f"promoted {db.primary_instance_id} in {primary} (caught up)"


def restore_primary_capacity(ctx: Context) -> str:
    """The primary's tiers back at their deployed sizes, healthy, before users return."""
    primary, _ = _dr(ctx)
    tiers: list[Tier] = [t for t in (ctx.outputs.primary.web, ctx.outputs.primary.app) if t]
    done = [
        _scale(ctx, primary, t.asg_name, t.min_size, t.max_size, t.desired_capacity) for t in tiers
    ]
    waited = _wait_targets(
        ctx, primary, [(t.asg_name, t.target_group_arn, t.desired_capacity) for t in tiers]
    )
    return "; ".join([*done, waited])


def route_traffic_back(ctx: Context) -> str:
    primary, _ = _dr(ctx)
    _require_sole_writer(ctx, primary, other_fenced=False)
    if ctx.outputs.dr.dns is None:
        raise Skip("no dr.dns (no domain): nothing to switch back")
    notes = _dns_hold(ctx, primary, serve=True)
    for record in facts.records_in(ctx, primary):
        if not record.health_check_id:
            continue
        check_id = record.health_check_id

        def healthy(check_id: str = check_id) -> tuple[bool, str]:
            state = facts.check_health(ctx, check_id)
            return state.routable, state.state

        ctx.wait_until(f"primary health check {check_id} healthy", healthy)
        notes.append(f"Route 53 answers with '{record.set_identifier}'")
    return "; ".join(notes)


def scale_standby_down(ctx: Context) -> str:
    """The DR tiers back to standby size, but only over a database that is a replica again: over
    a standalone writer (RDS, until `pulumi up` rebuilds it) they stay at 0."""
    primary, dr_region = _dr(ctx)
    standby = ctx.outputs.dr.standby
    assert standby is not None
    tiers = _tiers((standby.web, standby.app))
    topo = topology.read(ctx)
    if topo.standby.role == "writer":
        done = _scale_to_zero(ctx, dr_region, tiers)
        return "; ".join(
            [
                *done,
                f"kept at 0: {topo.standby.describe()}; rebuild it as a replica with "
                f"{_rebuild_hint(ctx, primary)}, then `pulumi up` restores the standby size",
            ]
        )
    return "; ".join(
        _scale(ctx, dr_region, t.asg_name, t.min_size, t.max_size, t.desired_capacity)
        for t in tiers
    )


# --- the plans ---------------------------------------------------------------------------------

PREFLIGHT = Step("preflight", "check identity, account, DR region and DNS records", preflight)


def failover_steps(outputs: StackOutputs) -> list[Step]:
    """The failover of this stack; optional steps only where the stack has what they act on."""
    db = outputs.dr.database
    steps = [
        PREFLIGHT,
        Step(
            "confirm-primary-down",
            "decide: outage, failing primary or planned move (outside evidence)",
            confirm_primary_down,
            once=True,
        ),
        Step(
            "fence-primary",
            "take the primary out of traffic (tiers to 0, Route 53 record held out)",
            fence_primary,
            True,
        ),
        Step(
            "promote-database",
            "make the DR database the writer (never two writers)",
            promote_database,
            True,
        ),
    ]
    if db is not None and db.failover_instance is not None:
        steps.append(
            Step(
                "add-writer-instance",
                "give the headless DR cluster its writer instance",
                add_writer_instance,
                True,
            )
        )
    if outputs.dr.cache is not None:
        steps.append(
            Step(
                "promote-cache",
                "make the DR cache the primary of the global datastore",
                promote_cache,
                True,
            )
        )
    return [
        *steps,
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
    db = outputs.dr.database
    steps = [
        PREFLIGHT,
        Step(
            "confirm-primary-rebuilt",
            "confirm the old primary replicates the writer and is caught up",
            confirm_primary_rebuilt,
        ),
    ]
    if db is not None and db.family == "rds":
        steps.append(
            Step(
                "fence-standby",
                "stop the DR tiers writing (scale them to 0)",
                fence_standby,
                True,
            )
        )
    steps.append(
        Step(
            "switch-database",
            "make the primary region's database the writer",
            switch_database_back,
            True,
        )
    )
    if outputs.dr.cache is not None:
        steps.append(
            Step(
                "switch-cache",
                "make the primary region's cache the primary of the global datastore",
                switch_cache_back,
                True,
            )
        )
    return [
        *steps,
        Step(
            "restore-primary-capacity",
            "scale the primary's tiers to their deployed sizes and wait until healthy",
            restore_primary_capacity,
            True,
        ),
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


def closing_instructions(outputs: StackOutputs, verb: str) -> list[str]:
    """What the operator does after a completed verb, so `pulumi up` describes the new world."""
    primary, dr_region = outputs.primary.region, outputs.dr.region
    writer = dr_region if verb == "failover" else primary
    stack = outputs.stack
    lines = [
        f"next: record the writer's region in the stack, so that `pulumi up` describes it: "
        f"`pulumi config set webstack:dr.activeRegion {writer} --stack {stack} && "
        f"pulumi up --refresh --stack {stack}` (--refresh: the runbook changed what the state "
        "last recorded)"
    ]
    if verb == "failover":
        lines.append(
            f"then, when {primary} is back: that `pulumi up` rebuilds its database as a replica "
            f"of the writer in {dr_region} (a protected old writer first needs `pulumi state "
            f"unprotect <its URN>`); `python -m ops failback --execute` once it has caught up"
        )
    return lines
