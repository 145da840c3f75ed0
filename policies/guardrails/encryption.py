"""Encryption at rest and in transit."""

from __future__ import annotations

from fnmatch import fnmatchcase

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource
from .props import UNKNOWN, as_bool, get, is_set, items

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
    types=[t.EBS_VOLUME, t.LAUNCH_TEMPLATE, t.INSTANCE],
    level=MANDATORY,
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
    level=ADVISORY,
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
    description="CloudWatch log groups are encrypted with a KMS key.",
    types=[t.LOG_GROUP],
    level=ADVISORY,
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
)
def cloudfront_viewer_https(r: Resource, cfg: Config) -> list[str]:
    out = []
    behaviors = [("defaultCacheBehavior", get(r.props, "defaultCacheBehavior"))]
    behaviors += [
        (f"orderedCacheBehaviors[{i}]", b)
        for i, b in enumerate(items(get(r.props, "orderedCacheBehaviors")))
    ]
    for path, behavior in behaviors:
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
)
def cloudfront_origin_https(r: Resource, cfg: Config) -> list[str]:
    out = []
    for i, origin in enumerate(items(get(r.props, "origins"))):
        custom = get(origin, "customOriginConfig")
        if custom is None or custom is UNKNOWN:
            continue
        policy = get(custom, "originProtocolPolicy")
        if policy not in (UNKNOWN, "https-only"):
            out.append(
                f"CloudFront distribution '{r.name}' talks {policy or 'HTTP'} to origin {i}: "
                f'set `origins[{i}].customOriginConfig.originProtocolPolicy: "https-only"`'
            )
        for proto_ in items(get(custom, "originSslProtocols")):
            if proto_ in ("SSLv3", "TLSv1", "TLSv1.1"):
                out.append(
                    f"CloudFront distribution '{r.name}' allows {proto_} to origin {i}: "
                    f'set `origins[{i}].customOriginConfig.originSslProtocols: ["TLSv1.2"]`'
                )
    return out


@rules.resource(
    name="rds-proxy-require-tls",
    description="RDS proxies require TLS.",
    types=[t.RDS_PROXY],
    level=MANDATORY,
)
def rds_proxy_tls(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "requireTls")) in (False, None):
        return [f"RDS proxy '{r.name}' accepts plaintext connections: set `requireTls: true`"]
    return []


policies = rules.policies
