"""Offline preview: run the real program for a stack under Pulumi's mock monitor.

    python -m tools.preview --stack prod [--json] [--deployed] [--policy-pack policies
        [--policy-pack-config policies/config/prod.json]]
        [--config KEY=VALUE ...] [--config-path KEY.PATH=VALUE ...]
        [--save] [--state-dir DIR] [--allow-replace NAME ...]

Prints the resource tree the way ``pulumi preview`` does, a count per resource type, the
stack outputs and an estimate of the monthly cost (``tools.cost``; ``cost`` in ``--json``);
with ``--policy-pack`` it starts the pack exactly as the CLI does and sends every
resource through the analyzer protocol, then prints violations grouped by resource. Config is
read as the CLI reads it (``tools.stackfile``). Exit status, as the CLI's: 0 clean, 1 on a
configuration error, a bad stack file or a mandatory policy violation, 2 on bad arguments
(including a policy pack config mistake: missing file, malformed JSON, unknown policy or
level, a value of the wrong type; one line each).

With a recorded state (``--deployed --save``, ``make up``: ``tools.state``, one file per stack
under ``.pulumi-offline/``), every run also prints what would change against it, as
``pulumi preview --diff`` does (``tools.diff``: create, update, replace, delete, the changed
properties and the counts; ``diff`` in ``--json``), and fails (exit 1) when a stateful resource
would be replaced or a store deleted, unless ``--allow-replace NAME`` (or ``all``) says so.

In ``--json`` every value is JSON of its own type: numbers stay numbers, a value not known until
the resource exists is ``{"$unknown": true}`` and a secret is ``"[secret]"`` (as
``pulumi stack output --json`` shows one).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import rpc

from tools import cost, diff, state
from tools.analyzer import (
    Diagnostic,
    PackConfigError,
    PolicyPackProcess,
    Provider,
    StackResource,
    load_pack_config,
)
from tools.mockcloud import ROOT, RecordedResource, Synthesis, synthesize
from tools.stackfile import StackFileError, known_stacks, load_stack_config

STACK_TYPE = "pulumi:pulumi:Stack"
UNKNOWN_MARKER: dict[str, bool] = {"$unknown": True}
SECRET_MARKER = "[secret]"
# The tree fits a 100-column terminal: long types and names are shortened in the middle.
TREE_COLUMNS = 100
TYPE_COLUMN_MAX = 58


def render_tree(synthesis: Synthesis) -> list[str]:
    """The resource tree as ``pulumi preview`` draws it, within ``TREE_COLUMNS`` columns."""
    stack_urn = f"urn:pulumi:{synthesis.stack}::webstack::{STACK_TYPE}::webstack-{synthesis.stack}"
    by_parent: dict[str, list[RecordedResource]] = {}
    for resource in synthesis.resources:
        by_parent.setdefault(resource.parent or stack_urn, []).append(resource)
    rows: list[tuple[str, str, str]] = [(" + ", STACK_TYPE, f"webstack-{synthesis.stack}")]

    def walk(urn: str, prefix: str) -> None:
        children = sorted(by_parent.get(urn, []), key=lambda r: (r.custom, r.type, r.name))
        for index, child in enumerate(children):
            last = index == len(children) - 1
            branch = "└─ " if last else "├─ "
            rows.append(
                (" + " if not child.protect else "+🔒", prefix + branch + child.type, child.name)
            )
            walk(child.urn, prefix + ("   " if last else "│  "))

    walk(stack_urn, "")
    width = min(max(len(label) for _, label, _ in rows), TYPE_COLUMN_MAX)
    name_width = TREE_COLUMNS - width - 6
    lines = [f"     {'Type':<{width}} Name"]
    for marker, label, name in rows:
        lines.append(f"{marker}  {_shorten(label, width):<{width}} {_shorten(name, name_width)}")
    return lines


def _shorten(text: str, width: int) -> str:
    """``text`` cut in the middle with an ellipsis when it is wider than ``width``."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[: keep - keep // 2] + "…" + text[len(text) - keep // 2 :]


