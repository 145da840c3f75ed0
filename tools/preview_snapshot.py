"""Snapshot the offline preview JSON of every shipped stack, and compare against a snapshot.

    python -m tools.preview_snapshot --out DIR      # write one JSON file per synthesis
    python -m tools.preview_snapshot --compare DIR  # re-synthesize; exit 1 on any difference

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


def compare(expected_dir: Path, rendered: Iterable[tuple[str, str]]) -> list[str]:
    """Differences between the snapshot in ``expected_dir`` and ``rendered``; [] if identical."""
    problems: list[str] = []
    seen: set[str] = set()
    for filename, text in rendered:
        seen.add(filename)
        path = expected_dir / filename
        if not path.exists():
            problems.append(f"{filename}: not in the snapshot")
            continue
        before = path.read_text()
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
    args = parser.parse_args(argv)
    stacks = shipped_stacks()
    if args.out is not None:
        count = write(args.out, documents(stacks))
        print(f"wrote {count} preview documents ({', '.join(stacks)}) to {args.out}")
        return 0
    if not args.compare.is_dir():
        parser.error(f"no snapshot directory {args.compare}")
    problems = compare(args.compare, documents(stacks))
    if problems:
        print("\n\n".join(problems))
        print(f"\n{len(problems)} difference(s) against {args.compare}")
        return 1
    total = len(list(args.compare.glob("*.json")))
    print(f"no difference: {total} preview documents identical to {args.compare}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
