# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: Encryption at rest and in transit, rule by rule.

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_BOOL, UNKNOWN_OBJECT, UNKNOWN_STRING

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

SEARCH_OK = {
    "encryptAtRest": {"enabled": True},
    "nodeToNodeEncryption": {"enabled": True},
    "domainEndpointOptions": {
        "enforceHttps": True,
        "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
    },
}

COMPLIANT = [
    ("dms-endpoint-ssl", t.DMS_ENDPOINT, {"engineName": "s3"}),
    ("firehose-encrypted", t.FIREHOSE_STREAM, {"kinesisSourceConfiguration": {"kinesisStreamArn": "arn:s"}}),
    ("eks-secrets-encrypted", t.EKS_CLUSTER, {"encryptionConfig": UNKNOWN_OBJECT}),
    ("redshift-require-tls", t.REDSHIFT_PARAMETER_GROUP, {"parameters": [{"name": "require_ssl", "value": UNKNOWN_STRING}]}),
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


TWINS = [
    ("storage-encrypted", t.DOCDB_CLUSTER, {"storageEncrypted": False}, {"storageEncrypted": True}, "`storageEncrypted: true`"),
    ("storage-encrypted", t.NEPTUNE_CLUSTER, {}, {"storageEncrypted": True}, "`storageEncrypted: true`"),
    ("storage-encrypted", t.REDSHIFT_CLUSTER, {"encrypted": "false"}, {}, "`encrypted: true`"),
    ("redshift-require-tls", t.REDSHIFT_CLUSTER, {"clusterParameterGroupName": "default.redshift-1.0"}, {"clusterParameterGroupName": "tls-only"}, "`clusterParameterGroupName`"),
    ("redshift-require-tls", t.REDSHIFT_PARAMETER_GROUP, {"parameters": [{"name": "require_ssl", "value": "false"}]}, {"parameters": [{"name": "require_ssl", "value": "true"}]}, '{name: "require_ssl", value: "true"}'),
    ("search-domain-encrypted", t.OPENSEARCH_DOMAIN, {**SEARCH_OK, "encryptAtRest": {"enabled": False}}, SEARCH_OK, "`encryptAtRest.enabled: true`"),
    ("search-domain-encrypted", t.ELASTICSEARCH_DOMAIN, {**SEARCH_OK, "nodeToNodeEncryption": {}}, SEARCH_OK, "`nodeToNodeEncryption.enabled: true`"),
    ("search-domain-encrypted", t.OPENSEARCH_DOMAIN, {**SEARCH_OK, "domainEndpointOptions": {"enforceHttps": False, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}}, SEARCH_OK, "`domainEndpointOptions.enforceHttps: true`"),
    ("search-domain-encrypted", t.OPENSEARCH_DOMAIN, {**SEARCH_OK, "domainEndpointOptions": {"tlsSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"}}, SEARCH_OK, "`domainEndpointOptions.tlsSecurityPolicy"),
    ("msk-encrypted-in-transit", t.MSK_CLUSTER, {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "TLS_PLAINTEXT"}}}, {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "TLS"}}}, 'clientBroker: "TLS"'),
    ("msk-encrypted-in-transit", t.MSK_CLUSTER, {"encryptionInfo": {"encryptionInTransit": {"inCluster": False}}}, {}, "inCluster: true"),
    ("dms-endpoint-ssl", t.DMS_ENDPOINT, {"engineName": "postgres"}, {"engineName": "postgres", "sslMode": "verify-full"}, '`sslMode: "verify-full"`'),
    ("dax-encrypted", t.DAX_CLUSTER, {"clusterEndpointEncryptionType": "TLS"}, {"clusterEndpointEncryptionType": "TLS", "serverSideEncryption": {"enabled": True}}, "`serverSideEncryption.enabled: true`"),
    ("dax-encrypted", t.DAX_CLUSTER, {"serverSideEncryption": {"enabled": True}}, {"clusterEndpointEncryptionType": "TLS", "serverSideEncryption": {"enabled": True}}, '`clusterEndpointEncryptionType: "TLS"`'),
    ("eks-secrets-encrypted", t.EKS_CLUSTER, {}, {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:key"}}}, "`encryptionConfig"),
    ("kinesis-stream-encrypted", t.KINESIS_STREAM, {"encryptionType": "NONE"}, {"encryptionType": "KMS", "kmsKeyId": "alias/aws/kinesis"}, '`encryptionType: "KMS"`'),
    ("firehose-encrypted", t.FIREHOSE_STREAM, {"serverSideEncryption": {"enabled": False}}, {"serverSideEncryption": {"enabled": True}}, "`serverSideEncryption.enabled: true`"),
    ("sqs-queue-encrypted", t.SQS_QUEUE, {"sqsManagedSseEnabled": False}, {}, "`sqsManagedSseEnabled: true`"),
    ("cloudtrail-encrypted", t.CLOUDTRAIL_TRAIL, {"s3BucketName": "logs"}, {"s3BucketName": "logs", "kmsKeyId": "arn:key"}, "`kmsKeyId`"),
    ("ebs-encryption-by-default", t.EBS_ENCRYPTION_BY_DEFAULT, {"enabled": False}, {"enabled": True}, "`enabled: true`"),
    ("ebs-encrypted", t.LAUNCH_CONFIGURATION, {"rootBlockDevice": {"encrypted": False}}, {"rootBlockDevice": {"encrypted": True}}, "`rootBlockDevice.encrypted: true`"),
    ("classic-lb-tls", t.CLASSIC_LB, {"listeners": [{"lbProtocol": "http", "lbPort": 80}]}, {"listeners": [{"lbProtocol": "https", "lbPort": 443}]}, "`listeners[0].lbProtocol`"),
    ("classic-lb-tls", t.CLASSIC_LB_POLICY, {"policyTypeName": "SSLNegotiationPolicyType", "policyAttributes": [{"name": "Reference-Security-Policy", "value": "ELBSecurityPolicy-2016-08"}]}, {"policyTypeName": "SSLNegotiationPolicyType", "policyAttributes": [{"name": "Reference-Security-Policy", "value": "ELBSecurityPolicy-TLS-1-2-2017-01"}]}, "`policyAttributes`"),
    ("classic-lb-tls", t.CLASSIC_SSL_NEGOTIATION_POLICY, {"attributes": [{"name": "Protocol-TLSv1", "value": "true"}]}, {"attributes": [{"name": "Reference-Security-Policy", "value": "ELBSecurityPolicy-TLS-1-2-2017-01"}]}, "`attributes`"),
]  # fmt: skip
