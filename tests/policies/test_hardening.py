# ruff: noqa: E501 - rule tables read best one case per line
"""Hardening and data protection rules (advisory by default), beyond the rule table (cases_hardening.py)."""

import pytest
from guardrails import tokens as t
from guardrails.base import Resource
from guardrails.hardening import remediate_drop_invalid_headers, remediate_imdsv2
from guardrails.props import UNKNOWN_OBJECT, UNKNOWN_STRING
from support import check, stack_check, stack_resources, urn


def test_minimum_backup_days_are_configurable():
    props = {"backupRetentionPeriod": 7}
    assert check("db-backup-retention", t.RDS_INSTANCE, props, config={"minimumDays": 14})


def test_imdsv2_remediation_sets_only_http_tokens():
    props = {"imageId": "ami-1", "metadataOptions": {"httpPutResponseHopLimit": 2}}
    fixed = remediate_imdsv2(Resource(t.LAUNCH_TEMPLATE, "lt", props), {})
    assert fixed == {"imageId": "ami-1", "metadataOptions": {"httpPutResponseHopLimit": 2, "httpTokens": "required"}}  # fmt: skip
    unknown = {"metadataOptions": UNKNOWN_OBJECT}
    assert remediate_imdsv2(Resource(t.LAUNCH_TEMPLATE, "lt", unknown), {}) is None


def test_drop_invalid_headers_remediation():
    fixed = remediate_drop_invalid_headers(
        Resource(t.LOAD_BALANCERS[0], "alb", {"internal": False}), {}
    )
    assert fixed == {"internal": False, "dropInvalidHeaderFields": True}


def test_every_secret_needs_a_rotation():
    resources = stack_resources(
        [
            (t.SECRET, "db", {"name": "db"}),
            (t.SECRET, "api", {"name": "api"}),
            (
                t.SECRET_ROTATION,
                "db-rotation",
                {"secretId": UNKNOWN_STRING, "rotationRules": {"automaticallyAfterDays": 30}},
            ),
        ],
        {"db-rotation": {"secretId": ["db"]}},
    )
    [(at, message)] = stack_check("secrets-manager-rotation", resources)
    assert at == urn(t.SECRET, "api") and "aws.secretsmanager.SecretRotation" in message


EFS = (t.EFS_FILE_SYSTEM, "shared", {"encrypted": True, "tags": {"backup": "daily"}})


@pytest.mark.parametrize(
    ("selection", "deps"),
    [
        ({"resources": [UNKNOWN_STRING]}, {"resources": ["shared"]}),
        ({"resources": ["arn:aws:elasticfilesystem:*:*:file-system/*"]}, {}),
        ({"resources": ["*"]}, {}),
        ({"selectionTags": [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]}, {}),
        (
            {
                "conditions": [
                    {"stringEquals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}
                ]
            },
            {},
        ),
    ],
    ids=["by-reference", "by-efs-wildcard", "everything", "by-tag", "by-condition"],
)
def test_an_efs_file_system_picked_by_a_backup_selection_is_backed_up(selection, deps):
    resources = stack_resources(
        [
            EFS,
            (
                t.BACKUP_SELECTION,
                "sel",
                {"planId": UNKNOWN_STRING, "iamRoleArn": UNKNOWN_STRING, **selection},
            ),
        ],
        {"sel": deps} if deps else None,
    )
    assert stack_check("efs-backups", resources) == []


@pytest.mark.parametrize(
    "selection",
    [
        {"resources": ["arn:aws:rds:eu-west-1:1:db:app"]},
        {"selectionTags": [{"type": "STRINGEQUALS", "key": "backup", "value": "weekly"}]},
        {"resources": ["arn:aws:dynamodb:*:*:table/*"]},
    ],
    ids=["other-arn", "other-tag", "other-service-wildcard"],
)
def test_a_backup_selection_that_picks_other_resources_does_not_back_efs_up(selection):
    resources = stack_resources([EFS, (t.BACKUP_SELECTION, "sel", selection)])
    [(at, message)] = stack_check("efs-backups", resources)
    assert at == urn(*EFS[:2]) and "in no backup plan" in message


def test_a_selection_that_cannot_be_read_yet_leaves_efs_undecided():
    resources = stack_resources([EFS, (t.BACKUP_SELECTION, "sel", {"resources": UNKNOWN_STRING})])
    assert stack_check("efs-backups", resources) == []
