"""The instances' inline IAM policy: a pure function of what the tier may reach.

Least privilege: its own secrets (the database's master secret, the cache's AUTH token), its
uploads prefix, the data key only through those services, and - through an RDS Proxy that
requires IAM authentication - ``rds-db:connect`` as the one database user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from components.policy_documents import Statement

UPLOADS_PREFIX = "uploads/"


@dataclass(frozen=True)
class TierAccess:
    """Resolved ARNs and names the tier's policy grants access to."""

    region: str
    partition: str
    account_id: str
    data_key_arn: str
    secret_arns: Sequence[str] = ()
    uploads_bucket_arn: str | None = None
    # Through an IAM-authenticated RDS Proxy: its ARN and the database user.
    proxy_arn: str | None = None
    iam_user: str | None = None


def grants_anything(*, proxy: bool, secrets: bool, uploads: bool) -> bool:
    """Whether the tier gets an inline policy at all (known before any ARN resolves)."""
    return proxy or secrets or uploads


def tier_statements(access: TierAccess) -> list[Statement]:
    """The inline policy's statements, in a fixed order."""
    out: list[Statement] = []
    if access.proxy_arn is not None and access.iam_user is not None:
        out.append(
            {
                "Sid": "ConnectThroughTheProxy",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                # The proxy's resource id (prx-...) is the last field of its ARN.
                "Resource": f"arn:{access.partition}:rds-db:{access.region}:"
                f"{access.account_id}:dbuser:"
                f"{access.proxy_arn.rsplit(':', 1)[-1]}/{access.iam_user}",
            }
        )
    if access.secret_arns:
        out.append(
            {
                "Sid": "ReadItsSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": list(access.secret_arns),
            }
        )
    via = [f"secretsmanager.{access.region}.amazonaws.com"]
    if access.uploads_bucket_arn is not None:
        arn = access.uploads_bucket_arn
        via.append(f"s3.{access.region}.amazonaws.com")
        out.append(
            {
                "Sid": "ReadWriteItsUploads",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"{arn}/{UPLOADS_PREFIX}*",
            }
        )
        out.append(
            {
                "Sid": "ListItsUploads",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": arn,
                "Condition": {"StringLike": {"s3:prefix": [f"{UPLOADS_PREFIX}*"]}},
            }
        )
    if access.secret_arns or access.uploads_bucket_arn is not None:
        out.append(
            {
                "Sid": "UseTheDataKeyThroughThoseServices",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": access.data_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": via}},
            }
        )
    return out
