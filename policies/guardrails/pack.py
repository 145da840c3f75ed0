"""The whole pack: every policy, grouped by concern."""

from __future__ import annotations

from . import audit_logging, encryption, exposure, hardening, iam, multi_az, security_groups
from .base import GuardrailPolicy, GuardrailStackPolicy

PACK_NAME = "webstack-guardrails"
DESCRIPTION = (
    "Organisation guardrails for AWS: encryption, multi-AZ, least-privilege network and IAM, "
    "no public exposure (mandatory); hardening and logging (advisory)."
)


def all_policies() -> list[GuardrailPolicy | GuardrailStackPolicy]:
    return [
        *encryption.policies(),
        *multi_az.policies(),
        *security_groups.policies(),
        *exposure.policies(),
        *iam.policies(),
        *hardening.policies(),
        *audit_logging.policies(),
    ]
