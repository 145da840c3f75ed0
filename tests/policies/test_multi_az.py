# ruff: noqa: E501 - rule tables read best one case per line
"""Multi-AZ rules, per resource and across the stack."""

import pytest
from conftest import check, stack_check, stack_resources, urn
from guardrails import tokens as t
from guardrails.props import UNKNOWN_LIST, UNKNOWN_STRING

HA_GROUP = {"automaticFailoverEnabled": True, "multiAzEnabled": True, "numCacheClusters": 2}

COMPLIANT = [
    ("rds-multi-az", t.RDS_INSTANCE, {"multiAz": True}),
    ("rds-multi-az", t.RDS_INSTANCE, {"replicateSourceDb": "primary"}),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, HA_GROUP),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "numCacheClusters": None, "numNodeGroups": 2, "replicasPerNodeGroup": 1}),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "cross-az", "numCacheNodes": 2}),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"replicationGroupId": "rg"}),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": ["a", "b"]}),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": UNKNOWN_LIST}),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": [UNKNOWN_STRING, UNKNOWN_STRING]}),
    ("lb-multi-subnet", t.LOAD_BALANCERS[0], {"subnets": ["a", "b"]}),
    ("lb-multi-subnet", t.LOAD_BALANCERS[1], {"subnetMappings": [{"subnetId": "a"}, {"subnetId": "b"}]}),
]  # fmt: skip

VIOLATIONS = [
    ("rds-multi-az", t.RDS_INSTANCE, {"multiAz": False}, "`multiAz: true`"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "automaticFailoverEnabled": False}, "automaticFailoverEnabled: true"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "multiAzEnabled": False}, "multiAzEnabled: true"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "numCacheClusters": 1}, "numCacheClusters: 2"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "numNodeGroups": 2, "replicasPerNodeGroup": 0}, "replicasPerNodeGroup"),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "single-az", "numCacheNodes": 2}, '`azMode: "cross-az"`'),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "cross-az", "numCacheNodes": 1}, "numCacheNodes"),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "redis"}, "ReplicationGroup"),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": ["a"]}, "vpcZoneIdentifiers"),
    ("lb-multi-subnet", t.LOAD_BALANCERS[0], {"subnets": ["a"]}, "`subnets`"),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "type_", "props"), COMPLIANT)
def test_compliant_resources_pass(policy, type_, props):
    assert check(policy, type_, props) == []


@pytest.mark.parametrize(("policy", "type_", "props", "fix"), VIOLATIONS)
def test_violations_name_the_fix(policy, type_, props, fix):
    messages = check(policy, type_, props)
    assert any(fix in m for m in messages), messages


def _aurora(instances: int, *, by_id: bool = False):
    specs = [(t.RDS_CLUSTER, "db", {"engine": "aurora-postgresql", "id": "db-1"})]
    deps = {}
    for i in range(instances):
        ref = "db-1" if by_id else UNKNOWN_STRING
        specs.append((t.RDS_CLUSTER_INSTANCE, f"db-{i}", {"clusterIdentifier": ref}))
        if not by_id:
            deps[f"db-{i}"] = {"clusterIdentifier": ["db"]}
    return stack_resources(specs, deps)


def test_aurora_cluster_with_two_instances_passes_in_preview_and_after_update():
    assert stack_check("aurora-cluster-min-instances", _aurora(2)) == []
    assert stack_check("aurora-cluster-min-instances", _aurora(2, by_id=True)) == []


def test_aurora_cluster_with_one_instance_is_reported_on_the_cluster():
    [(at, message)] = stack_check("aurora-cluster-min-instances", _aurora(1))
    assert at == urn(t.RDS_CLUSTER, "db")
    assert "has 1 instance(s)" in message and "aws.rds.ClusterInstance" in message


def test_aurora_minimum_is_configurable():
    assert stack_check("aurora-cluster-min-instances", _aurora(2), {"minInstances": 3})


def test_aurora_undecidable_when_an_instance_reference_cannot_be_resolved():
    resources = stack_resources(
        [
            (t.RDS_CLUSTER, "db", {"engine": "aurora-mysql"}),
            (t.RDS_CLUSTER_INSTANCE, "i0", {"clusterIdentifier": UNKNOWN_STRING}),
        ]
    )
    assert stack_check("aurora-cluster-min-instances", resources) == []


def _asg(zones, *, preview=True):
    specs = [
        (t.SUBNET, f"s{i}", {"availabilityZone": z, "id": f"subnet-{i}"})
        for i, z in enumerate(zones)
    ]
    ids = UNKNOWN_LIST if preview else [f"subnet-{i}" for i in range(len(zones))]
    specs.append((t.AUTOSCALING_GROUP, "app", {"vpcZoneIdentifiers": ids}))
    deps = {"app": {"vpcZoneIdentifiers": [f"s{i}" for i in range(len(zones))]}} if preview else {}
    return stack_resources(specs, deps)


@pytest.mark.parametrize("preview", [True, False])
def test_asg_subnets_in_two_zones_pass(preview):
    assert stack_check("asg-multi-az", _asg(["eu-west-1a", "eu-west-1b"], preview=preview)) == []


@pytest.mark.parametrize("preview", [True, False])
def test_asg_subnets_in_one_zone_fail(preview):
    [(at, message)] = stack_check(
        "asg-multi-az", _asg(["eu-west-1a", "eu-west-1a"], preview=preview)
    )
    assert at == urn(t.AUTOSCALING_GROUP, "app") and "1 AZ(s) (eu-west-1a)" in message


def test_asg_with_subnets_of_unknown_zone_is_skipped():
    assert stack_check("asg-multi-az", _asg([UNKNOWN_STRING, UNKNOWN_STRING])) == []


def test_asg_with_unknown_availability_zones_is_skipped():
    resources = stack_resources(
        [(t.AUTOSCALING_GROUP, "app", {"availabilityZones": [UNKNOWN_STRING, UNKNOWN_STRING]})]
    )
    assert stack_check("asg-multi-az", resources) == []
    resources = stack_resources(
        [(t.AUTOSCALING_GROUP, "app", {"availabilityZones": ["eu-west-1a", UNKNOWN_STRING]})]
    )
    assert stack_check("asg-multi-az", resources) == []


def test_asg_with_known_availability_zones_is_judged():
    resources = stack_resources(
        [(t.AUTOSCALING_GROUP, "app", {"availabilityZones": ["eu-west-1a", "eu-west-1a"]})]
    )
    [(at, _)] = stack_check("asg-multi-az", resources)
    assert at == urn(t.AUTOSCALING_GROUP, "app")


def test_asg_with_a_subnet_of_another_stack_is_skipped():
    resources = _asg(["eu-west-1a"], preview=False)
    resources[-1].props["vpcZoneIdentifiers"] = ["subnet-0", "subnet-from-another-stack"]
    assert stack_check("asg-multi-az", resources) == []


def test_aurora_instance_of_another_stacks_cluster_does_not_switch_the_check_off():
    resources = _aurora(1) + stack_resources(
        [(t.RDS_CLUSTER_INSTANCE, "other", {"clusterIdentifier": "cluster-of-another-stack"})]
    )
    [(at, message)] = stack_check("aurora-cluster-min-instances", resources)
    assert at == urn(t.RDS_CLUSTER, "db") and "has 1 instance(s)" in message
