"""tools.mockcloud.urns: engine URNs and the engine's alias rules, on hand-built records (their
aliases as ``AliasSpec``) and on a tiny program run under the SDK's mock monitor (what really
reaches ``RecordedResource.alias_specs``).

The rules (pkg/resource/deploy/step_generator.go, see the module docstring): a child inherits the
one old URN its parent was found by; the name-prefix rule renames ``{parent}-x`` children with
their parent; own aliases are crossed with the parent's; ``urn`` aliases are taken as they are,
``noParent`` means top level, no parent means the current one, an explicit parent stands for the
old URN it was found by.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from google.protobuf import struct_pb2

from tools import urn_ledger
from tools.mockcloud import RecordedResource, synthesize
from tools.mockcloud.urns import (
    ROOT_STACK_TYPE,
    AliasSpec,
    Urn,
    engine_aliases,
    engine_urns,
    engine_view,
    inherited_child_alias,
)

STACK_URN = f"urn:pulumi:s::p::{ROOT_STACK_TYPE}::p-s"


def urn(qualified_type: str, name: str) -> str:
    return f"urn:pulumi:s::p::{qualified_type}::{name}"


def record(
    type_: str,
    name: str,
    parent: RecordedResource | None = None,
    aliases: Sequence[AliasSpec] = (),
    custom: bool = False,
) -> RecordedResource:
    """A registration as the mock monitor records it: its URN has the parent's own type only; its
    aliases are raw, in ``alias_specs`` (``aliases``, collapsed, is not read by urns: empty)."""
    parent_urn = parent.urn if parent is not None else STACK_URN
    parent_type = Urn.parse(parent_urn).type
    return RecordedResource(
        urn=urn(f"{parent_type}${type_}", name),
        type=type_,
        name=name,
        id="",
        parent=parent_urn,
        custom=custom,
        provider="",
        dependencies=(),
        property_dependencies={},
        protect=False,
        ignore_changes=(),
        replace_on_changes=(),
        delete_before_replace=False,
        retain_on_delete=False,
        additional_secret_outputs=(),
        aliases=(),
        import_id="",
        inputs={},
        struct=struct_pb2.Struct(),
        region="us-east-1",
        outputs={},
        alias_specs=tuple(aliases),
    )


# --------------------------------------------------------------------------------------------
# Engine URNs
# --------------------------------------------------------------------------------------------
def test_the_engine_urn_carries_every_ancestor_type_and_never_the_stack() -> None:
    site = record("w:a:Site", "site")
    net = record("w:a:Network", "site", site)
    vpc = record("aws:ec2/vpc:Vpc", "site-vpc", net, custom=True)
    provider = record("pulumi:providers:aws", "primary", custom=True)
    assert vpc.urn == urn("w:a:Network$aws:ec2/vpc:Vpc", "site-vpc")  # the mock's
    assert site.urn == urn(f"{ROOT_STACK_TYPE}$w:a:Site", "site")
    assert engine_urns([site, net, vpc, provider]) == {
        site.urn: urn("w:a:Site", "site"),
        net.urn: urn("w:a:Site$w:a:Network", "site"),
        vpc.urn: urn("w:a:Site$w:a:Network$aws:ec2/vpc:Vpc", "site-vpc"),
        provider.urn: urn("pulumi:providers:aws", "primary"),
    }


def test_two_resources_the_mock_names_alike_are_refused() -> None:
    a, b = record("w:a:Site", "a"), record("w:a:Site", "b")
    twins = [record("w:a:Keys", "k", a), record("w:a:Keys", "k", b)]
    with pytest.raises(ValueError, match="two resources have the mock URN"):
        engine_urns([a, b, *twins])


def test_an_unrecorded_parent_is_refused() -> None:
    orphan = record("w:a:Keys", "k", record("w:a:Site", "gone"))
    with pytest.raises(ValueError, match="is not recorded"):
        engine_urns([orphan])


# --------------------------------------------------------------------------------------------
# Inheritance, as the engine does it (with the old state)
# --------------------------------------------------------------------------------------------
OLD_SITE = urn("w:a:WebStack", "site")


def renamed_site_tree() -> list[RecordedResource]:
    """A top-level component re-typed (WebStack -> Site) with an alias to its old URN; a child and
    a grandchild without aliases of their own."""
    site = record("w:a:Site", "site", aliases=[AliasSpec(type="w:a:WebStack")])
    keys = record("w:a:Keys", "site", site)
    key = record("aws:kms/key:Key", "site-data", keys, custom=True)
    return [site, keys, key]


def test_children_inherit_the_old_urn_their_parent_was_found_by() -> None:
    olds = {
        OLD_SITE,
        urn("w:a:WebStack$w:a:Keys", "site"),
        urn("w:a:WebStack$w:a:Keys$aws:kms/key:Key", "site-data"),
    }
    view = engine_view(renamed_site_tree(), olds)
    assert sorted(view.found.values(), key=str) == sorted(olds)
    site, keys, key = view.aliases
    assert view.aliases[site] == (OLD_SITE,)
    assert view.aliases[keys] == (urn("w:a:WebStack$w:a:Keys", "site"),)
    assert view.aliases[key] == (urn("w:a:WebStack$w:a:Keys$aws:kms/key:Key", "site-data"),)


def test_a_parent_found_by_its_own_urn_passes_no_alias_on() -> None:
    site, keys, key = renamed_site_tree()
    engine = engine_urns([site, keys, key])
    olds = {engine[site.urn], urn("w:a:WebStack$w:a:Keys", "site")}
    view = engine_view([site, keys, key], olds)
    assert view.found[engine[site.urn]] == engine[site.urn]  # its URN first, then aliases
    assert view.aliases[engine[keys.urn]] == ()
    assert view.found[engine[keys.urn]] is None  # so the old Keys is not found: deleted


def test_without_an_old_state_every_alias_of_the_parent_is_multiplied_out() -> None:
    site = record(
        "w:a:Site", "site", aliases=[AliasSpec(urn=OLD_SITE), AliasSpec(type="w:a:Stack")]
    )
    keys = record("w:a:Keys", "site", site, aliases=[AliasSpec(type="w:a:Vault")])
    key = record("aws:kms/key:Key", "site-data", keys, custom=True)
    aliases = engine_aliases([site, keys, key])
    assert aliases[urn("w:a:Site$w:a:Keys", "site")] == (
        urn("w:a:Site$w:a:Vault", "site"),  # its own
        urn("w:a:WebStack$w:a:Keys", "site"),  # x the parent's first
        urn("w:a:WebStack$w:a:Vault", "site"),  # its own x the parent's first
        urn("w:a:Stack$w:a:Keys", "site"),
        urn("w:a:Stack$w:a:Vault", "site"),
    )
    assert aliases[urn("w:a:Site$w:a:Keys$aws:kms/key:Key", "site-data")] == tuple(
        urn(f"{parent}$aws:kms/key:Key", "site-data")
        for parent in (
            "w:a:Site$w:a:Vault",
            "w:a:WebStack$w:a:Keys",
            "w:a:WebStack$w:a:Vault",
            "w:a:Stack$w:a:Keys",
            "w:a:Stack$w:a:Vault",
        )
    )


def test_a_child_named_after_its_parent_follows_the_parent_s_old_name() -> None:
    # inheritedChildAlias: "newapp-function" under "newapp", once "app": "app-function".
    shop = record("w:a:Web", "shop", aliases=[AliasSpec(name="web")])
    lb = record("aws:lb/loadBalancer:LoadBalancer", "shop-lb", shop, custom=True)
    other = record("aws:sns/topic:Topic", "alarms", shop, custom=True)
    prefix = record("aws:sns/topic:Topic", "shopping", shop, custom=True)  # a prefix, as is
    olds = {urn("w:a:Web", "web")}
    view = engine_view([shop, lb, other, prefix], olds)
    parent = "w:a:Web"
    assert view.aliases[urn(f"{parent}$aws:lb/loadBalancer:LoadBalancer", "shop-lb")] == (
        urn(f"{parent}$aws:lb/loadBalancer:LoadBalancer", "web-lb"),
    )
    assert view.aliases[urn(f"{parent}$aws:sns/topic:Topic", "alarms")] == (
        urn(f"{parent}$aws:sns/topic:Topic", "alarms"),
    )
    assert view.aliases[urn(f"{parent}$aws:sns/topic:Topic", "shopping")] == (
        urn(f"{parent}$aws:sns/topic:Topic", "webping"),
    )
    assert inherited_child_alias("t:a:T", "x", "shop", urn("a:b:C$a:b:D", "web"), "s", "p") == (
        urn("a:b:C$a:b:D$t:a:T", "x")
    )


# --------------------------------------------------------------------------------------------
# Collapsing one alias
# --------------------------------------------------------------------------------------------
def test_spec_aliases_collapse_as_the_engine_collapses_them() -> None:
    root = record("w:a:Root", "root")
    site = record("w:a:Site", "site", root)
    specs = {
        "urn": AliasSpec(urn=urn("w:a:Gone$w:a:Old", "x")),
        "no parent": AliasSpec(type="w:a:Old", no_parent=True),
        "current parent": AliasSpec(type="w:a:Old"),
        "root stack parent": AliasSpec(name="old", parent=STACK_URN),
        "live parent": AliasSpec(parent=root.urn, name="old"),
        "other stack": AliasSpec(stack="t", project="q", no_parent=True),
    }
    expected = {
        "urn": urn("w:a:Gone$w:a:Old", "x"),
        "no parent": urn("w:a:Old", "site"),
        "current parent": urn("w:a:Root$w:a:Old", "site"),
        "root stack parent": urn("w:a:Site", "old"),
        "live parent": urn("w:a:Root$w:a:Site", "old"),
        "other stack": "urn:pulumi:t::q::w:a:Site::site",
    }
    for what, spec in specs.items():
        got = engine_aliases([root, replace(site, alias_specs=(spec,))])
        assert got[urn("w:a:Root$w:a:Site", "site")] == (expected[what],), what


def test_an_explicit_alias_parent_stands_for_the_old_urn_it_was_found_by() -> None:
    # collapseAliasToUrn: parent = sg.aliases[parent] when the parent was found by an alias.
    site = record("w:a:Site", "site", aliases=[AliasSpec(type="w:a:WebStack")])
    root = record("w:a:Root", "root")
    moved = record(
        "w:a:Monitoring", "site", root, aliases=[AliasSpec(parent=site.urn, name="site")]
    )
    olds = {OLD_SITE, urn("w:a:WebStack$w:a:Monitoring", "site")}
    view = engine_view([site, root, moved], olds)
    assert view.found[urn("w:a:Root$w:a:Monitoring", "site")] == urn(
        "w:a:WebStack$w:a:Monitoring", "site"
    )
    # Without the old state the parent's current URN is used.
    assert engine_aliases([site, root, moved])[urn("w:a:Root$w:a:Monitoring", "site")] == (
        urn("w:a:Site$w:a:Monitoring", "site"),
    )


def test_a_urn_alias_is_taken_as_it_is_and_found_in_order() -> None:
    root = record("w:a:Root", "root")
    deep = urn("w:a:WebStack$w:a:Dr$w:a:Keys", "k")  # under a parent that is gone
    gone = urn("w:a:Dr$w:a:Keys", "k")
    keys = record("w:a:Keys", "k", root, aliases=[AliasSpec(urn=deep), AliasSpec(urn=gone)])
    view = engine_view([root, keys], olds={gone})
    assert view.aliases[urn("w:a:Root$w:a:Keys", "k")] == (deep, gone)
    assert view.found[urn("w:a:Root$w:a:Keys", "k")] == gone


# --------------------------------------------------------------------------------------------
# A tiny program under the SDK's mock monitor: what the SDK really sends, end to end
# --------------------------------------------------------------------------------------------
PROGRAM = """
import pulumi

