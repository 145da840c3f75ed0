# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: IAM least-privilege rules.

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

import json

from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **kw):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **kw}


TRUST_EC2 = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})  # fmt: skip

COMPLIANT = [
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": doc(allow("s3:GetObject"))}),
    ("iam-no-wildcard-admin", t.IAM_ROLE_POLICY, {"policy": doc(allow("s3:*", "arn:aws:s3:::b/*"))}),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": doc({"Effect": "Deny", "Action": "*", "Resource": "*"})}),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": UNKNOWN_STRING}),
    ("iam-no-wildcard-admin", t.IAM_ROLE, {"inlinePolicies": [{"name": "p", "policy": doc(allow("logs:PutLogEvents"))}]}),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENT, {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENT, {"policyArn": UNKNOWN_STRING}),
    ("iam-trust-not-public", t.IAM_ROLE, {"assumeRolePolicy": TRUST_EC2}),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})}),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": doc({"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::b/*"})}),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, {"roleName": "r", "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", UNKNOWN_STRING]}),
]  # fmt: skip

VIOLATIONS = [
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": doc(allow("*"))}, "allows *"),
    ("iam-no-wildcard-admin", t.IAM_ROLE_POLICY, {"policy": doc(allow(["s3:GetObject", "ec2:*"], ["*"]))}, "ec2:*"),
    ("iam-no-wildcard-admin", t.IAM_USER_POLICY, {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})}, "NotAction"),
    ("iam-no-wildcard-admin", t.IAM_GROUP_POLICY, {"policy": {"Statement": [allow("*")]}}, "`policy` statement 0"),
    ("iam-no-wildcard-admin", t.IAM_ROLE, {"inlinePolicies": [{"policy": doc(allow("*"))}]}, "inlinePolicies[0].policy"),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENT, {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, "AdministratorAccess"),
    ("iam-no-administrator-access", t.IAM_POLICY_ATTACHMENT, {"policyArn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}, "policyArn"),
    ("iam-no-administrator-access", t.IAM_USER_POLICY_ATTACHMENT, {"policyArn": "arn:aws-cn:iam::aws:policy/AdministratorAccess"}, "AdministratorAccess"),
    ("iam-no-administrator-access", t.IAM_GROUP_POLICY_ATTACHMENT, {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, "AdministratorAccess"),
    ("iam-no-administrator-access", t.IAM_ROLE, {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, "managedPolicyArns[0]"),
    ("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": doc({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:iam::*:role/admin"})}, "instead of `NotResource`"),
    ("iam-no-wildcard-admin", t.IAM_ROLE_POLICY, {"policy": doc({"Effect": "Allow", "Action": ["ec2:*"], "NotResource": ["arn:aws:ec2:*:*:vpc/*"]})}, "allows ec2:* on every resource"),
    ("iam-no-administrator-access", t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, {"roleName": "r", "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"]}, "grants AdministratorAccess (`policyArns[1]`)"),
    ("iam-no-administrator-access", t.IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE, {"userName": "u", "policyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, "`policyArns[0]`"),
    ("iam-no-administrator-access", t.IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE, {"groupName": "g", "policyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, "`policyArns[0]`"),
    ("iam-trust-not-public", t.IAM_ROLE, {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})}, 'Principal "*"'),
    ("iam-trust-not-public", t.IAM_ROLE, {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "sts:AssumeRole"})}, "assumeRolePolicy"),
]  # fmt: skip


TWINS: list[tuple[str, str, dict, dict, str]] = []
