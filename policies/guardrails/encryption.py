"""Encryption at rest and in transit of the AWS services the webstack program itself uses.

RDS and Aurora (and RDS Proxy), ElastiCache, EBS (volumes, launch templates, instances), KMS,
SNS, CloudWatch Logs, load balancer listeners, CloudFront and S3. The rules for other services
(EFS, Redshift, OpenSearch, SQS, ...) are in `encryption_other_services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, MANDATORY, Config, PolicySet, Resource, where
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
            f"{where(r)} stores data unencrypted: set `storageEncrypted: true` "
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
    if r.type == t.EBS_VOLUME:
        if as_bool(get(r.props, "encrypted")) in (False, None):
            return [f"{where(r)} is unencrypted: set `encrypted: true` (and `kmsKeyId`)"]
        return []
    out: list[str] = []
    if r.type == t.LAUNCH_TEMPLATE:
        for i, mapping in enumerate(items(get(r.props, "blockDeviceMappings"))):
            ebs = get(mapping, "ebs")
            if ebs is None or ebs is UNKNOWN:
                continue
            if as_bool(get(ebs, "encrypted")) in (False, None):
                out.append(
                    f"{where(r)} maps an unencrypted EBS volume: set "
                    f'`blockDeviceMappings[{i}].ebs.encrypted: "true"` (and `kmsKeyId`)'
                )
    else:  # instances and launch configurations
        root = get(r.props, "rootBlockDevice")
        if root is not UNKNOWN and as_bool(get(root, "encrypted")) in (False, None):
            out.append(
                f"{where(r)} has an unencrypted root volume: set `rootBlockDevice.encrypted: true`"
            )
        for i, dev in enumerate(items(get(r.props, "ebsBlockDevices"))):
            if dev is not UNKNOWN and as_bool(get(dev, "encrypted")) in (False, None):
                out.append(
                    f"{where(r)} attaches an unencrypted EBS volume: set "
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
            f"{where(r)} stores data unencrypted: set "
            "`atRestEncryptionEnabled: true` (and `kmsKeyId`)"
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
        return [f"{where(r)} is never rotated: set `enableKeyRotation: true`"]
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
            f"{where(r)} is not encrypted with KMS: set `kmsMasterKeyId` "
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
        return [f"{where(r)} is not encrypted with KMS: set `kmsKeyId`"]
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
    enabled = as_bool(get(r.props, "transitEncryptionEnabled"))
    if enabled in (False, None):
        return [f"{where(r)} accepts plaintext connections: set `transitEncryptionEnabled: true`"]
    if r.type == t.CACHE_REPLICATION_GROUP and get(r.props, "transitEncryptionMode") == "preferred":
        return [
            f"{where(r)} still accepts plaintext connections: set "
            '`transitEncryptionMode: "required"`'
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
    if protocol is UNKNOWN:
        return []
    if protocol in ("HTTPS", "TLS"):
        policy = get(r.props, "sslPolicy")
        if policy is UNKNOWN:
            return []
        allowed = cfg.get("allowedSslPolicies", [])
        if not isinstance(policy, str) or not any(fnmatchcase(policy, p) for p in allowed):
            return [
                f"{where(r)} uses TLS policy {policy!r}: set `sslPolicy` to a modern policy "
                'such as "ELBSecurityPolicy-TLS13-1-2-2021-06"'
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
                    f"{where(r)} serves plain HTTP: make it only redirect "
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
                f"{where(r)} serves plain HTTP to viewers: set "
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
    if as_bool(get(cert, "cloudfrontDefaultCertificate")) is True:
        return [
            f"{where(r)} uses the default *.cloudfront.net certificate, which allows TLSv1: set "
            '`viewerCertificate.acmCertificateArn` with `minimumProtocolVersion: "TLSv1.2_2021"`'
        ]
    version = get(cert, "minimumProtocolVersion")
    if version is UNKNOWN:
        return []
    if version not in cfg.get("allowedMinimumProtocolVersions", []):
        return [
            f"{where(r)} accepts TLS older than TLSv1.2_2021 ({version!r}): set "
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
            out.append(f"{where(r)} talks {policy or 'HTTP'} to origin {i}: {fix}")
        for proto_ in items(get(custom, "originSslProtocols")):
            if proto_ in ("SSLv3", "TLSv1", "TLSv1.1"):
                out.append(
                    f"{where(r)} allows {proto_} to origin {i}: "
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
        return [f"{where(r)} accepts plaintext connections: set `requireTls: true`"]
    return []


# --- S3 in transit (a stack policy: bucket policies are other resources) -------------------


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
