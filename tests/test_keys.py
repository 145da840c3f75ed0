"""KMS keys: customer-managed, rotated, aliased, with policies for the services that use them."""

from __future__ import annotations

import json

from tests.support.tokens import IAM_SERVICE_LINKED_ROLE, KMS_ALIAS, KMS_KEY
from tools.mockcloud import Synthesis


def keys_by_purpose(stack: Synthesis) -> dict[str, dict]:
    return {k.get("tags", "Purpose"): dict(k.inputs) for k in stack.of_type(KMS_KEY)}


def test_one_key_each_for_data_logs_and_backups(prod_primary_preview: Synthesis) -> None:
    assert set(keys_by_purpose(prod_primary_preview)) == {"data", "logs", "backups"}


def test_keys_rotate_and_wait_thirty_days_before_deletion(prod_primary_preview: Synthesis) -> None:
    keys = prod_primary_preview.of_type(KMS_KEY)
    assert len(keys) == 3  # data, logs, backups
    for key in keys:
        assert key.get("enableKeyRotation") is True, key.name
        assert key.get("deletionWindowInDays") == 30, key.name


def test_every_key_has_an_alias_named_after_the_stack(prod_primary_deployed: Synthesis) -> None:
    aliases = {
        a.get("name"): prod_primary_deployed.by_id(a.get("targetKeyId")).name
        for a in prod_primary_deployed.of_type(KMS_ALIAS)
    }
    assert aliases == {
        f"alias/webstack-prod-{purpose}": f"webstack-prod-{purpose}"
        for purpose in ("data", "logs", "backups")
    }


def statements(stack: Synthesis, purpose: str) -> list[dict]:
    policy = keys_by_purpose(stack)[purpose]["policy"]
    assert isinstance(policy, str), "key policies must be known at preview time"
    return json.loads(policy)["Statement"]


def test_the_account_administers_every_key_through_iam(prod_primary_preview: Synthesis) -> None:
    for purpose in ("data", "logs", "backups"):
        root = [s for s in statements(prod_primary_preview, purpose) if s["Action"] == "kms:*"]
        assert root == [
            {
                "Sid": "AccountAdministersTheKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]


def test_cloudwatch_logs_may_use_the_logs_key_only_for_this_accounts_log_groups(
    prod_primary_preview: Synthesis,
) -> None:
    (logs,) = [
        s
        for s in statements(prod_primary_preview, "logs")
        if s["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    ]
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:*"
    )
    assert "kms:*" not in logs["Action"]


def test_auto_scaling_may_encrypt_volumes_with_the_data_key(
    prod_primary_preview: Synthesis,
) -> None:
    principals = {
        json.dumps(s["Principal"]) for s in statements(prod_primary_preview, "data") if "Sid" in s
    }
    assert any("AWSServiceRoleForAutoScaling" in p for p in principals)


def test_no_key_policy_opens_to_any_principal(prod_primary_preview: Synthesis) -> None:
    for purpose, count in (("data", 4), ("logs", 3), ("backups", 1)):
        found = statements(prod_primary_preview, purpose)
        assert len(found) == count, purpose
        for statement in found:
            assert statement["Principal"] not in ("*", {"AWS": "*"}), statement


def test_keys_are_protected_in_prod_only(
    prod_primary_preview: Synthesis, dev_preview: Synthesis
) -> None:
    assert [k.protect for k in prod_primary_preview.of_type(KMS_KEY)] == [True] * 3
    assert [k.protect for k in dev_preview.of_type(KMS_KEY)] == [False] * 3


def test_cloudfront_may_decrypt_files_only_for_this_accounts_distributions(
    prod_primary_preview: Synthesis,
) -> None:
    (statement,) = [
        s
        for s in statements(prod_primary_preview, "data")
        if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert statement["Action"] == "kms:Decrypt"
    assert statement["Condition"]["StringLike"]["aws:SourceArn"] == (
        "arn:aws:cloudfront::123456789012:distribution/*"
    )


def test_the_data_key_names_the_stacks_own_auto_scaling_role(
    prod_primary_deployed: Synthesis,
) -> None:
    # The account's default AWSServiceRoleForAutoScaling may not exist yet: the stack creates
    # its own, and the key (whose policy names it) waits for it.
    (role,) = prod_primary_deployed.of_type(IAM_SERVICE_LINKED_ROLE)
    assert role.get("awsServiceName") == "autoscaling.amazonaws.com"
    suffix = role.get("customSuffix")
    assert suffix == "webstack-prod-us-east-1" and len(suffix) <= 35
    expected = (
        "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
        f"AWSServiceRoleForAutoScaling_{suffix}"
    )
    volume_statements = [
        s
        for s in statements(prod_primary_deployed, "data")
        if s.get("Sid", "").startswith("AutoScaling")
    ]
    assert len(volume_statements) == 2
    assert all(s["Principal"] == {"AWS": expected} for s in volume_statements)
    (key,) = [
        k for k in prod_primary_deployed.of_type(KMS_KEY) if k.get("tags", "Purpose") == "data"
    ]
    assert role.urn in key.dependencies
