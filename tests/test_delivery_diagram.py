"""The picture of the stack: the model drawn from the recorded resources (regions, AZs, tiers,
the request path), rendered once, and the committed image the docs show."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.system_tools import require
from tools.diagram import StackGraph, build_graph, render
from tools.mockcloud import Synthesis, synthesize

ROOT = Path(__file__).resolve().parents[1]
TWO_SITES = Path(__file__).parent / "programs" / "two_sites"
PROD_AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]
APP_TIER = {"enabled": True, "instanceType": "t4g.small", "minSize": 2, "maxSize": 6, "port": 8080}


@pytest.fixture(scope="module")
def prod_graph(prod_primary_deployed: Synthesis) -> StackGraph:
    return build_graph(prod_primary_deployed)


@pytest.fixture(scope="module")
def two_sites_graph() -> StackGraph:
    synthesis = synthesize("dev", project_dir=TWO_SITES, preview=False)
    assert synthesis.error is None, synthesis.error
    return build_graph(synthesis)


def placed(graph: StackGraph, kind: str) -> list[tuple[str, str | None]]:
    return sorted((n.region, n.az) for n in graph.of_kind(kind))


def test_prod_spans_three_availability_zones_of_one_region(prod_graph: StackGraph) -> None:
    assert prod_graph.regions() == ["us-east-1"]
    assert prod_graph.role("us-east-1") == "primary"
    assert prod_graph.azs == {"us-east-1": PROD_AZS}
    # A NAT gateway and web instances in every AZ; the ALB and the data tier span them.
    assert placed(prod_graph, "nat") == [("us-east-1", az) for az in PROD_AZS]
    assert placed(prod_graph, "instances") == [("us-east-1", az) for az in PROD_AZS]
    assert placed(prod_graph, "alb") == [("us-east-1", None)]
    assert placed(prod_graph, "aurora") == [("us-east-1", None)]
    assert placed(prod_graph, "cache") == [("us-east-1", None)]
    assert [n.label for n in prod_graph.of_kind("aurora")] == [
        "Aurora PostgreSQL\n2 x db.r6g.large"
    ]


def test_prod_tiers_are_the_architectures(prod_graph: StackGraph) -> None:
    shown = ("dns", "cdn", "alb", "nat", "instances", "aurora", "cache", "bucket")
    tiers = {kind: {n.tier for n in prod_graph.of_kind(kind)} for kind in shown}
    assert tiers == {
        "dns": {"edge"},
        "cdn": {"edge"},
        "alb": {"public"},
        "nat": {"public"},
        "instances": {"web"},
        "aurora": {"data"},
        "cache": {"data"},
        "bucket": {"storage"},
    }


def test_prod_request_path_runs_from_users_to_the_data(prod_graph: StackGraph) -> None:
    assert prod_graph.request_path() == [
        ("users", "dns"),
        ("dns", "cdn"),
        ("cdn", "bucket"),
        ("cdn", "alb"),
        ("alb", "instances"),
        ("instances", "aurora"),
        ("instances", "cache"),
    ]
    [dns] = prod_graph.of_kind("dns")
    assert dns.label == "Route 53\nwww.example.com"
    # Every web instance node is reached from the ALB, and reaches both stores.
    [alb] = prod_graph.of_kind("alb")
    web = [n.id for n in prod_graph.of_kind("instances")]
    assert len(web) == len(PROD_AZS)
    assert sorted(prod_graph.successors(alb.id)) == sorted(web)
    for node in web:
        reached = sorted(prod_graph.node(t).kind for t in prod_graph.successors(node))
        assert reached == ["aurora", "cache"]


def test_an_app_tier_sits_between_the_web_tier_and_the_data(
    synthesized: Callable[..., Synthesis],
) -> None:
    graph = build_graph(synthesized("prod", {"webstack:appTier": APP_TIER}, preview=False))
    path = graph.request_path()
    assert ("instances", "internal-alb") in path
    assert ("internal-alb", "instances") in path
    app = [n for n in graph.of_kind("instances") if n.tier == "app"]
    assert sorted(str(n.az) for n in app) == PROD_AZS
    [internal] = graph.of_kind("internal-alb")
    assert sorted(graph.successors(internal.id)) == sorted(n.id for n in app)
    # The data tier is reached from the app tier only.
    stores = {n.id for n in graph.nodes if n.tier == "data"}
    senders = {e.source for e in graph.edges if e.target in stores}
    assert senders == {n.id for n in app}


def test_a_two_region_stack_shows_both_regions_each_with_its_own_path(two_sites_graph) -> None:
    graph = two_sites_graph
    assert graph.regions() == ["us-east-1", "us-west-2"]
    assert [graph.role(r) for r in graph.regions()] == ["primary", "standby"]
    assert graph.azs == {
        "us-east-1": ["us-east-1a", "us-east-1b"],
        "us-west-2": ["us-west-2a", "us-west-2b"],
    }
    assert placed(graph, "alb") == [("us-east-1", None), ("us-west-2", None)]
    assert placed(graph, "nat") == [("us-east-1", "us-east-1a"), ("us-west-2", "us-west-2a")]
    # Each CloudFront distribution sends requests to its own region's ALB only.
    cdns = graph.of_kind("cdn")
    assert len(cdns) == 2
    for cdn in cdns:
        albs = [graph.node(t) for t in graph.successors(cdn.id) if graph.node(t).kind == "alb"]
        assert len(albs) == 1
        assert albs[0].id == "lb:" + cdn.id.removeprefix("cdn:") + "-web"


def test_the_model_needs_resolved_references(prod_primary_preview: Synthesis) -> None:
    with pytest.raises(ValueError, match="deployed synthesis"):
        build_graph(prod_primary_preview)


def test_the_picture_renders(two_sites_graph: StackGraph, tmp_path: Path) -> None:
    require("dot", "graphviz")
    out = render(two_sites_graph, tmp_path / "two-sites.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 50_000


def test_the_docs_show_the_committed_picture_of_prod() -> None:
    image = ROOT / "docs" / "stack-prod.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![webstack prod](stack-prod.png)" in (ROOT / "docs" / "delivery.md").read_text()


def _protocols(graph: StackGraph) -> tuple[list[str], list[tuple[str, str]]]:
    """The public ALBs' labels, and (sender kind, label) of each edge into one."""
    albs = {n.id: n.label for n in graph.of_kind("alb")}
    kinds = {n.id: n.kind for n in graph.nodes}
    edges = sorted({(kinds[e.source], e.label) for e in graph.edges if e.target in albs})
    return sorted(albs.values()), edges


