"""What the real Pulumi engine would see of a mock synthesis: its URNs and its alias URNs.

Pulumi's mock monitor names a resource ``Parent$Type::name`` with its parent's own type only
(``MockMonitor.make_urn``); the engine's URN carries the whole chain of ancestor types,
``urn:pulumi:<stack>::<project>::Root$...$Parent$Type::name``, and ``pulumi:pulumi:Stack`` is never
part of it (``resource.NewURN`` drops it). A refactor that re-parents a component moves the engine
URNs of everything under it, which the mock URNs hide. This module rebuilds them:

``engine_urns(resources)``
    mock URN -> engine URN, by walking ``parent`` links (providers and top-level components are
    children of the root stack: ``Type::name``).
``engine_aliases(resources, olds=None)``
    engine URN -> the alias URNs the engine generates for the resource, in its order.
``engine_view(resources, olds=None)``
    both, plus (given ``olds``) the old URN the engine finds each resource's state by.

Aliases are read from each record's ``alias_specs``: the aliases as the SDK sent them
(``request.aliases``, ``alias_pb2`` ``urn`` or ``spec``), which ``RecordingMonitor`` records with
``alias_specs_of(request)``. A URN string in ``aliases`` (Python's ``pulumi.Alias`` has no ``urn``
argument) arrives as ``urn``; ``Alias(parent=pulumi.ROOT_STACK_RESOURCE)`` as ``noParent``;
``Alias(parent=r)`` as ``parentUrn`` = r's *mock* URN; an alias without ``parent`` as an empty
``parentUrn``, the current parent (pulumi_aws's own ``Alias(type_="aws:s3/bucketV2:BucketV2")`` on
every ``aws.s3.Bucket``).

The engine, as ``pkg/resource/deploy/step_generator.go`` has it (Pulumi 3.x, 2023 onwards:
``generateSteps``, ``generateAliases``, ``collapseAliasToUrn``, ``inheritedChildAlias``), handles
each registration in order:

1. ``collapseAliasToUrn``: a ``urn`` alias is taken as it is. A spec alias takes its name and type
   (defaulting to the resource's own), its stack and project (defaulting to the deployment's) and
   a parent: none for ``noParent``; else the ``parentUrn`` (a mock URN, mapped to that resource's
   engine URN), replaced by the old URN that parent was itself found by if it was found by an
   alias (``sg.aliases[parent]``); else (unset) the resource's current parent. The root stack as
   parent means none. The alias is ``<the parent's qualified type>$<type>::<name>``.
2. ``generateAliases``: the resource's own aliases (1); then, if its parent was found in the old
   state by an alias A, ``inheritedChildAlias(type, name, parentName, A)`` and, for each own alias
   U, ``inheritedChildAlias(U.Type(), U.Name(), parentName, A)``. ``inheritedChildAlias`` is
   ``<A's qualified type>$<type>::<name'>`` in the deployment's stack and project, where name' is
   ``A.Name() + name[len(parentName):]`` when the name starts with the parent's current name
   (``{parent}-suffix`` children follow a renamed parent), else the name itself. Duplicates are
   dropped, first occurrence kept.
3. The old state is looked up by the resource's URN first, then by each alias in order; the first
   hit is the resource's old state. A hit by an alias is remembered (``sg.aliases[urn]``): that
   one old URN is what its children inherit (2) and what an alias naming it as parent uses (1).

So a child inherits the one old URN its parent was actually found by, not every alias of the
parent, and nothing at all when the parent kept its URN. Given ``olds`` (the engine URNs of the
old state, e.g. a ledger's) this module emulates that exactly. Without ``olds`` it multiplies
every alias of the parent out, recursively, and an explicit alias parent is its current engine
URN (how aliases are usually described, and what the SDK computes client-side, ``all_aliases``,
for an engine without alias specs): a superset, for looking at alias sets when there is no old
state; ``found`` is then empty.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
URN_PREFIX = "urn:pulumi:"


class Registered(Protocol):
    """What this module reads of a ``RecordedResource``."""

    @property
    def urn(self) -> str: ...  # the mock URN
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> str: ...  # the parent's mock URN (the root stack's for top-level)
    # The aliases as the SDK sent them (``alias_specs_of(request)``).
    @property
    def alias_specs(self) -> tuple[AliasSpec, ...]: ...


class Urn(NamedTuple):
    """A URN's four parts: ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``."""

    stack: str
    project: str
    qualified_type: str
    name: str

    @classmethod
    def parse(cls, urn: str) -> Urn:
        parts = urn.removeprefix(URN_PREFIX).split("::", 3)
        if not urn.startswith(URN_PREFIX) or len(parts) != 4:
            raise ValueError(f"not a URN: {urn!r}")
        return cls(*parts)

    @property
    def type(self) -> str:
        """The resource's own type (``URN.Type()``): the last of the qualified type."""
        return self.qualified_type.rsplit("$", 1)[-1]


