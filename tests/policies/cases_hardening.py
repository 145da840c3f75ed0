# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: Hardening and data protection rules (advisory by default).

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING

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

TWINS = [
    ("db-backup-retention", t.DOCDB_CLUSTER, {}, {"backupRetentionPeriod": 7}, "`backupRetentionPeriod: 7`"),
    ("db-backup-retention", t.NEPTUNE_CLUSTER, {"backupRetentionPeriod": 1}, {"backupRetentionPeriod": 14}, "`backupRetentionPeriod: 7`"),
    ("db-backup-retention", t.REDSHIFT_CLUSTER, {}, {"automatedSnapshotRetentionPeriod": 7}, "`automatedSnapshotRetentionPeriod: 7`"),
    ("db-deletion-protection", t.DYNAMODB_TABLE, {}, {"deletionProtectionEnabled": True}, "`deletionProtectionEnabled: true`"),
    ("db-deletion-protection", t.NEPTUNE_CLUSTER, {"deletionProtection": False}, {"deletionProtection": True}, "`deletionProtection: true`"),
    ("dynamodb-point-in-time-recovery", t.DYNAMODB_TABLE, {"pointInTimeRecovery": {"enabled": False}}, {"pointInTimeRecovery": {"enabled": True}}, "`pointInTimeRecovery.enabled: true`"),
    ("lb-deletion-protection", t.LOAD_BALANCERS[0], {}, {"enableDeletionProtection": True}, "`enableDeletionProtection: true`"),
    ("imdsv2-required", t.LAUNCH_CONFIGURATION, {"metadataOptions": {"httpTokens": "optional"}}, {"metadataOptions": {"httpTokens": "required"}}, "httpTokens"),
]  # fmt: skip
