"""Encryption at rest and in transit."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource
from .iam_docs import statements
from .props import UNKNOWN, as_bool, get, is_set, items, json_document
from .relations import Targets, of_type, referenced

rules = PolicySet()

STRING_LIST = {"type": "array", "items": {"type": "string"}}

MODERN_SSL_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-*",
    "ELBSecurityPolicy-TLS13-1-3-*",
    "ELBSecurityPolicy-FS-1-2-Res-*",
]
MODERN_CLOUDFRONT_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]


# --- at rest -------------------------------------------------------------------------------


@rules.resource(
    name="rds-storage-encrypted",
    description="RDS instances, Aurora clusters and global clusters encrypt storage.",
    types=[t.RDS_INSTANCE, t.RDS_CLUSTER, t.RDS_GLOBAL_CLUSTER],
    level=MANDATORY,
    fsbp=("RDS.3", "RDS.27"),
)
def rds_storage_encrypted(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.RDS_INSTANCE and is_set(get(r.props, "replicateSourceDb")):
        return []  # a read replica inherits the source's encryption
    if r.type == t.RDS_CLUSTER and get(r.props, "engineMode") == "serverless":
        return []  # Aurora Serverless v1 is always encrypted
    if r.type == t.RDS_GLOBAL_CLUSTER and is_set(get(r.props, "sourceDbClusterIdentifier")):
        return []  # inherits the source cluster's encryption
    if as_bool(get(r.props, "storageEncrypted")) in (False, None):
        return [
            f"{t.label(r.type)} '{r.name}' stores data unencrypted: set `storageEncrypted: true` "
            "(and `kmsKeyId` to a customer-managed key)"
        ]
    return []


@rules.resource(
    name="ebs-encrypted",
    description="EBS volumes, and block devices of launch templates and instances, are encrypted.",
    types=[t.EBS_VOLUME, t.LAUNCH_TEMPLATE, t.INSTANCE, t.LAUNCH_CONFIGURATION],
    level=MANDATORY,
    fsbp=("EC2.3",),
)
def ebs_encrypted(r: Resource, cfg: Config) -> list[str]:
    where = f"{t.label(r.type)} '{r.name}'"
    if r.type == t.EBS_VOLUME:
        if as_bool(get(r.props, "encrypted")) in (False, None):
            return [f"{where} is unencrypted: set `encrypted: true` (and `kmsKeyId`)"]
        return []
    out: list[str] = []
    if r.type == t.LAUNCH_TEMPLATE:
        for i, mapping in enumerate(items(get(r.props, "blockDeviceMappings"))):
            ebs = get(mapping, "ebs")
            if ebs is None or ebs is UNKNOWN:
                continue
            if as_bool(get(ebs, "encrypted")) in (False, None):
                out.append(
                    f"{where} maps an unencrypted EBS volume: set "
                    f'`blockDeviceMappings[{i}].ebs.encrypted: "true"` (and `kmsKeyId`)'
                )
    else:  # instances and launch configurations
        root = get(r.props, "rootBlockDevice")
        if root is not UNKNOWN and as_bool(get(root, "encrypted")) in (False, None):
            out.append(
                f"{where} has an unencrypted root volume: set `rootBlockDevice.encrypted: true`"
            )
        for i, dev in enumerate(items(get(r.props, "ebsBlockDevices"))):
            if dev is not UNKNOWN and as_bool(get(dev, "encrypted")) in (False, None):
                out.append(
                    f"{where} attaches an unencrypted EBS volume: set "
                    f"`ebsBlockDevices[{i}].encrypted: true`"
                )
    return out


@rules.resource(
    name="elasticache-encrypted-at-rest",
    description="ElastiCache replication groups encrypt data at rest.",
    types=[t.CACHE_REPLICATION_GROUP],
    level=MANDATORY,
    fsbp=("ElastiCache.4",),
)
def elasticache_at_rest(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "atRestEncryptionEnabled")) in (False, None):
        return [
            f"ElastiCache replication group '{r.name}' stores data unencrypted: set "
            "`atRestEncryptionEnabled: true` (and `kmsKeyId`)"
        ]
    return []


@rules.resource(
    name="efs-encrypted",
    description="EFS file systems are encrypted at rest.",
    types=[t.EFS_FILE_SYSTEM],
    level=MANDATORY,
    fsbp=("EFS.1",),
)
def efs_encrypted(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "encrypted")) in (False, None):
        return [
            f"EFS file system '{r.name}' is unencrypted: set `encrypted: true` (and `kmsKeyId`)"
        ]
    return []


@rules.resource(
    name="kms-key-rotation",
    description="Symmetric KMS keys rotate automatically.",
    types=[t.KMS_KEY],
    level=MANDATORY,
    fsbp=("KMS.4",),
)
def kms_rotation(r: Resource, cfg: Config) -> list[str]:
    spec = get(r.props, "customerMasterKeySpec")
    usage = get(r.props, "keyUsage")
    if spec not in (None, "SYMMETRIC_DEFAULT") or usage not in (None, "ENCRYPT_DECRYPT"):
        return []  # AWS rotates only symmetric encryption keys
    if as_bool(get(r.props, "enableKeyRotation")) in (False, None):
        return [f"KMS key '{r.name}' is never rotated: set `enableKeyRotation: true`"]
    return []


@rules.resource(
    name="sns-topic-encrypted",
    description="SNS topics are encrypted with a KMS key.",
    types=[t.SNS_TOPIC],
    level=MANDATORY,
    fsbp=("SNS.1",),
)
def sns_kms(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "kmsMasterKeyId") in (None, ""):
        return [
            f"SNS topic '{r.name}' is not encrypted with KMS: set `kmsMasterKeyId` "
            '(a customer-managed key, or "alias/aws/sns")'
        ]
    return []


@rules.resource(
    name="log-group-encrypted",
    # CloudWatch Logs always encrypts at rest; a customer-managed key is defence in depth, so
    # advisory for other teams (webstack's prod/staging configs make it mandatory).
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    types=[t.LOG_GROUP],
    level=ADVISORY,
    standard="AWS docs: Encrypt log data in CloudWatch Logs using AWS KMS",
)
def log_group_kms(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "kmsKeyId") in (None, ""):
        return [f"CloudWatch log group '{r.name}' is not encrypted with KMS: set `kmsKeyId`"]
    return []


# --- in transit ----------------------------------------------------------------------------


@rules.resource(
    name="elasticache-encrypted-in-transit",
    description="ElastiCache requires TLS from clients.",
    types=[t.CACHE_REPLICATION_GROUP, t.CACHE_CLUSTER],
    level=MANDATORY,
    fsbp=("ElastiCache.5",),
)
def elasticache_in_transit(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.CACHE_CLUSTER and is_set(get(r.props, "replicationGroupId")):
        return []  # a member of a replication group follows the group
    where = f"{t.label(r.type)} '{r.name}'"
    enabled = as_bool(get(r.props, "transitEncryptionEnabled"))
    if enabled in (False, None):
        return [f"{where} accepts plaintext connections: set `transitEncryptionEnabled: true`"]
    if r.type == t.CACHE_REPLICATION_GROUP and get(r.props, "transitEncryptionMode") == "preferred":
        return [
            f'{where} still accepts plaintext connections: set `transitEncryptionMode: "required"`'
        ]
    return []


@rules.resource(
    name="lb-listener-https",
    description="Load balancer listeners serve HTTPS with a modern TLS policy; "
    "plain HTTP listeners only redirect to HTTPS.",
    types=t.LISTENERS,
    level=MANDATORY,
    fsbp=("ELB.1",),
    config={
        "allowedSslPolicies": {
            **STRING_LIST,
            "default": MODERN_SSL_POLICIES,
            "description": "Accepted `sslPolicy` names (shell globs).",
        }
    },
)
def listener_https(r: Resource, cfg: Config) -> list[str]:
    protocol = get(r.props, "protocol")
    where = f"Load balancer listener '{r.name}'"
    if protocol is UNKNOWN:
        return []
    if protocol in ("HTTPS", "TLS"):
        policy = get(r.props, "sslPolicy")
        if policy is UNKNOWN:
            return []
        allowed = cfg.get("allowedSslPolicies", [])
        if not isinstance(policy, str) or not any(fnmatchcase(policy, p) for p in allowed):
            return [
                f"{where} uses TLS policy {policy!r}: set `sslPolicy` to a modern policy such as "
                '"ELBSecurityPolicy-TLS13-1-2-2021-06"'
            ]
        return []
    if protocol in (None, "HTTP"):
        actions = get(r.props, "defaultActions")
        if actions is UNKNOWN:
            return []
        for action in items(actions):
            if action is UNKNOWN:
                continue
            kind = get(action, "type")
            target = get(action, "redirect", "protocol")
            if kind is UNKNOWN or target is UNKNOWN:
                continue
            if kind != "redirect" or target != "HTTPS":
                return [
                    f"{where} serves plain HTTP: make it only redirect "
                    '(`defaultActions: [{type: "redirect", redirect: {protocol: "HTTPS", '
                    'port: "443", statusCode: "HTTP_301"}}]`) or use `protocol: "HTTPS"`'
                ]
    return []  # TCP/UDP listeners of network load balancers carry no HTTP


@rules.resource(
    name="cloudfront-viewer-https",
    description="CloudFront never serves plain HTTP to viewers.",
    types=[t.CLOUDFRONT_DISTRIBUTION],
    level=MANDATORY,
    fsbp=("CloudFront.3",),
)
def cloudfront_viewer_https(r: Resource, cfg: Config) -> list[str]:
    out = []
    for path, behavior in cache_behaviors(r):
        if get(behavior, "viewerProtocolPolicy") == "allow-all":
            out.append(
                f"CloudFront distribution '{r.name}' serves plain HTTP to viewers: set "
                f'`{path}.viewerProtocolPolicy: "redirect-to-https"` (or "https-only")'
            )
    return out


@rules.resource(
    name="cloudfront-modern-tls",
    description="CloudFront requires TLSv1.2_2021 or newer from viewers.",
    types=[t.CLOUDFRONT_DISTRIBUTION],
    level=MANDATORY,
    fsbp=("CloudFront.7",),
    config={
        "allowedMinimumProtocolVersions": {
            **STRING_LIST,
            "default": MODERN_CLOUDFRONT_TLS,
            "description": "Accepted `viewerCertificate.minimumProtocolVersion` values.",
        }
    },
)
def cloudfront_tls(r: Resource, cfg: Config) -> list[str]:
    cert = get(r.props, "viewerCertificate")
    if cert is UNKNOWN:
        return []
    where = f"CloudFront distribution '{r.name}'"
    if as_bool(get(cert, "cloudfrontDefaultCertificate")) is True:
        return [
            f"{where} uses the default *.cloudfront.net certificate, which allows TLSv1: set "
            '`viewerCertificate.acmCertificateArn` with `minimumProtocolVersion: "TLSv1.2_2021"`'
        ]
    version = get(cert, "minimumProtocolVersion")
    if version is UNKNOWN:
        return []
    if version not in cfg.get("allowedMinimumProtocolVersions", []):
        return [
            f"{where} accepts TLS older than TLSv1.2_2021 ({version!r}): set "
            '`viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021"` or newer'
        ]
    return []


@rules.resource(
    name="cloudfront-origin-https",
    description="CloudFront talks HTTPS (TLSv1.2) to custom origins.",
    types=[t.CLOUDFRONT_DISTRIBUTION],
    level=MANDATORY,
    fsbp=("CloudFront.9", "CloudFront.10"),
)
def cloudfront_origin_https(r: Resource, cfg: Config) -> list[str]:
    out = []
    viewers_https = _viewers_https_only(r)
    for i, origin in enumerate(items(get(r.props, "origins"))):
        custom = get(origin, "customOriginConfig")
        if custom is None or custom is UNKNOWN:
            continue
        policy = get(custom, "originProtocolPolicy")
        # CloudFront.9: match-viewer is HTTPS to the origin when no viewer can come in plain HTTP.
        if policy == "match-viewer" and viewers_https is not False:
            pass
        elif policy not in (UNKNOWN, "https-only"):
            fix = f'set `origins[{i}].customOriginConfig.originProtocolPolicy: "https-only"`'
            if policy == "match-viewer":
                fix += ' (or every `viewerProtocolPolicy` to "https-only"/"redirect-to-https")'
            out.append(
                f"CloudFront distribution '{r.name}' talks {policy or 'HTTP'} to origin {i}: {fix}"
            )
        for proto_ in items(get(custom, "originSslProtocols")):
            if proto_ in ("SSLv3", "TLSv1", "TLSv1.1"):
                out.append(
                    f"CloudFront distribution '{r.name}' allows {proto_} to origin {i}: "
                    f'set `origins[{i}].customOriginConfig.originSslProtocols: ["TLSv1.2"]`'
                )
    return out


def cache_behaviors(r: Resource) -> list[tuple[str, Any]]:
    """(property path, behaviour) of a distribution's default and ordered cache behaviours."""
    behaviors = [("defaultCacheBehavior", get(r.props, "defaultCacheBehavior"))]
    behaviors += [
        (f"orderedCacheBehaviors[{i}]", b)
        for i, b in enumerate(items(get(r.props, "orderedCacheBehaviors")))
    ]
    return behaviors


