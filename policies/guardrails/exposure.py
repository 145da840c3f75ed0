"""Public exposure: databases, instances, S3 buckets."""

from __future__ import annotations

from typing import Any

from . import tokens as t
from .base import MANDATORY, Config, PolicySet, Resource, where
from .iam_docs import allows, public_principal, statements
from .props import UNKNOWN, as_bool, get, items, raw

rules = PolicySet()

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@rules.resource(
    name="db-not-publicly-accessible",
    description="Databases are not publicly accessible.",
    types=[t.RDS_INSTANCE, t.RDS_CLUSTER_INSTANCE, t.RDS_CLUSTER],
    level=MANDATORY,
    fsbp=("RDS.2",),
)
def db_not_public(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "publiclyAccessible")) is True:
        return [f"{where(r)} is reachable from the internet: set `publiclyAccessible: false`"]
    return []


@rules.resource(
    name="no-public-ip",
    description="Instances and launch templates do not assign public IP addresses.",
    types=[t.INSTANCE, t.LAUNCH_TEMPLATE, t.LAUNCH_CONFIGURATION],
    level=MANDATORY,
    fsbp=("EC2.9", "EC2.25", "AutoScaling.5"),
)
def no_public_ip(r: Resource, cfg: Config) -> list[str]:
    if r.type in (t.INSTANCE, t.LAUNCH_CONFIGURATION):
        if as_bool(get(r.props, "associatePublicIpAddress")) is True:
            return [f"{where(r)} gets a public IP: set `associatePublicIpAddress: false`"]
        return []
    out = []
    for i, nic in enumerate(items(get(r.props, "networkInterfaces"))):
        if as_bool(get(nic, "associatePublicIpAddress")) is True:
            out.append(
                f"{where(r)} gives instances a public IP: set "
                f'`networkInterfaces[{i}].associatePublicIpAddress: "false"`'
            )
    return out


def remediate_public_access_block(r: Resource, cfg: Config) -> dict[str, Any] | None:
    if not public_access_block(r, cfg):
        return None
    return {**raw(r.props), **dict.fromkeys(PAB_FLAGS, True)}


@rules.resource(
    name="s3-public-access-block",
    description="S3 public access blocks turn on all four flags.",
    types=[t.S3_PUBLIC_ACCESS_BLOCK, t.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK],
    level=MANDATORY,
    fsbp=("S3.1", "S3.8"),
    remediation=remediate_public_access_block,
    remediation_steps="Set all four flags to true (automatic at level `remediate`).",
)
def public_access_block(r: Resource, cfg: Config) -> list[str]:
    off = [f for f in PAB_FLAGS if as_bool(get(r.props, f)) in (False, None)]
    if off:
        return [
            f"{where(r)} leaves public access possible: set "
            + ", ".join(f"`{f}: true`" for f in off)
        ]
    return []


@rules.resource(
    name="s3-no-public-acl",
    description="S3 buckets grant nothing to AllUsers or AuthenticatedUsers by ACL.",
    types=[*t.S3_BUCKETS, *t.S3_ACLS],
    level=MANDATORY,
    standard="AWS docs: Blocking public access to your Amazon S3 storage",
)
def no_public_acl(r: Resource, cfg: Config) -> list[str]:
    out = []
    acl = get(r.props, "acl")
    if acl in PUBLIC_ACLS:
        out.append(f'{where(r)} grants {acl} through a canned ACL: set `acl: "private"`')
    grants_prop = "grants" if r.type in t.S3_BUCKETS else "accessControlPolicy.grants"
    grants = get(r.props, *grants_prop.split("."))
    for i, grant in enumerate(items(grants)):
        uri = get(grant, "grantee", "uri")
        if uri is None:
            uri = get(grant, "uri")
        if uri in PUBLIC_GRANTEES:
            out.append(
                f"{where(r)} grants access to {uri.rsplit('/', 1)[-1]}: remove `{grants_prop}[{i}]`"
            )
    return out


@rules.resource(
    name="s3-bucket-policy-not-public",
    description="S3 bucket policies do not allow Principal * without a condition.",
    types=[t.S3_BUCKET_POLICY, *t.S3_BUCKETS],
    level=MANDATORY,
    standard="AWS docs: Blocking public access to your Amazon S3 storage",
)
def bucket_policy_not_public(r: Resource, cfg: Config) -> list[str]:
    out = []
    for i, s in enumerate(statements(get(r.props, "policy"))):
        if allows(s) and public_principal(s) and not s.get("Condition"):
            out.append(
                f'{where(r)} lets anyone (Principal "*") '
                f"{s.get('Action', 'act')} without a Condition (statement {i}): name the "
                "principal (e.g. the CloudFront service with an `AWS:SourceArn` condition)"
            )
    return out


@rules.resource(
    name="service-not-public",
    description=(
        "Redshift clusters, DMS replication instances, OpenSearch/Elasticsearch domains, EKS "
        "API endpoints, MSK brokers and ECS services are not reachable from the internet."
    ),
    types=[
        t.REDSHIFT_CLUSTER,
        t.DMS_REPLICATION_INSTANCE,
        *t.SEARCH_DOMAINS,
        t.EKS_CLUSTER,
        t.MSK_CLUSTER,
        t.ECS_SERVICE,
    ],
    level=MANDATORY,
    fsbp=("Redshift.1", "DMS.1", "Opensearch.2", "ES.2", "EKS.1", "MSK.4", "ECS.2"),
)
def service_not_public(r: Resource, cfg: Config) -> list[str]:
    if r.type in (t.REDSHIFT_CLUSTER, t.DMS_REPLICATION_INSTANCE):
        if as_bool(get(r.props, "publiclyAccessible")) is True:
            return [f"{where(r)} is reachable from the internet: set `publiclyAccessible: false`"]
    elif r.type in t.SEARCH_DOMAINS:
        if get(r.props, "vpcOptions") is None:
            return [
                f"{where(r)} has a public endpoint: set `vpcOptions.subnetIds` (and "
                "`securityGroupIds`) to place it in a VPC"
            ]
    elif r.type == t.EKS_CLUSTER:
        vpc = get(r.props, "vpcConfig")
        if vpc is not UNKNOWN and as_bool(get(vpc, "endpointPublicAccess")) in (True, None):
            return [
                f"{where(r)} exposes its Kubernetes API to the internet: set "
                "`vpcConfig.endpointPublicAccess: false` (and `endpointPrivateAccess: true`)"
            ]
    elif r.type == t.MSK_CLUSTER:
        path = ("brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type")
        if get(r.props, *path) == "SERVICE_PROVIDED_EIPS":
            return [f'{where(r)} gives brokers public IPs: set `{".".join(path)}: "DISABLED"`']
    elif as_bool(get(r.props, "networkConfiguration", "assignPublicIp")) is True:
        return [
            f"{where(r)} gives tasks public IPs: set `networkConfiguration.assignPublicIp: false`"
        ]
    return []


@rules.resource(
    name="lambda-permission-not-public",
    description="Lambda permissions name who may invoke: no Principal * without a source.",
    types=[t.LAMBDA_PERMISSION],
    level=MANDATORY,
    fsbp=("Lambda.1",),
)
def lambda_not_public(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "principal") != "*":
        return []
    if any(
        get(r.props, p) not in (None, "")
        for p in ("sourceArn", "sourceAccount", "principalOrgId", "functionUrlAuthType")
    ):
        return []
    return [
        f"{where(r)} lets anyone invoke the function: set `principal` to the "
        "calling service or account (with `sourceArn` or `sourceAccount`)"
    ]


policies = rules.policies
