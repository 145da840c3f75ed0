# ruff: noqa: E501 - resource tables read best one resource per line
"""dr-cross-region-counterparts: replicated stacks keep a counterpart per primary, per region."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails import tokens as t
from guardrails.disaster_recovery import arn_region, region_of
from guardrails.props import UNKNOWN_STRING
from support import provider, stack_check, stack_resources, urn

POLICY = "dr-cross-region-counterparts"
EAST, WEST = provider("us-east-1", "primary"), provider("us-west-2", "dr")
ARN_WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/abc"
ARN_EAST_KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"


def _aurora(dr_key: Any = ARN_WEST_KEY, *, secondary: bool = True):
    specs = [
        (t.RDS_GLOBAL_CLUSTER, "global", {"globalClusterIdentifier": "g"}),
        (t.RDS_CLUSTER, "db", {"globalClusterIdentifier": UNKNOWN_STRING, "masterUsername": "app"}),
    ]
    deps = {"db": {"globalClusterIdentifier": ["global"]}}
    if secondary:
        specs.append(
            (
                t.RDS_CLUSTER,
                "db-dr",
                {"globalClusterIdentifier": UNKNOWN_STRING, "kmsKeyId": dr_key},
            )
        )
        deps["db-dr"] = {"globalClusterIdentifier": ["global"]}
    return stack_resources(specs, deps, {"global": EAST, "db": EAST, "db-dr": WEST})


def test_aurora_global_database_with_a_secondary_under_its_own_regions_key_passes():
    assert stack_check(POLICY, _aurora()) == []


def test_aurora_global_database_without_a_secondary_is_reported_on_the_primary():
    [(at, message)] = stack_check(POLICY, _aurora(secondary=False))
    assert at == urn(t.RDS_CLUSTER, "db")
    assert "same `globalClusterIdentifier`" in message


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            ARN_EAST_KEY,
            "is encrypted with a key of us-east-1: set `kmsKeyId` to a key of us-west-2",
        ),
        (None, "names no KMS key: set `kmsKeyId` to a key of us-west-2"),
    ],
)
def test_aurora_secondary_needs_a_key_of_its_own_region(key, expected):
    [(at, message)] = stack_check(POLICY, _aurora(key))
    assert at == urn(t.RDS_CLUSTER, "db-dr") and expected in message


def test_a_secondary_key_unknown_in_preview_is_not_judged():
    assert stack_check(POLICY, _aurora(UNKNOWN_STRING)) == []


def _replica(*, key_provider=WEST, with_second_primary: bool = False):
    specs = [
        (t.KMS_KEY, "dr-key", {}),
        (t.RDS_INSTANCE, "db", {"storageEncrypted": True}),
        (
            t.RDS_INSTANCE,
            "db-dr",
            {"replicateSourceDb": UNKNOWN_STRING, "kmsKeyId": UNKNOWN_STRING},
        ),
    ]
    providers = {"dr-key": key_provider, "db": EAST, "db-dr": WEST}
    if with_second_primary:
        specs.append((t.RDS_INSTANCE, "reports", {"storageEncrypted": True}))
        providers["reports"] = EAST
    deps = {"db-dr": {"replicateSourceDb": ["db"], "kmsKeyId": ["dr-key"]}}
    return stack_resources(specs, deps, providers)


def test_cross_region_replica_under_its_regions_key_passes():
    assert stack_check(POLICY, _replica()) == []


def test_cross_region_replica_under_the_source_regions_key_is_reported():
    [(at, message)] = stack_check(POLICY, _replica(key_provider=EAST))
    assert at == urn(t.RDS_INSTANCE, "db-dr") and "key of us-east-1" in message


def test_every_other_primary_database_needs_its_counterpart_too():
    [(at, message)] = stack_check(POLICY, _replica(with_second_primary=True))
    assert at == urn(t.RDS_INSTANCE, "reports") and "`replicateSourceDb`" in message


def test_a_stack_that_replicates_nothing_is_not_judged():
    resources = stack_resources([(t.RDS_INSTANCE, "db", {})], providers={"db": EAST})
    assert stack_check(POLICY, resources) == []


def test_a_resource_of_unknown_region_is_skipped():
    resources = _replica(with_second_primary=True)
    resources[-1].provider = None  # "reports": the default provider, region not sent
    assert stack_check(POLICY, resources) == []


def _cache(*, secondary_provider=WEST, extra_group: bool = False):
    specs = [
        (t.CACHE_REPLICATION_GROUP, "cache", {"engine": "valkey"}),
        (
            t.CACHE_GLOBAL_REPLICATION_GROUP,
            "global-cache",
            {"primaryReplicationGroupId": UNKNOWN_STRING},
        ),
        (
            t.CACHE_REPLICATION_GROUP,
            "cache-dr",
            {"globalReplicationGroupId": UNKNOWN_STRING, "kmsKeyId": ARN_WEST_KEY},
        ),
    ]
    providers = {"cache": EAST, "global-cache": EAST, "cache-dr": secondary_provider}
    if extra_group:
        specs.append((t.CACHE_REPLICATION_GROUP, "sessions", {"engine": "valkey"}))
        providers["sessions"] = EAST
    deps = {
        "global-cache": {"primaryReplicationGroupId": ["cache"]},
        "cache-dr": {"globalReplicationGroupId": ["global-cache"]},
    }
    return stack_resources(specs, deps, providers)


def test_cache_global_datastore_with_a_remote_secondary_passes():
    assert stack_check(POLICY, _cache()) == []


def test_cache_global_datastore_with_its_secondary_in_the_same_region_is_reported():
    [(primary, missing), (secondary, wrong_key)] = stack_check(
        POLICY, _cache(secondary_provider=EAST)
    )
    assert primary == urn(t.CACHE_REPLICATION_GROUP, "cache") and "no secondary" in missing
    assert secondary == urn(t.CACHE_REPLICATION_GROUP, "cache-dr")
    assert "encrypted with a key of us-west-2: set `kmsKeyId` to a key of us-east-1" in wrong_key


def test_every_cache_needs_a_counterpart_once_one_is_global():
    [(at, message)] = stack_check(POLICY, _cache(extra_group=True))
    assert at == urn(t.CACHE_REPLICATION_GROUP, "sessions")
    assert "`aws.elasticache.GlobalReplicationGroup`" in message


def _bucket_replication(replica_key: Any):
    destination: dict[str, Any] = {"bucket": "arn:aws:s3:::uploads-dr"}
    if replica_key is not None:
        destination["encryptionConfiguration"] = {"replicaKmsKeyId": replica_key}
    return stack_resources(
        [
            (t.S3_BUCKETS[1], "uploads", {"bucket": "uploads", "arn": "arn:aws:s3:::uploads"}),
            (t.S3_BUCKETS[1], "uploads-dr", {"bucket": "uploads-dr", "arn": "arn:aws:s3:::uploads-dr"}),
            (t.S3_REPLICATION_CONFIG, "uploads-replication", {"rules": [{"status": "Enabled", "destination": destination}]}),
        ],
        providers={"uploads": EAST, "uploads-dr": WEST, "uploads-replication": EAST},
    )  # fmt: skip


def test_bucket_replication_with_a_replica_key_of_the_destination_region_passes():
    assert stack_check(POLICY, _bucket_replication(ARN_WEST_KEY)) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [(ARN_EAST_KEY, "with a key of us-east-1"), (None, "without a replica key")],
)
def test_bucket_replication_needs_a_replica_key_of_the_destination_region(key, expected):
    [(at, message)] = stack_check(POLICY, _bucket_replication(key))
    assert at == urn(t.S3_REPLICATION_CONFIG, "uploads-replication")
    assert expected in message
    assert "`rules[0].destination.encryptionConfiguration.replicaKmsKeyId`" in message


def test_region_comes_from_the_resource_then_its_provider_then_its_arn():
    [own, by_provider, by_arn, unknown] = stack_resources(
        [
            (t.RDS_INSTANCE, "a", {"region": "eu-west-1"}),
            (t.RDS_INSTANCE, "b", {}),
            (t.RDS_INSTANCE, "c", {"arn": "arn:aws:rds:ap-south-1:1:db:c"}),
            (t.RDS_INSTANCE, "d", {}),
        ],
        providers={"a": EAST, "b": EAST},
    )
    regions = [region_of(r) for r in (own, by_provider, by_arn, unknown)]
    assert regions == ["eu-west-1", "us-east-1", "ap-south-1", None]
    assert arn_region("arn:aws:s3:::bucket") is None
