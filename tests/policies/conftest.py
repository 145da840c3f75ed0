"""Fixtures of the policy-pack tests (helpers live in `support.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from guardrails.base import AnyPolicy
from support import PACK_DIR, POLICIES

from tools.analyzer import PolicyPackProcess


@pytest.fixture(scope="session")
def policies() -> dict[str, AnyPolicy]:
    return POLICIES


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    """The pack started exactly as the CLI starts it, with its own virtualenv; once per module."""
    python = PACK_DIR / "venv" / "bin" / "python"
    if not python.exists():
        pytest.fail(
            f"{python} is missing: run `make policies-venv` (python3 -m venv policies/venv && "
            "policies/venv/bin/pip install -r policies/requirements.txt)",
            pytrace=False,
        )
    with PolicyPackProcess(PACK_DIR) as process:
        yield process
