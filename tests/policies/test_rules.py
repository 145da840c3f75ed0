"""Every rule table (`cases_*.py`, one per concern), run as plain functions.

COMPLIANT rows must pass their policy; VIOLATIONS rows must be reported exactly once with a
message naming the resource and the property that fixes it; TWINS rows pair a violating and a
compliant resource that differ only in the property the message names.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import cases_disaster_recovery
import cases_encryption
import cases_exposure
import cases_hardening
import cases_iam
import cases_logging
import cases_multi_az
import cases_security_groups
import cases_workloads
import pytest
from support import check

MODULES: list[ModuleType] = [
    cases_encryption,
    cases_multi_az,
    cases_security_groups,
    cases_exposure,
    cases_iam,
    cases_hardening,
    cases_logging,
    cases_workloads,
    cases_disaster_recovery,
]


def _rows(table: str) -> list[Any]:
    rows = []
    for module in MODULES:
        cases = getattr(module, table, [])
        rows += [
            pytest.param(*case, id=f"{module.__name__[6:]}:{i}:{case[0]}")
            for i, case in enumerate(cases)
        ]
    return rows


COMPLIANT = _rows("COMPLIANT")
VIOLATIONS = _rows("VIOLATIONS")
TWINS = _rows("TWINS")


@pytest.mark.parametrize(("policy", "type_", "props"), COMPLIANT)
def test_compliant_resources_pass(policy: str, type_: str, props: dict[str, Any]) -> None:
    assert check(policy, type_, props, protect=True) == []


@pytest.mark.parametrize(("policy", "type_", "props", "fix"), VIOLATIONS)
def test_violations_name_the_resource_and_the_fix(
    policy: str, type_: str, props: dict[str, Any], fix: str
) -> None:
    messages = check(policy, type_, props, name="r")
    assert len([m for m in messages if fix in m]) == 1, messages
    assert all("'r'" in m for m in messages), messages


@pytest.mark.parametrize(("policy", "type_", "bad", "good", "fix"), TWINS)
def test_twins_differ_only_in_the_fix(
    policy: str, type_: str, bad: dict[str, Any], good: dict[str, Any], fix: str
) -> None:
    messages = check(policy, type_, bad, name="r")
    assert len(messages) == 1, messages
    assert fix in messages[0] and "'r'" in messages[0], messages
    assert check(policy, type_, good, name="r", protect=True) == []


def test_every_table_has_rows() -> None:
    empty = [m.__name__ for m in MODULES if not [*getattr(m, "COMPLIANT", []), *m.TWINS]]
    assert empty == []