def _viewers_https_only(r: Resource) -> bool | object:
    """Whether no behaviour serves plain HTTP (UNKNOWN when a behaviour's policy is unknown)."""
    result: bool | object = True
    for _, behavior in cache_behaviors(r):
        policy = get(behavior, "viewerProtocolPolicy")
        if behavior is UNKNOWN or policy is UNKNOWN:
            result = UNKNOWN
        elif policy not in ("https-only", "redirect-to-https"):
            return False
    return result


@rules.resource(
    name="rds-proxy-require-tls",
    description="RDS proxies require TLS.",
    types=[t.RDS_PROXY],
    level=MANDATORY,
    standard="AWS docs: Using TLS/SSL with RDS Proxy",
)
def rds_proxy_tls(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "requireTls")) in (False, None):
        return [f"RDS proxy '{r.name}' accepts plaintext connections: set `requireTls: true`"]
    return []


# --- other services (FSBP controls decided by a resource's own properties) -----------------

MODERN_SEARCH_TLS = ["Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"]
# Predefined classic load balancer policy FSBP ELB.8 asks for.
MODERN_CLASSIC_POLICIES = ["ELBSecurityPolicy-TLS-1-2-2017-01"]
# DMS endpoints of these engines talk to a database that speaks TLS (`sslMode`).
DMS_SSL_ENGINES = (
    "aurora", "aurora-postgresql", "aurora-serverless", "aurora-postgresql-serverless",
    "mariadb", "mysql", "postgres", "oracle", "sqlserver", "sybase", "db2", "db2-zos",
    "mongodb", "docdb", "redshift", "redshift-serverless", "babelfish",
)  # fmt: skip


