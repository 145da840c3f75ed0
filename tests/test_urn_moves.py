"""The component-tree refactor moves URNs, never state: each old URN is found again, by one
resource, which the engine sees unchanged.

``tests/fixtures/urn-ledger.json`` records every resource's engine URN, type, provider,
protection and input digest before the refactor (commit cc09d44; ``python -m tools.urn_ledger
--out``), for every configuration of ``tools.urn_ledger.configurations()``: each shipped stack
file, each DR stack failed over to its DR region, prod with feature variants. Here each one is
synthesized with the current code (deployed mode, through ``tests.support.synth`` so other tests
share the synthesis) and the engine's step generator is replayed over it with the ledger as the
old state (``tools.mockcloud.urns.engine_view``: engine URNs with the whole ancestor type chain,
the aliases the SDK sent collapsed and inherited as the engine does, the state each resource is
found by). Then:

* every old URN is reached by exactly one resource, as its URN or one of its aliases, and that
  resource finds its state by it (the engine takes the first URN or alias it finds, so a second
  old URN among one resource's aliases would be deleted);
* the resource found has the same type, unless both are components (a component may change type:
  it holds no cloud state);
* a custom resource found has the same provider (after the provider's own aliases), protection and
  inputs: the engine sees no diff, so it neither updates nor replaces it; and no stateful resource
  (database, cache, bucket, key, secret, vault, ...) is missing, claimed twice or changed: that
  one is asserted on its own and says what would be replaced;
* every custom resource was there before (found by its URN or an alias), or is allowed below.

Before the refactor every URN is unchanged and the test passes trivially. ``python -m
tools.urn_ledger --check tests/fixtures/urn-ledger.json`` prints the same comparison as a table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.support.synth import succeeded, synth
from tests.support.tokens import (
    STATEFUL_TYPES,
)
from tools import stackfile, urn_ledger
from tools.mockcloud import ROOT
from tools.urn_ledger import Comparison

LEDGER_PATH = Path(__file__).parent / "fixtures" / "urn-ledger.json"
LEDGER = urn_ledger.load(LEDGER_PATH)
CONFIGS = list(LEDGER.configurations)

# Custom resources (engine URNs) the refactor may create. It adds components only: none.
NEW_CUSTOM_RESOURCES_ALLOWED: frozenset[str] = frozenset()
# Component types whose old URNs nothing needs to reach: the engine deletes such a component's
# state entry, which touches no cloud resource (its children must still be found; they are
# checked like everything else). DisasterRecovery has no successor: what it held is the Site's
# now (docs/architecture.md, "Upgrading a stack made before the Site composition").
RETIRED_COMPONENT_TYPES = frozenset({"webstack:disaster_recovery:DisasterRecovery"})
SHOWN = 40  # problem lines per assertion message


@cache
def comparison(config_id: str) -> Comparison:
    recorded = LEDGER.configurations[config_id]
    config = recorded.configuration
    overrides = dict(config.overrides)
    file_dr = stackfile.load_stack_config(config.stack, ROOT).get("webstack:dr")
    if file_dr is not None and "webstack:dr" not in overrides:
        # tests.support.synth switches prod's mirror off unless webstack:dr is set: set it to
        # the stack file's own value, as the ledger synthesized it (the synthesis, and its cache
        # key, are test_disaster_recovery's).
        overrides["webstack:dr"] = file_dr
    result = succeeded(synth(config.stack, overrides, preview=False))
    return urn_ledger.compare(config_id, recorded.resources, result.resources)


def report(config_id: str, what: str, lines: list[str]) -> str:
    shown = lines[:SHOWN] + ([f"... {len(lines) - SHOWN} more"] if len(lines) > SHOWN else [])
    return f"{config_id}: {len(lines)} {what}:\n" + "\n".join(shown)


def test_the_ledger_records_every_configuration() -> None:
    wanted = {config.id for config in urn_ledger.configurations()}
    assert set(LEDGER.configurations) | set(LEDGER.skipped) == wanted
    # backup-restore has no standby to promote: its failed-over topology is refused.
    assert set(LEDGER.skipped) == {"dr-backup--failed-over"}


@pytest.mark.parametrize("config_id", CONFIGS)
def test_every_old_urn_is_found_by_exactly_one_resource(config_id: str) -> None:
    result = comparison(config_id)
    missing = [
        line
        for urn, line in zip(result.missing, result.missing_lines(), strict=True)
        if result.old[urn].custom or result.old[urn].type not in RETIRED_COMPONENT_TYPES
    ]
    lines = missing + result.ambiguous_lines() + result.unclaimed_lines()
    assert not lines, report(config_id, "old URN(s) not found by exactly one resource", lines)


@pytest.mark.parametrize("config_id", CONFIGS)
def test_every_resource_found_keeps_its_type(config_id: str) -> None:
    lines = comparison(config_id).changed_lines({"kind", "type"})
    assert not lines, report(config_id, "resource(s) found under another type", lines)


@pytest.mark.parametrize("config_id", CONFIGS)
def test_custom_resources_keep_provider_protection_and_inputs(config_id: str) -> None:
    lines = comparison(config_id).changed_lines({"provider", "protect", "inputs"})
    assert not lines, report(config_id, "custom resource(s) the engine would diff", lines)


@pytest.mark.parametrize("config_id", CONFIGS)
def test_no_stateful_resource_would_be_replaced(config_id: str) -> None:
    result = comparison(config_id)
    lines = [
        f"{config_id}: {urn} ({result.old[urn].type}) would be replaced: nothing finds it, the "
        "engine deletes it and creates whatever now stands in its place"
        for urn in result.missing
        if result.old[urn].type in STATEFUL_TYPES
    ]
    lines += [
        f"{config_id}: {urn} ({result.old[urn].type}) would be replaced: {len(new)} resources "
        f"claim it ({', '.join(new)}) and the engine refuses the update"
        for urn, new in result.ambiguous.items()
        if result.old[urn].type in STATEFUL_TYPES
    ]
    lines += [
        f"{config_id}: {urn} ({result.old[urn].type}) would be replaced: {new} finds {found} "
        "first and the engine deletes this one"
        for urn, (new, found) in result.unclaimed.items()
        if result.old[urn].type in STATEFUL_TYPES
    ]
    lines += [
        f"{config_id}: {change.old_urn} ({change.old.type}) would be replaced (or updated) as "
        f"{change.new_urn}: {change.describe({'kind', 'type', 'provider', 'inputs'})}"
        for change in result.changed
        if change.old.type in STATEFUL_TYPES
        and {"kind", "type", "provider", "inputs"} & set(change.differences)
    ]
    assert not lines, report(config_id, "stateful resource(s) would be replaced", lines)


@pytest.mark.parametrize("config_id", CONFIGS)
def test_every_custom_resource_existed_before(config_id: str) -> None:
    lines = comparison(config_id).created_lines(allowed=NEW_CUSTOM_RESOURCES_ALLOWED)
    assert not lines, report(config_id, "new custom resource(s)", lines)
