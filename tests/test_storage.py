"""S3: a private, versioned, KMS-encrypted uploads bucket readable only by the site's CloudFront
distribution, and a log bucket the ALB and CloudFront can write to."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.support.tokens import (
    CLOUDFRONT_DISTRIBUTION,
    KMS_KEY,
    S3_BUCKET,
    S3_BUCKET_POLICY,
    STORAGE_COMPONENT,
)
from tools.mockcloud import ACCOUNT_ID, RecordedResource, Synthesis

CLOUDFRONT_LOG_DELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


def bucket(stack: Synthesis, purpose: str) -> RecordedResource:
    (found,) = [b for b in stack.of_type(S3_BUCKET) if b.get("tags", "Purpose") == purpose]
    return found


def configuration(stack: Synthesis, type_name: str, purpose: str) -> list[RecordedResource]:
    """The ``aws:s3/<type_name>`` resources attached to the bucket (deployed mode: by id)."""
    target = bucket(stack, purpose)
    assert target.id, "follow references in deployed mode"
    return [r for r in stack.of_type(f"aws:s3/{type_name}") if r.get("bucket") == target.id]


def policy_statements(stack: Synthesis, purpose: str) -> list[dict]:
    (policy,) = configuration(stack, "bucketPolicy:BucketPolicy", purpose)
    document = policy.get("policy")
    assert isinstance(document, str)
    return json.loads(document)["Statement"]


def test_both_buckets_block_every_kind_of_public_access(prod_primary_deployed: Synthesis) -> None:
    for purpose in ("uploads", "access-logs"):
        (block,) = configuration(
            prod_primary_deployed, "bucketPublicAccessBlock:BucketPublicAccessBlock", purpose
        )
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ):
            assert block.get(flag) is True, (purpose, flag)


def test_uploads_bucket_disables_acls_and_keeps_versions(prod_primary_deployed: Synthesis) -> None:
    (ownership,) = configuration(
        prod_primary_deployed, "bucketOwnershipControls:BucketOwnershipControls", "uploads"
    )
    assert ownership.get("rule", "objectOwnership") == "BucketOwnerEnforced"
    (versioning,) = configuration(
        prod_primary_deployed, "bucketVersioning:BucketVersioning", "uploads"
    )
    assert versioning.get("versioningConfiguration", "status") == "Enabled"


def test_uploads_bucket_is_encrypted_with_the_data_key_and_a_bucket_key(
    prod_primary_deployed: Synthesis,
) -> None:
    (sse,) = configuration(
        prod_primary_deployed,
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "uploads",
    )
    (rule,) = sse.get("rules")
    default = rule["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    key = prod_primary_deployed.by_arn(default["kmsMasterKeyId"])
    assert key.type == KMS_KEY
    assert key.get("tags", "Purpose") == "data"
    assert rule["bucketKeyEnabled"] is True


def test_noncurrent_upload_versions_expire(prod_primary_deployed: Synthesis) -> None:
    (lifecycle,) = configuration(
        prod_primary_deployed,
        "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "uploads",
    )
    (rule,) = lifecycle.get("rules")
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30


def test_the_uploads_bucket_has_one_policy_that_denies_plain_http(
    prod_primary_deployed: Synthesis,
) -> None:
    statements = policy_statements(prod_primary_deployed, "uploads")
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    arn = bucket(prod_primary_deployed, "uploads").outputs.get("arn")
    assert arn is not None
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*" and sorted(deny["Resource"]) == [arn, f"{arn}/*"]


def test_only_the_sites_distribution_may_read_and_only_the_served_prefixes(
    prod_primary_deployed: Synthesis,
) -> None:
    (allow,) = [
        s for s in policy_statements(prod_primary_deployed, "uploads") if s["Effect"] == "Allow"
    ]
    (distribution,) = prod_primary_deployed.of_type(CLOUDFRONT_DISTRIBUTION)
    distribution_arn = distribution.outputs.get("arn")
    arn = bucket(prod_primary_deployed, "uploads").outputs.get("arn")
    assert distribution_arn is not None and arn is not None
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}
    assert sorted(allow["Resource"]) == [f"{arn}/static/*", f"{arn}/uploads/*"]


def test_without_the_cdn_nobody_else_is_granted_anything(
    synthesized: Callable[..., Synthesis],
) -> None:
    stack = synthesized("dev", {"webstack:cdn": {"enabled": False}}, preview=False)
    assert stack.error is None, stack.error
    statements = policy_statements(stack, "uploads")
    assert [s["Effect"] for s in statements] == ["Deny"]


def test_log_bucket_uses_sse_s3_and_expires_logs(prod_primary_deployed: Synthesis) -> None:
    (sse,) = configuration(
        prod_primary_deployed,
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "access-logs",
    )
    # ALB access logs can only be written to SSE-S3 buckets.
    assert sse.get("rules")[0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    (lifecycle,) = configuration(
        prod_primary_deployed,
        "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "access-logs",
    )
    (rule,) = lifecycle.get("rules")
    assert rule["expiration"]["days"] == 90


def test_cloudfront_log_delivery_is_granted_through_a_private_acl(
    prod_primary_deployed: Synthesis,
) -> None:
    (ownership,) = configuration(
        prod_primary_deployed, "bucketOwnershipControls:BucketOwnershipControls", "access-logs"
    )
    assert ownership.get("rule", "objectOwnership") == "BucketOwnerPreferred"
    (acl,) = configuration(prod_primary_deployed, "bucketAcl:BucketAcl", "access-logs")
    grants = acl.get("accessControlPolicy", "grants")
    assert grants is not None
    assert len(grants) == 2  # the bucket owner's and CloudFront log delivery's
    grantees = {(g["grantee"]["type"], g["grantee"].get("id"), g["permission"]) for g in grants}
    assert ("CanonicalUser", CLOUDFRONT_LOG_DELIVERY, "FULL_CONTROL") in grantees
    assert all(g["grantee"].get("uri") is None for g in grants), "no group (public) grantees"
    assert ownership.urn in acl.dependencies


def test_elb_log_delivery_may_write_only_under_the_alb_prefix(
    prod_primary_deployed: Synthesis,
) -> None:
    arn = bucket(prod_primary_deployed, "access-logs").outputs.get("arn")
    assert arn is not None
    writes = [
        s for s in policy_statements(prod_primary_deployed, "access-logs") if s["Effect"] == "Allow"
    ]
    principals = [s["Principal"] for s in writes]
    assert {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"} in principals
    # us-east-1 predates August 2022: its regional ELB account delivers the logs.
    assert any("AWS" in p and p["AWS"].endswith(":root") for p in principals)
    for statement in writes:
        assert statement["Action"] == "s3:PutObject"
        assert statement["Resource"] == f"{arn}/alb/AWSLogs/{ACCOUNT_ID}/*"


def test_buckets_are_protected_in_prod_and_never_force_destroyed(
    prod_primary_preview: Synthesis, dev_preview: Synthesis
) -> None:
    for stack, protected in ((prod_primary_preview, True), (dev_preview, False)):
        buckets = stack.of_type(S3_BUCKET)
        assert len(buckets) == 2  # uploads, access logs
        for found in buckets:
            assert found.protect is protected, found.name
            assert not found.get("forceDestroy"), found.name


def test_every_storage_resource_is_a_child_of_the_component(
    prod_primary_preview: Synthesis,
) -> None:
    (storage,) = prod_primary_preview.of_type(STORAGE_COMPONENT)
    children = prod_primary_preview.children(storage.urn)
    assert {c.type.removeprefix("aws:s3/") for c in children} == {
        "bucket:Bucket",
        "bucketAcl:BucketAcl",
        "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "bucketOwnershipControls:BucketOwnershipControls",
        "bucketPolicy:BucketPolicy",
        "bucketPublicAccessBlock:BucketPublicAccessBlock",
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "bucketVersioning:BucketVersioning",
    }
    assert len([c for c in children if c.type == S3_BUCKET_POLICY]) == 2
