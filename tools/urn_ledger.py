"""The URN ledger: every resource's engine URN before a refactor, and the check that none moves.

    python -m tools.urn_ledger --out tests/fixtures/urn-ledger.json   # record (run on the old code)
    python -m tools.urn_ledger --check tests/fixtures/urn-ledger.json # compare the current code

The ledger holds, per configuration (``configurations()``: every shipped stack file as it is,
every stack with a DR mirror failed over to its DR region, prod with a few feature variants), each
resource the program registers in deployed mode (``pulumi up`` against the mock cloud), keyed by
its engine URN (``tools.mockcloud.urns``): ``[type, custom, provider engine URN, protect, digest]``
where the digest is the first 16 hex digits of the SHA-256 of its inputs as canonical JSON. One
resource per line, so a diff of the ledger reads as a diff of the state.

The digests depend on nothing that moves with a URN: inputs hold names, ids and ARNs, and the
mock cloud derives ids (and so ARNs and endpoints) from type, name and region only
(``MockCloud.new_resource``), never from the parent or the type chain; no input holds a URN
(dependencies do, and are not part of the digest: the engine does not diff them). A re-parent or
a component's new type leaves every digest as it was. A custom resource *renamed* (with an
alias), though, gets a new mock id where the engine would keep the old one, and every input that
holds its id or ARN changes with it: such a move shows up as changed inputs of its dependents.

``compare(ledger configuration, resources)`` replays the engine over a new synthesis (each
resource's aliases as the SDK sent them, ``RecordedResource.alias_specs``), with the ledger's URNs
as the old state (``tools.mockcloud.urns.engine_view``), and sorts every old URN:
unchanged (found by its own URN), moved (found by an alias), missing (nothing reaches it: the
engine would delete it), ambiguous (several resources reach it: the engine refuses), unclaimed
(one resource reaches it but finds another old URN first: deleted too), changed (found, but with
another type for a custom resource, another provider, protection or inputs). ``tests/
test_urn_moves.py`` asserts on the same comparison, configuration by configuration.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from tools import stackfile
from tools.mockcloud import ACCOUNT_ID, ROOT, RecordedResource, synthesize
from tools.mockcloud.run import ALLOWED_ACCOUNTS, needs_an_account
from tools.mockcloud.urns import EngineView, engine_urns, engine_view
from tools.preview_snapshot import shipped_stacks
from tools.variants import FEATURES

FORMAT = 1
# The feature variants prod is recorded under (tools.variants.FEATURES names).
PROD_FEATURES = ("domain", "app-tier", "mysql-proxy", "aurora-proxy", "no-cdn", "redis")
FAILED_OVER = "failed-over"


@dataclass(frozen=True)
class Configuration:
    """One synthesis the ledger records: a stack file and config overrides over it."""

    id: str
    stack: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


def dr_of(stack: str, project_dir: Path = ROOT) -> dict[str, Any]:
    """The stack file's ``webstack:dr`` ({} when unset: no mirror)."""
    raw = stackfile.load_stack_config(stack, project_dir).get("webstack:dr")
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


def deployable(stack: str, project_dir: Path = ROOT) -> dict[str, Any]:
    """What an update of ``stack`` needs set: a production stack's allowed account (the program
    refuses `pulumi up` of one without), the mock cloud's, as ``synthesize`` gives it."""
    if not needs_an_account(stackfile.load_stack_config(stack, project_dir)):
        return {}
    return {ALLOWED_ACCOUNTS: [ACCOUNT_ID]}


def configurations(project_dir: Path = ROOT) -> list[Configuration]:
    """What the ledger records: every shipped stack as it is; every stack with a DR mirror
    failed over (``webstack:dr.activeRegion`` = its DR region); prod with PROD_FEATURES. Each
    with what an update needs (``deployable``)."""
    stacks = shipped_stacks(project_dir)
    result = [Configuration(stack, stack, deployable(stack, project_dir)) for stack in stacks]
    for stack in stacks:
        dr = dr_of(stack, project_dir)
        if dr.get("strategy", "none") != "none":
            result.append(
                Configuration(
                    f"{stack}--{FAILED_OVER}",
                    stack,
                    {**deployable(stack, project_dir), "webstack:dr.activeRegion": dr["region"]},
                )
            )
    features = dict(FEATURES)
    prod = deployable("prod", project_dir)
    result += [
        Configuration(f"prod--{name}", "prod", {**prod, **features[name]}) for name in PROD_FEATURES
    ]
    return result


# --------------------------------------------------------------------------------------------
# Entries
# --------------------------------------------------------------------------------------------
class Entry(NamedTuple):
    """What the ledger keeps of one resource, under its engine URN."""

    type: str
    custom: bool
    provider: str  # the provider's engine URN, "" for components and default providers
    protect: bool
    digest: str  # of its inputs


