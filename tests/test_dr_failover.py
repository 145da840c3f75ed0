"""After a failover the program describes the promoted topology (``webstack:dr.activeRegion``).

``python -m ops failover`` promotes the DR database and closes with ``pulumi config set
webstack:dr.activeRegion <dr region>``; failback closes with the primary region. Each step is a
``pulumi up`` of the same program, so each must keep every stateful resource (URN and the inputs
whose change replaces it), except the one AWS cannot turn around in place: a standalone RDS
instance never becomes a replica ("cannot elect new source database for replication",
terraform-provider-aws#4419), so the region that lost the writer rebuilds its instances as
replicas of the current writer (replaced, deleted first, same identifiers). The promoted
database is never replaced: it only stops declaring ``replicate_source_db``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from tests.support.synth import synth
from tests.support.tokens import RDS_CLUSTER, RDS_CLUSTER_INSTANCE, RDS_INSTANCE
from tests.test_dr_identity import identity, stateful
from tools.mockcloud import RecordedResource, Synthesis

PRIMARY, DR = "us-east-1", "us-west-2"
FAMILIES = {"aurora": "aurora-postgresql", "rds": "postgres"}
WARM = {"strategy": "warm-standby", "region": DR, "cidr": "10.1.0.0/16"}
# The config each step runs with: the runbook sets the scalar key dr.activeRegion.
ACTIVE = {"before": None, "failed-over": DR, "failed-back": PRIMARY}
STEPS = list(zip(ACTIVE, list(ACTIVE)[1:], strict=False))


@cache
def deployed(family: str, step: str, dr: tuple[tuple[str, Any], ...] = ()) -> Synthesis:
    overrides: dict[str, Any] = {
        "webstack:dr": {**WARM, **dict(dr)},
        "webstack:database": {"engine": FAMILIES[family]},
    }
    if ACTIVE[step] is not None:
        overrides["webstack:dr.activeRegion"] = ACTIVE[step]
    result = synth("prod", overrides, preview=False)
    assert result.error is None, result.error
    return result


def rds_instances(stack: Synthesis) -> dict[str, RecordedResource]:
    return {r.urn: r for r in stack.of_type(RDS_INSTANCE)}


def writer(stack: Synthesis) -> RecordedResource:
    (found,) = [r for r in stack.of_type(RDS_INSTANCE) if not r.get("replicateSourceDb")]
    return found


# An RDS instance that is a replica declares its source and, being rebuilt when the source
# changes, the options that make that replacement possible.
REBUILT_INPUTS = {"replicateSourceDb", "engine", "dbName", "username"}


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize(("earlier", "later"), STEPS)
def test_failover_and_failback_keep_every_stateful_urn(
    family: str, earlier: str, later: str
) -> None:
    old, new = stateful(deployed(family, earlier)), stateful(deployed(family, later))
    assert set(old) <= set(new), sorted(set(old) - set(new))
    changed = {u for u in old if identity(new[u]) != identity(old[u])}
    if family == "aurora":
        # Aurora: the global cluster's membership flips, the resources stay as they are.
        assert changed == set()
        return
    # RDS: only instances change identity - the promoted one drops its source, the region that
    # lost the writer rebuilds its instances as replicas of the new writer.
    assert {old[u].type for u in changed} <= {RDS_INSTANCE}
    for urn in changed:
        before, after = identity(old[urn]), identity(new[urn])
        differing = {k for k in before if before[k] != after[k]}
        assert differing <= REBUILT_INPUTS, (old[urn].name, differing)
        assert after["identifier"] == before["identifier"]  # the same physical name


@pytest.mark.parametrize(("earlier", "later"), STEPS)
def test_the_promoted_rds_instance_is_kept_and_the_old_writer_is_rebuilt(
    earlier: str, later: str
) -> None:
    before, after = deployed("rds", earlier), deployed("rds", later)
    old_writer, new_writer = writer(before), writer(after)
    assert (old_writer.region, new_writer.region) == (
        (PRIMARY, DR) if later == "failed-over" else (DR, PRIMARY)
    )
    # The promoted instance: the same resource, standalone, never replaced for it.
    promoted_before = rds_instances(before)[new_writer.urn]
    assert promoted_before.get("replicateSourceDb") == old_writer.outputs["arn"]
    assert new_writer.replace_on_changes == () and not new_writer.delete_before_replace
    assert new_writer.protect
    # What a replica inherits (engine, database name, master user) AWS reports on it too
    # (computed outputs of aws.rds.Instance): declared once promoted, with the source's values,
    # they are no change.
    inherited = dict.fromkeys(REBUILT_INPUTS)
    assert identity(new_writer) | inherited == identity(promoted_before) | inherited
    first = writer(deployed("rds", "before"))
    for key in ("engine", "dbName", "username"):
        assert promoted_before.get(key) in (None, first.get(key)), key
        assert new_writer.get(key) in (None, first.get(key)), key
    # Every instance of the other region replicates the new writer, and is rebuilt so.
    others = [r for r in after.of_type(RDS_INSTANCE) if r.region == old_writer.region]
    assert {r.urn for r in others} >= {old_writer.urn}
    for r in others:
        assert r.get("replicateSourceDb") == new_writer.outputs["arn"], r.name
        assert r.replace_on_changes == ("replicateSourceDb",) and r.delete_before_replace
        assert r.get("username") is None and r.get("dbName") is None
        assert r.get("kmsKeyId") == rds_instances(before)[r.urn].get("kmsKeyId")
    rebuilt = rds_instances(after)[old_writer.urn]
    assert rebuilt.get("backupRetentionPeriod") == 14 and rebuilt.get("multiAz") is True


def test_the_rds_failback_returns_to_the_first_topology() -> None:
    first, back = (
        rds_instances(deployed("rds", "before")),
        rds_instances(deployed("rds", "failed-back")),
    )
    assert set(first) == set(back)
    for urn, r in first.items():
        assert identity(back[urn]) == identity(r), r.name


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_outputs_name_the_writers_region(family: str) -> None:
    for step, region in (("before", PRIMARY), ("failed-over", DR), ("failed-back", PRIMARY)):
        assert deployed(family, step).outputs["dr"]["activeRegion"] == region, step


@pytest.mark.parametrize("family", list(FAMILIES))
def test_cloudfronts_writes_follow_the_writer(family: str) -> None:
    for step, origin in (("before", "alb"), ("failed-over", "alb-dr"), ("failed-back", "alb")):
        (distribution,) = deployed(family, step).of_type("aws:cloudfront/distribution:Distribution")
        assert distribution.get("defaultCacheBehavior", "targetOriginId") == origin, step


def test_aurora_keeps_its_resources_through_failover() -> None:
    before, after = deployed("aurora", "before"), deployed("aurora", "failed-over")
    for kind in (RDS_CLUSTER, RDS_CLUSTER_INSTANCE):
        assert {r.urn for r in before.of_type(kind)} == {r.urn for r in after.of_type(kind)}


# --- a headless Aurora secondary (pilot light, dr.secondaryReaders 0) -------------------------
HEADLESS = (("strategy", "pilot-light"), ("secondaryReaders", 0))


def dr_cluster_instances(stack: Synthesis) -> list[RecordedResource]:
    return [r for r in stack.of_type(RDS_CLUSTER_INSTANCE) if r.region == DR]


def test_a_headless_secondary_names_the_writer_the_runbook_adds() -> None:
    stack = deployed("aurora", "before", HEADLESS)
    assert dr_cluster_instances(stack) == []
    (secondary,) = [c for c in stack.of_type(RDS_CLUSTER) if c.region == DR]
    database = stack.outputs["dr"]["database"]
    assert database["failoverInstance"] == {
        "identifier": f"{secondary.get('clusterIdentifier')}-1",
        "instanceClass": "db.r6g.large",
    }
    # A secondary with readers has its writer already.
    assert deployed("aurora", "before").outputs["dr"]["database"]["failoverInstance"] is None


def test_after_failover_the_program_adopts_the_runbooks_writer_instance() -> None:
    before = deployed("aurora", "before", HEADLESS)
    after = deployed("aurora", "failed-over", HEADLESS)
    (adopted,) = dr_cluster_instances(after)
    identifier = before.outputs["dr"]["database"]["failoverInstance"]["identifier"]
    assert adopted.get("identifier") == identifier
    assert adopted.import_id == identifier  # adopted, not created a second time
    (secondary,) = [c for c in after.of_type(RDS_CLUSTER) if c.region == DR]
    assert adopted.get("clusterIdentifier") == secondary.id
    assert adopted.get("instanceClass") == "db.r6g.large"
    # What the runbook leaves to AWS's defaults does not fail the import.
    assert {"dbParameterGroupName", "tags"} <= set(adopted.ignore_changes)
    # Nothing stateful of the pilot light is replaced by the failover.
    old, new = stateful(before), stateful(after)
    assert set(old) <= set(new)
    assert all(identity(new[u]) == identity(r) for u, r in old.items())


# --- engine versions: one version across the global database, upgrades ordered ---------------
@pytest.mark.parametrize("step", list(ACTIVE))
def test_the_secondary_takes_the_global_clusters_version(step: str) -> None:
    stack = deployed("aurora", step)
    (global_cluster,) = stack.of_type("aws:rds/globalCluster:GlobalCluster")
    (secondary,) = [c for c in stack.of_type(RDS_CLUSTER) if c.region == DR]
    # Derived from the global cluster (its running version), not from config alone.
    assert global_cluster.urn in secondary.property_dependencies["engineVersion"]
    assert "engineVersion" in secondary.ignore_changes


def test_global_members_take_no_automatic_minor_upgrades() -> None:
    stack = deployed("aurora", "before")
    members = stack.of_type(RDS_CLUSTER_INSTANCE)
    assert {r.region for r in members} == {PRIMARY, DR}
    assert all(r.get("autoMinorVersionUpgrade") is False for r in members)
    # Without a global database, AWS's minor upgrades stay on.
    alone = synth("prod", {"webstack:dr": {"strategy": "none"}}, preview=False)
    assert all(
        r.get("autoMinorVersionUpgrade") is True for r in alone.of_type(RDS_CLUSTER_INSTANCE)
    )


def test_under_active_active_the_old_primary_forwards_writes_after_failover() -> None:
    def primary_cluster(active: str | None) -> RecordedResource:
        overrides: dict[str, Any] = {
            "webstack:dr": {**WARM, "strategy": "active-active"},
        }
        if active:
            overrides["webstack:dr.activeRegion"] = active
        stack = synth("prod", overrides, preview=False)
        assert stack.error is None, stack.error
        (cluster,) = [c for c in stack.of_type(RDS_CLUSTER) if c.region == PRIMARY]
        return cluster

    # Latency routing still sends users to the primary region, now a secondary.
    assert primary_cluster(None).get("enableGlobalWriteForwarding") is None
    assert primary_cluster(DR).get("enableGlobalWriteForwarding") is True


# --- pilot light: data live, services idle -----------------------------------------------------
PILOT = (("strategy", "pilot-light"),)


def test_a_pilot_light_idles_on_one_nat_gateway_and_a_small_cache_until_failover() -> None:
    """Issue 17: a region that serves nothing ran a NAT gateway per AZ and a cache of the
    primary's size. Idle: one NAT gateway and two cache.t4g.small; the failover's `pulumi up`
    (dr.activeRegion) restores both in place (the same cache, scaled)."""

    def dr_side(stack: Synthesis) -> tuple[int, RecordedResource, int]:
        nats = [n for n in stack.of_type("aws:ec2/natGateway:NatGateway") if n.region == DR]
        (cache,) = [
            c
            for c in stack.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
            if c.region == DR
        ]
        primary_nats = [
            n for n in stack.of_type("aws:ec2/natGateway:NatGateway") if n.region == PRIMARY
        ]
        return len(nats), cache, len(primary_nats)

    nats, cache, primary_nats = dr_side(deployed("aurora", "before", PILOT))
    assert (nats, primary_nats) == (1, 3)
    assert (cache.get("nodeType"), cache.get("numCacheClusters")) == ("cache.t4g.small", 2)
    assert cache.get("multiAzEnabled") is True
    nats_after, cache_after, _ = dr_side(deployed("aurora", "failed-over", PILOT))
    assert nats_after == 3
    assert cache_after.urn == cache.urn
    assert identity(cache_after) == identity(cache)  # scaled in place, never replaced
    assert cache_after.get("nodeType") == "cache.m7g.large"
    # Warm standby and active-active serve (or stand ready) at once: full NAT from the start.
    warm_nats, _, _ = dr_side(deployed("aurora", "before", (("strategy", "active-active"),)))
    assert warm_nats == 3


def test_after_failover_the_dr_alb_gets_the_edges_waf_rules() -> None:
    """Route 53 sends users straight to the DR ALB once it holds the writer."""

    def regional_acls(stack: Synthesis) -> list[RecordedResource]:
        return [a for a in stack.of_type("aws:wafv2/webAcl:WebAcl") if a.get("scope") == "REGIONAL"]

    assert regional_acls(deployed("rds", "before")) == []
    (acl,) = regional_acls(deployed("rds", "failed-over"))
    assert acl.region == DR