stack, project = pulumi.get_stack(), pulumi.get_project()
variant = pulumi.Config().get("variant") or "before"


class Component(pulumi.ComponentResource):
    def __init__(self, type_, name, opts=None):
        super().__init__(type_, name, None, opts)


def thing(name, parent, **props):
    return pulumi.CustomResource(
        "demo:index:Thing", name, props, pulumi.ResourceOptions(parent=parent, protect=True)
    )


def under(parent, *aliases):
    return pulumi.ResourceOptions(parent=parent, aliases=list(aliases))


if variant == "before":
    site = Component("demo:index:Old", "site")
    thing("site-db", site, size=1)
    web = Component("demo:index:Web", "web", under(site))
    thing("web-lb", web, port=80)
    legacy = Component("demo:index:Legacy", "legacy")
    keys = Component("demo:index:Keys", "keys", under(legacy))
    thing("keys-data", keys)
else:
    root = Component("demo:index:Root", "root")
    was = (
        pulumi.Alias(type_="demo:index:Old", parent=pulumi.ROOT_STACK_RESOURCE)
        if variant == "after"
        else pulumi.Alias(type_="demo:index:Old")  # forgot the parent: under root
    )
    site = Component("demo:index:New", "site", under(root, was))
    thing("site-db", site, size=1)
    shop = Component("demo:index:Web", "shop", under(site, pulumi.Alias(name="web")))
    thing("shop-lb", shop, port=80)  # renamed with its parent: the name-prefix rule
    legacy_keys = f"urn:pulumi:{stack}::{project}::demo:index:Legacy$demo:index:Keys::keys"
    # A urn alias is a plain string in Python: pulumi.Alias has no urn argument.
    keys = Component("demo:index:Keys", "keys", under(root, legacy_keys))
    thing("keys-data", keys)
