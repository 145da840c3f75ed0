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


def _encryption() -> list[AnyPolicy]:
    """Encryption: webstack's own services (`encryption`) and the others
    (`encryption_other_services`), in the order the pack reported them as one module:
    `efs-encrypted` after `elasticache-encrypted-at-rest`, the other services' rules before
    `s3-deny-insecure-transport`."""
    others = encryption_other_services.policies()
    at_rest = [p for p in others if p.name == "efs-encrypted"]
    out: list[AnyPolicy] = []
    for policy in encryption.policies():
        if policy.name == "s3-deny-insecure-transport":
            out += [p for p in others if p.name != "efs-encrypted"]
        out.append(policy)
        if policy.name == "elasticache-encrypted-at-rest":
            out += at_rest
    return out


CONCERNS: tuple[Callable[[], list[AnyPolicy]], ...] = (
    _encryption,
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