def digest(inputs: Mapping[str, Any]) -> str:
    canonical = json.dumps(inputs, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def entries(resources: Sequence[RecordedResource]) -> dict[str, Entry]:
    """Engine URN -> Entry of every recorded resource."""
    urns = engine_urns(resources)
    return {
        urns[r.urn]: Entry(
            r.type,
            r.custom,
            urns.get(r.provider, r.provider) if r.provider else "",
            r.protect,
            digest(r.inputs),
        )
        for r in resources
    }


# --------------------------------------------------------------------------------------------
# The ledger file
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recorded:
    """One configuration of the ledger: how it was synthesized and what it registered."""

    configuration: Configuration
    resources: Mapping[str, Entry]


@dataclass(frozen=True)
class Ledger:
    configurations: Mapping[str, Recorded]  # by configuration id, in recording order
    skipped: Mapping[str, str]  # configuration id -> the synthesis error that left it out


def render(ledger: Ledger) -> str:
    """The ledger as JSON, one resource per line, resources sorted by URN."""

    def dumps(value: Any) -> str:
        return json.dumps(value, sort_keys=True)

    lines = ["{", f'  "format": {FORMAT},', '  "configurations": {']
    recorded = list(ledger.configurations.values())
    for index, entry in enumerate(recorded):
        config = entry.configuration
        lines += [
            f"    {dumps(config.id)}: {{",
            f'      "stack": {dumps(config.stack)},',
            f'      "overrides": {dumps(dict(config.overrides))},',
            '      "resources": {',
        ]
        urns = sorted(entry.resources)
        lines += [
            f"        {dumps(urn)}: {dumps(list(entry.resources[urn]))}"
            + ("," if i < len(urns) - 1 else "")
            for i, urn in enumerate(urns)
        ]
        lines += ["      }", "    }" + ("," if index < len(recorded) - 1 else "")]
    lines += ["  },", f'  "skipped": {dumps(dict(ledger.skipped))}', "}"]
    return "\n".join(lines) + "\n"


def load(path: Path) -> Ledger:
    document = json.loads(path.read_text())
    if document.get("format") != FORMAT:
        raise ValueError(f"{path}: not a URN ledger of format {FORMAT}")
    return Ledger(
        configurations={
            config_id: Recorded(
                Configuration(config_id, value["stack"], value["overrides"]),
                {urn: Entry(*fields) for urn, fields in value["resources"].items()},
            )
            for config_id, value in document["configurations"].items()
        },
        skipped=document.get("skipped", {}),
    )


def record(
    configs: Iterable[Configuration], log: TextIO = sys.stderr, project_dir: Path = ROOT
) -> Ledger:
    recorded: dict[str, Recorded] = {}
    skipped: dict[str, str] = {}
    for config in configs:
        result = synthesize(
            config.stack, overrides=config.overrides or None, preview=False, project_dir=project_dir
        )
        if result.error is not None:
            skipped[config.id] = result.error
            print(f"skipped {config.id}: the synthesis failed: {result.error}", file=log)
            continue
        recorded[config.id] = Recorded(config, entries(result.resources))
        print(f"recorded {config.id}: {len(result.resources)} resources", file=log)
    return Ledger(recorded, skipped)


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """An old resource found by a new one that is not the same to the engine."""

    old_urn: str
    new_urn: str
    old: Entry
    new: Entry
    # What differs, by kind ("kind", "type", "provider", "protect", "inputs"): how.
    differences: Mapping[str, str]

    def describe(self, kinds: Iterable[str] | None = None) -> str:
        shown = [how for kind, how in self.differences.items() if kinds is None or kind in kinds]
        return "; ".join(shown)


@dataclass
class Comparison:
    """Every old URN of one configuration, sorted by what the engine would do with it."""

    config: str
    old: Mapping[str, Entry]
    new: Mapping[str, Entry]
    view: EngineView
    unchanged: list[str] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)  # old URN -> the new URN found by it
    missing: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # old URN -> new URNs
    unclaimed: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # -> (new, found)
    changed: list[Change] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # new custom resources found by no old URN

    def summary(self) -> str:
        return (
            f"{self.config}: {len(self.old)} old URNs, {len(self.unchanged)} unchanged, "
            f"{len(self.moved)} moved via alias, {len(self.missing)} missing, "
            f"{len(self.ambiguous)} ambiguous, {len(self.unclaimed)} unclaimed, "
            f"{len(self.changed)} changed, {len(self.created)} new custom"
        )

    # One line per problem, naming the configuration and the URN.
    def missing_lines(self) -> list[str]:
        return [
            f"{self.config}: {urn} ({self.old[urn].type}) is reached by no resource, neither as "
            "its URN nor as an alias: the engine would delete it"
            for urn in self.missing
        ]

    def ambiguous_lines(self) -> list[str]:
        return [
            f"{self.config}: {urn} is reached by {len(new)} resources ({', '.join(new)}): the "
            "engine refuses a URN claimed twice"
            for urn, new in self.ambiguous.items()
        ]

    def unclaimed_lines(self) -> list[str]:
        return [
            f"{self.config}: {urn} is an alias of {new} only, which the engine finds by "
            f"{found} first: it would delete {urn}"
            for urn, (new, found) in self.unclaimed.items()
        ]

    def changed_lines(self, kinds: Iterable[str] | None = None) -> list[str]:
        wanted = None if kinds is None else set(kinds)
        return [
            f"{self.config}: {c.old_urn} -> {c.new_urn}: {c.describe(wanted)}"
            for c in self.changed
            if wanted is None or wanted & set(c.differences)
        ]

    def created_lines(self, allowed: Iterable[str] = ()) -> list[str]:
        return [
            f"{self.config}: {urn} ({self.new[urn].type}) is a new custom resource: no old URN "
            "is its URN or an alias of it, so the engine would create it"
            for urn in self.created
            if urn not in set(allowed)
        ]

    def failures(self) -> list[str]:
        return [
            *self.missing_lines(),
            *self.ambiguous_lines(),
            *self.unclaimed_lines(),
            *self.changed_lines(),
            *self.created_lines(),
        ]


