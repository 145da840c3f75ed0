# ruff: noqa: E501 - rule tables read best one case per line
"""Hardening and data protection rules (advisory by default)."""

import pytest
from conftest import check
from guardrails import tokens as t
from guardrails.base import Resource
from guardrails.hardening import remediate_drop_invalid_headers, remediate_imdsv2
from guardrails.props import UNKNOWN_OBJECT, UNKNOWN_STRING

DB_OK = {"backupRetentionPeriod": 7, "deletionProtection": True, "skipFinalSnapshot": False, "finalSnapshotIdentifier": "db-final"}  # fmt: skip

COMPLIANT = [
    ("imdsv2-required", t.LAUNCH_TEMPLATE, {"metadataOptions": {"httpTokens": "required"}}),
    ("imdsv2-required", t.INSTANCE, {"metadataOptions": {"httpTokens": UNKNOWN_STRING}}),
    ("db-backup-retention", t.RDS_CLUSTER, DB_OK),
    ("db-backup-retention", t.RDS_INSTANCE, {"replicateSourceDb": "primary"}),
    ("db-deletion-protection", t.RDS_GLOBAL_CLUSTER, DB_OK),
    ("db-final-snapshot", t.RDS_INSTANCE, DB_OK),
    ("cache-snapshots", t.CACHE_REPLICATION_GROUP, {"snapshotRetentionLimit": 7}),
    ("cache-snapshots", t.CACHE_CLUSTER, {"engine": "memcached"}),
    ("stateful-resources-protected", t.RDS_CLUSTER, {}),  # protect=True below
    ("lb-drop-invalid-headers", t.LOAD_BALANCERS[0], {"dropInvalidHeaderFields": True}),
    ("lb-drop-invalid-headers", t.LOAD_BALANCERS[0], {"loadBalancerType": "network"}),
]  # fmt: skip

VIOLATIONS = [
    ("imdsv2-required", t.LAUNCH_TEMPLATE, {}, '`metadataOptions.httpTokens: "required"`'),
    ("imdsv2-required", t.INSTANCE, {"metadataOptions": {"httpTokens": "optional"}}, "httpTokens"),
    ("db-backup-retention", t.RDS_CLUSTER, {}, "`backupRetentionPeriod: 7`"),
    ("db-backup-retention", t.RDS_INSTANCE, {"backupRetentionPeriod": 1}, "keeps backups 1 day(s)"),
    ("db-deletion-protection", t.RDS_CLUSTER, {}, "`deletionProtection: true`"),
    ("db-final-snapshot", t.RDS_CLUSTER, {"skipFinalSnapshot": True}, "`skipFinalSnapshot: false`"),
    ("db-final-snapshot", t.RDS_INSTANCE, {"skipFinalSnapshot": False}, "finalSnapshotIdentifier"),
    ("db-final-snapshot", t.RDS_INSTANCE, {"skipFinalSnapshot": False}, '`finalSnapshotIdentifier: "r-final-<suffix>"`'),
    ("db-final-snapshot", t.RDS_CLUSTER, {"skipFinalSnapshot": True}, '`finalSnapshotIdentifier: "r-final-<suffix>"`'),
    ("cache-snapshots", t.CACHE_REPLICATION_GROUP, {"snapshotRetentionLimit": 0}, "snapshotRetentionLimit"),
    ("cache-snapshots", t.CACHE_CLUSTER, {"engine": "valkey"}, "snapshotRetentionLimit"),
    ("stateful-resources-protected", t.S3_BUCKETS[1], {}, "protect=True"),
    ("lb-drop-invalid-headers", t.LOAD_BALANCERS[1], {}, "`dropInvalidHeaderFields: true`"),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "type_", "props"), COMPLIANT)
def test_compliant_resources_pass(policy, type_, props):
    assert check(policy, type_, props, protect=True) == []


@pytest.mark.parametrize(("policy", "type_", "props", "fix"), VIOLATIONS)
def test_violations_name_the_fix(policy, type_, props, fix):
    messages = check(policy, type_, props)
    assert any(fix in m for m in messages), messages


def test_minimum_backup_days_are_configurable():
    props = {"backupRetentionPeriod": 7}
    assert check("db-backup-retention", t.RDS_INSTANCE, props, config={"minimumDays": 14})


def test_imdsv2_remediation_sets_only_http_tokens():
    props = {"imageId": "ami-1", "metadataOptions": {"httpPutResponseHopLimit": 2}}
    fixed = remediate_imdsv2(Resource(t.LAUNCH_TEMPLATE, "lt", props), {})
    assert fixed == {"imageId": "ami-1", "metadataOptions": {"httpPutResponseHopLimit": 2, "httpTokens": "required"}}  # fmt: skip
    unknown = {"metadataOptions": UNKNOWN_OBJECT}
    assert remediate_imdsv2(Resource(t.LAUNCH_TEMPLATE, "lt", unknown), {}) is None


def test_drop_invalid_headers_remediation():
    fixed = remediate_drop_invalid_headers(
        Resource(t.LOAD_BALANCERS[0], "alb", {"internal": False}), {}
    )
    assert fixed == {"internal": False, "dropInvalidHeaderFields": True}
