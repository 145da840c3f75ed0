# ruff: noqa: E501 - rule tables read best one case per line
"""Encryption at rest and in transit, beyond the rule table (cases_encryption.py)."""

from guardrails import tokens as t
from support import check


def test_rds_cluster_message_reads_as_specified():
    [message] = check(
        "rds-storage-encrypted", t.RDS_CLUSTER, {"storageEncrypted": False}, name="db"
    )
    assert message == (
        "RDS cluster 'db' stores data unencrypted: set `storageEncrypted: true` "
        "(and `kmsKeyId` to a customer-managed key)"
    )


def test_allowed_ssl_policies_are_configurable():
    props = {"protocol": "HTTPS", "sslPolicy": "Custom-1"}
    assert check("lb-listener-https", t.LISTENERS[0], props, config={"allowedSslPolicies": ["Custom-*"]}) == []  # fmt: skip
