# ruff: noqa: E501 - rule tables read best one case per line
"""Public exposure rules."""

import json

import pytest
from conftest import check
from guardrails import tokens as t
from guardrails.base import Resource
from guardrails.exposure import remediate_public_access_block
from guardrails.props import UNKNOWN_STRING

PAB_ON = dict.fromkeys(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"], True)  # fmt: skip
OAC_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"AWS:SourceArn": "arn:cf"}}}]})  # fmt: skip
PUBLIC_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})  # fmt: skip

COMPLIANT = [
    ("db-not-publicly-accessible", t.RDS_INSTANCE, {"publiclyAccessible": False}),
    ("db-not-publicly-accessible", t.RDS_CLUSTER_INSTANCE, {}),
    ("db-not-publicly-accessible", t.RDS_CLUSTER, {"publiclyAccessible": False}),
    ("s3-public-access-block", t.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, PAB_ON),
    ("no-public-ip", t.INSTANCE, {"associatePublicIpAddress": False}),
    ("no-public-ip", t.LAUNCH_TEMPLATE, {"networkInterfaces": [{"associatePublicIpAddress": "false"}]}),
    ("s3-public-access-block", t.S3_PUBLIC_ACCESS_BLOCK, PAB_ON),
    ("s3-no-public-acl", t.S3_ACLS[1], {"acl": "private"}),
    ("s3-no-public-acl", t.S3_BUCKETS[0], {}),
    ("s3-bucket-policy-not-public", t.S3_BUCKET_POLICY, {"policy": OAC_POLICY}),
    ("s3-bucket-policy-not-public", t.S3_BUCKET_POLICY, {"policy": UNKNOWN_STRING}),
]  # fmt: skip

VIOLATIONS = [
    ("db-not-publicly-accessible", t.RDS_INSTANCE, {"publiclyAccessible": True}, "`publiclyAccessible: false`"),
    ("db-not-publicly-accessible", t.RDS_CLUSTER_INSTANCE, {"publiclyAccessible": True}, "`publiclyAccessible: false`"),
    ("db-not-publicly-accessible", t.RDS_CLUSTER, {"publiclyAccessible": True}, "RDS cluster 'r' is reachable from the internet: set `publiclyAccessible: false`"),
    ("s3-public-access-block", t.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, {**PAB_ON, "blockPublicPolicy": False}, "S3 account public access block 'r' leaves public access possible: set `blockPublicPolicy: true`"),
    ("s3-no-public-acl", t.S3_BUCKETS[1], {"grants": [{"type": "CanonicalUser", "id": "me"}, {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}]}, "AuthenticatedUsers: remove `grants[1]`"),
    ("s3-no-public-acl", t.S3_ACLS[0], {"accessControlPolicy": {"grants": [{"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]}}, "remove `accessControlPolicy.grants[0]`"),
    ("no-public-ip", t.INSTANCE, {"associatePublicIpAddress": True}, "`associatePublicIpAddress: false`"),
    ("no-public-ip", t.LAUNCH_TEMPLATE, {"networkInterfaces": [{"associatePublicIpAddress": "true"}]}, 'networkInterfaces[0].associatePublicIpAddress: "false"'),
    ("s3-public-access-block", t.S3_PUBLIC_ACCESS_BLOCK, {**PAB_ON, "restrictPublicBuckets": False}, "`restrictPublicBuckets: true`"),
    ("s3-public-access-block", t.S3_PUBLIC_ACCESS_BLOCK, {}, "`blockPublicAcls: true`"),
    ("s3-no-public-acl", t.S3_ACLS[0], {"acl": "public-read"}, '`acl: "private"`'),
    ("s3-no-public-acl", t.S3_BUCKETS[0], {"acl": "authenticated-read"}, '`acl: "private"`'),
    ("s3-no-public-acl", t.S3_ACLS[1], {"accessControlPolicy": {"grants": [{"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "READ"}]}}, "AllUsers"),
    ("s3-bucket-policy-not-public", t.S3_BUCKET_POLICY, {"policy": PUBLIC_POLICY}, 'Principal "*"'),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "type_", "props"), COMPLIANT)
def test_compliant_resources_pass(policy, type_, props):
    assert check(policy, type_, props) == []


@pytest.mark.parametrize(("policy", "type_", "props", "fix"), VIOLATIONS)
def test_violations_name_the_fix(policy, type_, props, fix):
    messages = check(policy, type_, props)
    assert any(fix in m for m in messages), messages


def test_public_access_block_remediation_turns_every_flag_on_and_keeps_the_rest():
    fixed = remediate_public_access_block(
        Resource(t.S3_PUBLIC_ACCESS_BLOCK, "pab", {"bucket": "b", "blockPublicAcls": False}), {}
    )
    assert fixed == {"bucket": "b", **PAB_ON}
    assert (
        remediate_public_access_block(Resource(t.S3_PUBLIC_ACCESS_BLOCK, "p", PAB_ON), {}) is None
    )
