"""Public exposure rules, beyond the rule table (cases_exposure.py)."""

from cases_exposure import PAB_ON
from guardrails import tokens as t
from guardrails.base import Resource
from guardrails.exposure import remediate_public_access_block


def test_public_access_block_remediation_turns_every_flag_on_and_keeps_the_rest():
    fixed = remediate_public_access_block(
        Resource(t.S3_PUBLIC_ACCESS_BLOCK, "pab", {"bucket": "b", "blockPublicAcls": False}), {}
    )
    assert fixed == {"bucket": "b", **PAB_ON}
    assert (
        remediate_public_access_block(Resource(t.S3_PUBLIC_ACCESS_BLOCK, "p", PAB_ON), {}) is None
    )
