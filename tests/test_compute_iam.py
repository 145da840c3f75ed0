"""The instances' inline policy, as a pure function: exactly what each tier may reach."""

from __future__ import annotations

from dataclasses import replace

from components.compute.iam import TierAccess, grants_anything, tier_statements

REGION = "eu-west-1"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/data"
DB_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
CACHE_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache"
BUCKET = "arn:aws:s3:::uploads"
PROXY = "arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0abc"


BASE = TierAccess(region=REGION, partition="aws", account_id="123456789012", data_key_arn=KEY)


def test_a_tier_that_reaches_nothing_gets_no_statement_and_no_policy() -> None:
    assert tier_statements(BASE) == []
    assert grants_anything(proxy=False, secrets=False, uploads=False) is False
    assert grants_anything(proxy=False, secrets=False, uploads=True) is True


def test_secrets_and_uploads_get_the_data_key_only_through_those_services() -> None:
    statements = tier_statements(
        replace(BASE, secret_arns=(DB_SECRET, CACHE_SECRET), uploads_bucket_arn=BUCKET)
    )
    assert [s["Sid"] for s in statements] == [
        "ReadItsSecrets",
        "ReadWriteItsUploads",
        "ListItsUploads",
        "UseTheDataKeyThroughThoseServices",
    ]
    secrets, read_write, listing, key = statements
    assert secrets["Resource"] == [DB_SECRET, CACHE_SECRET]
    assert read_write["Resource"] == f"{BUCKET}/uploads/*"
    assert listing == {
        "Sid": "ListItsUploads",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": BUCKET,
        "Condition": {"StringLike": {"s3:prefix": ["uploads/*"]}},
    }
    assert key["Resource"] == KEY
    assert key["Condition"] == {
        "StringEquals": {
            "kms:ViaService": [
                f"secretsmanager.{REGION}.amazonaws.com",
                f"s3.{REGION}.amazonaws.com",
            ]
        }
    }


def test_through_the_proxy_the_tier_connects_as_the_one_database_user() -> None:
    statements = tier_statements(
        replace(BASE, secret_arns=(DB_SECRET,), proxy_arn=PROXY, iam_user="app_admin")
    )
    assert [s["Sid"] for s in statements] == [
        "ConnectThroughTheProxy",
        "ReadItsSecrets",
        "UseTheDataKeyThroughThoseServices",
    ]
    assert statements[0]["Resource"] == (
        f"arn:aws:rds-db:{REGION}:123456789012:dbuser:prx-0abc/app_admin"
    )
    assert statements[2]["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"secretsmanager.{REGION}.amazonaws.com"]}
    }


def test_a_proxy_without_a_database_user_grants_no_connect() -> None:
    statements = tier_statements(replace(BASE, secret_arns=(DB_SECRET,), proxy_arn=PROXY))
    assert [s["Sid"] for s in statements] == [
        "ReadItsSecrets",
        "UseTheDataKeyThroughThoseServices",
    ]
