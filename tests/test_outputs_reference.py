"""The outputs table of docs/disaster-recovery.md is generated from the code and matches what the
stacks export."""

from __future__ import annotations

from typing import Any

from tests.support.synth import synth
from tests.test_outputs_contract import SHIPPED, TOP_LEVEL, deployed
from tools.outputs_reference import (
    BEGIN,
    DOCUMENT,
    END,
    FLAT_KEYS,
    MEANINGS,
    refresh_readme,
    typed_keys,
)

# Not expanded in the table: the standby has the primary's keys; the groups are listed in words;
# the switch's dimensions are the metric's own data.
OPAQUE = ("dr.standby", "securityGroupIds", "dr.dns.trafficSwitch.dimensions")


def exported_paths(value: Any, prefix: str = "") -> set[str]:
    """Dotted paths of every key an outputs object holds (lists of objects as ``[]``)."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}{key}"
            paths.add(path)
            if path not in OPAQUE:
                paths |= exported_paths(child, f"{path}.")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                paths |= exported_paths(item, f"{prefix.removesuffix('.')}[].")
    return paths


def documented() -> set[str]:
    return {path for path, _ in typed_keys()} | set(FLAT_KEYS)


def test_readme_outputs_reference_is_generated_from_the_code() -> None:
    text = DOCUMENT.read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert refresh_readme(text) == text, (
        "docs/disaster-recovery.md's outputs table is stale: "
        "run `python -m tools.outputs_reference --write`"
    )


def test_every_typed_output_says_what_it_means() -> None:
    assert set(MEANINGS) == {path for path, _ in typed_keys()}
    assert all(MEANINGS.values())


def test_the_table_lists_exactly_the_top_level_outputs() -> None:
    top = {path for path in documented() if "." not in path}
    assert top == TOP_LEVEL | {"appAsgName", "internalAlbDnsName"}


def test_every_exported_output_is_documented() -> None:
    exported: set[str] = set()
    for stack in SHIPPED:
        exported |= exported_paths(deployed(stack).outputs)
    with_app = synth("dev", {"webstack:appTier": {"enabled": True}}, preview=False)
    assert with_app.error is None, with_app.error
    exported |= exported_paths(with_app.outputs)
    assert exported - documented() == set()
    # What no shipped stack exports: the DR mirror's app tier (none mirrors one), a headless
    # secondary's failover instance (none is headless; tests/test_dr_failover.py exports it).
    assert documented() - exported == {
        "dr.failoverCapacity.app.asgName",
        "dr.failoverCapacity.app.minSize",
        "dr.failoverCapacity.app.maxSize",
        "dr.failoverCapacity.app.desiredCapacity",
        "dr.database.failoverInstance.identifier",
        "dr.database.failoverInstance.instanceClass",
    }
