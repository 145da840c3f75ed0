"""The snapshot checker that guards refactors can fail: a changed input is reported."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.synth import SHIPPED, synth
from tools import preview_snapshot
from tools.mockcloud import Synthesis
from tools.variants import FEATURES

# Pulumi.dev.yaml's web section with one value changed (an override replaces the whole section).
BIGGER_WEB = {
    "webstack:web": {
        "instanceType": "t4g.micro",
        "minSize": 2,
        "maxSize": 7,
        "targetCpu": 60,
        "port": 80,
    }
}


def _synth(stack: str, overrides: Mapping[str, Any] | None, preview: bool) -> Synthesis:
    return synth(stack, overrides, preview=preview)


def _changed_web(stack: str, overrides: Mapping[str, Any] | None, preview: bool) -> Synthesis:
    if overrides is None and stack == "dev":
        return synth(stack, BIGGER_WEB, preview=preview)
    return synth(stack, overrides, preview=preview)


def _stack_file_only(rendered: Any) -> list[tuple[str, str]]:
    return [(name, text) for name, text in rendered if "--stack-file--" in name]


def test_every_shipped_stack_and_feature_is_snapshotted_in_both_modes() -> None:
    stacks = preview_snapshot.shipped_stacks()
    assert stacks == SHIPPED
    entries = list(preview_snapshot.variants(stacks))
    assert len(entries) == len(stacks) * len(FEATURES) * 2
    assert len({stem for stem, *_ in entries}) == len(entries)


def test_an_identical_synthesis_compares_clean_and_a_changed_input_is_reported(
    tmp_path: Path,
) -> None:
    stacks = ["dev", "prod"]
    written = preview_snapshot.write(
        tmp_path, _stack_file_only(preview_snapshot.documents(stacks, _synth))
    )
    assert written == 4

    same = _stack_file_only(preview_snapshot.documents(stacks, _synth))
    assert preview_snapshot.compare(tmp_path, same) == []

    changed = _stack_file_only(preview_snapshot.documents(stacks, _changed_web))
    problems = preview_snapshot.compare(tmp_path, changed)
    assert [p.splitlines()[0] for p in problems] == [
        "dev--stack-file--preview.json: differs",
        "dev--stack-file--deployed.json: differs",
    ]
    changed_lines = [line for line in problems[0].splitlines()[4:] if line.startswith(("-", "+"))]
    assert changed_lines == ['-        "maxSize": 3,', '+        "maxSize": 7,']


def test_a_missing_or_extra_snapshot_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "old--stack-file--preview.json").write_text("{}\n")
    problems = preview_snapshot.compare(tmp_path, [("new--stack-file--preview.json", "{}\n")])
    assert problems == [
        "new--stack-file--preview.json: not in the snapshot",
        "old--stack-file--preview.json: in the snapshot, not synthesized now",
    ]


def _document(parent: str, components: list[dict[str, Any]], size: int = 3) -> dict[str, Any]:
    """A tiny rendered document: a VPC and a subnet depending on it, under ``parent``."""
    vpc, subnet = f"{parent}$aws:ec2/vpc:Vpc::net", f"{parent}$aws:ec2/subnet:Subnet::net-a"
    resources = [
        *components,
        {"urn": vpc, "type": "aws:ec2/vpc:Vpc", "name": "net", "parent": parent,
         "dependencies": [], "inputs": {"cidrBlock": "10.0.0.0/16"}, "provider": "p",
         "protect": False, "region": "us-east-1"},
        {"urn": subnet, "type": "aws:ec2/subnet:Subnet", "name": "net-a", "parent": parent,
         "dependencies": [vpc, parent], "inputs": {"size": size}, "provider": "p",
         "protect": False, "region": "us-east-1"},
    ]  # fmt: skip
    counts = {"aws:ec2/vpc:Vpc": 1, "aws:ec2/subnet:Subnet": 1}
    counts.update({c["type"]: 1 for c in components})
    return {"resources": resources, "countsByType": counts, "outputs": {}, "warnings": []}


def _component(urn: str, type_: str) -> dict[str, Any]:
    return {"urn": urn, "type": type_, "name": urn.rsplit("::", 1)[1], "parent": "",
            "dependencies": [], "inputs": {}, "provider": "", "protect": False,
            "region": "us-east-1"}  # fmt: skip


def test_moved_sets_urns_and_parents_aside_but_not_inputs(tmp_path: Path) -> None:
    old_parent, new_parent = "s::webstack:stack:WebStack::site", "s::webstack:site:Site::site"
    before = _document(old_parent, [_component(old_parent, "webstack:stack:WebStack")])
    (tmp_path / "dev--stack-file--preview.json").write_text(preview_snapshot.render(before))
    moved = _document(new_parent, [_component(new_parent, "webstack:site:Site")])
    rendered = [("dev--stack-file--preview.json", preview_snapshot.render(moved))]

    assert preview_snapshot.compare(tmp_path, rendered) != []
    assert preview_snapshot.compare(tmp_path, rendered, moved=True) == []
    assert preview_snapshot.without_urns(moved)["components"] == ["webstack:site:Site::site"]

    changed = _document(new_parent, [_component(new_parent, "webstack:site:Site")], size=4)
    problems = preview_snapshot.compare(
        tmp_path, [("dev--stack-file--preview.json", preview_snapshot.render(changed))], moved=True
    )
    assert [p.splitlines()[0] for p in problems] == ["dev--stack-file--preview.json: differs"]
    assert '+        "size": 4' in problems[0].splitlines()
