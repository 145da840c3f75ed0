"""Routine DR changes keep the data where it is, in both regions.

Switching a running stack none -> pilot-light -> warm-standby, and then resizing the standby
(dr.standbySize, dr.failoverCapacity), its Aurora secondary (dr.secondaryReaders) and the primary
(database.readers), must never replace a database, a cache, a bucket, a key, a secret or the
global cluster/datastore: every stateful URN of the earlier configuration is in the later one,
in the same region, with the same replacement-triggering inputs (identifiers, engine, KMS key,
encryption, database name, master user, subnet group, global membership).

Switching from none changes the primary database in place only: the master password moves off
the RDS-managed secret (``manageMasterUserPassword`` true -> false, ``masterPassword``/``password``
set) and IAM database authentication is turned on. None of these is a replacement property of
``aws.rds.Cluster`` or ``aws.rds.Instance`` (pulumi_aws 7.x: the replacement ("forces new")
inputs are the identifiers, ``engine``, ``database_name``/``db_name``,
``master_username``/``username``, ``kms_key_id``, ``storage_encrypted``, the subnet group,
``availability_zone``(s), snapshot/restore sources; ``manage_master_user_password`` documents
itself as "Cannot be set if master_password is provided", i.e. the two are alternatives of one
updatable credential, and RDS's ModifyDBCluster/ModifyDBInstance take both
``ManageMasterUserPassword`` and ``MasterUserPassword``). The test below pins the exact set of
inputs that change, so a new difference shows up here first.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from tests.support.synth import synth
from tests.support.tokens import (
    ELASTICACHE_GLOBAL_GROUP,
    ELASTICACHE_REPLICATION_GROUP,
    ELASTICACHE_SUBNET_GROUP,
    KMS_KEY,
    RANDOM_ID,
    RANDOM_PASSWORD,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_GLOBAL_CLUSTER,
    RDS_INSTANCE,
    RDS_SUBNET_GROUP,
    ROUTE53_RECORD,
    S3_BUCKET,
    S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION,
    SECRETSMANAGER_SECRET,
    STATEFUL_TYPES,
)
from tools.mockcloud import RecordedResource, Synthesis

PRIMARY, DR = "us-east-1", "us-west-2"
# Inputs whose change replaces the resource (or detaches/moves its data). Compared even when
# unset: setting one later would replace the resource just the same.
IDENTITY_INPUTS: dict[str, tuple[str, ...]] = {
    RDS_CLUSTER: (
        "clusterIdentifier",
        "engine",
        "storageEncrypted",
        "kmsKeyId",
        "dbSubnetGroupName",
        "databaseName",
        "masterUsername",
        "globalClusterIdentifier",
        "replicationSourceIdentifier",
    ),
    RDS_INSTANCE: (
        "identifier",
        "engine",
        "storageEncrypted",
        "kmsKeyId",
        "dbSubnetGroupName",
        "dbName",
        "username",
        "replicateSourceDb",
    ),
    RDS_CLUSTER_INSTANCE: ("identifier", "engine", "clusterIdentifier"),
    RDS_GLOBAL_CLUSTER: (
        "globalClusterIdentifier",
        "engine",
        "storageEncrypted",
        "sourceDbClusterIdentifier",
        "databaseName",
    ),
    ELASTICACHE_REPLICATION_GROUP: (
        "replicationGroupId",
        "engine",
        "atRestEncryptionEnabled",
        "kmsKeyId",
        "transitEncryptionEnabled",
        "subnetGroupName",
        "globalReplicationGroupId",
    ),
    ELASTICACHE_GLOBAL_GROUP: ("globalReplicationGroupIdSuffix", "primaryReplicationGroupId"),
    S3_BUCKET: ("bucket", "bucketPrefix", "objectLockEnabled"),
    S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION: ("bucket",),
    KMS_KEY: ("keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId"),
    RDS_SUBNET_GROUP: ("name", "namePrefix"),
    ELASTICACHE_SUBNET_GROUP: ("name",),
    SECRETSMANAGER_SECRET: ("name", "namePrefix"),
    RANDOM_PASSWORD: ("length", "special", "keepers"),
    RANDOM_ID: ("byteLength", "keepers"),
}
# The name each resource is known by in AWS: must be set (and so compared) on every one.
NAMED_BY = {
    RDS_CLUSTER: "clusterIdentifier",
    RDS_INSTANCE: "identifier",
    RDS_CLUSTER_INSTANCE: "identifier",
    RDS_GLOBAL_CLUSTER: "globalClusterIdentifier",
    ELASTICACHE_REPLICATION_GROUP: "replicationGroupId",
    ELASTICACHE_GLOBAL_GROUP: "globalReplicationGroupIdSuffix",
}
# Names the provider chose (auto-naming) that live on in state.
IDENTITY_OUTPUTS = {S3_BUCKET: ("bucket", "arn"), KMS_KEY: ("arn",)}
# Readers come and go with the reader counts: compared when present in both.
SCALED = (RDS_CLUSTER_INSTANCE,)

FAMILIES = {"aurora": "aurora-postgresql", "rds": "postgres"}
DR_SITE = {"region": DR, "cidr": "10.1.0.0/16"}
# The journey of a running prod stack, in order.
STEPS: dict[str, dict[str, Any]] = {
    "none": {"webstack:dr": {"strategy": "none"}},
    "pilot-light": {"webstack:dr": {"strategy": "pilot-light", **DR_SITE}},
    "warm-standby": {"webstack:dr": {"strategy": "warm-standby", **DR_SITE}},
    "warm-standby-resized": {
        "webstack:dr": {
            "strategy": "warm-standby",
            **DR_SITE,
            "standbySize": 3,
            "failoverCapacity": 4,
            "secondaryReaders": 2,
        },
        "webstack:database": {"readers": 2},
    },
}
JOURNEY = list(zip(STEPS, list(STEPS)[1:], strict=False))


@cache
def deployed(family: str, step: str) -> Synthesis:
    overrides = dict(STEPS[step])
    overrides["webstack:database"] = {
        **overrides.get("webstack:database", {}),
        "engine": FAMILIES[family],
    }
    result = synth("prod", overrides, preview=False)
    assert result.error is None, result.error
    return result


def stateful(stack: Synthesis) -> dict[str, RecordedResource]:
    return {r.urn: r for r in stack.resources if r.type in STATEFUL_TYPES}


def identity(resource: RecordedResource) -> dict[str, Any]:
    values: dict[str, Any] = {"region": resource.region}
    values |= {key: resource.get(key) for key in IDENTITY_INPUTS[resource.type]}
    named_by = NAMED_BY.get(resource.type)
    if named_by is not None:
        assert values[named_by], f"{resource.name}.{named_by} is unset"
    for key in IDENTITY_OUTPUTS.get(resource.type, ()):
        values[f"output:{key}"] = resource.outputs.get(key)
        assert values[f"output:{key}"] is not None, f"{resource.name}.{key} is unresolved"
    return values


def test_the_journey_covers_every_step_in_order() -> None:
    assert JOURNEY == [
        ("none", "pilot-light"),
        ("pilot-light", "warm-standby"),
        ("warm-standby", "warm-standby-resized"),
    ]


# The one replacement AWS forces on the journey: pilot light runs a cache of the DR region's own
# (the standby's tiers need one to turn healthy), and an existing replication group cannot join
# a global datastore (only CreateReplicationGroup takes GlobalReplicationGroupId). So warm-standby
# replaces it with the datastore's secondary; it held only the sessions of a region serving
# nothing. Its stateful resources are protected in prod: docs/disaster-recovery.md, "Switching".
REGIONAL_DR_CACHE = "webstack:cache:Cache::webstack-prod-dr-regional"
REPLACED = {("pilot-light", "warm-standby"): REGIONAL_DR_CACHE}


def under(stack: Synthesis, component_urn_suffix: str) -> set[str]:
    (component,) = [r for r in stack.resources if r.urn.endswith(component_urn_suffix)]
    return {r.urn for r in stack.descendants(component.urn)}


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize(("earlier", "later"), JOURNEY)
def test_every_stateful_resource_keeps_its_urn_and_identity(
    family: str, earlier: str, later: str
) -> None:
    before = deployed(family, earlier)
    old, new = stateful(before), stateful(deployed(family, later))
    replaced: set[str] = set()
    if (earlier, later) in REPLACED:
        replaced = under(before, REPLACED[earlier, later]) & set(old)
        assert len(replaced) == 5  # group, subnet group, AUTH secret, password, snapshot suffix
        assert {old[u].region for u in replaced} == {DR, PRIMARY}  # random:* run locally
        assert not replaced & set(new)
        old = {u: r for u, r in old.items() if u not in replaced}
    kept = {u for u, r in old.items() if r.type not in SCALED}
    assert kept <= set(new), sorted(kept - set(new))
    # Readers present before are still there (none is swapped for another).
    readers = {u for u, r in old.items() if r.type in SCALED}
    assert readers <= set(new), sorted(readers - set(new))
    assert len(old) == len(kept) + len(readers)
    for urn, resource in old.items():
        assert new[urn].type == resource.type
        assert identity(new[urn]) == identity(resource), resource.name


PHYSICAL_NAMES = ("name", "identifier", "clusterIdentifier", "replicationGroupId", "bucket")


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize(("earlier", "later"), JOURNEY)
def test_nothing_created_on_the_way_takes_the_name_of_something_it_replaces(
    family: str, earlier: str, later: str
) -> None:
    """Pulumi creates a replacement before it deletes the old resource: the two must never
    share a physical name (AWS would refuse the creation as a duplicate)."""
    before, after = deployed(family, earlier), deployed(family, later)
    old = {r.urn: r for r in before.cloud_resources}
    new = {r.urn: r for r in after.cloud_resources}

    def names(resources: list[RecordedResource]) -> set[tuple[str, str, str, Any]]:
        return {
            (r.type, r.region, key, r.get(key))
            for r in resources
            for key in PHYSICAL_NAMES
            if isinstance(r.get(key), str)
        }

    gone = names([r for u, r in old.items() if u not in new])
    created = names([r for u, r in new.items() if u not in old])
    # Route 53 records are specified below (a known conflict when DR is first turned on).
    assert {n for n in gone & created if n[0] != ROUTE53_RECORD} == set()


def site_records(stack: Synthesis) -> dict[str, RecordedResource]:
    return {r.urn: r for r in stack.of_type(ROUTE53_RECORD) if r.get("name") == "www.example.com"}


def test_turning_dr_on_never_puts_failover_records_beside_the_simple_ones() -> None:
    # Route 53 refuses a failover record set beside a simple one of the same name and type: the
    # PRIMARY record takes the simple A record over (an alias, deleted before it is replaced),
    # and the simple AAAA record goes (the DR load balancer answers IPv4 only).
    before, after = (
        site_records(deployed("aurora", "none")),
        site_records(deployed("aurora", "pilot-light")),
    )
    assert sorted(r.get("type") for r in before.values()) == ["A", "AAAA"]
    assert sorted((r.get("type"), r.get("setIdentifier")) for r in after.values()) == [
        ("A", "primary-us-east-1"),
        ("A", "secondary-us-west-2"),
    ]
    [simple_a] = [u for u, r in before.items() if r.get("type") == "A"]
    [primary] = [r for r in after.values() if r.get("setIdentifier") == "primary-us-east-1"]
    # The record's first alias is where the simple record is now; the second, where a stack from
    # before the Site composition had it (every old URN: tests/test_urn_moves.py).
    assert primary.aliases[0] == simple_a
    assert len(primary.aliases) == 2
    assert primary.delete_before_replace is True
    taken_over = {alias for r in after.values() for alias in r.aliases}
    gone = {(r.get("type"), r.get("name")) for u, r in before.items() if u not in taken_over}
    created = {
        (r.get("type"), r.get("name")) for r in after.values() if not set(r.aliases) & set(before)
    }
    assert gone == {("AAAA", "www.example.com")}
    assert gone & created == set()


@pytest.mark.parametrize("family", list(FAMILIES))
def test_both_regions_hold_stateful_resources_once_mirrored(family: str) -> None:
    for step in ("pilot-light", "warm-standby", "warm-standby-resized"):
        regions = {r.region for r in stateful(deployed(family, step)).values()}
        assert regions == {PRIMARY, DR}, step
    assert {r.region for r in stateful(deployed(family, "none")).values()} == {PRIMARY}


# What may change on the primary database when a running stack turns DR on: the credential
# moves off the RDS-managed secret to the replicated one, and IAM auth is switched on.
IN_PLACE_CHANGES = {
    "aurora": {
        "manageMasterUserPassword",
        "masterPassword",
        "masterUserSecretKmsKeyId",
        "iamDatabaseAuthenticationEnabled",
    },
    "rds": {
        "manageMasterUserPassword",
        "password",
        "masterUserSecretKmsKeyId",
        "iamDatabaseAuthenticationEnabled",
    },
}


def primary_database(stack: Synthesis, family: str) -> RecordedResource:
    kind = RDS_CLUSTER if family == "aurora" else RDS_INSTANCE
    (database,) = [
        r for r in stack.of_type(kind) if r.region == PRIMARY and not r.get("replicateSourceDb")
    ]
    return database


@pytest.mark.parametrize("family", list(FAMILIES))
def test_turning_dr_on_updates_the_primary_database_in_place(family: str) -> None:
    before = primary_database(deployed(family, "none"), family)
    after = primary_database(deployed(family, "pilot-light"), family)
    assert after.urn == before.urn
    assert identity(after) == identity(before)
    changed = {
        key
        for key in set(before.inputs) | set(after.inputs)
        if before.inputs.get(key) != after.inputs.get(key)
    }
    assert changed <= IN_PLACE_CHANGES[family], sorted(changed - IN_PLACE_CHANGES[family])
    assert (before.get("manageMasterUserPassword"), after.get("manageMasterUserPassword")) == (
        True,
        False,
    )
    password = "masterPassword" if family == "aurora" else "password"
    assert before.get(password) is None and after.get(password)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_resize_really_happened_in_place(family: str) -> None:
    before, after = deployed(family, "warm-standby"), deployed(family, "warm-standby-resized")

    def sizes(stack: Synthesis) -> tuple[Any, ...]:
        (group,) = [g for g in stack.of_type("aws:autoscaling/group:Group") if g.region == DR]
        return group.urn, group.get("minSize"), group.get("desiredCapacity")

    (urn_before, *size_before), (urn_after, *size_after) = sizes(before), sizes(after)
    assert urn_before == urn_after
    assert (size_before, size_after) == ([2, 2], [3, 3])
    assert before.outputs["dr"]["failoverCapacity"]["web"]["desiredCapacity"] == 2
    assert after.outputs["dr"]["failoverCapacity"]["web"]["desiredCapacity"] == 4

    def readers(stack: Synthesis, region: str) -> int:
        if family == "aurora":
            return len([i for i in stack.of_type(RDS_CLUSTER_INSTANCE) if i.region == region])
        return len([i for i in stack.of_type(RDS_INSTANCE) if i.region == region])

    # Aurora: the primary writer + readers, the secondary's readers; RDS: the Multi-AZ primary
    # plus its in-region readers, and one cross-Region replica whatever secondaryReaders says.
    if family == "aurora":
        assert (readers(before, PRIMARY), readers(after, PRIMARY)) == (2, 3)
        assert (readers(before, DR), readers(after, DR)) == (1, 2)
    else:
        assert (readers(before, PRIMARY), readers(after, PRIMARY)) == (2, 3)
        assert (readers(before, DR), readers(after, DR)) == (1, 1)