def _off(props: object, *path: str) -> bool:
    """Absent or false: the AWS default of these settings is off."""
    return as_bool(get(props, *path)) in (False, None)


def _where(r: Resource) -> str:
    return f"{t.label(r.type)} '{r.name}'"


@rules.resource(
    name="storage-encrypted",
    description="DocumentDB and Neptune clusters encrypt storage; Redshift is never unencrypted.",
    types=[t.DOCDB_CLUSTER, t.NEPTUNE_CLUSTER, t.REDSHIFT_CLUSTER],
    level=MANDATORY,
    fsbp=("DocumentDB.1", "Neptune.1", "Redshift.10"),
)
def storage_encrypted(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.REDSHIFT_CLUSTER:  # encrypted by default; only an explicit false is wrong
        if as_bool(get(r.props, "encrypted")) is False:
            return [f"{_where(r)} stores data unencrypted: set `encrypted: true` (and `kmsKeyId`)"]
        return []
    if r.type == t.NEPTUNE_CLUSTER and is_set(get(r.props, "replicationSourceIdentifier")):
        return []  # a read replica cluster follows its source
    if _off(r.props, "storageEncrypted"):
        return [
            f"{_where(r)} stores data unencrypted: set `storageEncrypted: true` (and `kmsKeyId`)"
        ]
    return []


@rules.resource(
    name="redshift-require-tls",
    description="Redshift clusters use a parameter group with require_ssl, which sets it true.",
    types=[t.REDSHIFT_CLUSTER, t.REDSHIFT_PARAMETER_GROUP],
    level=MANDATORY,
    fsbp=("Redshift.2",),
)
def redshift_require_tls(r: Resource, cfg: Config) -> list[str]:
    if r.type == t.REDSHIFT_CLUSTER:
        group = get(r.props, "clusterParameterGroupName")
        if group is None or (isinstance(group, str) and group.startswith("default.")):
            return [
                f"{_where(r)} uses a default parameter group, which accepts plaintext: set "
                '`clusterParameterGroupName` to a group with `require_ssl` = "true"'
            ]
        return []
    values = {get(p, "name"): get(p, "value") for p in items(get(r.props, "parameters"))}
    if UNKNOWN in values or values.get("require_ssl") is UNKNOWN:
        return []
    if str(values.get("require_ssl", "false")).lower() != "true":
        return [
            f"{_where(r)} lets clients connect without TLS: add "
            '`parameters: [{name: "require_ssl", value: "true"}]`'
        ]
    return []


@rules.resource(
    name="search-domain-encrypted",
    description=(
        "OpenSearch and Elasticsearch domains encrypt at rest and between nodes, and require "
        "HTTPS with a TLS 1.2 policy."
    ),
    types=t.SEARCH_DOMAINS,
    level=MANDATORY,
    fsbp=("Opensearch.1", "Opensearch.3", "Opensearch.8", "ES.1", "ES.3", "ES.8"),
    config={
        "allowedTlsPolicies": {
            **STRING_LIST,
            "default": MODERN_SEARCH_TLS,
            "description": "Accepted `domainEndpointOptions.tlsSecurityPolicy` values.",
        }
    },
)
def search_domain_encrypted(r: Resource, cfg: Config) -> list[str]:
    out = []
    if _off(r.props, "encryptAtRest", "enabled"):
        out.append(f"{_where(r)} stores data unencrypted: set `encryptAtRest.enabled: true`")
    if _off(r.props, "nodeToNodeEncryption", "enabled"):
        out.append(
            f"{_where(r)} sends plaintext between nodes: set `nodeToNodeEncryption.enabled: true`"
        )
    endpoint = get(r.props, "domainEndpointOptions")
    if endpoint is UNKNOWN:
        return out
    if as_bool(get(endpoint, "enforceHttps")) is False:
        out.append(
            f"{_where(r)} accepts plain HTTP: set `domainEndpointOptions.enforceHttps: true`"
        )
    policy = get(endpoint, "tlsSecurityPolicy")
    if policy is not UNKNOWN and policy not in cfg.get("allowedTlsPolicies", []):
        out.append(
            f"{_where(r)} accepts TLS older than 1.2 ({policy or 'the default policy'}): set "
            '`domainEndpointOptions.tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07"`'
        )
    return out


@rules.resource(
    name="msk-encrypted-in-transit",
    description="MSK clusters encrypt traffic between clients and brokers and within the cluster.",
    types=[t.MSK_CLUSTER],
    level=MANDATORY,
    fsbp=("MSK.1",),
)
def msk_in_transit(r: Resource, cfg: Config) -> list[str]:
    transit = get(r.props, "encryptionInfo", "encryptionInTransit")
    out = []
    client = get(transit, "clientBroker")
    if client in ("PLAINTEXT", "TLS_PLAINTEXT"):
        out.append(
            f"{_where(r)} accepts plaintext clients ({client}): set "
            '`encryptionInfo.encryptionInTransit.clientBroker: "TLS"`'
        )
    if as_bool(get(transit, "inCluster")) is False:
        out.append(
            f"{_where(r)} sends plaintext between brokers: set "
            "`encryptionInfo.encryptionInTransit.inCluster: true`"
        )
    return out


@rules.resource(
    name="dms-endpoint-ssl",
    description="DMS endpoints of databases connect over SSL.",
    types=[t.DMS_ENDPOINT],
    level=MANDATORY,
    fsbp=("DMS.9",),
)
def dms_endpoint_ssl(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "engineName") not in DMS_SSL_ENGINES:
        return []  # S3, Kinesis, DynamoDB... have no sslMode; unknown engines are undecided
    mode = get(r.props, "sslMode")
    if mode in (None, "none"):
        return [f'{_where(r)} connects without SSL: set `sslMode: "verify-full"` (or "require")']
    return []


@rules.resource(
    name="dax-encrypted",
    description="DAX clusters encrypt at rest and require TLS from clients.",
    types=[t.DAX_CLUSTER],
    level=MANDATORY,
    fsbp=("DynamoDB.3", "DynamoDB.7"),
)
def dax_encrypted(r: Resource, cfg: Config) -> list[str]:
    out = []
    if _off(r.props, "serverSideEncryption", "enabled"):
        out.append(f"{_where(r)} stores data unencrypted: set `serverSideEncryption.enabled: true`")
    if get(r.props, "clusterEndpointEncryptionType") in (None, "NONE"):
        out.append(
            f'{_where(r)} accepts plaintext clients: set `clusterEndpointEncryptionType: "TLS"`'
        )
    return out


@rules.resource(
    name="eks-secrets-encrypted",
    description="EKS clusters encrypt Kubernetes secrets with a KMS key.",
    types=[t.EKS_CLUSTER],
    level=MANDATORY,
    fsbp=("EKS.3",),
)
def eks_secrets_encrypted(r: Resource, cfg: Config) -> list[str]:
    config = get(r.props, "encryptionConfig")
    if config is UNKNOWN:
        return []
    resources = get(config, "resources")
    if (
        resources is UNKNOWN
        or "secrets" in list(items(resources))
        or UNKNOWN in list(items(resources))
    ):
        return []
    return [
        f"{_where(r)} keeps Kubernetes secrets unencrypted: set `encryptionConfig: {{resources: "
        '["secrets"], provider: {keyArn: <KMS key ARN>}}}`'
    ]


@rules.resource(
    name="kinesis-stream-encrypted",
    description="Kinesis data streams encrypt records with KMS.",
    types=[t.KINESIS_STREAM],
    level=MANDATORY,
    fsbp=("Kinesis.1",),
)
def kinesis_encrypted(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "encryptionType") in (None, "NONE"):
        return [
            f'{_where(r)} stores records unencrypted: set `encryptionType: "KMS"` and `kmsKeyId` '
            '(e.g. "alias/aws/kinesis")'
        ]
    return []


@rules.resource(
    name="firehose-encrypted",
    description="Firehose delivery streams with direct PUT encrypt at rest.",
    types=[t.FIREHOSE_STREAM],
    level=MANDATORY,
    fsbp=("DataFirehose.1",),
)
def firehose_encrypted(r: Resource, cfg: Config) -> list[str]:
    if is_set(get(r.props, "kinesisSourceConfiguration")) or is_set(
        get(r.props, "mskSourceConfiguration")
    ):
        return []  # the source stream holds the data (and its own encryption)
    if _off(r.props, "serverSideEncryption", "enabled"):
        return [f"{_where(r)} stores data unencrypted: set `serverSideEncryption.enabled: true`"]
    return []


@rules.resource(
    name="sqs-queue-encrypted",
    description="SQS queues keep server-side encryption (SSE-SQS or KMS) on.",
    types=[t.SQS_QUEUE],
    level=MANDATORY,
    fsbp=("SQS.1",),
)
def sqs_encrypted(r: Resource, cfg: Config) -> list[str]:
    # New queues get SSE-SQS by default: only switching it off without a KMS key is wrong.
    if as_bool(get(r.props, "sqsManagedSseEnabled")) is False and get(
        r.props, "kmsMasterKeyId"
    ) in (None, ""):
        return [
            f"{_where(r)} stores messages unencrypted: set `sqsManagedSseEnabled: true` "
            "(or `kmsMasterKeyId`)"
        ]
    return []


@rules.resource(
    name="cloudtrail-encrypted",
    description="CloudTrail trails encrypt log files with a KMS key.",
    types=[t.CLOUDTRAIL_TRAIL],
    level=MANDATORY,
    fsbp=("CloudTrail.2",),
)
def cloudtrail_encrypted(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "kmsKeyId") in (None, ""):
        return [f"{_where(r)} writes logs without KMS encryption: set `kmsKeyId`"]
    return []


@rules.resource(
    name="ebs-encryption-by-default",
    description="EBS encryption by default stays on for the account and region.",
    types=[t.EBS_ENCRYPTION_BY_DEFAULT],
    level=MANDATORY,
    fsbp=("EC2.7",),
)
def ebs_by_default(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "enabled")) is False:
        return [f"{_where(r)} turns default EBS encryption off: set `enabled: true`"]
    return []


