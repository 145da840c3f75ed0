"""What a preview would change against the recorded state, as ``pulumi preview --diff`` shows it.

``compare(state, synthesis)`` matches the program's resources with the recorded ones by URN (or
by an alias URN, as the engine moves state to a resource that names its old URN), and gives each
an operation, as the CLI's step generator does:

- ``create``: a URN the state does not have; ``delete``: a recorded URN nothing claims (deleted
  after everything else, dependents first: reverse registration order);
- ``update``: inputs differ; ``replace``: an input that forces replacement differs
  (``tools.replacements``), ``replaceOnChanges`` names a changed input (``"*"`` any), or the
  resource's provider changed or was replaced; ``same`` otherwise.

Inputs are compared after ``ignoreChanges``, as the engine applies it: an ignored path keeps its
recorded value (or is dropped when the state has none). Values are the masked JSON the state
holds (``tools.state``): a secret is ``"[secret]"`` on both sides, so it never shows a value.

Both sides are deployed-mode syntheses (``pulumi up`` against the mock cloud), so every value is
known and equal ids compare equal: a preview with a recorded state synthesizes the program a
second time in deployed mode for the diff. ``pulumi preview`` shows values computed from a
resource being created or replaced as ``output<string>``; here they are the mock cloud's
deterministic values, so a replacement does not ripple into what reads its id (the CLI may show
those dependents as updates).

The human rendering mirrors the CLI: one line per changed resource with ``[diff: ~key]``,
property lines ``~ key: old => new`` (nested ``~ a.b[0].c``, added ``+ key: value``, removed
``- key: value``), and the summary counts. A replacement prints ``+-`` (create before delete,
the CLI's default) or ``-+`` for ``deleteBeforeReplace`` (the CLI prints ``+-`` for both and shows
the order only in its step-by-step view; Terraform writes ``-/+`` for the same thing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.mockcloud import RecordedResource, Synthesis
from tools.replacements import DATA_TYPES, FORCES_REPLACEMENT, STATEFUL_TYPES, forces_replacement
from tools.state import masked_inputs

OPS = ("create", "update", "replace", "delete", "same")
MARKERS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
VALUE_COLUMNS = 72
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ABSENT = object()


@dataclass(frozen=True)
class Change:
    """One changed value: ``kind`` is ``~`` (changed), ``+`` (added) or ``-`` (removed)."""

    path: str
    old: Any
    new: Any
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ResourceDiff:
    urn: str
    type: str
    name: str
    op: str
    changes: tuple[Change, ...] = ()
    replace_because: tuple[str, ...] = ()
    old_urn: str = ""  # the recorded URN it was matched by (an alias when it differs)
    protect: bool = False
    delete_before_replace: bool = False
    custom: bool = True

    @property
    def changed_keys(self) -> list[str]:
        keys: list[str] = []
        for change in self.changes:
            key = _top_key(change.path)
            if key not in keys:
                keys.append(key)
        return keys

    @property
    def stateful(self) -> bool:
        return self.type in STATEFUL_TYPES

    @property
    def marker(self) -> str:
        if self.op == "replace" and self.delete_before_replace:
            return "-+"
        return MARKERS[self.op]

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "op": self.op,
            "changedKeys": self.changed_keys,
            "changes": [change.to_json() for change in self.changes],
            "replaceBecause": list(self.replace_because),
            "stateful": self.stateful,
            "protect": self.protect,
        }
        if self.op == "replace":
            document["deleteBeforeReplace"] = self.delete_before_replace
        if self.old_urn and self.old_urn != self.urn:
            document["oldUrn"] = self.old_urn
        return document


@dataclass
class Diff:
    baseline: str
    resources: list[ResourceDiff] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OPS, 0)
        for resource in self.resources:
            counts[resource.op] += 1
        counts["same"] += 1  # the stack itself, as the CLI counts it
        return counts

    @property
    def changed(self) -> list[ResourceDiff]:
        return [r for r in self.resources if r.op != "same"]

    def of(self, op: str) -> list[ResourceDiff]:
        return [r for r in self.resources if r.op == op]

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "counts": self.counts(),
            "resources": [r.to_json() for r in self.changed],
        }


# --------------------------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------------------------
def compare(state: Mapping[str, Any], synthesis: Synthesis, baseline: str = "") -> Diff:
    """The diff of ``synthesis`` (deployed mode) against the recorded ``state``."""
    recorded: dict[str, Mapping[str, Any]] = {r["urn"]: r for r in state["resources"]}
    claimed: dict[str, str] = {}  # recorded URN -> the new URN that claimed it
    replaced_providers: set[str] = set()
    diff = Diff(baseline=baseline)
    for resource in synthesis.resources:
        old_urn = _match(resource, recorded, claimed)
        if old_urn is None:
            diff.resources.append(_new(resource, "create"))
            continue
        claimed[old_urn] = resource.urn
        entry = _compare_one(resource, recorded[old_urn], claimed, replaced_providers)
        if entry.op == "replace" and resource.type.startswith("pulumi:providers:"):
            replaced_providers.add(resource.urn)
        diff.resources.append(entry)
    for urn in reversed(list(recorded)):
        if urn in claimed:
            continue
        old = recorded[urn]
        diff.resources.append(
            ResourceDiff(
                urn=urn,
                type=old["type"],
                name=old["name"],
                op="delete",
                protect=bool(old.get("protect")),
                custom=bool(old.get("custom", True)),
            )
        )
    return diff


def _match(
    resource: RecordedResource,
    recorded: Mapping[str, Mapping[str, Any]],
    claimed: Mapping[str, str],
) -> str | None:
    if resource.urn in recorded and resource.urn not in claimed:
        return resource.urn
    for alias in resource.aliases:
        if alias in recorded and alias not in claimed:
            return alias
    return None


def _new(resource: RecordedResource, op: str) -> ResourceDiff:
    return ResourceDiff(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        op=op,
        protect=resource.protect,
        delete_before_replace=resource.delete_before_replace,
        custom=resource.custom,
    )


def _compare_one(
    resource: RecordedResource,
    old: Mapping[str, Any],
    claimed: Mapping[str, str],
    replaced_providers: set[str],
) -> ResourceDiff:
    old_inputs: dict[str, Any] = dict(old.get("inputs") or {})
    new_inputs = apply_ignore_changes(masked_inputs(resource), old_inputs, resource.ignore_changes)
    changes = tuple(diff_values(old_inputs, new_inputs))
    because: list[str] = []
    for key in _keys_in_order(changes):
        if forces_replacement(resource.type, key, old_inputs, new_inputs) or _named_by(
            key, changes, resource.replace_on_changes
        ):
            because.append(key)
    old_provider = old.get("provider") or ""
    if resource.custom and (
        claimed.get(old_provider, old_provider) != resource.provider
        or resource.provider in replaced_providers
    ):
        because.append("provider")
    op = "replace" if because else ("update" if changes else "same")
    return ResourceDiff(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        op=op,
        changes=changes,
        replace_because=tuple(because),
        old_urn=str(old["urn"]),
        protect=resource.protect,
        delete_before_replace=resource.delete_before_replace,
        custom=resource.custom,
    )


def _keys_in_order(changes: Iterable[Change]) -> list[str]:
    keys: list[str] = []
    for change in changes:
        key = _top_key(change.path)
        if key not in keys:
            keys.append(key)
    return keys


def _named_by(key: str, changes: Sequence[Change], replace_on_changes: Sequence[str]) -> bool:
    """Whether ``replaceOnChanges`` names a changed path under ``key`` (``"*"``: any)."""
    for pattern in replace_on_changes:
        if pattern == "*":
            return True
        wanted = _parse_path(pattern)
        for change in changes:
            if _top_key(change.path) != key:
                continue
            path = _parse_path(change.path)
            shorter = min(len(wanted), len(path))
            pairs = zip(wanted[:shorter], path[:shorter], strict=True)
            if all(a == b or a == "*" for a, b in pairs):
                return True
    return False


def apply_ignore_changes(
    new: Mapping[str, Any], old: Mapping[str, Any], ignore: Sequence[str]
) -> dict[str, Any]:
    """``new`` with every ignored path set to its ``old`` value (dropped where ``old`` has none),
    as the engine's ``processIgnoreChanges`` does."""
    result = json.loads(json.dumps(new))
    for pattern in ignore:
        path = _parse_path(pattern)
        old_value = _get(old, path)
        if old_value is _ABSENT:
            _delete(result, path)
        else:
            _set(result, path, old_value)
    return result


