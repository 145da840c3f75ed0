"""Whole-program properties: providers, tags, parenting, protection, outputs, two regions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.support.synth import synth
from tests.support.tokens import AWS_PROVIDER, EC2_SUBNET, EC2_VPC, KMS_ALIAS
from tools.mockcloud import Synthesis, synthesize

# What the shipped stacks register (prod without its DR mirror, see tests/support/synth.py):
# every cloud resource, those of the AWS provider (the other four are random ids and passwords),
# and prod's components: the Site, its primary RegionalSite (keys, network, security groups, the
# data tier with its database and cache, storage, certificates, load balancer, web tier), the
# CDN, DNS records and monitoring.
CLOUD_RESOURCES = {"dev": 106, "prod": 128}
AWS_RESOURCES = {"dev": 102, "prod": 124}
COMPONENTS = {
    "webstack:site:Site",
    "webstack:site:RegionalSite",
    "webstack:keys:Keys",
    "webstack:network:Network",
    "webstack:security:SecurityGroups",
    "webstack:data:PrimaryData",
    "webstack:data:AuroraCluster",
    "webstack:cache:Cache",
    "webstack:storage:Storage",
    "webstack:dns:Certificates",
    "webstack:loadbalancer:LoadBalancer",
    "webstack:compute:AutoScaledTier",
    "webstack:cdn:Cdn",
    "webstack:dns:DnsRecords",
    "webstack:monitoring:Monitoring",
}


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_every_aws_resource_uses_an_explicit_provider_from_the_factory(stack_name: str) -> None:
    stack = synth(stack_name)
    providers = {p.urn: p for p in stack.of_type(AWS_PROVIDER)}
    resources = [r for r in stack.cloud_resources if r.type.startswith("aws:")]
    assert len(resources) == AWS_RESOURCES[stack_name]
    for resource in resources:
        assert resource.provider in providers, f"{resource.name} uses a default provider"


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_providers_tag_everything_and_pin_their_region(stack_name: str) -> None:
    stack = synth(stack_name)
    providers = stack.of_type(AWS_PROVIDER)
    assert len(providers) == 1  # us-east-1: the edge provider is the primary one
    for provider in providers:
        assert provider.get("region") == "us-east-1"
        tags = (
            json.loads(provider.get("defaultTags"))["tags"]
            if isinstance(provider.get("defaultTags"), str)
            else provider.get("defaultTags", "tags")
        )
        assert tags == {
            "Project": "webstack",
            "Stack": stack_name,
            "Environment": stack_name,
            "ManagedBy": "pulumi",
        }


def test_allowed_account_ids_guard_every_provider() -> None:
    stack = synth("dev", {"webstack:allowedAccountIds": ["123456789012"]})
    assert stack.error is None, stack.error
    providers = stack.of_type(AWS_PROVIDER)
    assert len(providers) == 1
    for provider in providers:
        assert json.loads(provider.get("allowedAccountIds")) == ["123456789012"]


def test_a_stack_outside_us_east_1_gets_an_edge_provider_in_us_east_1() -> None:
    stack = synth("dev", {"aws:region": "eu-west-1"})
    assert stack.error is None, stack.error
    assert sorted(p.get("region") for p in stack.of_type(AWS_PROVIDER)) == [
        "eu-west-1",
        "us-east-1",
    ]
    zones = {s.get("availabilityZone") for s in stack.of_type(EC2_SUBNET)}
    assert zones == {"eu-west-1a", "eu-west-1b"}


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_every_resource_is_parented_to_a_webstack_component(stack_name: str) -> None:
    stack = synth(stack_name)
    components = {r.urn: r for r in stack.resources if not r.custom}
    assert len(stack.cloud_resources) == CLOUD_RESOURCES[stack_name]
    for resource in stack.cloud_resources:
        assert resource.parent in components, f"{resource.name} has no component parent"
        assert components[resource.parent].type.startswith("webstack:")


def test_component_type_tokens_follow_webstack_module_class(
    prod_primary_preview: Synthesis,
) -> None:
    components = [r for r in prod_primary_preview.resources if not r.custom]
    assert {c.type for c in components} == COMPONENTS
    for component in components:
        package, module, cls = component.type.split(":")
        assert package == "webstack"
        assert module.islower() and cls[0].isupper()


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_urns_are_unique(stack_name: str) -> None:
    stack = synth(stack_name)
    duplicates = [u for u, n in Counter(r.urn for r in stack.resources).items() if n > 1]
    assert duplicates == []


def test_outputs_export_network_and_security_ids(dev_deployed: Synthesis) -> None:
    outputs = dev_deployed.outputs
    assert outputs["vpcId"].startswith("vpc-")
    for key in ("publicSubnetIds", "appSubnetIds", "dataSubnetIds"):
        assert len(outputs[key]) == 2 and all(s.startswith("subnet-") for s in outputs[key])
    assert set(outputs["securityGroupIds"]) == {"publicAlb", "web", "database", "cache"}
    assert all(v.startswith("sg-") for v in outputs["securityGroupIds"].values())


def test_a_first_preview_knows_no_ids_yet(dev_preview: Synthesis) -> None:
    assert "vpcId" in dev_preview.unknown_outputs
    assert len(dev_preview.cloud_resources) == CLOUD_RESOURCES["dev"]
    assert all(r.id == "" for r in dev_preview.cloud_resources)


def test_two_foundations_in_two_regions_coexist() -> None:
    program = Path(__file__).parent / "programs" / "two_regions"
    stack = synthesize("dev", project_dir=program)
    assert stack.error is None, stack.error
    vpcs = stack.of_type(EC2_VPC)
    assert sorted((v.region, v.get("cidrBlock")) for v in vpcs) == [
        ("us-east-1", "10.0.0.0/16"),
        ("us-west-2", "10.1.0.0/16"),
    ]
    assert len({r.urn for r in stack.resources}) == len(stack.resources)
    west = {s.get("availabilityZone") for s in stack.of_type(EC2_SUBNET) if s.region == "us-west-2"}
    assert west == {"us-west-2a", "us-west-2b"}
    aliases = [a.get("name") for a in stack.of_type(KMS_ALIAS)]
    assert len(aliases) == len(set(aliases)) == 6
