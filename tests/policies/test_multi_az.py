"""Multi-AZ rules, per resource and across the stack, beyond the rule table (cases_multi_az.py)."""

import pytest
from guardrails import tokens as t
from guardrails.props import UNKNOWN_LIST, UNKNOWN_STRING
from support import stack_check, stack_resources, urn


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
