"""Offline preview: run the real program for a stack under Pulumi's mock monitor.

    python -m tools.preview --stack prod [--json] [--deployed] [--policy-pack policies
        [--policy-pack-config policies/config/prod.json]]

Prints the resource tree the way ``pulumi preview`` does, a count per resource type and the
stack outputs; with ``--policy-pack`` it starts the pack exactly as the CLI does and sends every
resource through the analyzer protocol, then prints violations grouped by resource. Exit status:
0 clean, 1 on a configuration error or a mandatory policy violation, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from tools.analyzer import Diagnostic, PolicyPackProcess, StackResource
from tools.mockcloud import ROOT, RecordedResource, Synthesis, synthesize

STACK_TYPE = "pulumi:pulumi:Stack"


def render_tree(synthesis: Synthesis) -> list[str]:
    stack_urn = f"urn:pulumi:{synthesis.stack}::webstack::{STACK_TYPE}::webstack-{synthesis.stack}"
    by_parent: dict[str, list[RecordedResource]] = {}
    for resource in synthesis.resources:
        by_parent.setdefault(resource.parent or stack_urn, []).append(resource)
    width = max((len(r.type) for r in synthesis.resources), default=20) + 12
    lines = [
        f"     {'Type':<{width}} Name",
        f" +   {STACK_TYPE:<{width}} webstack-{synthesis.stack}",
    ]

    def walk(urn: str, prefix: str) -> None:
        children = sorted(by_parent.get(urn, []), key=lambda r: (r.custom, r.type, r.name))
        for index, child in enumerate(children):
            last = index == len(children) - 1
            branch = "└─ " if last else "├─ "
            label = f"{prefix}{branch}{child.type}"
            marker = " +  " if not child.protect else " +🔒"
            lines.append(f"{marker} {label:<{width}} {child.name}")
            walk(child.urn, prefix + ("   " if last else "│  "))

    walk(stack_urn, "")
    return lines


def summary(synthesis: Synthesis) -> dict[str, Any]:
    return {
        "stack": synthesis.stack,
        "mode": "preview" if synthesis.preview else "deployed",
        "error": synthesis.error,
        "resourceCount": len(synthesis.resources) + (0 if synthesis.error else 1),
        "countsByType": synthesis.count_by_type(),
        "outputs": {
            key: ("[unknown]" if key in synthesis.unknown_outputs else value)
            for key, value in synthesis.outputs.items()
        },
        "warnings": synthesis.warnings,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "region": r.region,
                "protect": r.protect,
                "dependencies": list(r.dependencies),
                "inputs": _shown_inputs(r),
            }
            for r in synthesis.resources
        ],
    }


def stack_resources(synthesis: Synthesis) -> list[StackResource]:
    """The recorded resources as the engine hands them to an analyzer."""
    return [
        StackResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            properties=r.struct,
            parent=r.parent,
            dependencies=r.dependencies,
            property_dependencies=r.property_dependencies,
            protect=r.protect,
            provider_urn=r.provider,
        )
        for r in synthesis.resources
    ]


def check(pack: PolicyPackProcess, synthesis: Synthesis) -> list[dict[str, str]]:
    """Every resource through Analyze, then the stack through AnalyzeStack, as the CLI does."""
    resources = stack_resources(synthesis)
    findings = [
        _finding(diagnostic, resource.urn)
        for resource in resources
        for diagnostic in pack.analyze(resource)
    ]
    findings += [_finding(d, d.urn) for d in pack.analyze_stack(resources)]
    return findings


def _shown_inputs(resource: RecordedResource) -> dict[str, Any]:
    """Inputs fit to print: secrets masked, preview unknowns marked."""
    shown: dict[str, Any] = {}
    for key, value in resource.inputs.items():
        field = resource.struct.fields.get(key)
        if field is not None and _is_secret(field):
            shown[key] = "[secret]"
        elif resource.is_unknown(key):
            shown[key] = "[unknown]"
        else:
            shown[key] = value
    return shown


def _is_secret(value: Any) -> bool:
    if value.WhichOneof("kind") != "struct_value":
        return False
    fields = value.struct_value.fields
    return fields.get(rpc._special_sig_key) is not None and (
        fields[rpc._special_sig_key].string_value == rpc._special_secret_sig
    )


def run_policy_pack(
    synthesis: Synthesis, pack_dir: Path, config_file: Path | None
) -> list[dict[str, str]]:
    """Start the pack as the CLI does, configure it, and check the synthesized stack."""
    config = json.loads(config_file.read_text()) if config_file else {}
    with PolicyPackProcess(pack_dir) as pack:
        pack.configure(config)
        return check(pack, synthesis)


def _finding(diagnostic: Diagnostic, urn: str) -> dict[str, str]:
    return {
        "urn": diagnostic.urn or urn,
        "policy": diagnostic.policy_name,
        "level": diagnostic.level,
        "message": diagnostic.message,
    }


def render_findings(findings: Sequence[dict[str, str]]) -> list[str]:
    if not findings:
        return ["Policies:", "    ✔ no violations"]
    lines = ["Policy violations:"]
    by_urn: dict[str, list[dict[str, str]]] = {}
    for finding in findings:
        by_urn.setdefault(finding["urn"] or "(stack)", []).append(finding)
    for urn, items in sorted(by_urn.items()):
        lines.append(f"    {urn}")
        for item in items:
            first, *rest = item["message"].splitlines() or [""]
            lines.append(f"        [{item['level']}] {item['policy']}: {first}")
            lines.extend(f"            {line}" for line in rest)
    mandatory = sum(1 for f in findings if f["level"] == "mandatory")
    advisory = sum(1 for f in findings if f["level"] == "advisory")
    lines.append(f"    {mandatory} mandatory, {advisory} advisory")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument(
        "--deployed", action="store_true", help="model `pulumi up` (known ids) instead of a preview"
    )
    parser.add_argument("--policy-pack", type=Path, help="policy pack directory to run")
    parser.add_argument("--policy-pack-config", type=Path, help="policy pack config JSON file")
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key for this run, as `pulumi config set` would "
        "(VALUE may be JSON): --config 'webstack:web={\"maxSize\": 4}'",
    )
    args = parser.parse_args(argv)
    try:
        overrides = dict(_parse_override(item) for item in args.config)
    except ValueError as exc:
        parser.error(str(exc))

    stack_file = ROOT / f"Pulumi.{args.stack}.yaml"
    if not stack_file.exists():
        stacks = ", ".join(sorted(p.stem.split(".", 1)[1] for p in ROOT.glob("Pulumi.*.yaml")))
        print(f"error: no stack file {stack_file.name}; stacks: {stacks}", file=sys.stderr)
        return 2

    synthesis = synthesize(args.stack, overrides=overrides or None, preview=not args.deployed)
    findings: list[dict[str, str]] = []
    if synthesis.error is None and args.policy_pack:
        findings = run_policy_pack(synthesis, args.policy_pack, args.policy_pack_config)

    mandatory = [f for f in findings if f["level"] == "mandatory"]
    if args.json:
        document = summary(synthesis)
        document["policyViolations"] = findings
        print(json.dumps(document, indent=2, default=str))
    else:
        _print_human(synthesis, findings, bool(args.policy_pack))
    return 1 if synthesis.error or mandatory else 0


def _parse_override(item: str) -> tuple[str, Any]:
    key, separator, raw = item.partition("=")
    if not separator or ":" not in key:
        raise ValueError(f"--config expects NAMESPACE:KEY=VALUE, got {item!r}")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def _print_human(synthesis: Synthesis, findings: list[dict[str, str]], with_pack: bool) -> None:
    mode = "update (mock cloud)" if not synthesis.preview else "update"
    print(f"Previewing {mode} ({synthesis.stack}) offline, under Pulumi's mock monitor\n")
    if synthesis.error:
        print(f"error: {synthesis.error}", file=sys.stderr)
        return
    print("\n".join(render_tree(synthesis)))
    for warning in synthesis.warnings:
        print(f"\nwarning: {warning}")
    print("\nOutputs:")
    for key, value in synthesis.outputs.items():
        shown = "[unknown]" if key in synthesis.unknown_outputs else json.dumps(value)
        print(f"    {key}: {shown}")
    print("\nResources by type:")
    for type_token, count in synthesis.count_by_type().items():
        print(f"    {count:>4}  {type_token}")
    print(f"\nResources:\n    + {len(synthesis.resources) + 1} to create")
    if with_pack:
        print()
        print("\n".join(render_findings(findings)))


if __name__ == "__main__":
    sys.exit(main())
