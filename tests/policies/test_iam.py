"""IAM least-privilege rules, beyond the rule table (cases_iam.py)."""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING
from support import check


def test_a_document_with_an_unknown_piece_is_not_judged():
    partly_unknown = (
        f'{{"Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "{UNKNOWN_STRING}"}}]}}'
    )
    assert check("iam-no-wildcard-admin", t.IAM_POLICY, {"policy": partly_unknown}) == []