def display_width(line: str) -> int:
    """Terminal columns of ``line``: wide characters (the lock) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def summary(synthesis: Synthesis) -> dict[str, Any]:
    return {
        "stack": synthesis.stack,
        "mode": "preview" if synthesis.preview else "deployed",
        "error": synthesis.error,
        "resourceCount": len(synthesis.resources),
        "countsByType": synthesis.count_by_type(),
        "outputs": {
            key: (dict(UNKNOWN_MARKER) if key in synthesis.unknown_outputs else plain(value))
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
    """The recorded resources as the engine hands them to an analyzer, each with its provider
    resource (stack policies read the provider's region from it)."""
    providers = {
        r.urn: Provider(urn=r.urn, properties=r.struct)
        for r in synthesis.resources
        if r.type.startswith("pulumi:providers:")
    }
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
            provider=providers.get(r.provider),
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
            shown[key] = SECRET_MARKER
        elif resource.is_unknown(key):
            shown[key] = dict(UNKNOWN_MARKER)
        else:
            shown[key] = plain(value)
    return shown


def plain(value: Any) -> Any:
    """A value as JSON of its own type: the wire's doubles that are whole numbers become
    integers again (protobuf's Struct has only doubles)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _is_secret(value: Any) -> bool:
    if value.WhichOneof("kind") != "struct_value":
        return False
    fields = value.struct_value.fields
    return fields.get(rpc._special_sig_key) is not None and (
        fields[rpc._special_sig_key].string_value == rpc._special_secret_sig
    )


@dataclass(frozen=True)
class PolicyReport:
    """What the pack said: its name and version, as the CLI prints them, and the findings."""

    pack: str
    version: str
    findings: list[dict[str, str]] = field(default_factory=list)

    @property
    def mandatory(self) -> int:
        return sum(1 for f in self.findings if f["level"] == "mandatory")


def run_policy_pack(
    synthesis: Synthesis,
    pack_dir: Path,
    config_file: Path | None,
    config: dict[str, Any] | None = None,
) -> PolicyReport:
    """Start the pack as the CLI does, configure it, and check the synthesized stack.

    A mistake in the pack config raises `PackConfigError` (one line)."""
    if config is None:
        config = load_pack_config(config_file) if config_file else {}
    with PolicyPackProcess(pack_dir) as pack:
        pack.configure(config)
        info = pack.info()
        return PolicyReport(info.name, _pack_version(pack_dir), check(pack, synthesis))


def _pack_version(pack_dir: Path) -> str:
    """The version the CLI shows and publishes: PulumiPolicy.yaml's (a Python pack's analyzer
    reports a fixed placeholder)."""
    document = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    return str(document.get("version", "0.0.1"))


def _finding(diagnostic: Diagnostic, urn: str) -> dict[str, str]:
    return {
        "urn": diagnostic.urn or urn,
        "policy": diagnostic.policy_name,
        "level": diagnostic.level,
        "message": diagnostic.message,
    }


def render_findings(findings: Sequence[dict[str, str]]) -> list[str]:
    """Violations grouped by resource, then the count per level."""
    if not findings:
        return ["    ✔ no violations"]
    lines: list[str] = []
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tools.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--cwd", type=Path, default=ROOT, help="the project directory, as `pulumi --cwd`"
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON only")
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
        help="set a config key for this run, as `pulumi config set` would (VALUE may be JSON): "
        "--config 'webstack:web={\"maxSize\": 4}'",
    )
    parser.add_argument(
        "--config-path",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="set one nested value, keeping the rest of its section, as `pulumi config set "
        "--path` would (true/false and integers are typed): --config-path webstack:web.maxSize=4",
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="with --deployed: record the stack's state, as `pulumi up` would (make up)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help=f"where recorded states live (default: {state.STATE_DIR} under --cwd)",
    )
    parser.add_argument(
        "--allow-replace",
        action="append",
        default=[],
        metavar="NAME",
        help="let this stateful resource (name or URN; 'all' for every one) be replaced or "
        "deleted; repeatable",
    )
    parser.add_argument(
        "--mock-account",
        action="store_true",
        help="with --deployed: give a production stack that names no allowed account the mock "
        "cloud's, as an operator sets one before `pulumi up` (CI records main's state so)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        overrides = dict(_parse_override(item) for item in args.config)
        paths = [_parse_path_override(item) for item in args.config_path]
    except ValueError as exc:
        parser.error(str(exc))
    if args.save and not args.deployed:
        parser.error(
            "--save records what was deployed: use it with --deployed (as `pulumi up` records "
            "its update; make up STACK=<stack> does both)"
        )

    if args.stack not in known_stacks(args.cwd):
        stacks = ", ".join(known_stacks(args.cwd))
        print(f"error: no stack file Pulumi.{args.stack}.yaml; stacks: {stacks}", file=sys.stderr)
        return 2
    pack_config: dict[str, Any] | None = None
    if args.policy_pack and args.policy_pack_config:
        try:  # a missing or malformed file is a bad argument: say so before synthesizing
            pack_config = load_pack_config(args.policy_pack_config)
        except PackConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    state_file = state.state_path(args.stack, args.cwd, args.state_dir)
    try:
        recorded = state.load(state_file, args.stack)
    except state.StateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.json:
        if args.save:
            print(f"Updating ({args.stack}), offline against the mock cloud:\n")
        else:
            mode = "update (mock cloud)" if args.deployed else "update"
            print(f"Previewing {mode} ({args.stack}), offline under Pulumi's mock monitor:\n")

    changes: diff.Diff | None = None
    try:
        if paths:
            overrides = apply_paths(args.stack, overrides, paths, args.cwd)
        synthesis = synthesize(
            args.stack,
            overrides=overrides or None,
            preview=not args.deployed,
            project_dir=args.cwd.resolve(),
            # --deployed is `pulumi up`: a production stack naming no account is refused.
            mock_account=args.mock_account,
        )
        if recorded is not None and synthesis.error is None:
            # The diff compares deployed with deployed: every value known on both sides.
            current = synthesis
            if not args.deployed:
                current = synthesize(
                    args.stack,
                    overrides=overrides or None,
                    preview=False,
                    project_dir=args.cwd.resolve(),
                )
            changes = diff.compare(recorded, current, state.shown_path(state_file, args.cwd))
    except StackFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report: PolicyReport | None = None
    if synthesis.error is None and args.policy_pack:
        try:
            report = run_policy_pack(
                synthesis, args.policy_pack, args.policy_pack_config, pack_config
            )
        except PackConfigError as exc:
            print(
                f"error: {args.policy_pack_config or 'policy pack config'}: {exc}", file=sys.stderr
            )
            return 2

    if args.json:
        document = summary(synthesis)
        document["policyPack"] = (
            {"name": report.pack, "version": report.version} if report is not None else None
        )
        document["policyViolations"] = report.findings if report is not None else []
        document["cost"] = cost.estimate(synthesis).to_json() if synthesis.error is None else None
        document["diff"] = _diff_document(synthesis, changes)
        print(json.dumps(document, indent=2, default=str))
    else:
        _print_human(synthesis, report, changes, args.allow_replace)
    if synthesis.error:
        return 1
    status = 0
    if report is not None and report.mandatory:
        if not args.json:
            plural = "s" if report.mandatory != 1 else ""
            print(
                f"error: preview failed: {report.mandatory} mandatory policy violation{plural}",
                file=sys.stderr,
            )
        status = 1
    if changes is not None:
        refused = [r for r in diff.destructive(changes) if not diff.allowed(r, args.allow_replace)]
        if refused:
            if args.json:  # stdout holds only the JSON document; the warnings go to stderr
                for resource in refused:
                    print(diff.warning(resource, args.allow_replace), file=sys.stderr)
            print(diff.refusal(refused), file=sys.stderr)
            status = 1
    if args.save and status == 0:
        saved = state.save(synthesis, state_file)
        print(
            f"Saved the state of {args.stack}: {len(saved['resources'])} resources to "
            f"{state.shown_path(state_file, args.cwd)}",
            file=sys.stderr if args.json else sys.stdout,
        )
    return status


def _diff_document(synthesis: Synthesis, changes: diff.Diff | None) -> dict[str, Any] | None:
    """``diff`` in ``--json``: against the recorded state, or (none recorded) every resource new."""
    if changes is not None:
        return changes.to_json()
    if synthesis.error is not None:
        return None
    counts = dict.fromkeys(diff.OPS, 0)
    counts["create"] = len(synthesis.resources) + 1
    return {"baseline": None, "counts": counts, "resources": []}


def _parse_override(item: str) -> tuple[str, Any]:
    key, separator, raw = item.partition("=")
    if not separator or ":" not in key:
        raise ValueError(f"--config expects NAMESPACE:KEY=VALUE, got '{item}'")
    if "." in key.partition(":")[2]:
        raise ValueError(
            f"--config sets a whole key, and '{key}' is a path inside one; to change one nested "
            f"value and keep the rest of its section, use --config-path '{item}' (as "
            "`pulumi config set --path` does)"
        )
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def _parse_path_override(item: str) -> tuple[str, list[str | int], Any]:
    """``webstack:web.maxSize=4`` -> ("webstack:web", ["maxSize"], 4); an array element is
    ``[N]``: ``webstack:allowedAccountIds[0]=...`` -> ("webstack:allowedAccountIds", [0], ...)."""
    key, separator, raw = item.partition("=")
    namespace, colon, path = key.partition(":")
    match = re.fullmatch(r"([^.\[\]]+)((?:\.[^.\[\]]+|\[\d+\])+)", path)
    if not separator or not colon or match is None:
        raise ValueError(
            f"--config-path expects NAMESPACE:KEY.PATH=VALUE such as webstack:web.maxSize=4, "
            f"got '{item}'"
        )
    parts: list[str | int] = [
        int(part[1:-1]) if part.startswith("[") else part[1:]
        for part in re.findall(r"\.[^.\[\]]+|\[\d+\]", match.group(2))
    ]
    return f"{namespace}:{match.group(1)}", parts, _path_value(raw)


def _path_value(raw: str) -> Any:
    """As `pulumi config set --path` stores a value: true/false and integers typed."""
    if raw in ("true", "false"):
        return raw == "true"
    try:
        return int(raw)
    except ValueError:
        return raw


def apply_paths(
    stack: str,
    overrides: Mapping[str, Any],
    paths: Sequence[tuple[str, Sequence[str | int], Any]],
    project_dir: Path = ROOT,
) -> dict[str, Any]:
    """The stack's sections with each path set inside them, merged into ``overrides``."""
    merged: dict[str, Any] = dict(overrides)
    current = load_stack_config(stack, project_dir, overrides or None)
    for key, path, value in paths:
        section = merged.get(key)
        if section is None:
            raw = current.get(key)
            empty: Any = [] if isinstance(path[0], int) else {}
            section = json.loads(raw) if raw is not None and raw[:1] in "{[" else empty
        shown = key
        target = section
        for part, following in zip(path, [*path[1:], None], strict=True):
            if isinstance(part, int) != isinstance(target, list) or not isinstance(
                target, dict | list
            ):
                kind = "an array" if isinstance(part, int) else "an object"
                raise StackFileError(
                    f"'{shown}' is not {kind}, so '{_shown_path(path)}' cannot be set in it"
                )
            if following is None:
                _put(target, part, value, shown)
                break
            child = target.get(part) if isinstance(target, dict) else _element(target, part)
            if child is None:
                child = [] if isinstance(following, int) else {}
                _put(target, part, child, shown)
            target = child
            shown += f"[{part}]" if isinstance(part, int) else f".{part}"
        merged[key] = section
    return merged


