"""The whole pack: every policy, grouped by concern."""

from __future__ import annotations

from . import (
    audit_logging,
    disaster_recovery,
    encryption,
    exposure,
    hardening,
    iam,
    multi_az,
    network,
    security_groups,
    workloads,
)
from .base import AnyPolicy

PACK_NAME = "webstack-guardrails"
DESCRIPTION = (
    "Organisation guardrails for AWS: encryption, multi-AZ, least-privilege network and IAM, "
    "no public exposure (mandatory); disaster recovery, workload hardening and logging "
    "(advisory)."
)
CONCERNS = (
    encryption,
    multi_az,
    security_groups,
    network,
    exposure,
    iam,
    disaster_recovery,
    workloads,
    hardening,
    audit_logging,
)


def all_policies() -> list[AnyPolicy]:
    return [policy for concern in CONCERNS for policy in concern.policies()]