"""


Run = Callable[[str], list[RecordedResource]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    project = tmp_path_factory.mktemp("demo")
    (project / "Pulumi.yaml").write_text("name: webstack\nruntime: python\n")
    (project / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    done: dict[str, list[RecordedResource]] = {}

    def synthesized(variant: str) -> list[RecordedResource]:
        if variant not in done:
            result = synthesize(
                "demo",
                overrides={"webstack:variant": variant},
                preview=False,
                project_dir=Path(project),
            )
            assert result.error is None, result.error
            done[variant] = result.resources
        return done[variant]

    yield synthesized


def demo(qualified_type: str, name: str) -> str:
    return f"urn:pulumi:demo::webstack::{qualified_type}::{name}"


def test_the_monitor_records_each_alias_as_the_sdk_sent_it(run: Run) -> None:
    # Alias(parent=ROOT_STACK_RESOURCE) and Alias(type_=...) without parent, which the engine
    # resolves differently, stay apart; a urn string is a urn alias.
    def specs(variant: str, type_: str) -> tuple[AliasSpec, ...] | None:
        (resource,) = [r for r in run(variant) if r.type == type_]
        return resource.alias_specs

    assert specs("after", "demo:index:New") == (AliasSpec(type="demo:index:Old", no_parent=True),)
    assert specs("after-forgot-root", "demo:index:New") == (AliasSpec(type="demo:index:Old"),)
    assert specs("after", "demo:index:Web") == (AliasSpec(name="web"),)
    assert specs("after", "demo:index:Keys") == (
        AliasSpec(urn=demo("demo:index:Legacy$demo:index:Keys", "keys")),
    )
    assert specs("before", "demo:index:Web") == ()


def test_a_re_parented_tree_is_found_whole_through_its_aliases(run: Run) -> None:
    old = urn_ledger.entries(run("before"))
    result = urn_ledger.compare("demo", old, run("after"))
    thing = "demo:index:Thing"
    assert result.moved == {
        demo("demo:index:Old", "site"): demo("demo:index:Root$demo:index:New", "site"),
        demo(f"demo:index:Old${thing}", "site-db"): demo(
            f"demo:index:Root$demo:index:New${thing}", "site-db"
        ),
        demo("demo:index:Old$demo:index:Web", "web"): demo(
            "demo:index:Root$demo:index:New$demo:index:Web", "shop"
        ),
        demo(f"demo:index:Old$demo:index:Web${thing}", "web-lb"): demo(
            f"demo:index:Root$demo:index:New$demo:index:Web${thing}", "shop-lb"
        ),
        demo("demo:index:Legacy$demo:index:Keys", "keys"): demo(
            "demo:index:Root$demo:index:Keys", "keys"
        ),
        demo(f"demo:index:Legacy$demo:index:Keys${thing}", "keys-data"): demo(
            f"demo:index:Root$demo:index:Keys${thing}", "keys-data"
        ),
    }
    assert result.missing == [demo("demo:index:Legacy", "legacy")]  # a component, retired
    assert not (result.changed or result.created or result.ambiguous or result.unclaimed)


def test_a_forgotten_root_parent_loses_the_whole_tree(run: Run) -> None:
    old = urn_ledger.entries(run("before"))
    result = urn_ledger.compare("demo", old, run("after-forgot-root"))
    lost = {urn for urn in result.missing if old[urn].custom}
    assert lost == {
        demo("demo:index:Old$demo:index:Thing", "site-db"),
        demo("demo:index:Old$demo:index:Web$demo:index:Thing", "web-lb"),
    }
    assert set(result.created) == {
        demo("demo:index:Root$demo:index:New$demo:index:Thing", "site-db"),
        demo("demo:index:Root$demo:index:New$demo:index:Web$demo:index:Thing", "shop-lb"),
    }
    assert any("site-db" in line and "would delete it" in line for line in result.failures())


def test_a_changed_input_or_protection_is_a_change(run: Run) -> None:
    old = dict(urn_ledger.entries(run("before")))
    db = demo("demo:index:Old$demo:index:Thing", "site-db")
    old[db] = old[db]._replace(digest="0" * 16, protect=False)
    result = urn_ledger.compare("demo", old, run("after"))
    (change,) = result.changed
    assert change.old_urn == db and set(change.differences) == {"inputs", "protect"}
