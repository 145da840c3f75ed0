"""The whole pack: every policy, grouped by concern."""

from __future__ import annotations

from collections.abc import Callable

from . import (
    audit_logging,
    disaster_recovery,
    encryption,
    encryption_other_services,
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


CONCERNS: tuple[Callable[[], list[AnyPolicy]], ...] = (
    encryption.policies,
    encryption_other_services.policies,
    multi_az.policies,
    security_groups.policies,
    network.policies,
    exposure.policies,
    iam.policies,
    disaster_recovery.policies,
    workloads.policies,
    hardening.policies,
    audit_logging.policies,
)


def all_policies() -> list[AnyPolicy]:
    return [policy for concern in CONCERNS for policy in concern()]