def new_urn(stack: str, project: str, parent_type: str, type_: str, name: str) -> str:
    """``resource.NewURN``: the parent's qualified type prefixes the type, unless it is none or
    the root stack's."""
    qualified = type_ if parent_type in ("", ROOT_STACK_TYPE) else f"{parent_type}${type_}"
    return f"{URN_PREFIX}{stack}::{project}::{qualified}::{name}"


class AliasSpec(NamedTuple):
    """One alias as the SDK sent it to the monitor (an ``alias_pb2.Alias``)."""

    urn: str = ""  # a ``urn`` alias: used as is; the other fields are then unused
    name: str = ""  # "" = the resource's own
    type: str = ""  # "" = the resource's own
    parent: str = ""  # the parent's URN as the program saw it (mock URN); "" = the current parent
    no_parent: bool = False  # ``Alias(parent=pulumi.ROOT_STACK_RESOURCE)``
    stack: str = ""  # "" = the deployment's
    project: str = ""  # "" = the deployment's


def alias_specs_of(request: Any) -> tuple[AliasSpec, ...]:
    """The aliases of a RegisterResource request, raw (for ``RecordedResource.alias_specs``)."""
    specs = [AliasSpec(urn=urn) for urn in request.aliasURNs]
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            specs.append(AliasSpec(urn=alias.urn))
            continue
        spec = alias.spec
        choice = spec.WhichOneof("parent")
        specs.append(
            AliasSpec(
                name=spec.name,
                type=spec.type,
                parent=spec.parentUrn if choice == "parentUrn" else "",
                no_parent=choice == "noParent" and spec.noParent,
                stack=spec.stack,
                project=spec.project,
            )
        )
    return tuple(specs)


@dataclass(frozen=True)
class EngineView:
    """A synthesis as the engine would see it."""

    urns: Mapping[str, str]  # mock URN -> engine URN
    aliases: Mapping[str, tuple[str, ...]]  # engine URN -> generated aliases, in order
    # Given olds: engine URN -> the old URN its state is found by (its own URN or an alias), or
    # None (the engine creates it). Empty without olds.
    found: Mapping[str, str | None]

    def reachable(self, urn: str) -> tuple[str, ...]:
        """The engine URN and then every alias of a resource: what its state may be found by."""
        return (urn, *self.aliases[urn])


def _is_root(parent: str) -> bool:
    return not parent or Urn.parse(parent).qualified_type == ROOT_STACK_TYPE


def engine_urns(resources: Iterable[Registered]) -> dict[str, str]:
    """Mock URN -> engine URN of every resource (the chain of ancestor types, walked)."""
    records = list(resources)
    by_mock: dict[str, Registered] = {}
    for record in records:
        if record.urn in by_mock:
            raise ValueError(
                f"two resources have the mock URN {record.urn}: their children's parents, and "
                "so their engine URNs, cannot be told apart"
            )
        by_mock[record.urn] = record
    result: dict[str, str] = {}

    def resolve(record: Registered) -> str:
        chain = [record]
        while not _is_root(chain[-1].parent) and chain[-1].parent not in result:
            parent = by_mock.get(chain[-1].parent)
            if parent is None:
                raise ValueError(f"{chain[-1].urn}: its parent {chain[-1].parent} is not recorded")
            if parent in chain:
                raise ValueError(f"{record.urn}: a cycle of parents")
            chain.append(parent)
        top = chain[-1]
        parent_type = "" if _is_root(top.parent) else Urn.parse(result[top.parent]).qualified_type
        for link in reversed(chain):
            own = Urn.parse(link.urn)
            result[link.urn] = new_urn(own.stack, own.project, parent_type, link.type, link.name)
            parent_type = Urn.parse(result[link.urn]).qualified_type
        return result[record.urn]

    for record in records:
        if record.urn not in result:
            resolve(record)
    return result


