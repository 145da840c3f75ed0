"""The monthly cost estimate: from the recorded resources and the dated price table, per region
(the standby region of a two-region stack on its own), in the preview and in pull requests."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tools import cost
from tools import prices as p
from tools.mockcloud import Synthesis, synthesize
from tools.pr_comment import render as pr_comment
from tools.preview import main as preview_main
from tools.stackfile import known_stacks

ROOT = Path(__file__).resolve().parents[1]
TWO_SITES = Path(__file__).parent / "programs" / "two_sites"
M = p.HOURS_PER_MONTH


@pytest.fixture(scope="module")
def two_sites() -> Synthesis:
    synthesis = synthesize("dev", project_dir=TWO_SITES)
    assert synthesis.error is None, synthesis.error
    return synthesis


def kinds(estimate: cost.CostEstimate, region: str) -> dict[str, int]:
    return {kind: quantity for kind, quantity, _ in estimate.by_kind(region)}


def monthly(estimate: cost.CostEstimate, region: str, kind: str) -> float:
    [value] = [m for k, _, m in estimate.by_kind(region) if k == kind]
    return value


def test_prod_is_priced_per_charge_from_the_table(prod_primary_preview: Synthesis) -> None:
    estimate = cost.estimate(prod_primary_preview)
    assert estimate.regions() == ["us-east-1", "global"]
    assert estimate.unpriced == ()
    assert kinds(estimate, "us-east-1") == {
        "Aurora db.r6g.large": 2,
        "ElastiCache valkey cache.m7g.large": 2,
        "NAT gateway": 3,
        "EC2 t4g.small (web)": 2,
        "ALB (1 LCU)": 1,
        "Public IPv4 address": 6,  # 3 NAT Elastic IPs + the ALB's address in 3 AZs
        "CloudWatch dashboard": 1,
        "KMS key": 3,
        "EBS gp3 (web)": 2,
        "Secrets Manager secret": 2,
        "CloudWatch alarm": 6,
    }
    assert kinds(estimate, "global") == {"Route 53 health check": 1}
    region = "us-east-1"
    assert monthly(estimate, region, "NAT gateway") == pytest.approx(3 * p.NAT_GATEWAY_HOUR * M)
    assert monthly(estimate, region, "Aurora db.r6g.large") == pytest.approx(
        2 * p.AURORA_HOURLY["db.r6g.large"] * M
    )
    assert monthly(estimate, region, "ElastiCache valkey cache.m7g.large") == pytest.approx(
        2 * p.ELASTICACHE_HOURLY["cache.m7g.large"] * p.VALKEY_DISCOUNT * M
    )
    # Instances at the group's minimum, each with its 16 GB gp3 root volume.
    assert monthly(estimate, region, "EC2 t4g.small (web)") == pytest.approx(
        2 * p.EC2_HOURLY["t4g.small"] * M
    )
    assert monthly(estimate, region, "EBS gp3 (web)") == pytest.approx(2 * 16 * p.EBS_GP3_GB_MONTH)
    assert estimate.total == pytest.approx(sum(i.monthly for i in estimate.items))


def test_dev_costs_less_than_prod(dev_preview: Synthesis, prod_primary_preview: Synthesis) -> None:
    dev, prod = cost.estimate(dev_preview), cost.estimate(prod_primary_preview)
    assert kinds(dev, "us-east-1")["NAT gateway"] == 1
    assert dev.total < prod.total / 3


def test_the_standby_region_of_a_two_region_stack_is_shown_on_its_own(two_sites) -> None:
    estimate = cost.estimate(two_sites)
    assert estimate.primary_region == "us-east-1"
    assert estimate.regions() == ["us-east-1", "us-west-2"]
    assert [estimate.role(r) for r in estimate.regions()] == ["primary", "standby"]
    for region in ("us-east-1", "us-west-2"):
        assert kinds(estimate, region)["NAT gateway"] == 1
        assert kinds(estimate, region)["Aurora db.t4g.medium"] == 2
        assert kinds(estimate, region)["EC2 t4g.micro (web)"] == 2
    document = estimate.to_json()
    assert [(r["region"], r["role"]) for r in document["regions"]] == [
        ("us-east-1", "primary"),
        ("us-west-2", "standby"),
    ]
    standby = document["regions"][1]
    assert standby["monthlyTotal"] == round(estimate.region_total("us-west-2"), 2)
    lines = cost.render(estimate)
    assert "        us-west-2 (standby): " + cost.money(estimate.region_total("us-west-2")) in lines


def test_other_regions_are_scaled_by_their_documented_multiplier(synthesized) -> None:
    dublin = cost.estimate(synthesized("dev", {"aws:region": "eu-west-1"}))
    factor = p.REGION_MULTIPLIERS["eu-west-1"]
    assert dublin.multipliers["eu-west-1"] == factor
    assert monthly(dublin, "eu-west-1", "NAT gateway") == pytest.approx(
        p.NAT_GATEWAY_HOUR * M * factor
    )
    assert "        eu-west-1 (primary, prices x1.1): " in "\n".join(cost.render(dublin))


def test_a_size_the_table_does_not_know_is_named_not_priced_at_zero(synthesized) -> None:
    web = {"instanceType": "m5.large", "minSize": 2, "maxSize": 3, "port": 80}
    estimate = cost.estimate(synthesized("dev", {"webstack:web": web}))
    assert estimate.unpriced == (
        "aws:autoscaling/group:Group 'webstack-dev-web': no price for size 'm5.large'",
    )
    assert "EC2 m5.large (web)" not in kinds(estimate, "us-east-1")
    assert "    not priced: aws:autoscaling/group:Group 'webstack-dev-web'" in "\n".join(
        cost.render(estimate, indent="")
    )


@pytest.mark.parametrize("stack", known_stacks(ROOT))
def test_every_resource_type_of_every_stack_has_a_price_decision(
    synthesized: Callable[..., Synthesis], stack: str
) -> None:
    types = {r.type for r in synthesized(stack).cloud_resources}
    undecided = types - cost.PRICED_TYPES - cost.UNPRICED_TYPES
    assert undecided == set(), "price them in tools/cost.py or list them as UNPRICED_TYPES"


def test_the_optional_tiers_have_a_price_decision_too(synthesized) -> None:
    app = {"enabled": True, "instanceType": "t4g.small", "minSize": 2, "maxSize": 6, "port": 8080}
    database = {
        "engine": "postgres",
        "instanceClass": "db.r6g.large",
        "readers": 1,
        "backupRetentionDays": 14,
        "proxy": True,
    }
    overrides = {
        "webstack:appTier": app,
        "webstack:database": database,
        "webstack:cdn": {"enabled": True, "waf": True},
    }
    synthesis = synthesized("prod", overrides)
    assert synthesis.error is None, synthesis.error
    types = {r.type for r in synthesis.cloud_resources}
    assert types - cost.PRICED_TYPES - cost.UNPRICED_TYPES == set()
    estimate = cost.estimate(synthesis)
    assert estimate.unpriced == ()
    found = kinds(estimate, "us-east-1")
    assert found["RDS db.r6g.large Multi-AZ"] == 1
    assert found["RDS db.r6g.large Single-AZ"] == 1  # the read replica
    assert found["Internal ALB (1 LCU)"] == 1
    assert found["EC2 t4g.small (app)"] == 2
    assert found["RDS Proxy (vCPU)"] == 4  # 2 vCPUs for each of the 2 instances
    assert kinds(estimate, "global")["WAF web ACL"] == 1


def test_the_preview_prints_the_estimate_under_resources_and_in_json(capsys) -> None:
    assert preview_main(["--stack", "dev"]) == 0
    text = capsys.readouterr().out
    resources = text.split("\nResources:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    [estimate] = [line for line in resources if line.startswith("    ~ $")]
    assert f"list prices of {p.PRICE_TABLE_DATE}" in estimate
    assert preview_main(["--stack", "dev", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cost"]["estimate"] is True
    assert document["cost"]["priceTableDate"] == p.PRICE_TABLE_DATE
    assert document["cost"]["monthlyTotal"] == round(
        sum(r["monthlyTotal"] for r in document["cost"]["regions"]), 2
    )


def _doc(nat: float, total: float) -> dict:
    return {
        "cost": {
            "priceTableDate": p.PRICE_TABLE_DATE,
            "priceTableRegion": "us-east-1",
            "monthlyTotal": total,
            "notEstimated": ["data transfer"],
            "regions": [
                {
                    "region": "us-east-1",
                    "role": "primary",
                    "items": [
                        {"kind": "NAT gateway", "quantity": 1, "monthly": nat},
                        {"kind": "KMS key", "quantity": 1, "monthly": 1.0},
                    ],
                }
            ],
        },
        "policyPack": {"name": "webstack-guardrails", "version": "1.0.0"},
        "policyViolations": [],
    }


def test_the_pull_request_comment_shows_the_cost_difference_against_main() -> None:
    lines = cost.compare_markdown(_doc(32.85, 33.85), _doc(98.55, 99.55), "prod")
    assert lines[0] == "**Estimated monthly cost of `prod`: $99.55 (+$65.70 against main)**"
    assert "| us-east-1 (primary) | NAT gateway | 32.85 | 98.55 | +65.70 |" in lines
    assert "| us-east-1 (primary) | KMS key | 1.00 | 1.00 |  |" in lines
    assert "| **total** | | **33.85** | **99.55** | **+65.70** |" in lines
    new = cost.compare_markdown(None, _doc(32.85, 33.85), "dr-west")
    assert new[0].endswith("— the stack is new, or main's preview failed")


def test_the_pull_request_comment_groups_violations_by_resource() -> None:
    head = _doc(32.85, 33.85)
    urn = "urn:pulumi:prod::webstack::aws:lb/listener:Listener::web-http"
    head["policyViolations"] = [
        {"urn": urn, "policy": "lb-listener-https", "level": "mandatory", "message": "plain\nHTTP"},
        {"urn": urn, "policy": "lb-tls-policy", "level": "advisory", "message": "old TLS"},
    ]
    text = pr_comment("prod", None, head)
    assert text.startswith("### Offline preview of `prod`\n")
    tail = text.split("**Policy violations (webstack-guardrails@v1.0.0, offline preview): ")[1]
    assert tail.splitlines()[2:] == [
        f"- `web-http` (`{urn}`)",
        "  - **mandatory** `lb-listener-https`: plain HTTP",
        "  - **advisory** `lb-tls-policy`: old TLS",
    ]
    assert tail.splitlines()[0] == "1 mandatory, 1 other, by resource**"


@pytest.mark.parametrize("stack", known_stacks(ROOT))
def test_every_priced_resource_of_every_shipped_stack_has_a_size(stack: str) -> None:
    """As shipped (prod with its warm standby): a global datastore's secondary takes node type
    and engine from the datastore's primary group, and is priced as that."""
    assert cost.estimate(synthesize(stack)).unpriced == ()


def test_the_readme_figures_are_the_tools() -> None:
    readme = (ROOT / "docs" / "delivery.md").read_text()
    dollars = r"\$([\d,]+)"
    found = re.search(
        rf"`dev` about {dollars}/month, `prod` about {dollars}/month, of which its primary "
        rf"region is {dollars}",
        " ".join(readme.split()),
    )
    assert found, "docs/delivery.md's cost sentence (The cost estimate) is gone or reworded"
    dev, prod = cost.estimate(synthesize("dev")), cost.estimate(synthesize("prod"))
    figures = [dev.total, prod.total, prod.region_total(prod.primary_region)]
    assert [int(n.replace(",", "")) for n in found.groups()] == [round(f) for f in figures]