@pytest.mark.parametrize(
    ("overrides", "albs", "edges"),
    [
        # dev has no domain: CloudFront reaches the ALB over HTTP (origin http-only), and the
        # ALB listens on HTTP only.
        (None, ["ALB (HTTP)"], [("cdn", "HTTP")]),
        ({"webstack:cdn": {"enabled": False}}, ["ALB (HTTP)"], [("users", "HTTP")]),
        # A domain: HTTPS to the origin name, and an HTTPS listener.
        (
            {"webstack:domain": {"zoneName": "example.org", "recordName": "shop"}},
            ["ALB (HTTPS)"],
            [("cdn", "HTTPS")],
        ),
    ],
)
def test_the_picture_draws_the_protocols_the_listeners_and_origins_use(
    overrides: dict[str, object] | None, albs: list[str], edges: list[tuple[str, str]]
) -> None:
    synthesis = synthesize("dev", overrides=overrides, preview=False)
    assert synthesis.error is None, synthesis.error
    assert _protocols(build_graph(synthesis)) == (albs, edges)


def test_make_diagram_draws_into_out_and_only_docs_picture_writes_the_committed_one() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipes = dict(re.findall(r"^([a-z-]+):[^\n]*\n\t([^\n]+)", makefile, re.MULTILINE))
    assert "--out out/stack-$(STACK).png" in recipes["diagram"]
    assert "--stack prod --out docs/stack-prod.png" in recipes["docs-picture"]
    assert "/out/" in (ROOT / ".gitignore").read_text().splitlines()
