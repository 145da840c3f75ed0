# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: Encryption at rest and in transit, rule by rule.

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_BOOL, UNKNOWN_STRING

LT_EBS = {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]}
CF_OK = {
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
    "orderedCacheBehaviors": [{"viewerProtocolPolicy": "https-only"}],
    "viewerCertificate": {
        "acmCertificateArn": "arn:cert",
        "minimumProtocolVersion": "TLSv1.2_2021",
    },
    "origins": [{"customOriginConfig": {"originProtocolPolicy": "https-only"}}],
}

COMPLIANT = [
    ("rds-storage-encrypted", t.RDS_CLUSTER, {"storageEncrypted": True}),
    ("rds-storage-encrypted", t.RDS_INSTANCE, {"replicateSourceDb": "arn:db"}),
    ("rds-storage-encrypted", t.RDS_INSTANCE, {"replicateSourceDb": UNKNOWN_STRING}),
    ("rds-storage-encrypted", t.RDS_GLOBAL_CLUSTER, {"storageEncrypted": True}),
    ("rds-storage-encrypted", t.RDS_CLUSTER, {"storageEncrypted": UNKNOWN_BOOL}),
    ("ebs-encrypted", t.EBS_VOLUME, {"encrypted": True}),
    ("ebs-encrypted", t.LAUNCH_TEMPLATE, LT_EBS),
    ("ebs-encrypted", t.LAUNCH_TEMPLATE, {"blockDeviceMappings": [{"noDevice": ""}]}),
    ("ebs-encrypted", t.INSTANCE, {"rootBlockDevice": {"encrypted": True}}),
    ("elasticache-encrypted-at-rest", t.CACHE_REPLICATION_GROUP, {"atRestEncryptionEnabled": True}),
    ("efs-encrypted", t.EFS_FILE_SYSTEM, {"encrypted": True}),
    ("kms-key-rotation", t.KMS_KEY, {"enableKeyRotation": True}),
    ("kms-key-rotation", t.KMS_KEY, {"customerMasterKeySpec": "RSA_2048"}),
    ("sns-topic-encrypted", t.SNS_TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}),
    ("log-group-encrypted", t.LOG_GROUP, {"kmsKeyId": UNKNOWN_STRING}),
    ("elasticache-encrypted-in-transit", t.CACHE_REPLICATION_GROUP, {"transitEncryptionEnabled": True}),
    ("elasticache-encrypted-in-transit", t.CACHE_CLUSTER, {"replicationGroupId": "rg"}),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
    ("lb-listener-https", t.LISTENERS[1], {"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}]}),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "TCP"}),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "HTTPS", "sslPolicy": UNKNOWN_STRING}),
    ("cloudfront-viewer-https", t.CLOUDFRONT_DISTRIBUTION, CF_OK),
    ("cloudfront-modern-tls", t.CLOUDFRONT_DISTRIBUTION, CF_OK),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, CF_OK),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, {"origins": [{"s3OriginConfig": {}}]}),
    ("rds-proxy-require-tls", t.RDS_PROXY, {"requireTls": True}),
]  # fmt: skip

VIOLATIONS = [
    ("rds-storage-encrypted", t.RDS_CLUSTER, {"storageEncrypted": False}, "`storageEncrypted: true`"),
    ("rds-storage-encrypted", t.RDS_INSTANCE, {}, "`storageEncrypted: true`"),
    ("rds-storage-encrypted", t.RDS_GLOBAL_CLUSTER, {"storageEncrypted": False}, "storageEncrypted"),
    ("ebs-encrypted", t.EBS_VOLUME, {"encrypted": False}, "`encrypted: true`"),
    ("ebs-encrypted", t.LAUNCH_TEMPLATE, {"blockDeviceMappings": [{"ebs": {"encrypted": "false"}}]}, 'blockDeviceMappings[0].ebs.encrypted: "true"'),
    ("ebs-encrypted", t.INSTANCE, {"rootBlockDevice": {"encrypted": False}}, "rootBlockDevice.encrypted"),
    ("ebs-encrypted", t.INSTANCE, {"rootBlockDevice": {"encrypted": True}, "ebsBlockDevices": [{"encrypted": False}]}, "ebsBlockDevices[0].encrypted"),
    ("elasticache-encrypted-at-rest", t.CACHE_REPLICATION_GROUP, {}, "atRestEncryptionEnabled: true"),
    ("efs-encrypted", t.EFS_FILE_SYSTEM, {"encrypted": False}, "`encrypted: true`"),
    ("kms-key-rotation", t.KMS_KEY, {}, "`enableKeyRotation: true`"),
    ("sns-topic-encrypted", t.SNS_TOPIC, {}, "kmsMasterKeyId"),
    ("log-group-encrypted", t.LOG_GROUP, {}, "kmsKeyId"),
    ("elasticache-encrypted-in-transit", t.CACHE_REPLICATION_GROUP, {"transitEncryptionEnabled": False}, "transitEncryptionEnabled: true"),
    ("elasticache-encrypted-in-transit", t.CACHE_REPLICATION_GROUP, {"transitEncryptionEnabled": True, "transitEncryptionMode": "preferred"}, '"required"'),
    ("elasticache-encrypted-in-transit", t.CACHE_CLUSTER, {"engine": "memcached"}, "transitEncryptionEnabled"),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]}, '"redirect"'),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"}, "sslPolicy"),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "HTTPS"}, "sslPolicy"),
    ("cloudfront-viewer-https", t.CLOUDFRONT_DISTRIBUTION, {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}}, "defaultCacheBehavior.viewerProtocolPolicy"),
    ("cloudfront-viewer-https", t.CLOUDFRONT_DISTRIBUTION, {"orderedCacheBehaviors": [{}, {"viewerProtocolPolicy": "allow-all"}]}, "orderedCacheBehaviors[1]"),
    ("cloudfront-modern-tls", t.CLOUDFRONT_DISTRIBUTION, {"viewerCertificate": {"cloudfrontDefaultCertificate": True}}, "acmCertificateArn"),
    ("cloudfront-modern-tls", t.CLOUDFRONT_DISTRIBUTION, {"viewerCertificate": {"minimumProtocolVersion": "TLSv1.2_2019"}}, '"TLSv1.2_2021"'),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, {"origins": [{"customOriginConfig": {"originProtocolPolicy": "http-only"}}]}, 'originProtocolPolicy: "https-only"'),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, {"origins": [{"customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1", "TLSv1.2"]}}]}, "originSslProtocols"),
    ("rds-proxy-require-tls", t.RDS_PROXY, {"requireTls": False}, "`requireTls: true`"),
]  # fmt: skip


TWINS: list[tuple[str, str, dict, dict, str]] = []
