"""A production stack's placeholders are named, one warning each, in a preview and an update."""

from __future__ import annotations

import pytest

from components.config.placeholders import is_reserved
from tests.support.synth import synth

PROD_PLACEHOLDERS = [
    "webstack:domain.zoneName is 'example.com', a name reserved for examples (RFC 2606)",
    "webstack:alarmEmail is 'ops@example.com', an address at a reserved example domain",
    "webstack:allowedAccountIds is empty",
]


@pytest.mark.parametrize("preview", [True, False])
def test_prod_as_shipped_names_each_placeholder_once(preview: bool) -> None:
    stack = synth("prod", preview=preview)
    assert stack.error is None, stack.error
    named = [w for w in stack.warnings if any(w.startswith(p) for p in PROD_PLACEHOLDERS)]
    assert [p for p in PROD_PLACEHOLDERS if any(w.startswith(p) for w in named)] == (
        PROD_PLACEHOLDERS
    )
    assert len(named) == len(PROD_PLACEHOLDERS)


def test_real_values_silence_the_warnings() -> None:
    stack = synth(
        "prod",
        {
            "webstack:domain": {"zoneName": "shop.acme.io", "recordName": "www"},
            "webstack:alarmEmail": "oncall@acme.io",
            "webstack:allowedAccountIds": ["210987654321"],
        },
    )
    assert stack.error is None, stack.error
    assert not [w for w in stack.warnings if any(w.startswith(p) for p in PROD_PLACEHOLDERS)]


def test_a_dev_stack_has_no_placeholder_warnings() -> None:
    stack = synth("dev")
    assert not [w for w in stack.warnings if any(w.startswith(p) for p in PROD_PLACEHOLDERS)]


@pytest.mark.parametrize(
    ("domain", "reserved"),
    [
        ("example.com", True),
        ("shop.example.org", True),
        ("EXAMPLE.NET.", True),
        ("site.test", True),
        ("acme.io", False),
        ("notexample.com", False),
    ],
)
def test_the_reserved_names_are_rfc_2606s(domain: str, reserved: bool) -> None:
    assert is_reserved(domain) is reserved
