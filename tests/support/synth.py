"""Cached syntheses of the real program under the recording mock monitor.

``preview=True`` models a first ``pulumi preview`` (ids and ARNs unknown); ``preview=False``
models ``pulumi up`` against the mock cloud (deterministic ids), for following references.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from tools.mockcloud import Synthesis, synthesize

# The stacks the repository ships, one Pulumi.<stack>.yaml each.
SHIPPED = ["dev", "dr-active", "dr-backup", "dr-pilot", "dr-pilotrds", "dr-warmrds", "prod"]


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


def succeeded(result: Synthesis) -> Synthesis:
    """``result``, after checking the program ran without error and registered something."""
    assert result.error is None, result.error
    assert result.resources, "the program registered nothing"
    return result
