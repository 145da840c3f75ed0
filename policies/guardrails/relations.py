"""Relating resources in a stack policy: by property dependencies (preview) or by ids (update).

During preview the ids a resource references are unknown, but the engine still tells which
resources each property depends on; after an update the ids are known and match the `id`
output of the referenced resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pulumi_policy import PolicyResource

from .props import UNKNOWN, get, items


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


class Targets:
    """Resources a reference may point to, indexed by URN, by `id`, and by `match_props`.

    `match_props` are other properties of a target that a reference may hold (e.g. an RDS
    cluster is referenced by its `clusterIdentifier`).
    """

    def __init__(self, candidates: Iterable[PolicyResource], match_props: Sequence[str] = ()):
        self.by_urn: dict[str, PolicyResource] = {}
        self.by_value: dict[str, PolicyResource] = {}
        for c in candidates:
            self.by_urn[c.urn] = c
            for prop in ("id", *match_props):
                value = get(c.props, prop)
                if isinstance(value, str) and value:
                    self.by_value.setdefault(value, c)


def referenced(r: PolicyResource, prop: str, targets: Targets) -> tuple[list[PolicyResource], bool]:
    """Targets that `r.props[prop]` refers to, and whether every reference was resolved.

    A known reference that matches no target points outside the stack (another stack, a
    lookup): it is simply not one of `targets`, which is decided. Only an unknown reference
    without a property dependency on a target is unresolved.
    """
    found: dict[str, PolicyResource] = {}
    for dep in (r.property_dependencies or {}).get(prop, []) or []:
        if dep.urn in targets.by_urn:
            found[dep.urn] = dep
    value = get(r.props, prop)
    refs = [value] if isinstance(value, str) or value is UNKNOWN else list(items(value))
    resolved = True
    for ref in refs:
        if isinstance(ref, str):
            target = targets.by_value.get(ref)
            if target is not None:
                found[target.urn] = target
        elif ref is UNKNOWN and not found:
            resolved = False
    return list(found.values()), resolved
