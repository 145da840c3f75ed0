"""The offline preview command, run as users and CI run it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.process import run_module
from tests.support.tokens import (
    EC2_NAT_GATEWAY,
    EC2_SUBNET,
    EC2_VPC,
    ELASTICACHE_REPLICATION_GROUP,
    STACK,
)

ROOT = Path(__file__).resolve().parents[1]


def preview(*args: str) -> subprocess.CompletedProcess[str]:
    return run_module("tools.preview", *args)


def test_preview_prints_the_tree_and_counts_for_dev() -> None:
    result = preview("--stack", "dev")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert STACK in out and "webstack-dev" in out
    assert "─ webstack:site:Site" in out
    assert "─ webstack:site:RegionalSite" in out
    assert EC2_SUBNET in out
    assert "Resources by type:" in out
    assert "     6  aws:ec2/subnet:Subnet" in out
    assert "to create" in out


def test_preview_json_is_machine_readable_for_prod() -> None:
    result = preview("--stack", "prod", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["stack"] == "prod"
    # prod ships a warm standby: 3 AZs x 3 tiers and a NAT gateway per AZ in each region.
    assert document["countsByType"][EC2_SUBNET] == 18
    assert document["countsByType"][EC2_NAT_GATEWAY] == 6
    vpc = next(r for r in document["resources"] if r["type"] == EC2_VPC)
    assert vpc["inputs"]["cidrBlock"] == "10.0.0.0/16"
    assert vpc["parent"].endswith("webstack:network:Network::webstack-prod")
    assert document["outputs"]["vpcId"] == {"$unknown": True}


def test_a_bad_config_fails_with_the_message_and_no_traceback() -> None:
    result = preview("--stack", "dev", "--config", 'webstack:network={"azCount": 1}')
    assert result.returncode == 1
    assert "webstack:network.azCount is 1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert STACK not in result.stdout


def test_an_unknown_stack_names_the_stacks_there_are() -> None:
    result = preview("--stack", "qa")
    assert result.returncode == 2
    assert "Pulumi.qa.yaml" in result.stderr and "dev" in result.stderr


def test_json_masks_secrets_and_marks_unknowns() -> None:
    deployed = preview("--stack", "dev", "--json", "--deployed")
    assert deployed.returncode == 0, deployed.stderr
    document = json.loads(deployed.stdout)
    group = next(r for r in document["resources"] if r["type"] == ELASTICACHE_REPLICATION_GROUP)
    assert group["inputs"]["authToken"] == "[secret]"
    first = preview("--stack", "dev", "--json")
    assert "object at 0x" not in first.stdout
    subnet = next(r for r in json.loads(first.stdout)["resources"] if r["type"] == EC2_SUBNET)
    assert subnet["inputs"]["vpcId"] == {"$unknown": True}
