"""The program passes the organisation's policy pack, run as the CLI runs it.

Every shipped stack file and every optional feature, each with the pack configuration of its
environment, yields zero mandatory violations; and a deliberately insecure program is stopped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.synth import synth
from tools.analyzer import PolicyPackProcess
from tools.mockcloud import ROOT, synthesize
from tools.preview import check, render_findings
from tools.stackfile import pack_config_path
from tools.variants import FEATURES

PACK = ROOT / "policies"
STACK_FILES = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK) as process:
        yield process


def pack_config(stack: str) -> dict[str, Any]:
    """The pack config `make preview` uses for the stack: its environment's."""
    path = pack_config_path(stack, ROOT)
    return json.loads(path.read_text()) if path else {}


# The DR stacks (Pulumi.dr-*.yaml) run as shipped: each synthesizes two regions, and the
# features are covered on dev and prod.
CASES = [
    pytest.param(stack, feature, overrides, id=f"{feature}-{stack}")
    for stack in STACK_FILES
    for feature, overrides in FEATURES
    if feature == "stack-file" or not stack.startswith("dr-")
]


@pytest.mark.parametrize(("stack", "feature", "overrides"), CASES)
def test_no_mandatory_violations(
    pack: PolicyPackProcess, stack: str, feature: str, overrides: dict[str, Any]
) -> None:
    result = synth(stack, overrides or None)
    assert result.error is None, result.error
    pack.configure(pack_config(stack))
    findings = check(pack, result)
    mandatory = [f for f in findings if f["level"] == "mandatory"]
    assert mandatory == [], "\n".join(render_findings(mandatory))


def test_prod_as_shipped_with_its_dr_mirror_has_no_mandatory_violations(
    pack: PolicyPackProcess,
) -> None:
    # `synth("prod")` leaves prod's warm standby out for the component tests; this is the stack
    # `make preview STACK=prod` shows, two regions.
    result = synthesize("prod")
    assert result.error is None, result.error
    pack.configure(pack_config("prod"))
    mandatory = [f for f in check(pack, result) if f["level"] == "mandatory"]
    assert mandatory == [], "\n".join(render_findings(mandatory))


def test_the_pack_stops_an_insecure_program_and_the_preview_groups_it_by_resource(
    pack: PolicyPackProcess,
) -> None:
    result = synthesize("dev", project_dir=Path(__file__).parent / "programs" / "insecure")
    assert result.error is None, result.error
    pack.configure({})
    findings = check(pack, result)
    by_resource: dict[str, set[str]] = {}
    for f in findings:
        if f["level"] == "mandatory":
            by_resource.setdefault(f["urn"].rsplit("::", 1)[-1], set()).add(f["policy"])
    assert "ssh-from-anywhere" in by_resource
    # unencrypted, public, single-AZ
    assert by_resource["plain-db"] == {
        "rds-storage-encrypted",
        "db-not-publicly-accessible",
        "rds-multi-az",
    }
    report = "\n".join(render_findings(findings))
    assert "[mandatory]" in report and "ssh-from-anywhere" in report