@rules.resource(
    name="classic-lb-tls",
    description=(
        "Classic load balancers terminate HTTPS/SSL only, with the predefined TLS 1.2 policy."
    ),
    types=[t.CLASSIC_LB, t.CLASSIC_LB_POLICY, t.CLASSIC_SSL_NEGOTIATION_POLICY],
    level=MANDATORY,
    fsbp=("ELB.3", "ELB.8"),
    config={
        "allowedPolicies": {
            **STRING_LIST,
            "default": MODERN_CLASSIC_POLICIES,
            "description": "Accepted predefined policies (`Reference-Security-Policy`).",
        }
    },
)
def classic_lb_tls(r: Resource, cfg: Config) -> list[str]:
    allowed = cfg.get("allowedPolicies", [])
    if r.type == t.CLASSIC_LB:
        return [
            f'{_where(r)} listens with {proto_}: set `listeners[{i}].lbProtocol` to "https" '
            '(or "ssl") with an ACM certificate'
            for i, listener in enumerate(items(get(r.props, "listeners")))
            if isinstance(proto_ := get(listener, "lbProtocol"), str)
            and proto_.lower() in ("http", "tcp")
        ]
    if r.type == t.CLASSIC_LB_POLICY:
        if get(r.props, "policyTypeName") != "SSLNegotiationPolicyType":
            return []
        attributes, prop = get(r.props, "policyAttributes"), "policyAttributes"
    else:
        attributes, prop = get(r.props, "attributes"), "attributes"
    values = {get(a, "name"): get(a, "value") for a in items(attributes)}
    if UNKNOWN in values or values.get("Reference-Security-Policy") is UNKNOWN:
        return []
    reference = values.get("Reference-Security-Policy")
    if reference not in allowed:
        return [
            f"{_where(r)} negotiates with {reference or 'custom ciphers'}: set `{prop}` to "
            f'[{{name: "Reference-Security-Policy", value: "{allowed[0] if allowed else ""}"}}]'
        ]
    return []