def inherited_child_alias(
    child_type: str, child_name: str, parent_name: str, parent_alias: str, stack: str, project: str
) -> str:
    """``inheritedChildAlias``: a child's alias under an old URN of its parent."""
    alias = Urn.parse(parent_alias)
    name = child_name
    if child_name.startswith(parent_name):
        name = alias.name + child_name[len(parent_name) :]
    return new_urn(stack, project, alias.qualified_type, child_type, name)


def _ordered(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _qualified_type(urn: str) -> str:
    return Urn.parse(urn).qualified_type if urn else ""


class _Engine:
    """The step generator's alias bookkeeping, one registration at a time."""

    def __init__(self, urns: Mapping[str, str], olds: Collection[str] | None) -> None:
        self.urns = urns
        self.olds = None if olds is None else set(olds)
        self.aliases: dict[str, tuple[str, ...]] = {}
        self.found: dict[str, str | None] = {}
        self.via_alias: dict[str, str] = {}  # sg.aliases: URN -> the old URN found by an alias

    def as_alias_parent(self, parent: str) -> str:
        """collapseAliasToUrn's explicit parent: the old URN it was found by, if by an alias."""
        return parent if self.olds is None else self.via_alias.get(parent, parent)

    def collapse(self, record: Registered, parent: str, spec: AliasSpec) -> str:
        if spec.urn:
            return spec.urn
        if spec.no_parent:
            alias_parent = ""
        elif spec.parent:
            alias_parent = self.as_alias_parent(self.urns.get(spec.parent, spec.parent))
        else:
            alias_parent = parent
        me = Urn.parse(self.urns[record.urn])
        return new_urn(
            spec.stack or me.stack,
            spec.project or me.project,
            _qualified_type(alias_parent),
            spec.type or record.type,
            spec.name or record.name,
        )

    def own_aliases(self, record: Registered, parent: str) -> list[str]:
        return [self.collapse(record, parent, spec) for spec in record.alias_specs]

    def register(self, record: Registered) -> None:
        urn = self.urns[record.urn]
        me = Urn.parse(urn)
        parent = "" if _is_root(record.parent) else self.urns[record.parent]
        own = self.own_aliases(record, parent)
        generated = list(own)
        if parent:
            parent_name = Urn.parse(parent).name
            parent_aliases: Sequence[str]
            if self.olds is None:
                parent_aliases = self.aliases[parent]
            else:
                parent_aliases = [self.via_alias[parent]] if parent in self.via_alias else []
            for parent_alias in parent_aliases:
                named = [(record.type, record.name)]
                named += [(Urn.parse(alias).type, Urn.parse(alias).name) for alias in own]
                generated += [
                    inherited_child_alias(
                        type_, name, parent_name, parent_alias, me.stack, me.project
                    )
                    for type_, name in named
                ]
        self.aliases[urn] = _ordered(generated)
        if self.olds is not None:
            hit = next((u for u in (urn, *self.aliases[urn]) if u in self.olds), None)
            self.found[urn] = hit
            if hit is not None and hit != urn:
                self.via_alias[urn] = hit


def engine_view(resources: Iterable[Registered], olds: Collection[str] | None = None) -> EngineView:
    """Engine URNs, generated aliases and (given the old state's engine URNs) the old URN each
    resource's state is found by, emulating the engine registration by registration in the
    order recorded (a parent, and an alias's parent, registers before the resource)."""
    records = list(resources)
    engine = _Engine(engine_urns(records), olds)
    for record in records:
        engine.register(record)
    return EngineView(engine.urns, engine.aliases, engine.found)


def engine_aliases(
    resources: Iterable[Registered], olds: Collection[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """Engine URN -> the alias URNs the engine generates for that resource (``engine_view``)."""
    return dict(engine_view(resources, olds).aliases)
