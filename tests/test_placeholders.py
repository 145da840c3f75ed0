"""A production stack's placeholders are named, one warning each, in a preview and an update."""

from __future__ import annotations

import json

import pytest

from components.config.placeholders import is_reserved
from tests.support.process import run_module
from tests.support.synth import synth
from tools.mockcloud import synthesize

PROD_PLACEHOLDERS = [
    "webstack:domain.zoneName is 'example.com', a name reserved for examples (RFC 2606)",
    "webstack:alarmEmail is 'ops@example.com', an address at a reserved example domain",
    "webstack:allowedAccountIds is empty",
]


def test_a_preview_of_prod_as_shipped_names_each_placeholder_once() -> None:
    stack = synth("prod")
    assert stack.error is None, stack.error
    named = [w for w in stack.warnings if any(w.startswith(p) for p in PROD_PLACEHOLDERS)]
    assert [p for p in PROD_PLACEHOLDERS if any(w.startswith(p) for w in named)] == (
        PROD_PLACEHOLDERS
    )
    assert len(named) == len(PROD_PLACEHOLDERS)


def test_an_update_of_a_production_stack_without_an_allowed_account_is_refused() -> None:
    # `pulumi up` (not a dry run): one line, the key, what is accepted and the command; nothing
    # is registered. A preview of the same stack only warns (above).
    refused = synthesize("prod", preview=False, mock_account=False)
    assert refused.error is not None and refused.resources == []
    assert refused.error.startswith(
        "webstack:allowedAccountIds is empty; accepted for an update of a production stack: "
    )
    assert "pulumi config set --path --type string 'webstack:allowedAccountIds[0]'" in (
        refused.error
    )
    assert "\n" not in refused.error
    guarded = synthesize(
        "prod",
        overrides={"webstack:allowedAccountIds": ["210987654321"]},
        preview=False,
        mock_account=False,
    )
    assert guarded.error is None, guarded.error
    assert synthesize("dev", preview=False, mock_account=False).error is None  # dev may


def test_the_offline_update_refuses_it_as_pulumi_up_does() -> None:
    result = run_module("tools.preview", "--stack", "prod", "--deployed")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    ]
    assert "webstack:allowedAccountIds is empty" in result.stderr
    assert "Traceback" not in result.stderr
    # As the pull-request workflow records main's state: the mock cloud's account stands in.
    mocked = run_module(
        "tools.preview", "--stack", "prod", "--deployed", "--mock-account", "--json"
    )
    assert mocked.returncode == 0, mocked.stderr
    assert json.loads(mocked.stdout)["outputs"]["allowedAccountIds"] == ["123456789012"]


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
