"""S3: the uploads/static bucket the site serves through CloudFront, and the access-log bucket.

uploads: private (all four public-access-block flags, bucket-owner-enforced ownership), versioned,
SSE-KMS with the data key and a bucket key, TLS-only, noncurrent versions expire. CloudFront
reads it through origin access control; that grant names the distribution, which is created
after the bucket, so the composer (``components/site/site.py``) attaches the bucket's one policy
from ``uploads_policy_statements`` once the distribution exists (a bucket has exactly one
policy: two ``BucketPolicy`` resources would overwrite each other).

logs: ALB access logs and CloudFront standard logs. Both services write only to SSE-S3 buckets;
CloudFront standard logging writes through the bucket ACL (awslogsdelivery), so ACLs stay enabled
with ``BucketOwnerPreferred`` ownership and a private ACL granting just that account.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.policy_documents import Statement, document_output

# The canonical user CloudFront standard logging writes as (documented, the same in every account).
CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID = (
    "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
)
# Regions opened after August 2022 deliver ALB logs only as this service principal; older regions
# deliver as their regional ELB account, which `aws.elb.get_service_account` knows.
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
LEGACY_ELB_LOG_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ca-central-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-south-1",
        "eu-north-1",
        "me-south-1",
        "sa-east-1",
        "us-gov-west-1",
        "us-gov-east-1",
        "cn-north-1",
        "cn-northwest-1",
    }
)
# Key prefixes CloudFront serves from the uploads bucket (path patterns /static/* and /uploads/*).
SERVED_PREFIXES = ("static", "uploads")


@dataclass(frozen=True)
class StorageArgs:
    region: str
    data_key_arn: pulumi.Input[str]
    protect: bool = False
    noncurrent_version_days: int = 30
    access_log_days: int = 90


class Storage(pulumi.ComponentResource):
    """The uploads/static bucket and the access-log bucket of one region."""

    uploads_bucket: aws.s3.Bucket
    log_bucket: aws.s3.Bucket
    # The ALB checks that it can write its logs when access logging is switched on: depend on this.
    log_bucket_policy: aws.s3.BucketPolicy
    # CloudFront's standard logging needs the log bucket's ACL (and the ownership that allows
    # ACLs) in place before a distribution names the bucket: depend on these.
    log_bucket_ownership: aws.s3.BucketOwnershipControls
    log_bucket_acl: aws.s3.BucketAcl
    # The composer's uploads bucket policy waits for this (S3 rejects a policy while a public
    # access block is being applied concurrently).
    uploads_public_access_block: aws.s3.BucketPublicAccessBlock
    # S3 replication requires versioning on both sides: the DR mirror depends on this.
    uploads_versioning: aws.s3.BucketVersioning
    # The key the uploads are encrypted with (replication decrypts with it, in this region).
    data_key_arn: pulumi.Input[str]
    # Give the ALB this prefix (`access_logs.prefix`) and CloudFront `cloudfront_log_prefix`:
    # the log bucket's policy admits ELB log delivery under it only.
    alb_log_prefix: str = "alb"
    cloudfront_log_prefix: str = "cloudfront/"

    def __init__(
        self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:storage:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account_id = aws.get_caller_identity_output(opts=invoke).account_id

        # --- uploads/static ---------------------------------------------------------------
        self.uploads_bucket = aws.s3.Bucket(
            f"{name}-uploads", tags={"Name": f"{name}-uploads", "Purpose": "uploads"}, opts=stateful
        )
        uploads = self.uploads_bucket.id
        self.uploads_public_access_block = self._block_public_access(f"{name}-uploads", uploads)
        aws.s3.BucketOwnershipControls(
            f"{name}-uploads",
            bucket=uploads,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        self.data_key_arn = args.data_key_arn
        self.uploads_versioning = aws.s3.BucketVersioning(
            f"{name}-uploads",
            bucket=uploads,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-uploads",
            bucket=uploads,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": args.data_key_arn,
                    },
                    # One data key per bucket instead of a KMS call per object: cost and quota.
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-uploads",
            bucket=uploads,
            rules=[
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {
                        "noncurrent_days": args.noncurrent_version_days
                    },
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )

        # --- access logs ---------------------------------------------------------------------
        self.log_bucket = aws.s3.Bucket(
            f"{name}-logs", tags={"Name": f"{name}-logs", "Purpose": "access-logs"}, opts=stateful
        )
        logs = self.log_bucket.id
        public_access_block = self._block_public_access(f"{name}-logs", logs)
        ownership = self.log_bucket_ownership = aws.s3.BucketOwnershipControls(
            f"{name}-logs",
            bucket=logs,
            rule={"object_ownership": "BucketOwnerPreferred"},
            opts=child,
        )
        owner = aws.s3.get_canonical_user_id_output(opts=invoke)
        self.log_bucket_acl = aws.s3.BucketAcl(
            f"{name}-logs",
            bucket=logs,
            access_control_policy={
                "owner": {"id": owner.id},
                "grants": [
                    {
                        "grantee": {"type": "CanonicalUser", "id": owner.id},
                        "permission": "FULL_CONTROL",
                    },
                    {
                        "grantee": {
                            "type": "CanonicalUser",
                            "id": CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID,
                        },
                        "permission": "FULL_CONTROL",
                    },
                ],
            },
            # ACL calls fail while ownership is still BucketOwnerEnforced (the default).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ownership, public_access_block]),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-logs",
            bucket=logs,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-logs",
            bucket=logs,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {},
                    "expiration": {"days": args.access_log_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
                }
            ],
            opts=child,
        )
        alb_logs = pulumi.Output.all(
            bucket_arn=self.log_bucket.arn, account=self._account_id
        ).apply(lambda v: f"{v['bucket_arn']}/{self.alb_log_prefix}/AWSLogs/{v['account']}/*")
        log_statements: list[pulumi.Input[Statement]] = [
            _deny_insecure_transport(self.log_bucket.arn),
            alb_logs.apply(
                lambda resource: {
                    "Sid": "ElbLogDeliveryWritesAlbLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": ELB_LOG_DELIVERY_SERVICE},
                    "Action": "s3:PutObject",
                    "Resource": resource,
                }
            ),
        ]
        if args.region in LEGACY_ELB_LOG_REGIONS:
            elb_account = aws.elb.get_service_account_output(opts=invoke)
            log_statements.append(
                pulumi.Output.all(elb_account=elb_account.arn, alb_logs=alb_logs).apply(
                    lambda v: {
                        "Sid": "RegionalElbAccountWritesAlbLogs",
                        "Effect": "Allow",
                        "Principal": {"AWS": v["elb_account"]},
                        "Action": "s3:PutObject",
                        "Resource": v["alb_logs"],
                    }
                )
            )
        self.log_bucket_policy = aws.s3.BucketPolicy(
            f"{name}-logs",
            bucket=logs,
            policy=document_output(*log_statements),
            # S3 rejects a policy while a public access block is being applied concurrently.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access_block]),
        )

        self.register_outputs(
            {
                "uploads_bucket_name": self.uploads_bucket.bucket,
                "uploads_bucket_arn": self.uploads_bucket.arn,
                "log_bucket_name": self.log_bucket.bucket,
            }
        )

    def _block_public_access(
        self, name: str, bucket: pulumi.Input[str]
    ) -> aws.s3.BucketPublicAccessBlock:
        return aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _deny_insecure_transport(bucket_arn: pulumi.Output[str]) -> pulumi.Output[Statement]:
    return bucket_arn.apply(
        lambda arn: {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def uploads_policy_statements(
    bucket_arn: pulumi.Output[str], cloudfront_distribution_arn: pulumi.Input[str] | None
) -> list[pulumi.Input[Statement]]:
    """The uploads bucket's one policy: TLS only, plus CloudFront read when a distribution
    serves the bucket (origin access control, scoped to that distribution)."""
    statements: list[pulumi.Input[Statement]] = [_deny_insecure_transport(bucket_arn)]
    if cloudfront_distribution_arn is not None:
        statements.append(
            pulumi.Output.all(
                bucket_arn=bucket_arn, distribution_arn=cloudfront_distribution_arn
            ).apply(
                lambda v: {
                    "Sid": "CloudFrontReadsServedPrefixes",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": [f"{v['bucket_arn']}/{prefix}/*" for prefix in SERVED_PREFIXES],
                    "Condition": {"StringEquals": {"AWS:SourceArn": v["distribution_arn"]}},
                }
            )
        )
    return statements