@rules.resource(
    name="classic-lb-acm-certificate",
    description="Classic load balancer HTTPS/SSL listeners use ACM certificates, not IAM ones.",
    types=[t.CLASSIC_LB],
    level=MANDATORY,
    fsbp=("ELB.2",),
)
def classic_lb_acm(r: Resource, cfg: Config) -> list[str]:
    return [
        f"{_where(r)} serves listener {i} with an IAM server certificate ({cert}): set "
        f"`listeners[{i}].sslCertificateId` to an ACM certificate ARN (arn:aws:acm:...), which "
        "AWS renews"
        for i, listener in enumerate(items(get(r.props, "listeners")))
        if isinstance(cert := get(listener, "sslCertificateId"), str)
        and cert.startswith("arn:")
        and cert.split(":")[2:3] == ["iam"]
    ]


def _denies_plain_http(statement: dict[str, Any]) -> bool:
    """A Deny on `aws:SecureTransport` false, however it is written: hand-written JSON,
    `get_policy_document` output (values as strings or lists, `false` as a JSON boolean),
    `Bool` or `BoolIfExists`, keys in any case."""
    if statement.get("Effect") != "Deny":
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    for operator, tests in condition.items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(tests, dict):
            continue
        for key, value in tests.items():
            if str(key).lower() == "aws:securetransport" and any(
                str(v).lower() == "false" for v in (value if isinstance(value, list) else [value])
            ):
                return True
    return False


