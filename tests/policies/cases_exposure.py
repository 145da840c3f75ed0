# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: Public exposure rules.

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

import json

from guardrails import tokens as t
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

TWINS = [
    ("service-not-public", t.REDSHIFT_CLUSTER, {"publiclyAccessible": True}, {"publiclyAccessible": False}, "`publiclyAccessible: false`"),
    ("service-not-public", t.DMS_REPLICATION_INSTANCE, {"publiclyAccessible": True}, {}, "`publiclyAccessible: false`"),
    ("service-not-public", t.OPENSEARCH_DOMAIN, {}, {"vpcOptions": {"subnetIds": ["s"]}}, "`vpcOptions.subnetIds`"),
    ("service-not-public", t.ELASTICSEARCH_DOMAIN, {}, {"vpcOptions": {"subnetIds": ["s"]}}, "`vpcOptions.subnetIds`"),
    ("service-not-public", t.EKS_CLUSTER, {"vpcConfig": {"subnetIds": ["s"]}}, {"vpcConfig": {"subnetIds": ["s"], "endpointPublicAccess": False}}, "`vpcConfig.endpointPublicAccess: false`"),
    ("service-not-public", t.MSK_CLUSTER, {"brokerNodeGroupInfo": {"connectivityInfo": {"publicAccess": {"type": "SERVICE_PROVIDED_EIPS"}}}}, {"brokerNodeGroupInfo": {"connectivityInfo": {"publicAccess": {"type": "DISABLED"}}}}, "publicAccess.type"),
    ("service-not-public", t.ECS_SERVICE, {"networkConfiguration": {"assignPublicIp": True}}, {"networkConfiguration": {"assignPublicIp": False}}, "`networkConfiguration.assignPublicIp: false`"),
    ("lambda-permission-not-public", t.LAMBDA_PERMISSION, {"principal": "*", "action": "lambda:InvokeFunction"}, {"principal": "*", "action": "lambda:InvokeFunction", "sourceAccount": "123456789012"}, "`principal`"),
    ("no-public-ip", t.LAUNCH_CONFIGURATION, {"associatePublicIpAddress": True}, {"associatePublicIpAddress": False}, "`associatePublicIpAddress: false`"),
]  # fmt: skip
