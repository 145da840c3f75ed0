"""IAM and key policy documents as plain data, rendered to JSON for AWS."""

from __future__ import annotations

import json
from typing import Any

import pulumi

Statement = dict[str, Any]


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def document_output(*statements: pulumi.Input[Statement]) -> pulumi.Output[str]:
    """A policy document whose statements may hold Outputs (ARNs of resources being created)."""
    return pulumi.Output.all(*statements).apply(lambda resolved: document(*resolved))


def account_administers_key(partition: str, account_id: str) -> Statement:
    """The key policy statement that hands a KMS key's administration to the account's IAM."""
    return {
        "Sid": "AccountAdministersTheKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def service_trust(service: str, account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """A role trust policy for one AWS service, confined to this account (confused deputy)."""
    return pulumi.Output.from_input(account_id).apply(
        lambda account: document(
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        )
    )