def _shown_path(path: Sequence[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _element(items: list[Any], index: str | int) -> Any:
    return items[index] if isinstance(index, int) and index < len(items) else None


def _put(target: Any, part: str | int, value: Any, shown: str) -> None:
    """Set ``target[part]``; an array index may be the next one (appends), as the CLI allows."""
    if isinstance(target, dict) or (isinstance(part, int) and part < len(target)):
        target[part] = value
    elif isinstance(part, int) and part == len(target):
        target.append(value)
    else:
        raise StackFileError(f"'{shown}[{part}]' is past the end of an array of {len(target)}")


def _print_human(
    synthesis: Synthesis,
    report: PolicyReport | None,
    changes: diff.Diff | None = None,
    allow: Sequence[str] = (),
) -> None:
    if synthesis.error:
        print(f"error: {synthesis.error}", file=sys.stderr)
        return
    print("\n".join(render_tree(synthesis)))
    for warning in synthesis.warnings:
        print(f"\nwarning: {warning}")
    print("\nOutputs:")
    for key, value in synthesis.outputs.items():
        shown = "output<unknown>" if key in synthesis.unknown_outputs else json.dumps(plain(value))
        print(f"    {key}: {shown}")
    print("\nResources by type:")
    for type_token, count in synthesis.count_by_type().items():
        print(f"    {count:>4}  {type_token}")
    if changes is None:
        print(f"\nResources:\n    + {len(synthesis.resources) + 1} to create")
        print(
            f"    (no recorded state for {synthesis.stack}: every resource is new; record one "
            f"with make up STACK={synthesis.stack})"
        )
    else:
        print("\n" + "\n".join(diff.render(changes)))
    # The estimate sits inside "Resources:" (indented), so the CLI's headings stay as they are.
    print("\n".join(cost.render(cost.estimate(synthesis))))
    if changes is not None:
        warnings = [diff.warning(r, allow) for r in diff.destructive(changes)]
        if warnings:
            print("\n" + "\n".join(warnings))
    if report is not None:
        mark = "✘" if report.mandatory else "✔"
        print(f"\nPolicies:\n    {mark} {report.pack}@v{report.version} (local: policies)")
        print("\n".join(render_findings(report.findings)))


if __name__ == "__main__":
    sys.exit(main())
