# ruff: noqa: E501 - rule tables read best one case per line
"""Hardening and data protection rules (advisory by default), beyond the rule table (cases_hardening.py)."""

from guardrails import tokens as t
from guardrails.base import Resource
from guardrails.hardening import remediate_drop_invalid_headers, remediate_imdsv2
from guardrails.props import UNKNOWN_OBJECT
from support import check


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
