"""Routine changes keep the data where it is: same URNs, same replacement-relevant inputs.

Resizing instances, adding or removing readers and replicas and moving the backup window are
day-to-day operations. None of them may change what makes Pulumi replace a database, a cache, a
bucket or a key (engine, encryption, key, identifier, name, subnet group, AZ), or the URN that ties
it to state. Instances and replicas present before and after keep theirs; added ones are new.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.synth import synth
from tests.support.tokens import (
    ELASTICACHE_REPLICATION_GROUP,
    ELASTICACHE_SUBNET_GROUP,
    KMS_KEY,
    RANDOM_ID,
    RANDOM_PASSWORD,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    RDS_SUBNET_GROUP,
    S3_BUCKET,
    S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION,
    SECRETSMANAGER_SECRET,
)
from tools.mockcloud import RecordedResource, Synthesis

# An RDS read replica is an aws:rds/instance:Instance with replicateSourceDb; keyed apart here.
REPLICA = "replica"
STATEFUL_TYPES = (
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    ELASTICACHE_REPLICATION_GROUP,
    S3_BUCKET,
    S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION,
    KMS_KEY,
    RDS_SUBNET_GROUP,
    ELASTICACHE_SUBNET_GROUP,
    SECRETSMANAGER_SECRET,
    RANDOM_PASSWORD,
    # The suffix of the final snapshot names: a new one would rename the final snapshots.
    RANDOM_ID,
)
# Inputs whose change replaces the resource (or moves its data).
IDENTITY_INPUTS = {
    RDS_CLUSTER: (
        "engine",
        "storageEncrypted",
        "kmsKeyId",
        "clusterIdentifier",
        "dbSubnetGroupName",
        "databaseName",
        "masterUsername",
    ),
    RDS_INSTANCE: (
        "engine",
        "storageEncrypted",
        "kmsKeyId",
        "identifier",
        "dbSubnetGroupName",
        "dbName",
        "username",
    ),
    RDS_CLUSTER_INSTANCE: ("engine", "identifier", "clusterIdentifier", "availabilityZone"),
    REPLICA: ("identifier", "replicateSourceDb", "kmsKeyId", "availabilityZone"),
    S3_BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION: ("bucket", "rules"),
    RANDOM_ID: ("byteLength", "keepers"),
    ELASTICACHE_REPLICATION_GROUP: (
        "engine",
        "atRestEncryptionEnabled",
        "kmsKeyId",
        "transitEncryptionEnabled",
        "replicationGroupId",
        "subnetGroupName",
    ),
}
# Compared even when unset (None): setting any of them later replaces the resource.
OPTIONAL_IDENTITY_INPUTS = {
    S3_BUCKET: ("bucket", "bucketPrefix", "objectLockEnabled"),
    KMS_KEY: ("keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId", "xksKeyId"),
}
# Names the provider chose (auto-naming) and that live on in state.
IDENTITY_OUTPUTS = {S3_BUCKET: ("bucket", "arn"), KMS_KEY: ("arn",)}
# Readers and replicas come and go with the config: compare those present in both.
SCALED_KINDS = (RDS_CLUSTER_INSTANCE, REPLICA)

BEFORE = {
    "webstack:database": {"instanceClass": "db.r6g.large", "readers": 1},
    "webstack:cache": {"nodeType": "cache.m7g.large", "replicas": 1},
}
AFTER = {
    "webstack:database": {
        "instanceClass": "db.r6g.xlarge",
        "readers": 2,
        "backupWindow": "01:00-02:00",
    },
    "webstack:cache": {"nodeType": "cache.r7g.large", "replicas": 2},
}


def deployed(engine: str, settings: dict[str, Any]) -> Synthesis:
    overrides = {
        "webstack:database": {**settings["webstack:database"], "engine": engine},
        "webstack:cache": settings["webstack:cache"],
    }
    result = synth("prod", overrides, preview=False)
    assert result.error is None, result.error
    return result


def kind(resource: RecordedResource) -> str:
    return (
        REPLICA
        if resource.type == RDS_INSTANCE and resource.get("replicateSourceDb")
        else (resource.type)
    )


def stateful(stack: Synthesis) -> dict[str, RecordedResource]:
    return {r.urn: r for r in stack.resources if r.type in STATEFUL_TYPES}


def identity(resource: RecordedResource) -> dict[str, Any]:
    values = {key: resource.get(key) for key in IDENTITY_INPUTS.get(kind(resource), ())}
    for key, value in values.items():
        assert value is not None, f"{resource.name}.{key} is unresolved"
    for key in OPTIONAL_IDENTITY_INPUTS.get(kind(resource), ()):
        values[key] = resource.get(key)
    for key in IDENTITY_OUTPUTS.get(kind(resource), ()):
        values[f"output:{key}"] = resource.outputs.get(key)
        assert values[f"output:{key}"] is not None, f"{resource.name}.{key} is unresolved"
    return values


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql", "postgres", "mysql"])
def test_resizing_and_rescaling_keep_every_stateful_resource_and_its_identity(
    engine: str,
) -> None:
    before, after = deployed(engine, BEFORE), deployed(engine, AFTER)
    old, new = stateful(before), stateful(after)
    kinds = {kind(r) for r in old.values()}
    # Every stateful type is present, but only one of the two database shapes.
    aurora = engine.startswith("aurora-")
    absent = {RDS_INSTANCE} if aurora else {RDS_CLUSTER, RDS_CLUSTER_INSTANCE}
    assert kinds == set(STATEFUL_TYPES) - absent | ({REPLICA} if not aurora else set())
    fixed = sorted(u for u, r in old.items() if kind(r) not in SCALED_KINDS)
    assert fixed == sorted(u for u, r in new.items() if kind(r) not in SCALED_KINDS)
    scaled = {u for u, r in old.items() if kind(r) in SCALED_KINDS}
    # One reader or replica more: every old one is still there, under the same URN.
    new_scaled = {u for u, r in new.items() if kind(r) in SCALED_KINDS}
    assert scaled < new_scaled
    assert len(new_scaled) == len(scaled) + 1
    for urn, resource in old.items():
        assert kind(new[urn]) == kind(resource), resource.name
        assert identity(new[urn]) == identity(resource), resource.name


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql", "postgres", "mysql"])
def test_the_change_really_happened_in_place(engine: str) -> None:
    before, after = deployed(engine, BEFORE), deployed(engine, AFTER)
    (group_before,) = before.of_type(ELASTICACHE_REPLICATION_GROUP)
    (group_after,) = after.of_type(ELASTICACHE_REPLICATION_GROUP)
    assert group_before.urn == group_after.urn
    assert (group_before.get("nodeType"), group_after.get("nodeType")) == (
        "cache.m7g.large",
        "cache.r7g.large",
    )
    assert (group_before.get("numCacheClusters"), group_after.get("numCacheClusters")) == (2, 3)
    instances_before = before.of_type(RDS_CLUSTER_INSTANCE) + before.of_type(RDS_INSTANCE)
    instances_after = after.of_type(RDS_CLUSTER_INSTANCE) + after.of_type(RDS_INSTANCE)
    assert len(instances_after) == len(instances_before) + 1
    assert {i.get("instanceClass") for i in instances_after} == {"db.r6g.xlarge"}


@pytest.mark.parametrize("engine", ["aurora-postgresql", "postgres"])
def test_existing_instances_stay_in_their_az_when_readers_are_added(engine: str) -> None:
    before, after = deployed(engine, BEFORE), deployed(engine, AFTER)
    old = {r.urn: r for r in before.of_type(RDS_CLUSTER_INSTANCE) + before.of_type(RDS_INSTANCE)}
    new = {r.urn: r for r in after.of_type(RDS_CLUSTER_INSTANCE) + after.of_type(RDS_INSTANCE)}
    assert set(old) <= set(new)
    assert (len(old), len(new)) == (2, 3)  # the writer and one reader, then two readers
    for urn, instance in old.items():
        zone = instance.get("availabilityZone")
        if instance.type == RDS_INSTANCE and not instance.get("replicateSourceDb"):
            continue  # Multi-AZ: AWS places the primary and its standby
        assert zone is not None
        assert new[urn].get("availabilityZone") == zone
        assert new[urn].get("identifier") == instance.get("identifier") is not None