def diff_values(old: Any, new: Any, path: str = "") -> Iterable[Change]:
    """Every difference between two plain JSON values, at the deepest path that differs."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):  # the CLI lists properties in key order
            child = _join(path, key)
            if key not in new:
                yield Change(child, old[key], None, "-")
            elif key not in old:
                yield Change(child, None, new[key], "+")
            else:
                yield from diff_values(old[key], new[key], child)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            child = f"{path}[{index}]"
            if index >= len(new):
                yield Change(child, old[index], None, "-")
            elif index >= len(old):
                yield Change(child, None, new[index], "+")
            else:
                yield from diff_values(old[index], new[index], child)
        return
    if old != new or type(old) is not type(new):
        if old is None:
            yield Change(path, None, new, "+")
        elif new is None:
            yield Change(path, old, None, "-")
        else:
            yield Change(path, old, new, "~")


def _join(path: str, key: str) -> str:
    part = key if _IDENTIFIER.match(key) else json.dumps(key)
    if not path:
        return part if _IDENTIFIER.match(key) else f"[{part}]"
    return f"{path}.{part}" if _IDENTIFIER.match(key) else f"{path}[{part}]"


def _top_key(path: str) -> str:
    if path.startswith("["):
        return str(json.loads(path[1 : path.index("]")]))
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _parse_path(path: str) -> list[str | int]:
    """``a.b[0]["x.y"]`` -> ["a", "b", 0, "x.y"]; ``[*]``/``*`` stay "*"."""
    parts: list[str | int] = []
    for token in re.finditer(r'\["((?:[^"\\]|\\.)*)"\]|\[(\d+|\*)\]|([^.\[\]]+)', path):
        quoted, index, bare = token.groups()
        if quoted is not None:
            parts.append(json.loads(f'"{quoted}"'))
        elif index is not None:
            parts.append("*" if index == "*" else int(index))
        else:
            parts.append(bare)
    return parts


def _get(value: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        indexed = isinstance(part, int) and isinstance(value, list) and part < len(value)
        keyed = isinstance(part, str) and isinstance(value, dict) and part in value
        if not (indexed or keyed):
            return _ABSENT
        value = value[part]
    return value


def _parent(value: Any, path: Sequence[str | int], create: bool) -> Any:
    for part in path[:-1]:
        if isinstance(value, dict) and isinstance(part, str):
            if part not in value:
                if not create:
                    return None
                value[part] = {}
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _set(value: Any, path: Sequence[str | int], item: Any) -> None:
    parent = _parent(value, path, create=True)
    last = path[-1] if path else None
    keyed = isinstance(parent, dict) and isinstance(last, str)
    indexed = isinstance(parent, list) and isinstance(last, int) and last < len(parent)
    if keyed or indexed:
        parent[last] = item


def _delete(value: Any, path: Sequence[str | int]) -> None:
    parent = _parent(value, path, create=False)
    last = path[-1] if path else None
    if isinstance(parent, dict) and isinstance(last, str):
        parent.pop(last, None)


# --------------------------------------------------------------------------------------------
# Stateful replacements
# --------------------------------------------------------------------------------------------
def destructive(diff: Diff) -> list[ResourceDiff]:
    """What the diff would lose: a stateful resource replaced, or a store deleted."""
    return [
        r
        for r in diff.resources
        if (r.op == "replace" and r.stateful) or (r.op == "delete" and r.type in DATA_TYPES)
    ]


def allowed(resource: ResourceDiff, allow: Sequence[str]) -> bool:
    """Whether ``--allow-replace`` names the resource (its name or URN) or says ``all``."""
    return any(item in ("all", resource.name, resource.urn) for item in allow)


def warning(resource: ResourceDiff, allow: Sequence[str]) -> str:
    """The warning the preview prints for a stateful replacement or deletion."""
    subject = f"{resource.type} {resource.name}"
    if resource.op == "delete":
        text = (
            f"{subject} would be DELETED: the program no longer declares it (its data goes with it)"
        )
    else:
        reasons = []
        for key in resource.replace_because:
            if key == "provider":
                reasons.append("its provider changed or was replaced")
                continue
            old, new = _key_values(resource, key)
            reasons.append(f"{key} changed: {render_value(old)} => {render_value(new)}")
        text = f"{subject} would be REPLACED because {'; '.join(reasons)} (its data does not move)"
    if resource.protect:
        text += "; it is protected: `pulumi up` refuses until `pulumi state unprotect` it"
    if allowed(resource, allow):
        text += " [allowed by --allow-replace]"
    return f"warning: {text}"


def _key_values(resource: ResourceDiff, key: str) -> tuple[Any, Any]:
    changes = [c for c in resource.changes if _top_key(c.path) == key]
    if len(changes) == 1 and changes[0].path == key:
        return changes[0].old, changes[0].new
    return (
        {c.path: c.old for c in changes},
        {c.path: c.new for c in changes},
    )


def refusal(refused: Sequence[ResourceDiff]) -> str:
    count = len(refused)
    what = "replaced or deleted" if any(r.op == "delete" for r in refused) else "replaced"
    return (
        f"error: preview failed: {count} stateful resource(s) would be {what}; pass "
        "--allow-replace <name> (or --allow-replace all) if you mean it"
    )


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
def render_value(value: Any) -> str:
    """A value as the CLI's ``--diff`` prints it: JSON (strings quoted), long ones shortened."""
    text = json.dumps(value, sort_keys=True)
    if len(text) <= VALUE_COLUMNS:
        return text
    keep = VALUE_COLUMNS - 1
    return text[: keep - keep // 2] + "…" + text[len(text) - keep // 2 :]


def render(diff: Diff) -> list[str]:
    """The ``Resources:`` section: each changed resource, its changes, then the counts."""
    lines = ["Resources:"]
    for resource in diff.changed:
        summary = ""
        if resource.op in ("update", "replace"):
            keys = resource.changed_keys + (
                ["provider"] if "provider" in resource.replace_because else []
            )
            summary = f" [diff: {' '.join(_key_marker(resource, key) for key in keys)}]"
        lines.append(
            f"    {resource.marker} {resource.type} {resource.name} {resource.op}{summary}"
        )
        for change in resource.changes:
            if change.kind == "~":
                shown = f"{render_value(change.old)} => {render_value(change.new)}"
            else:
                shown = render_value(change.new if change.kind == "+" else change.old)
            lines.append(f"        {change.kind} {change.path}: {shown}")
    counts = diff.counts()
    labels = (
        ("create", "+", "to create"),
        ("update", "~", "to update"),
        ("replace", "+-", "to replace"),
        ("delete", "-", "to delete"),
    )
    for op, marker, label in labels:
        if counts[op]:
            lines.append(f"    {marker} {counts[op]} {label}")
    lines.append(f"    {counts['same']} unchanged")
    return lines


def _key_marker(resource: ResourceDiff, key: str) -> str:
    kinds = {c.kind for c in resource.changes if _top_key(c.path) == key}
    whole = [c for c in resource.changes if c.path == key]
    if key == "provider" and not kinds:
        return "~provider"
    if len(whole) == 1 and whole[0].kind in "+-":
        return f"{whole[0].kind}{key}"
    return f"~{key}" if kinds else key


def known_types() -> frozenset[str]:
    return frozenset(FORCES_REPLACEMENT)