def _differences(old: Entry, new: Entry, new_provider_was: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if old.custom != new.custom:
        kinds = {True: "custom resource", False: "component"}
        found["kind"] = f"was a {kinds[old.custom]}, is a {kinds[new.custom]}"
    if (old.custom or new.custom) and old.type != new.type:
        found["type"] = f"type {old.type} -> {new.type}"
    if old.custom and new.custom:
        if old.provider != new_provider_was:
            found["provider"] = (
                f"provider {old.provider or 'default'} -> {new.provider or 'default'}"
            )
        if old.protect != new.protect:
            found["protect"] = f"protect {old.protect} -> {new.protect}"
        if old.digest != new.digest:
            found["inputs"] = f"inputs differ (digest {old.digest} -> {new.digest})"
    return found


def compare(
    config: str, old: Mapping[str, Entry], resources: Sequence[RecordedResource]
) -> Comparison:
    """Replay the engine over ``resources`` with ``old`` as the state (module docstring)."""
    view = engine_view(resources, olds=old.keys())
    new = entries(resources)
    result = Comparison(config, old, new, view)
    reached_by: dict[str, list[str]] = {}
    for urn in view.aliases:
        for reachable in dict.fromkeys(view.reachable(urn)):
            if reachable in old:
                reached_by.setdefault(reachable, []).append(urn)
    for old_urn, before in sorted(old.items()):
        reachers = reached_by.get(old_urn, [])
        if not reachers:
            result.missing.append(old_urn)
            continue
        if len(reachers) > 1:
            result.ambiguous[old_urn] = reachers
            continue
        (new_urn,) = reachers
        if view.found[new_urn] != old_urn:
            result.unclaimed[old_urn] = (new_urn, view.found[new_urn])
            continue
        if new_urn == old_urn:
            result.unchanged.append(old_urn)
        else:
            result.moved[old_urn] = new_urn
        after = new[new_urn]
        # A provider that moved is still the same provider if found by the old URN.
        provider_was = (view.found.get(after.provider) or after.provider) if after.provider else ""
        differences = _differences(before, after, provider_was)
        if differences:
            result.changed.append(Change(old_urn, new_urn, before, after, differences))
    result.created = [urn for urn, entry in new.items() if entry.custom and not view.found[urn]]
    return result


def check(ledger: Ledger, project_dir: Path = ROOT) -> Iterator[Comparison | tuple[str, str]]:
    """Each ledger configuration synthesized now and compared (or (id, error) if it fails)."""
    for config_id, recorded in ledger.configurations.items():
        config = recorded.configuration
        result = synthesize(
            config.stack, overrides=config.overrides or None, preview=False, project_dir=project_dir
        )
        if result.error is not None:
            yield config_id, result.error
            continue
        yield compare(config_id, recorded.resources, result.resources)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools.urn_ledger", description=(__doc__ or "").splitlines()[0]
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="record the ledger of the current code here")
    action.add_argument("--check", type=Path, help="compare the current code with this ledger")
    args = parser.parse_args(argv)
    if args.out is not None:
        ledger = record(configurations())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(ledger))
        total = sum(len(r.resources) for r in ledger.configurations.values())
        print(
            f"wrote {len(ledger.configurations)} configurations ({total} resources) to {args.out}"
            + (f"; skipped {', '.join(ledger.skipped)}" if ledger.skipped else "")
        )
        return 0
    if not args.check.is_file():
        parser.error(f"no ledger {args.check}")
    failed = False
    problems: list[str] = []
    for outcome in check(load(args.check)):
        if isinstance(outcome, Comparison):
            print(outcome.summary())
            problems += outcome.failures()
        else:
            config_id, error = outcome
            print(f"{config_id}: the synthesis failed: {error}")
            failed = True
    if problems:
        print("\n" + "\n".join(problems))
    if problems or failed:
        print(f"\n{len(problems)} problem(s) against {args.check}")
        return 1
    print(
        f"\nevery old URN of {args.check} is found by exactly one resource, with the same "
        "type, provider, protection and inputs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
