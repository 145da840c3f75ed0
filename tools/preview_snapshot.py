"""Snapshot the offline preview JSON of every shipped stack, and compare against a snapshot.

    python -m tools.preview_snapshot --out DIR      # write one JSON file per synthesis
    python -m tools.preview_snapshot --compare DIR  # re-synthesize; exit 1 on any difference
    python -m tools.preview_snapshot --compare DIR --moved
        # the same, with URNs and parents set aside (a refactor that moves resources in the
        # tree): custom resources keyed by type and name; components only listed

A snapshot holds ``tools.preview.summary()`` of every ``Pulumi.<stack>.yaml`` in preview and
deployed modes, under every feature variant of ``tools.variants.FEATURES``. It proves a refactor
changed nothing a user could see: the recorded resources, their inputs, parents, providers,
protection and dependencies, the outputs and warnings. Ordering that the CLI does not show is
normalised (resources by URN, dependencies and warnings sorted, object keys sorted).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.mockcloud import ROOT, Synthesis, synthesize
from tools.preview import summary
from tools.variants import FEATURES

MODES = {"preview": True, "deployed": False}
DIFF_LINES = 40

Synthesizer = Callable[[str, Mapping[str, Any] | None, bool], Synthesis]


def shipped_stacks(project_dir: Path = ROOT) -> list[str]:
    return sorted(p.name.split(".")[1] for p in project_dir.glob("Pulumi.*.yaml"))


def variants(stacks: Iterable[str]) -> Iterator[tuple[str, str, Mapping[str, Any], str, bool]]:
    """(file stem, stack, overrides, feature, preview) for every snapshot entry."""
    for stack in stacks:
        for feature, overrides in FEATURES:
            for mode, preview in MODES.items():
                yield f"{stack}--{feature}--{mode}", stack, overrides, feature, preview


def normalised(document: Mapping[str, Any]) -> dict[str, Any]:
    """The summary with the ordering the CLI does not show made canonical."""
    result = dict(document)
    result["warnings"] = sorted(document["warnings"])
    result["resources"] = sorted(
        (
            {**resource, "dependencies": sorted(resource["dependencies"])}
            for resource in document["resources"]
        ),
        key=lambda resource: resource["urn"],
    )
    return result


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(normalised(document), indent=2, sort_keys=True, default=str) + "\n"


def _default_synthesizer(
    stack: str, overrides: Mapping[str, Any] | None, preview: bool
) -> Synthesis:
    return synthesize(stack, overrides=overrides, preview=preview)


def documents(
    stacks: Iterable[str], synthesizer: Synthesizer = _default_synthesizer
) -> Iterator[tuple[str, str]]:
    """(file name, rendered JSON) of every snapshot entry."""
    for stem, stack, overrides, _feature, preview in variants(stacks):
        yield f"{stem}.json", render(summary(synthesizer(stack, overrides or None, preview)))


def write(out: Path, rendered: Iterable[tuple[str, str]]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for filename, text in rendered:
        (out / filename).write_text(text)
        count += 1
    return count


def without_urns(document: Mapping[str, Any]) -> dict[str, Any]:
    """A rendered document with URNs and parents set aside: custom resources keyed by type and
    name (which the program keeps unique), their dependencies by the same keys, and components
    (which hold no cloud state) only listed: the counts are of custom resources only."""
    key = {r["urn"]: f"{r['type']}::{r['name']}" for r in document["resources"]}
    components = {r["urn"] for r in document["resources"] if r["type"].startswith("webstack:")}
    resources: dict[str, Any] = {}
    for resource in document["resources"]:
        if resource["urn"] in components:
            continue
        entry = {k: v for k, v in resource.items() if k not in ("urn", "parent")}
        entry["dependencies"] = sorted(
            key.get(d, d) for d in resource["dependencies"] if d not in components
        )
        if key[resource["urn"]] in resources:
            raise ValueError(f"two resources are {key[resource['urn']]}: cannot set URNs aside")
        resources[key[resource["urn"]]] = entry
    return {
        **{k: v for k, v in document.items() if k not in ("resources", "countsByType")},
        "resourceCount": len(resources),
        "countsByType": {
            t: n for t, n in document["countsByType"].items() if not t.startswith("webstack:")
        },
        "resources": resources,
        "components": sorted(key[u] for u in components),
    }


def _component_changes(before: str, now: str) -> str | None:
    old = set(without_urns(json.loads(before))["components"])
    new = set(without_urns(json.loads(now))["components"])
    if old == new:
        return None
    return f"components: +{sorted(new - old)} -{sorted(old - new)}"


def compare(
    expected_dir: Path, rendered: Iterable[tuple[str, str]], moved: bool = False
) -> list[str]:
    """Differences between the snapshot in ``expected_dir`` and ``rendered``; [] if identical.
    ``moved``: compare ``without_urns`` (components not compared)."""
    problems: list[str] = []
    seen: set[str] = set()
    for filename, text in rendered:
        seen.add(filename)
        path = expected_dir / filename
        if not path.exists():
            problems.append(f"{filename}: not in the snapshot")
            continue
        before = path.read_text()
        if moved:

            def strip(document: str) -> str:
                view = without_urns(json.loads(document))
                view.pop("components")
                return json.dumps(view, indent=2, sort_keys=True) + "\n"

            before, text = strip(before), strip(text)
        if before != text:
            diff = list(
                difflib.unified_diff(
                    before.splitlines(),
                    text.splitlines(),
                    f"snapshot/{filename}",
                    f"now/{filename}",
                    lineterm="",
                )
            )
            shown = diff[:DIFF_LINES] + (
                [f"... {len(diff) - DIFF_LINES} more lines"] if len(diff) > DIFF_LINES else []
            )
            problems.append(f"{filename}: differs\n" + "\n".join(shown))
    problems += [
        f"{path.name}: in the snapshot, not synthesized now"
        for path in sorted(expected_dir.glob("*.json"))
        if path.name not in seen
    ]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools.preview_snapshot", description=(__doc__ or "").splitlines()[0]
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="write the snapshot into this directory")
    action.add_argument(
        "--compare", type=Path, help="compare against the snapshot in this directory"
    )
    parser.add_argument(
        "--moved",
        action="store_true",
        help="with --compare: set URNs and parents aside; list component changes",
    )
    args = parser.parse_args(argv)
    if args.moved and args.compare is None:
        parser.error("--moved goes with --compare")
    stacks = shipped_stacks()
    if args.out is not None:
        count = write(args.out, documents(stacks))
        print(f"wrote {count} preview documents ({', '.join(stacks)}) to {args.out}")
        return 0
    if not args.compare.is_dir():
        parser.error(f"no snapshot directory {args.compare}")
    rendered = list(documents(stacks))
    problems = compare(args.compare, rendered, moved=args.moved)
    if problems:
        print("\n\n".join(problems))
        print(f"\n{len(problems)} difference(s) against {args.compare}")
        return 1
    total = len(list(args.compare.glob("*.json")))
    if args.moved:
        changes = sorted(
            {
                change
                for filename, text in rendered
                if (change := _component_changes((args.compare / filename).read_text(), text))
            }
        )
        print("\n".join(changes))
        print(
            f"no difference but URNs and parents: {total} preview documents identical to "
            f"{args.compare} in every cloud resource (inputs, provider, protection, "
            "dependencies), the outputs and the warnings"
        )
        return 0
    print(f"no difference: {total} preview documents identical to {args.compare}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
