"""Shared fixtures: each stack is synthesized once per session under the recording mock monitor.

``preview`` fixtures model a first ``pulumi preview`` (ids and ARNs unknown); ``deployed``
fixtures model ``pulumi up`` against the mock cloud (deterministic ids), for following references.
Tests assert on what the program registered, never on Python objects it holds. Helpers live in
``tests/support/`` (import them from there, never from this file).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.synth import succeeded, synth
from tools.mockcloud import Synthesis


@pytest.fixture(scope="session")
def synthesized() -> Callable[..., Synthesis]:
    return synth


@pytest.fixture(scope="session")
def dev_preview() -> Synthesis:
    return succeeded(synth("dev"))


@pytest.fixture(scope="session")
def prod_primary_preview() -> Synthesis:
    """prod's primary region alone: its DR mirror switched off (tests/support/synth.py)."""
    return succeeded(synth("prod"))


@pytest.fixture(scope="session")
def dev_deployed() -> Synthesis:
    return succeeded(synth("dev", preview=False))


@pytest.fixture(scope="session")
def prod_primary_deployed() -> Synthesis:
    """prod's primary region alone, deployed (outputs known): no DR mirror."""
    return succeeded(synth("prod", preview=False))
