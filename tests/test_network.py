"""The VPC: three tiers of subnets across distinct AZs, NAT per mode, isolated data subnets."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from tests.support.synth import synth
from tests.support.tokens import (
    AWS_PROVIDER,
    EC2_DEFAULT_SECURITY_GROUP,
    EC2_EIP,
    EC2_FLOW_LOG,
    EC2_INTERNET_GATEWAY,
    EC2_NAT_GATEWAY,
    EC2_ROUTE,
    EC2_ROUTE_TABLE_ASSOCIATION,
    EC2_SUBNET,
    EC2_VPC,
    EC2_VPC_ENDPOINT,
    KMS_KEY,
)
from tools.mockcloud import RecordedResource, Synthesis, synthesize

# How many availability zones the shipped stacks span: one subnet of each tier in each.
ZONES = {"dev": 2, "prod": 3}


def subnets_of_tier(stack: Synthesis, tier: str) -> list[RecordedResource]:
    found = [s for s in stack.of_type(EC2_SUBNET) if s.get("tags", "Tier") == tier]
    assert len(found) == ZONES[stack.stack], f"{tier} subnets of {stack.stack}"
    return found


@pytest.mark.parametrize("tier", ["public", "app", "data"])
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_each_tier_has_one_subnet_in_each_of_distinct_azs(stack_name: str, tier: str) -> None:
    stack = synth(stack_name)
    expected = ZONES[stack_name]
    zones = [s.get("availabilityZone") for s in subnets_of_tier(stack, tier)]
    assert None not in zones
    assert len(zones) == expected
    assert len(set(zones)) == expected
    assert all(str(z).startswith("us-east-1") for z in zones)


def test_subnets_are_carved_from_the_vpc_without_overlap(prod_primary_preview: Synthesis) -> None:
    (vpc,) = prod_primary_preview.of_type(EC2_VPC)
    block = ipaddress.IPv4Network(vpc.get("cidrBlock"))
    subnets = [
        ipaddress.IPv4Network(s.get("cidrBlock")) for s in prod_primary_preview.of_type(EC2_SUBNET)
    ]
    assert len(subnets) == 3 * ZONES["prod"]
    assert all(s.subnet_of(block) for s in subnets)
    assert len({str(s) for s in subnets}) == len(subnets)
    assert ipaddress.IPv4Network("10.0.0.0/21") in subnets  # documented layout: public, AZ 1


def test_vpc_resolves_dns_and_no_subnet_hands_out_public_ips(
    prod_primary_preview: Synthesis,
) -> None:
    (vpc,) = prod_primary_preview.of_type(EC2_VPC)
    assert vpc.get("enableDnsSupport") is True
    assert vpc.get("enableDnsHostnames") is True
    subnets = prod_primary_preview.of_type(EC2_SUBNET)
    assert len(subnets) == 3 * ZONES["prod"]  # public, app and data in each zone
    assert all(s.get("mapPublicIpOnLaunch") is False for s in subnets)


def _routes_by_table(stack: Synthesis) -> dict[str, list[RecordedResource]]:
    routes: dict[str, list[RecordedResource]] = {}
    for route in stack.of_type(EC2_ROUTE):
        table_id = route.get("routeTableId")
        assert table_id, "deployed mode gives every route its table id"
        routes.setdefault(table_id, []).append(route)
    return routes


def _table_of_subnet(stack: Synthesis, subnet: RecordedResource) -> RecordedResource:
    subnet_id = subnet.id
    (association,) = [
        a for a in stack.of_type(EC2_ROUTE_TABLE_ASSOCIATION) if a.get("subnetId") == subnet_id
    ]
    return stack.by_id(association.get("routeTableId"))


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_data_subnets_have_no_route_to_the_internet(stack_name: str) -> None:
    stack = synth(stack_name, preview=False)
    routes = _routes_by_table(stack)
    for subnet in subnets_of_tier(stack, "data"):
        table = _table_of_subnet(stack, subnet)
        assert routes.get(table.id, []) == []


def test_public_subnets_route_to_the_internet_gateway(prod_primary_deployed: Synthesis) -> None:
    routes = _routes_by_table(prod_primary_deployed)
    for subnet in subnets_of_tier(prod_primary_deployed, "public"):
        (route,) = routes[_table_of_subnet(prod_primary_deployed, subnet).id]
        assert route.get("destinationCidrBlock") == "0.0.0.0/0"
        gateway = prod_primary_deployed.by_id(route.get("gatewayId"))
        assert gateway.type == EC2_INTERNET_GATEWAY


def test_with_a_nat_per_az_app_subnets_leave_through_the_nat_of_their_own_az(
    prod_primary_deployed: Synthesis,
) -> None:
    routes = _routes_by_table(prod_primary_deployed)
    for subnet in subnets_of_tier(prod_primary_deployed, "app"):
        (route,) = routes[_table_of_subnet(prod_primary_deployed, subnet).id]
        nat = prod_primary_deployed.by_id(route.get("natGatewayId"))
        nat_subnet = prod_primary_deployed.by_id(nat.get("subnetId"))
        assert nat_subnet.get("tags", "Tier") == "public"
        assert nat_subnet.get("availabilityZone") == subnet.get("availabilityZone")


@pytest.mark.parametrize(("mode", "expected"), [("single", 1), ("perAz", 3)])
def test_nat_gateway_count_follows_the_mode(mode: str, expected: int) -> None:
    stack = synth("prod", {"webstack:network": {"natGateways": mode}})
    assert stack.error is None
    assert len(stack.of_type(EC2_NAT_GATEWAY)) == expected
    assert len(stack.of_type(EC2_EIP)) == expected


def test_a_single_nat_serves_every_app_subnet(dev_deployed: Synthesis) -> None:
    (nat,) = dev_deployed.of_type(EC2_NAT_GATEWAY)
    nat_routes = [r for r in dev_deployed.of_type(EC2_ROUTE) if r.get("natGatewayId")]
    assert len(nat_routes) == len(subnets_of_tier(dev_deployed, "app"))
    assert {r.get("natGatewayId") for r in nat_routes} == {nat.id}


def test_s3_gateway_endpoint_serves_the_app_route_tables(prod_primary_deployed: Synthesis) -> None:
    (endpoint,) = prod_primary_deployed.of_type(EC2_VPC_ENDPOINT)
    assert endpoint.get("serviceName") == "com.amazonaws.us-east-1.s3"
    assert endpoint.get("vpcEndpointType") == "Gateway"
    tables = {prod_primary_deployed.by_id(t).name for t in endpoint.get("routeTableIds")}
    assert tables == {f"webstack-prod-app-us-east-1{z}" for z in "abc"}


def test_flow_logs_capture_all_traffic_into_an_encrypted_log_group_with_retention(
    prod_primary_deployed: Synthesis,
) -> None:
    (flow_log,) = prod_primary_deployed.of_type(EC2_FLOW_LOG)
    assert flow_log.get("trafficType") == "ALL"
    (vpc,) = prod_primary_deployed.of_type(EC2_VPC)
    assert flow_log.get("vpcId") == vpc.id
    group = prod_primary_deployed.by_arn(flow_log.get("logDestination"))
    assert group.get("retentionInDays") == 365
    logs_key = prod_primary_deployed.by_arn(group.get("kmsKeyId"))
    assert logs_key.type == KMS_KEY
    assert logs_key.name.endswith("-logs")


def test_the_default_security_group_is_stripped_of_all_rules(
    prod_primary_preview: Synthesis,
) -> None:
    (default,) = prod_primary_preview.of_type(EC2_DEFAULT_SECURITY_GROUP)
    assert default.get("ingress") == []
    assert default.get("egress") == []


def test_az_names_come_from_the_invoke_through_the_stacks_own_provider(
    prod_primary_preview: Synthesis,
) -> None:
    (provider,) = prod_primary_preview.of_type(AWS_PROVIDER)
    calls = [c for c in prod_primary_preview.invokes if c.token.endswith("getAvailabilityZones")]
    assert calls, "availability zones were not looked up"
    assert {(c.provider, c.region) for c in calls} == {(provider.urn, "us-east-1")}


def test_each_region_looks_its_zones_up_through_its_own_provider() -> None:
    program = Path(__file__).parent / "programs" / "two_regions"
    stack = synthesize("dev", project_dir=program)
    providers = {p.urn: p.get("region") for p in stack.of_type(AWS_PROVIDER)}
    calls = [c for c in stack.invokes if c.token.endswith("getAvailabilityZones")]
    assert sorted(providers[c.provider] for c in calls) == ["us-east-1", "us-west-2"]


def test_asking_for_more_azs_than_the_region_has_is_a_config_error() -> None:
    stack = synth("dev", {"aws:region": "us-west-1", "webstack:network": {"azCount": 3}})
    assert stack.error is not None
    assert "webstack:network.azCount is 3" in stack.error
    assert "us-west-1" in stack.error
    assert stack.cloud_resources == [], "the AZ check must come before any cloud resource"
