"""The offline part of a stack's pull-request comment, in Markdown.

    python -m tools.pr_comment --stack prod --base base.json --head head.json

``--head`` and ``--base`` are ``tools.preview --json`` documents of the pull request's head and
of main (an empty or missing ``--base``: the stack is new on this branch); the head's is made
against main's recorded state (``--state-dir``, ``make up`` of main), so it carries the diff.
Prints the resource changes (replacements first, then deletions, creations and updates, each with
the properties that change), the estimated monthly cost against main
(``tools.cost.compare_markdown``) and the policy violations of the offline preview grouped by
resource. The pull-request workflow appends this to the comment ``pulumi/actions`` posts for the
stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.cost import compare_markdown


def _load(path: Path) -> dict[str, Any] | None:
    if not path.exists() or not path.read_text().strip():
        return None
    document = json.loads(path.read_text())
    return document if isinstance(document, dict) else None


# The order a reviewer reads changes in: what loses or moves data first.
CHANGE_ORDER = ("replace", "delete", "create", "update")
MARKERS = {"replace": "+-", "delete": "-", "create": "+", "update": "~"}
SHOWN_CHANGES = 40


def changes_markdown(head: Mapping[str, Any] | None) -> list[str]:
    """The resource changes of the head against main's recorded state."""
    diff = (head or {}).get("diff")
    if not isinstance(diff, Mapping):
        return []
    if diff.get("baseline") is None:
        return ["**Resource changes:** no recorded state of main (the stack is new): all created."]
    counts = diff.get("counts") or {}
    summary = ", ".join(f"{counts.get(op, 0)} to {op}" for op in CHANGE_ORDER if counts.get(op, 0))
    resources = sorted(
        diff.get("resources") or [],
        key=lambda r: (CHANGE_ORDER.index(r["op"]), r["type"], r["name"]),
    )
    if not resources:
        return ["**Resource changes against main: none.**"]
    lines = [f"**Resource changes against main: {summary}**", ""]
    for resource in resources[:SHOWN_CHANGES]:
        keys = ", ".join(f"`{k}`" for k in resource.get("changedKeys") or [])
        op = resource["op"]
        line = f"- `{MARKERS[op]}` {op} `{resource['type']}` `{resource['name']}`"
        if op == "replace":
            because = ", ".join(f"`{k}`" for k in resource.get("replaceBecause") or [])
            line += f": replaced because {because} changed"
            if resource.get("stateful"):
                line += " (**stateful: its data does not move**)"
        elif keys:
            line += f": {keys}"
        lines.append(line)
    if len(resources) > SHOWN_CHANGES:
        lines.append(f"- ... and {len(resources) - SHOWN_CHANGES} more (the job's log has all)")
    return lines


def violations_markdown(head: Mapping[str, Any] | None) -> list[str]:
    """The offline preview's policy findings, one bullet list per resource."""
    if head is None:
        return ["The offline preview printed no JSON: see the job's log."]
    if head.get("error"):
        return [f"The offline preview failed: `{head['error']}`"]
    pack = head.get("policyPack") or {}
    name = f"{pack.get('name', 'policy pack')}@v{pack.get('version', '?')}"
    findings = head.get("policyViolations") or []
    if not findings:
        return [f"**Policy violations ({name}, offline preview): none.**"]
    mandatory = sum(1 for f in findings if f["level"] == "mandatory")
    lines = [
        f"**Policy violations ({name}, offline preview): {mandatory} mandatory, "
        f"{len(findings) - mandatory} other, by resource**",
        "",
    ]
    by_urn: dict[str, list[Mapping[str, str]]] = {}
    for finding in findings:
        by_urn.setdefault(finding["urn"] or "(stack)", []).append(finding)
    for urn, items in sorted(by_urn.items()):
        lines.append(f"- `{urn.rsplit('::', 1)[-1]}` (`{urn}`)")
        for item in items:
            message = " ".join(item["message"].split())
            lines.append(f"  - **{item['level']}** `{item['policy']}`: {message}")
    return lines


def render(stack: str, base: Mapping[str, Any] | None, head: Mapping[str, Any] | None) -> str:
    lines = [f"### Offline preview of `{stack}`", ""]
    changes = changes_markdown(head)
    if changes:
        lines += [*changes, ""]
    lines += compare_markdown(base, head, stack)
    lines += ["", *violations_markdown(head)]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.pr_comment", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--base", type=Path, required=True, help="main's preview JSON")
    parser.add_argument("--head", type=Path, required=True, help="this branch's preview JSON")
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.stack, _load(args.base), _load(args.head)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
