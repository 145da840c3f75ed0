# ruff: noqa: E501 - rule tables read best one case per line
"""Encryption at rest and in transit, beyond the rule table (cases_encryption.py)."""

import json

import pytest
from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING
from support import check, stack_check, stack_resources, urn


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


# --- S3.5 in the shapes real programs write -------------------------------------------------

BUCKET = (t.S3_BUCKETS[1], "assets", {"bucket": "assets"})


def _deny(condition):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"], "Condition": condition}]})  # fmt: skip


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": "false"}},  # hand-written JSON
        {"Bool": {"aws:SecureTransport": ["false"]}},  # get_policy_document, values as a list
        {"Bool": {"aws:SecureTransport": False}},  # json.dumps of a Python False
        {"BoolIfExists": {"aws:securetransport": "False"}},
    ],
    ids=["string", "list", "boolean", "if-exists-any-case"],
)
def test_a_separate_bucket_policy_denying_plain_http_passes_in_every_shape(condition):
    by_dependency = stack_resources(
        [
            BUCKET,
            (t.S3_BUCKET_POLICY, "tls", {"bucket": UNKNOWN_STRING, "policy": _deny(condition)}),
        ],
        {"tls": {"bucket": ["assets"]}},
    )
    assert stack_check("s3-deny-insecure-transport", by_dependency) == []
    by_name = stack_resources([BUCKET, (t.S3_BUCKET_POLICY, "tls", {"bucket": "assets", "policy": _deny(condition)})])  # fmt: skip
    assert stack_check("s3-deny-insecure-transport", by_name) == []


@pytest.mark.parametrize(
    "resources",
    [
        [BUCKET],  # no policy at all
        [
            BUCKET,
            (
                t.S3_BUCKET_POLICY,
                "p",
                {"bucket": "assets", "policy": _deny({"Bool": {"aws:SecureTransport": "true"}})},
            ),
        ],
        [
            BUCKET,
            (
                t.S3_BUCKET_POLICY,
                "p",
                {"bucket": "other", "policy": _deny({"Bool": {"aws:SecureTransport": "false"}})},
            ),
        ],
    ],
    ids=["no-policy", "denies-the-wrong-value", "policy-of-another-bucket"],
)
def test_a_bucket_without_a_tls_deny_is_reported(resources):
    [(at, message)] = stack_check("s3-deny-insecure-transport", stack_resources(resources))
    assert at == urn(*BUCKET[:2]) and "aws:SecureTransport" in message
