"""Public exposure: databases, instances, S3 buckets."""

from __future__ import annotations

from typing import Any

from . import tokens as t
from .base import MANDATORY, Config, PolicySet, Resource
from .iam_docs import allows, public_principal, statements
from .props import as_bool, get, items, raw

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
)
def db_not_public(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "publiclyAccessible")) is True:
        return [
            f"{t.label(r.type)} '{r.name}' is reachable from the internet: set "
            "`publiclyAccessible: false`"
        ]
    return []


@rules.resource(
    name="no-public-ip",
    description="Instances and launch templates do not assign public IP addresses.",
    types=[t.INSTANCE, t.LAUNCH_TEMPLATE],
    level=MANDATORY,
)
def no_public_ip(r: Resource, cfg: Config) -> list[str]:
    where = f"{t.label(r.type)} '{r.name}'"
    if r.type == t.INSTANCE:
        if as_bool(get(r.props, "associatePublicIpAddress")) is True:
            return [f"{where} gets a public IP: set `associatePublicIpAddress: false`"]
        return []
    out = []
    for i, nic in enumerate(items(get(r.props, "networkInterfaces"))):
        if as_bool(get(nic, "associatePublicIpAddress")) is True:
            out.append(
                f"{where} gives instances a public IP: set "
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
    remediation=remediate_public_access_block,
    remediation_steps="Set all four flags to true (automatic at level `remediate`).",
)
def public_access_block(r: Resource, cfg: Config) -> list[str]:
    off = [f for f in PAB_FLAGS if as_bool(get(r.props, f)) in (False, None)]
    if off:
        return [
            f"{t.label(r.type)} '{r.name}' leaves public access possible: set "
            + ", ".join(f"`{f}: true`" for f in off)
        ]
    return []


@rules.resource(
    name="s3-no-public-acl",
    description="S3 buckets grant nothing to AllUsers or AuthenticatedUsers by ACL.",
    types=[*t.S3_BUCKETS, *t.S3_ACLS],
    level=MANDATORY,
)
def no_public_acl(r: Resource, cfg: Config) -> list[str]:
    where = f"{t.label(r.type)} '{r.name}'"
    out = []
    acl = get(r.props, "acl")
    if acl in PUBLIC_ACLS:
        out.append(f'{where} grants {acl} through a canned ACL: set `acl: "private"`')
    grants_prop = "grants" if r.type in t.S3_BUCKETS else "accessControlPolicy.grants"
    grants = get(r.props, *grants_prop.split("."))
    for i, grant in enumerate(items(grants)):
        uri = get(grant, "grantee", "uri")
        if uri is None:
            uri = get(grant, "uri")
        if uri in PUBLIC_GRANTEES:
            out.append(
                f"{where} grants access to {uri.rsplit('/', 1)[-1]}: remove `{grants_prop}[{i}]`"
            )
    return out


@rules.resource(
    name="s3-bucket-policy-not-public",
    description="S3 bucket policies do not allow Principal * without a condition.",
    types=[t.S3_BUCKET_POLICY, *t.S3_BUCKETS],
    level=MANDATORY,
)
def bucket_policy_not_public(r: Resource, cfg: Config) -> list[str]:
    out = []
    for i, s in enumerate(statements(get(r.props, "policy"))):
        if allows(s) and public_principal(s) and not s.get("Condition"):
            out.append(
                f"{t.label(r.type)} '{r.name}' lets anyone (Principal \"*\") "
                f"{s.get('Action', 'act')} without a Condition (statement {i}): name the "
                "principal (e.g. the CloudFront service with an `AWS:SourceArn` condition)"
            )
    return out


policies = rules.policies