@rules.stack(
    name="s3-deny-insecure-transport",
    description="S3 bucket policies deny requests that do not use TLS (aws:SecureTransport).",
    level=MANDATORY,
    fsbp=("S3.5",),
)
def s3_deny_insecure_transport(
    resources: Sequence[PolicyResource], cfg: Config
) -> list[tuple[str, str]]:
    buckets = of_type(resources, *t.S3_BUCKETS)
    if not buckets:
        return []
    targets = Targets(buckets, ["bucket"])
    documents: dict[str, list[Any]] = {b.urn: [get(b.props, "policy")] for b in buckets}
    for policy in of_type(resources, t.S3_BUCKET_POLICY):
        found, ok = referenced(policy, "bucket", targets)
        if not ok:
            return []  # a policy whose bucket cannot be told yet: decide after the update
        for b in found:
            documents[b.urn].append(get(policy.props, "policy"))
    out = []
    for b in buckets:
        docs = [json_document(d) for d in documents[b.urn] if d is not None]
        if UNKNOWN in docs:
            continue  # a policy computed at update time (bucket ARNs): cannot decide yet
        if not any(_denies_plain_http(s) for d in docs for s in statements(d)):
            out.append(
                (
                    b.urn,
                    f"S3 bucket '{b.name}' accepts plain HTTP requests: add an "
                    "`aws.s3.BucketPolicy` "
                    'statement `{Effect: "Deny", Principal: "*", Action: "s3:*", Resource: '
                    '[bucket ARN, bucket ARN + "/*"], Condition: {Bool: {"aws:SecureTransport": '
                    '"false"}}}`',
                )
            )
    return out


policies = rules.policies
