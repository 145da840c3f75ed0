"""Encryption at rest and in transit of AWS services the webstack program does not use.

EFS, DocumentDB, Neptune, Redshift, OpenSearch/Elasticsearch, MSK, DMS, DAX, EKS, Kinesis,
Firehose, SQS, CloudTrail, account-level EBS encryption by default and classic load balancers:
FSBP controls decided by a resource's own properties. The rules for the services webstack uses
are in `encryption`; `pack` reports both in the order they had as one module.
"""

from __future__ import annotations

from . import tokens as t
from .base import MANDATORY, Config, PolicySet, Resource, where
from .encryption import STRING_LIST
from .props import UNKNOWN, as_bool, get, is_set, items

rules = PolicySet()

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


# --- at rest -------------------------------------------------------------------------------


@rules.resource(
    name="efs-encrypted",
    description="EFS file systems are encrypted at rest.",
    types=[t.EFS_FILE_SYSTEM],
    level=MANDATORY,
    fsbp=("EFS.1",),
)
def efs_encrypted(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "encrypted")) in (False, None):
        return [f"{where(r)} is unencrypted: set `encrypted: true` (and `kmsKeyId`)"]
    return []


# --- at rest and in transit ----------------------------------------------------------------


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
            return [f"{where(r)} stores data unencrypted: set `encrypted: true` (and `kmsKeyId`)"]
        return []
    if r.type == t.NEPTUNE_CLUSTER and is_set(get(r.props, "replicationSourceIdentifier")):
        return []  # a read replica cluster follows its source
    if _off(r.props, "storageEncrypted"):
        return [
            f"{where(r)} stores data unencrypted: set `storageEncrypted: true` (and `kmsKeyId`)"
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
                f"{where(r)} uses a default parameter group, which accepts plaintext: set "
                '`clusterParameterGroupName` to a group with `require_ssl` = "true"'
            ]
        return []
    values = {get(p, "name"): get(p, "value") for p in items(get(r.props, "parameters"))}
    if UNKNOWN in values or values.get("require_ssl") is UNKNOWN:
        return []
    if str(values.get("require_ssl", "false")).lower() != "true":
        return [
            f"{where(r)} lets clients connect without TLS: add "
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
        out.append(f"{where(r)} stores data unencrypted: set `encryptAtRest.enabled: true`")
    if _off(r.props, "nodeToNodeEncryption", "enabled"):
        out.append(
            f"{where(r)} sends plaintext between nodes: set `nodeToNodeEncryption.enabled: true`"
        )
    endpoint = get(r.props, "domainEndpointOptions")
    if endpoint is UNKNOWN:
        return out
    if as_bool(get(endpoint, "enforceHttps")) is False:
        out.append(f"{where(r)} accepts plain HTTP: set `domainEndpointOptions.enforceHttps: true`")
    policy = get(endpoint, "tlsSecurityPolicy")
    if policy is not UNKNOWN and policy not in cfg.get("allowedTlsPolicies", []):
        out.append(
            f"{where(r)} accepts TLS older than 1.2 ({policy or 'the default policy'}): set "
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
            f"{where(r)} accepts plaintext clients ({client}): set "
            '`encryptionInfo.encryptionInTransit.clientBroker: "TLS"`'
        )
    if as_bool(get(transit, "inCluster")) is False:
        out.append(
            f"{where(r)} sends plaintext between brokers: set "
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
        return [f'{where(r)} connects without SSL: set `sslMode: "verify-full"` (or "require")']
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
        out.append(f"{where(r)} stores data unencrypted: set `serverSideEncryption.enabled: true`")
    if get(r.props, "clusterEndpointEncryptionType") in (None, "NONE"):
        out.append(
            f'{where(r)} accepts plaintext clients: set `clusterEndpointEncryptionType: "TLS"`'
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
        f"{where(r)} keeps Kubernetes secrets unencrypted: set `encryptionConfig: {{resources: "
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
            f'{where(r)} stores records unencrypted: set `encryptionType: "KMS"` and `kmsKeyId` '
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
        return [f"{where(r)} stores data unencrypted: set `serverSideEncryption.enabled: true`"]
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
            f"{where(r)} stores messages unencrypted: set `sqsManagedSseEnabled: true` "
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
        return [f"{where(r)} writes logs without KMS encryption: set `kmsKeyId`"]
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
        return [f"{where(r)} turns default EBS encryption off: set `enabled: true`"]
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
            f'{where(r)} listens with {proto_}: set `listeners[{i}].lbProtocol` to "https" '
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
            f"{where(r)} negotiates with {reference or 'custom ciphers'}: set `{prop}` to "
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
        f"{where(r)} serves listener {i} with an IAM server certificate ({cert}): set "
        f"`listeners[{i}].sslCertificateId` to an ACM certificate ARN (arn:aws:acm:...), which "
        "AWS renews"
        for i, listener in enumerate(items(get(r.props, "listeners")))
        if isinstance(cert := get(listener, "sslCertificateId"), str)
        and cert.startswith("arn:")
        and cert.split(":")[2:3] == ["iam"]
    ]


policies = rules.policies
