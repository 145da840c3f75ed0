# ruff: noqa: E501 - rule tables read best one case per line
"""The pack as a process, spoken to over gRPC exactly as the Pulumi CLI does."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format
from guardrails import tokens as t
from pulumi.runtime.proto import analyzer_pb2
from support import urn

from tools.analyzer import UNKNOWN, Provider, StackResource, secret, serialize

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


@pytest.fixture
def configured(pack):
    """Gives a test the pack and restores the default configuration afterwards."""
    yield pack
    pack.configure({})


def res(type_: str, name: str, props: dict, **kw) -> StackResource:
    return StackResource.of(type_, name, props, **kw)


def by_policy(diagnostics):
    return {d.policy_name: d for d in diagnostics}


def test_the_pack_describes_every_policy(pack, policies):
    info = pack.info()
    assert info.name == "webstack-guardrails"
    assert [p.name for p in info.policies] == list(policies)


def test_a_mandatory_violation_names_the_fix(pack):
    [d] = pack.analyze(res(t.RDS_CLUSTER, "db", {"storageEncrypted": False, "backupRetentionPeriod": 7, "deletionProtection": True, "finalSnapshotIdentifier": "f", "enabledCloudwatchLogsExports": ["postgresql"]}, protect=True))  # fmt: skip
    assert (d.policy_name, d.level, d.urn) == ("rds-storage-encrypted", "mandatory", urn(t.RDS_CLUSTER, "db"))  # fmt: skip
    assert d.message.endswith(
        "RDS cluster 'db' stores data unencrypted: set `storageEncrypted: true` "
        "(and `kmsKeyId` to a customer-managed key)"
    )


def test_unknown_values_never_crash_a_policy(pack):
    props = {
        "storageEncrypted": UNKNOWN,
        "backupRetentionPeriod": UNKNOWN,
        "deletionProtection": UNKNOWN,
        "skipFinalSnapshot": UNKNOWN,
        "enabledCloudwatchLogsExports": UNKNOWN,
        "tags": {"Owner": UNKNOWN},
        "vpcSecurityGroupIds": [UNKNOWN],
    }
    diagnostics = pack.analyze(res(t.RDS_CLUSTER, "db", props, protect=True))
    assert diagnostics == []


def test_decided_checks_still_run_beside_unknown_ones(pack):
    props = {"ingress": [
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "fromPort": UNKNOWN, "toPort": UNKNOWN, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": UNKNOWN},
    ]}  # fmt: skip
    diagnostics = pack.analyze(res(t.SECURITY_GROUP, "web", props))
    assert {d.policy_name for d in diagnostics} == {"sg-world-ingress-allowed-ports", "sg-world-ingress-forbidden"}  # fmt: skip
    assert len(diagnostics) == 2  # one each, both about port 22
    assert all("tcp 22" in d.message or "port(s) 22" in d.message for d in diagnostics)
    assert not any("can't run policy" in d.message for d in diagnostics)


def test_secrets_arrive_unwrapped_and_are_judged(pack):
    document = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    struct = serialize({"policy": secret(document)})
    assert json_format.MessageToDict(struct)["policy"] == {**SECRET_SIG, "value": document}
    r = StackResource(urn=urn(t.IAM_POLICY, "admin"), type=t.IAM_POLICY, name="admin", properties=struct)  # fmt: skip
    [d] = pack.analyze(r)
    assert (d.policy_name, d.level) == ("iam-no-wildcard-admin", "mandatory")


def test_a_secret_unknown_is_skipped(pack):
    assert pack.analyze(res(t.IAM_POLICY, "p", {"policy": secret(UNKNOWN)})) == []


def test_configuration_sets_levels_and_options(configured):
    sg = {"ingress": [{"protocol": "tcp", "fromPort": 8443, "toPort": 8443, "cidrBlocks": ["0.0.0.0/0"]}]}  # fmt: skip
    [d] = configured.analyze(res(t.SECURITY_GROUP, "web", sg))
    assert d.policy_name == "sg-world-ingress-allowed-ports"
    configured.configure({"sg-world-ingress-allowed-ports": {"allowedPorts": [443, 8443]}})
    assert configured.analyze(res(t.SECURITY_GROUP, "web", sg)) == []
    configured.configure({"rds-storage-encrypted": "advisory"})
    [d] = configured.analyze(res(t.RDS_GLOBAL_CLUSTER, "g", {"deletionProtection": True}, protect=True))  # fmt: skip
    assert (d.policy_name, d.level) == ("rds-storage-encrypted", "advisory")
    configured.configure({"all": "disabled"})
    assert configured.analyze(res(t.RDS_GLOBAL_CLUSTER, "g", {})) == []


def test_exempt_names_make_a_policy_not_applicable(configured):
    configured.configure({"rds-storage-encrypted": {"exemptNames": ["legacy-*"]}})
    r = res(t.RDS_GLOBAL_CLUSTER, "legacy-db", {"deletionProtection": True}, protect=True)
    request = analyzer_pb2.AnalyzeRequest(type=r.type, properties=r.properties, urn=r.urn, name=r.name, options=analyzer_pb2.AnalyzerResourceOptions(protect=True))  # fmt: skip
    response = configured.stub.Analyze(request)
    assert list(response.diagnostics) == []
    assert [n.policy_name for n in response.not_applicable] == ["rds-storage-encrypted"]


def test_stack_policies_relate_resources_during_preview(pack):
    a = res(t.SUBNET, "app-a", {"availabilityZone": "eu-west-1a", "vpcId": UNKNOWN})
    b = res(t.SUBNET, "app-b", {"availabilityZone": "eu-west-1a", "vpcId": UNKNOWN})
    asg = res(t.AUTOSCALING_GROUP, "app", {"vpcZoneIdentifiers": [UNKNOWN, UNKNOWN]}, property_dependencies={"vpcZoneIdentifiers": (a.urn, b.urn)})  # fmt: skip
    diagnostics = by_policy(pack.analyze_stack([a, b, asg]))
    assert diagnostics["asg-multi-az"].urn == asg.urn
    assert diagnostics["asg-multi-az"].level == "mandatory"


# --- every policy catches a deliberately misconfigured resource through the protocol -------

OPEN_SSH = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
PUBLIC_TRUST = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]})  # fmt: skip
PUBLIC_BUCKET_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}]})  # fmt: skip

M, A = "mandatory", "advisory"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
WORLD_SG = {"protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# One row per rule branch: (policy, type, misconfigured properties, level, part of the fix).
RESOURCE_CASES = [
    ("rds-storage-encrypted", t.RDS_INSTANCE, {"storageEncrypted": False}, M, "`storageEncrypted: true`"),
    ("rds-storage-encrypted", t.RDS_CLUSTER, {"storageEncrypted": False}, M, "`storageEncrypted: true`"),
    ("rds-storage-encrypted", t.RDS_GLOBAL_CLUSTER, {"storageEncrypted": False}, M, "storageEncrypted"),
    ("ebs-encrypted", t.LAUNCH_TEMPLATE, {"blockDeviceMappings": [{"ebs": {"encrypted": "false"}}]}, M, 'blockDeviceMappings[0].ebs.encrypted: "true"'),
    ("ebs-encrypted", t.EBS_VOLUME, {"encrypted": False}, M, "`encrypted: true`"),
    ("ebs-encrypted", t.INSTANCE, {"rootBlockDevice": {"encrypted": False}}, M, "rootBlockDevice.encrypted"),
    ("ebs-encrypted", t.INSTANCE, {"rootBlockDevice": {"encrypted": True}, "ebsBlockDevices": [{"encrypted": False}]}, M, "ebsBlockDevices[0].encrypted"),
    ("elasticache-encrypted-at-rest", t.CACHE_REPLICATION_GROUP, {"atRestEncryptionEnabled": False}, M, "atRestEncryptionEnabled: true"),
    ("efs-encrypted", t.EFS_FILE_SYSTEM, {"encrypted": False}, M, "`encrypted: true`"),
    ("kms-key-rotation", t.KMS_KEY, {"enableKeyRotation": False}, M, "`enableKeyRotation: true`"),
    ("sns-topic-encrypted", t.SNS_TOPIC, {"name": "alerts"}, M, "kmsMasterKeyId"),
    ("log-group-encrypted", t.LOG_GROUP, {"retentionInDays": 30}, A, "kmsKeyId"),
    ("elasticache-encrypted-in-transit", t.CACHE_REPLICATION_GROUP, {"transitEncryptionEnabled": False}, M, "transitEncryptionEnabled: true"),
    ("elasticache-encrypted-in-transit", t.CACHE_REPLICATION_GROUP, {"transitEncryptionEnabled": True, "transitEncryptionMode": "preferred"}, M, '"required"'),
    ("elasticache-encrypted-in-transit", t.CACHE_CLUSTER, {"engine": "memcached"}, M, "transitEncryptionEnabled"),
    ("lb-listener-https", "aws:alb/listener:Listener", {"protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": UNKNOWN}]}, M, '"redirect"'),
    ("lb-listener-https", t.LISTENERS[0], {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"}, M, "sslPolicy"),
    ("cloudfront-viewer-https", t.CLOUDFRONT_DISTRIBUTION, {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}}, M, "defaultCacheBehavior.viewerProtocolPolicy"),
    ("cloudfront-modern-tls", t.CLOUDFRONT_DISTRIBUTION, {"viewerCertificate": {"acmCertificateArn": UNKNOWN, "minimumProtocolVersion": "TLSv1"}}, M, '"TLSv1.2_2021"'),
    ("cloudfront-modern-tls", t.CLOUDFRONT_DISTRIBUTION, {"viewerCertificate": {"cloudfrontDefaultCertificate": True}}, M, "acmCertificateArn"),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, {"origins": [{"domainName": UNKNOWN, "customOriginConfig": {"originProtocolPolicy": "match-viewer"}}]}, M, 'originProtocolPolicy: "https-only"'),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, {"origins": [{"customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1", "TLSv1.2"]}}]}, M, "originSslProtocols"),
    ("rds-proxy-require-tls", t.RDS_PROXY, {"requireTls": False}, M, "`requireTls: true`"),
    ("rds-multi-az", t.RDS_INSTANCE, {"multiAz": False}, M, "`multiAz: true`"),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "single-az", "numCacheNodes": 1}, M, '`azMode: "cross-az"`'),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {"automaticFailoverEnabled": False, "multiAzEnabled": True, "numCacheClusters": 2}, M, "`automaticFailoverEnabled: true`"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {"automaticFailoverEnabled": True, "multiAzEnabled": False, "numCacheClusters": 2}, M, "`multiAzEnabled: true`"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {"automaticFailoverEnabled": True, "multiAzEnabled": True, "numCacheClusters": 1}, M, "`numCacheClusters: 2`"),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": [UNKNOWN]}, M, "vpcZoneIdentifiers"),
    ("lb-multi-subnet", "aws:alb/loadBalancer:LoadBalancer", {"subnets": [UNKNOWN]}, M, "`subnets`"),
    ("sg-world-ingress-allowed-ports", t.SG_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrIpv4": "0.0.0.0/0"}, M, "`referencedSecurityGroupId`"),
    ("sg-world-ingress-allowed-ports", t.SECURITY_GROUP, {"ingress": [{**WORLD_SG, "fromPort": 8080, "toPort": 8080}]}, M, "`ingress[0].securityGroups`"),
    ("sg-world-ingress-allowed-ports", t.SECURITY_GROUP, {"ingress": [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "ipv6CidrBlocks": ["::/0"]}]}, M, "`ingress[0].ipv6CidrBlocks`"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP_RULE, {"type": "ingress", **OPEN_SSH}, M, "`sourceSecurityGroupId`"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP, {"ingress": [OPEN_SSH]}, M, "`ingress[0].cidrBlocks`"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP, {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "ipv6CidrBlocks": ["::/0"]}]}, M, "`ingress[0].ipv6CidrBlocks`"),
    ("sg-world-ingress-forbidden", t.SG_INGRESS_RULE, {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"}, M, "all protocols (-1)"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP, {"ingress": [{**WORLD_SG, "fromPort": 10000, "toPort": 10100}]}, M, "`ingress[0].fromPort` and `ingress[0].toPort`"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP_RULE, {"type": "ingress", **WORLD_SG, "fromPort": 6000, "toPort": 6500}, M, "admin/data port(s) 6379"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP, {"ingress": [{**WORLD_SG, "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"]}]}, M, "0.0.0.0/1, 128.0.0.0/1"),
    ("sg-world-ingress-forbidden", t.SG_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrIpv6": "0::/0"}, M, "`cidrIpv6`"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP_RULE, {"type": "ingress", "protocol": "132", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}, M, "admits protocol 132"),
    ("sg-world-ingress-forbidden", t.SECURITY_GROUP, {"ingress": [{"protocol": "sctp", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}, M, "admits protocol sctp"),
    ("db-not-publicly-accessible", t.RDS_CLUSTER_INSTANCE, {"publiclyAccessible": True}, M, "`publiclyAccessible: false`"),
    ("db-not-publicly-accessible", t.RDS_INSTANCE, {"publiclyAccessible": True}, M, "`publiclyAccessible: false`"),
    ("db-not-publicly-accessible", t.RDS_CLUSTER, {"engine": "postgres", "publiclyAccessible": True}, M, "`publiclyAccessible: false`"),
    ("no-public-ip", t.LAUNCH_TEMPLATE, {"networkInterfaces": [{"associatePublicIpAddress": "true"}]}, M, 'networkInterfaces[0].associatePublicIpAddress: "false"'),
    ("no-public-ip", t.INSTANCE, {"associatePublicIpAddress": True}, M, "`associatePublicIpAddress: false`"),
    ("s3-public-access-block", t.S3_PUBLIC_ACCESS_BLOCK, {"bucket": UNKNOWN, "blockPublicAcls": True}, M, "`restrictPublicBuckets: true`"),
    ("s3-public-access-block", t.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": False, "restrictPublicBuckets": True}, M, "`ignorePublicAcls: true`"),
    ("s3-no-public-acl", "aws:s3/bucketAclV2:BucketAclV2", {"bucket": UNKNOWN, "acl": "public-read-write"}, M, '`acl: "private"`'),
    ("s3-no-public-acl", t.S3_BUCKETS[1], {"grants": [{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}]}, M, "remove `grants[0]`"),
    ("s3-no-public-acl", t.S3_ACLS[0], {"bucket": UNKNOWN, "accessControlPolicy": {"grants": [{"grantee": {"type": "Group", "uri": ALL_USERS}, "permission": "READ"}]}}, M, "remove `accessControlPolicy.grants[0]`"),
    ("s3-bucket-policy-not-public", t.S3_BUCKET_POLICY, {"bucket": UNKNOWN, "policy": PUBLIC_BUCKET_POLICY}, M, "name the principal"),
    ("iam-no-wildcard-admin", t.IAM_ROLE_POLICY, {"role": UNKNOWN, "policy": _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})}, M, "allows s3:* on every resource"),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}, M, "allows * on every resource"),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": _doc({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b"})}, M, "instead of `NotResource`"),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENT, {"role": UNKNOWN, "policyArn": ADMIN}, M, "`policyArn`"),
    ("iam-no-administrator-access", t.IAM_ROLE, {"managedPolicyArns": [ADMIN]}, M, "`managedPolicyArns[0]`"),
    ("iam-no-administrator-access", t.IAM_POLICY_ATTACHMENT, {"roles": [UNKNOWN], "policyArn": ADMIN}, M, "`policyArn`"),
    ("iam-no-administrator-access", t.IAM_USER_POLICY_ATTACHMENT, {"user": "u", "policyArn": ADMIN}, M, "`policyArn`"),
    ("iam-no-administrator-access", t.IAM_GROUP_POLICY_ATTACHMENT, {"group": "g", "policyArn": ADMIN}, M, "`policyArn`"),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, {"roleName": UNKNOWN, "policyArns": [UNKNOWN, ADMIN]}, M, "`policyArns[1]`"),
    ("iam-no-administrator-access", t.IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE, {"userName": "u", "policyArns": [ADMIN]}, M, "`policyArns[0]`"),
    ("iam-no-administrator-access", t.IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE, {"groupName": "g", "policyArns": [ADMIN]}, M, "`policyArns[0]`"),
    ("iam-trust-not-public", t.IAM_ROLE, {"assumeRolePolicy": PUBLIC_TRUST}, M, "name the service or account principals"),
    ("iam-trust-not-public", t.IAM_ROLE, {"assumeRolePolicy": _doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})}, M, 'Principal "*"'),
    ("imdsv2-required", t.INSTANCE, {"metadataOptions": {"httpTokens": "optional"}}, A, '`metadataOptions.httpTokens: "required"`'),
    ("imdsv2-required", t.LAUNCH_TEMPLATE, {"metadataOptions": {"httpEndpoint": "enabled"}}, A, '`metadataOptions.httpTokens: "required"`'),
    ("db-backup-retention", t.RDS_INSTANCE, {"backupRetentionPeriod": 0}, A, "`backupRetentionPeriod: 7`"),
    ("db-deletion-protection", t.RDS_GLOBAL_CLUSTER, {"deletionProtection": False}, A, "`deletionProtection: true`"),
    ("db-final-snapshot", t.RDS_CLUSTER, {"skipFinalSnapshot": True}, A, "`skipFinalSnapshot: false`"),
    ("db-final-snapshot", t.RDS_INSTANCE, {"skipFinalSnapshot": False}, A, '`finalSnapshotIdentifier: "bad-final-<suffix>"`'),
    ("cache-snapshots", t.CACHE_REPLICATION_GROUP, {"snapshotRetentionLimit": 0}, A, "`snapshotRetentionLimit: 7`"),
    ("cache-snapshots", t.CACHE_CLUSTER, {"engine": "redis", "snapshotRetentionLimit": 0}, A, "`snapshotRetentionLimit: 7`"),
    ("stateful-resources-protected", t.KMS_KEY, {"enableKeyRotation": True}, A, "protect=True"),
    ("lb-drop-invalid-headers", t.LOAD_BALANCERS[0], {"dropInvalidHeaderFields": False}, A, "`dropInvalidHeaderFields: true`"),
    ("lb-access-logs", t.LOAD_BALANCERS[0], {"accessLogs": {"enabled": False, "bucket": ""}}, A, "enabled: true"),
    ("cloudfront-logging", t.CLOUDFRONT_DISTRIBUTION, {"enabled": True}, A, "`loggingConfig.bucket`"),
    ("db-log-exports", t.RDS_CLUSTER, {"enabledCloudwatchLogsExports": []}, A, "`enabledCloudwatchLogsExports`"),
    ("storage-encrypted", t.DOCDB_CLUSTER, {"storageEncrypted": False}, M, "`storageEncrypted: true`"),
    ("redshift-require-tls", t.REDSHIFT_PARAMETER_GROUP, {"family": "redshift-1.0", "parameters": [{"name": "require_ssl", "value": "false"}]}, M, "require_ssl"),
    ("search-domain-encrypted", t.OPENSEARCH_DOMAIN, {"encryptAtRest": {"enabled": False}, "nodeToNodeEncryption": {"enabled": True}, "domainEndpointOptions": {"tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}}, M, "`encryptAtRest.enabled: true`"),
    ("msk-encrypted-in-transit", t.MSK_CLUSTER, {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "PLAINTEXT"}}}, M, 'clientBroker: "TLS"'),
    ("dms-endpoint-ssl", t.DMS_ENDPOINT, {"engineName": "mysql", "sslMode": "none"}, M, "`sslMode"),
    ("dax-encrypted", t.DAX_CLUSTER, {"clusterEndpointEncryptionType": "TLS", "serverSideEncryption": {"enabled": False}}, M, "serverSideEncryption.enabled"),
    ("eks-secrets-encrypted", t.EKS_CLUSTER, {"vpcConfig": {"endpointPublicAccess": False}, "encryptionConfig": {"resources": ["configmaps"]}}, M, "encryptionConfig"),
    ("kinesis-stream-encrypted", t.KINESIS_STREAM, {"shardCount": 1}, M, '`encryptionType: "KMS"`'),
    ("firehose-encrypted", t.FIREHOSE_STREAM, {"destination": "extended_s3"}, M, "serverSideEncryption.enabled"),
    ("sqs-queue-encrypted", t.SQS_QUEUE, {"sqsManagedSseEnabled": False}, M, "`sqsManagedSseEnabled: true`"),
    ("cloudtrail-encrypted", t.CLOUDTRAIL_TRAIL, {"s3BucketName": UNKNOWN}, M, "`kmsKeyId`"),
    ("ebs-encryption-by-default", t.EBS_ENCRYPTION_BY_DEFAULT, {"enabled": False}, M, "`enabled: true`"),
    ("classic-lb-tls", t.CLASSIC_LB, {"listeners": [{"lbProtocol": "http", "lbPort": 80, "instanceProtocol": "http", "instancePort": 80}], "subnets": ["a", "b"]}, M, "`listeners[0].lbProtocol`"),
    ("search-domain-ha", t.ELASTICSEARCH_DOMAIN, {"clusterConfig": {"instanceCount": 1}, "vpcOptions": {"subnetIds": [UNKNOWN]}}, M, "instanceCount: 3"),
    ("dms-replication-instance-multi-az", t.DMS_REPLICATION_INSTANCE, {"multiAz": False}, M, "`multiAz: true`"),
    ("default-security-group-closed", t.DEFAULT_SECURITY_GROUP, {"vpcId": UNKNOWN, "egress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]}, M, "`egress: []`"),
    ("nacl-no-world-admin-ports", t.NETWORK_ACL_RULE, {"networkAclId": UNKNOWN, "ruleAction": "allow", "protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlock": "0.0.0.0/0"}, M, "`cidrBlock`"),
    ("subnet-no-auto-public-ip", t.SUBNET, {"vpcId": UNKNOWN, "mapPublicIpOnLaunch": True}, M, "`mapPublicIpOnLaunch: false`"),
    ("service-not-public", t.EKS_CLUSTER, {"encryptionConfig": {"resources": ["secrets"]}, "vpcConfig": {"subnetIds": [UNKNOWN]}}, M, "endpointPublicAccess: false"),
    ("lambda-permission-not-public", t.LAMBDA_PERMISSION, {"function": UNKNOWN, "principal": "*", "action": "lambda:InvokeFunction"}, M, "`principal`"),
    ("dynamodb-point-in-time-recovery", t.DYNAMODB_TABLE, {"deletionProtectionEnabled": True}, A, "pointInTimeRecovery.enabled"),
    ("lb-deletion-protection", t.LOAD_BALANCERS[0], {"enableDeletionProtection": False}, A, "`enableDeletionProtection: true`"),
    # --- issue 19: what real programs get wrong --------------------------------------------
    ("ecr-repository-policy-not-public", t.ECR_REPOSITORY_POLICY, {"repository": UNKNOWN, "policy": _doc({"Effect": "Allow", "Principal": "*", "Action": ["ecr:PutImage", "ecr:BatchGetImage"]})}, M, "ecr:PutImage"),
    ("ecr-image-scan-on-push", t.ECR_REPOSITORY, {"name": "app"}, A, "scanOnPush: true"),
    ("ecr-tag-immutability", t.ECR_REPOSITORY, {"imageTagMutability": "MUTABLE"}, A, '"IMMUTABLE"'),
    ("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, {"family": "app", "containerDefinitions": json.dumps([{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": "x"}]}])}, M, "containerDefinitions[0].secrets"),
    ("ecs-task-secrets-not-in-environment", t.ECS_TASK_DEFINITION, {"family": "app", "containerDefinitions": secret(json.dumps([{"name": "app", "environment": [{"name": "API_SECRET", "value": "x"}]}]))}, M, "API_SECRET"),
    ("ecs-task-not-privileged", t.ECS_TASK_DEFINITION, {"family": "app", "containerDefinitions": json.dumps([{"name": "app", "privileged": True}])}, A, "privileged: false"),
    ("ecs-task-not-privileged", t.ECS_TASK_DEFINITION, {"family": "app", "networkMode": "host", "containerDefinitions": json.dumps([{"name": "app", "user": "root"}])}, A, "containerDefinitions[0].user"),
    ("ecs-task-read-only-root", t.ECS_TASK_DEFINITION, {"family": "app", "containerDefinitions": json.dumps([{"name": "app"}])}, A, "readonlyRootFilesystem: true"),
    ("ecs-container-insights", t.ECS_CLUSTER, {"settings": [{"name": "containerInsights", "value": "disabled"}]}, A, "containerInsights"),
    ("lambda-runtime-supported", t.LAMBDA_FUNCTION, {"runtime": "python3.7", "role": UNKNOWN}, A, "`runtime`"),
    ("lambda-function-url-not-public", t.LAMBDA_FUNCTION_URL, {"functionName": UNKNOWN, "authorizationType": "NONE"}, A, '"AWS_IAM"'),
    ("lambda-function-url-not-public", t.LAMBDA_PERMISSION, {"function": UNKNOWN, "principal": "*", "action": "lambda:InvokeFunctionUrl", "functionUrlAuthType": "NONE"}, A, "functionUrlAuthType"),
    ("lambda-vpc-multi-subnet", t.LAMBDA_FUNCTION, {"runtime": "python3.13", "vpcConfig": {"subnetIds": [UNKNOWN], "securityGroupIds": [UNKNOWN]}}, M, "vpcConfig.subnetIds"),
    ("mq-broker-multi-az", t.MQ_BROKER, {"engineType": "ActiveMQ", "deploymentMode": "SINGLE_INSTANCE"}, M, "ACTIVE_STANDBY_MULTI_AZ"),
    ("mq-broker-multi-az", t.MQ_BROKER, {"engineType": "RabbitMQ"}, M, "CLUSTER_MULTI_AZ"),
    ("redshift-multi-az", t.REDSHIFT_CLUSTER, {"nodeType": "ra3.xlplus"}, M, "`multiAz: true`"),
    ("redshift-enhanced-vpc-routing", t.REDSHIFT_CLUSTER, {"enhancedVpcRouting": False}, A, "`enhancedVpcRouting: true`"),
    ("classic-lb-acm-certificate", t.CLASSIC_LB, {"listeners": [{"lbProtocol": "https", "lbPort": 443, "instanceProtocol": "http", "instancePort": 80, "sslCertificateId": "arn:aws:iam::123456789012:server-certificate/site"}]}, M, "listeners[0].sslCertificateId"),
    ("cloudfront-origin-https", t.CLOUDFRONT_DISTRIBUTION, {"origins": [{"originId": "web", "customOriginConfig": {"originProtocolPolicy": "match-viewer"}}], "defaultCacheBehavior": {"targetOriginId": "web", "viewerProtocolPolicy": "allow-all"}}, M, "every `viewerProtocolPolicy`"),
    ("cloudfront-origin-group-read-only", t.CLOUDFRONT_DISTRIBUTION, {"originGroups": [{"originId": "site", "members": [{"originId": "a"}, {"originId": "b"}]}], "defaultCacheBehavior": {"targetOriginId": "site", "allowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]}}, M, 'allowedMethods: ["GET", "HEAD", "OPTIONS"]'),
    ("cloudfront-waf", t.CLOUDFRONT_DISTRIBUTION, {"enabled": True}, A, "`webAclId`"),
    ("iam-no-wildcard-resource-writes", t.IAM_ROLE_POLICY, {"role": UNKNOWN, "policy": _doc({"Effect": "Allow", "Action": ["dynamodb:PutItem", "ec2:DescribeVpcs"], "Resource": "*"})}, A, "allows dynamodb:PutItem on every resource"),
    ("apigateway-access-logging", t.APIGATEWAY_STAGE, {"restApi": UNKNOWN, "stageName": "prod"}, A, "accessLogSettings"),
    ("apigateway-access-logging", t.APIGATEWAYV2_STAGE, {"apiId": UNKNOWN, "name": "$default"}, A, "accessLogSettings"),
    ("appsync-field-logging", t.APPSYNC_API, {"authenticationType": "API_KEY"}, A, "fieldLogLevel"),
    ("stepfunctions-logging", t.STATE_MACHINE, {"roleArn": UNKNOWN, "loggingConfiguration": {"level": "OFF"}}, A, "loggingConfiguration"),
    ("eks-audit-logging", t.EKS_CLUSTER, {"enabledClusterLogTypes": ["api"]}, A, "enabledClusterLogTypes"),
]  # fmt: skip


def _stack_case(name):
    if name == "aurora-cluster-min-instances":
        cluster = res(t.RDS_CLUSTER, "db", {"engine": "aurora-postgresql"})
        inst = res(t.RDS_CLUSTER_INSTANCE, "db-0", {"clusterIdentifier": UNKNOWN}, property_dependencies={"clusterIdentifier": (cluster.urn,)})  # fmt: skip
        return [cluster, inst], cluster.urn
    if name == "asg-multi-az":
        s = res(t.SUBNET, "s", {"availabilityZone": "eu-west-1a"})
        asg = res(t.AUTOSCALING_GROUP, "asg", {"vpcZoneIdentifiers": [UNKNOWN]}, property_dependencies={"vpcZoneIdentifiers": (s.urn,)})  # fmt: skip
        return [s, asg], asg.urn
    if name in ("sg-data-tier-sg-references-only", "sg-data-tier-egress"):
        sg = res(t.SECURITY_GROUP, "db-sg", {
            "ingress": [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/8"]}],
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
        })  # fmt: skip
        db = res(t.CACHE_REPLICATION_GROUP, "cache", {"securityGroupIds": [UNKNOWN]}, property_dependencies={"securityGroupIds": (sg.urn,)})  # fmt: skip
        return [sg, db], sg.urn
    if name == "vpc-flow-logs":
        vpc = res(t.VPC, "main", {"cidrBlock": "10.0.0.0/16"})
        return [vpc], vpc.urn
    if name == "neptune-cluster-multi-az":
        cluster = res(t.NEPTUNE_CLUSTER, "graph", {"storageEncrypted": True})
        return [cluster], cluster.urn
    if name == "default-security-group-no-attached-rules":
        vpc = res(t.VPC, "main", {"cidrBlock": "10.0.0.0/16"})
        rule = res(t.SG_INGRESS_RULE, "open", {"securityGroupId": UNKNOWN, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "referencedSecurityGroupId": UNKNOWN}, property_dependencies={"securityGroupId": (vpc.urn,)})  # fmt: skip
        return [vpc, rule], rule.urn
    if name == "efs-backups":
        fs = res(t.EFS_FILE_SYSTEM, "shared", {"encrypted": True})
        return [fs], fs.urn
    if name == "s3-deny-insecure-transport":
        bucket = res(t.S3_BUCKETS[1], "assets", {"bucket": "assets"})
        return [bucket], bucket.urn
    if name == "dr-cross-region-counterparts":
        east, west = Provider.aws("us-east-1", "primary"), Provider.aws("us-west-2", "dr")
        key = res(t.KMS_KEY, "primary-key", {"enableKeyRotation": True}, provider=east)
        primary = res(t.RDS_INSTANCE, "db", {"storageEncrypted": True}, provider=east)
        replica = res(t.RDS_INSTANCE, "db-dr", {"replicateSourceDb": UNKNOWN, "kmsKeyId": UNKNOWN}, provider=west, property_dependencies={"replicateSourceDb": (primary.urn,), "kmsKeyId": (key.urn,)})  # fmt: skip
        return [key, primary, replica], replica.urn
    if name == "ecr-lifecycle-policy":
        repo = res(t.ECR_REPOSITORY, "app", {"name": "app"})
        return [repo], repo.urn
    if name == "apigateway-execution-logging":
        stage = res(t.APIGATEWAY_STAGE, "prod", {"restApi": UNKNOWN, "stageName": "prod"})
        off = res(t.APIGATEWAY_METHOD_SETTINGS, "logs", {"restApi": UNKNOWN, "stageName": UNKNOWN, "methodPath": "*/*", "settings": {"loggingLevel": "OFF"}}, property_dependencies={"stageName": (stage.urn,)})  # fmt: skip
        return [stage, off], stage.urn
    if name == "redshift-audit-logging":
        cluster = res(t.REDSHIFT_CLUSTER, "dw", {"clusterIdentifier": "dw"})
        return [cluster], cluster.urn
    if name == "secrets-manager-rotation":
        db = res(t.SECRET, "db", {"name": "db"})
        return [db], db.urn
    raise AssertionError(f"no stack case for {name}")


STACK_CASES = ["aurora-cluster-min-instances", "asg-multi-az", "sg-data-tier-sg-references-only", "sg-data-tier-egress", "vpc-flow-logs", "neptune-cluster-multi-az", "default-security-group-no-attached-rules", "efs-backups", "s3-deny-insecure-transport", "dr-cross-region-counterparts", "ecr-lifecycle-policy", "apigateway-execution-logging", "redshift-audit-logging", "secrets-manager-rotation"]  # fmt: skip


def test_the_tables_cover_every_policy(policies):
    assert {c[0] for c in RESOURCE_CASES} | set(STACK_CASES) == set(policies)


def _case_id(case):
    return f"{case[0]}:{case[1].rsplit(':', 1)[-1]}:{RESOURCE_CASES.index(case)}"


@pytest.mark.parametrize(("policy", "type_", "props", "level", "fix"), RESOURCE_CASES, ids=[_case_id(c) for c in RESOURCE_CASES])  # fmt: skip
def test_each_rule_catches_a_misconfigured_resource(pack, policies, policy, type_, props, level, fix):  # fmt: skip
    diagnostics = [d for d in pack.analyze(res(type_, "bad", props)) if d.policy_name == policy]
    assert diagnostics, f"{policy} missed {props}"
    assert level == policies[policy].enforcement_level.value
    assert all(d.level == level and d.urn == urn(type_, "bad") for d in diagnostics)
    assert all("'bad'" in d.message and "`" in d.message for d in diagnostics)
    assert any(fix in d.message for d in diagnostics), [d.message for d in diagnostics]


@pytest.mark.parametrize("policy", STACK_CASES)
def test_each_stack_policy_catches_a_misconfigured_stack(pack, policies, policy):
    resources, culprit = _stack_case(policy)
    diagnostics = [d for d in pack.analyze_stack(resources) if d.policy_name == policy]
    assert [d.urn for d in diagnostics] == [culprit]
    assert diagnostics[0].level == policies[policy].enforcement_level.value


# --- Remediate ------------------------------------------------------------------------------

LEAKY_TEMPLATE = {
    "imageId": "ami-0123",
    "userData": secret("db-password"),
    "keyName": UNKNOWN,
    "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "optional"},
}


def test_nothing_is_remediated_at_default_levels(pack):
    r = res(t.LAUNCH_TEMPLATE, "lt", LEAKY_TEMPLATE)
    assert pack.remediate(r) == []


def test_remediate_requires_imdsv2_and_keeps_every_other_property(configured):
    configured.configure({"imdsv2-required": "remediate"})
    [fix] = configured.remediate(res(t.LAUNCH_TEMPLATE, "lt", LEAKY_TEMPLATE))
    assert (fix.policy_name, fix.diagnostic) == ("imdsv2-required", "")
    assert fix.properties["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required"}  # fmt: skip
    assert fix.properties["imageId"] == "ami-0123"
    assert fix.properties["userData"] == {**SECRET_SIG, "value": "db-password"}
    assert fix.properties["keyName"] == UNKNOWN
    assert set(fix.properties) == set(LEAKY_TEMPLATE)
    # A compliant resource is left alone even at level remediate.
    ok = {**LEAKY_TEMPLATE, "metadataOptions": {"httpTokens": "required"}}
    assert configured.remediate(res(t.LAUNCH_TEMPLATE, "lt", ok)) == []
