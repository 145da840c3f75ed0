"""Shared fixtures: each stack is synthesized once per session under the recording mock monitor.

``preview`` fixtures model a first ``pulumi preview`` (ids and ARNs unknown); ``deployed``
fixtures model ``pulumi up`` against the mock cloud (deterministic ids), for following references.
Tests assert on what the program registered, never on Python objects it holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pytest

from tools.mockcloud import Synthesis, synthesize


@cache
def _synthesize_cached(stack: str, overrides_json: str, preview: bool) -> Synthesis:
    overrides = json.loads(overrides_json) if overrides_json else None
    return synthesize(stack, overrides=overrides, preview=preview)


# The component test modules examine one region: the shipped prod stack's warm standby is
# switched off for them unless a test sets webstack:dr itself. The DR mirror (prod as shipped and
# the Pulumi.dr-*.yaml stacks) is specified in tests/test_disaster_recovery.py.
PRIMARY_ONLY = {"webstack:dr": {"strategy": "none"}}


def synth(
    stack: str = "dev", overrides: Mapping[str, Any] | None = None, *, preview: bool = True
) -> Synthesis:
    """A (cached) synthesis of ``stack`` with config ``overrides`` applied over its stack file
    (prod without its DR mirror unless ``overrides`` set ``webstack:dr``; see PRIMARY_ONLY)."""
    if stack == "prod" and "webstack:dr" not in (overrides or {}):
        overrides = {**PRIMARY_ONLY, **(overrides or {})}
    key = json.dumps(overrides, sort_keys=True) if overrides else ""
    return _synthesize_cached(stack, key, preview)


@pytest.fixture(scope="session")
def synthesized() -> Callable[..., Synthesis]:
    return synth


@pytest.fixture(scope="session")
def dev_preview() -> Synthesis:
    return _ok(synth("dev"))


@pytest.fixture(scope="session")
def prod_preview() -> Synthesis:
    return _ok(synth("prod"))


@pytest.fixture(scope="session")
def dev_deployed() -> Synthesis:
    return _ok(synth("dev", preview=False))


@pytest.fixture(scope="session")
def prod_deployed() -> Synthesis:
    return _ok(synth("prod", preview=False))


def _ok(result: Synthesis) -> Synthesis:
    assert result.error is None, result.error
    assert result.resources, "the program registered nothing"
    return result
