"""The stack configuration: every bad input is refused with one clear message, up front."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import StackConfig, load
from components.config.errors import ConfigError
from components.config.values import Environment, NatGateways, architecture_of
from tests.support.synth import synth
from tests.support.tokens import (
    ELASTICACHE_REPLICATION_GROUP,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_PROXY,
    RDS_SUBNET_GROUP,
)


def load_dev(**raw: Any) -> StackConfig:
    return load(raw, stack="dev", region="us-east-1")


def load_prod(**raw: Any) -> StackConfig:
    domain = {"zoneName": "example.com"}
    return load({"environment": "prod", "domain": domain, **raw}, stack="prod", region="us-east-1")


# (case id, config overrides, fragments the single message must contain)
BAD_CONFIGS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    (
        "wrong-type",
        {"webstack:web": {"minSize": "two"}},
        ("webstack:web.minSize", "'two'", "integer"),
    ),
    (
        "az-count-too-small",
        {"webstack:network": {"azCount": 1}},
        ("webstack:network.azCount", "1", "greater than or equal to 2"),
    ),
    (
        "az-count-too-large",
        {"webstack:network": {"azCount": 7}},
        ("webstack:network.azCount", "7", "less than or equal to 6"),
    ),
    (
        "min-above-max",
        {"webstack:web": {"minSize": 5, "maxSize": 3}},
        ("webstack:web.minSize", "5", "at most maxSize (3)"),
    ),
    (
        "negative-size",
        {"webstack:appTier": {"minSize": -1}},
        ("webstack:appTier.minSize", "-1", "greater than or equal to 0"),
    ),
    (
        "invalid-cidr",
        {"webstack:network": {"cidr": "10.0.0.300/16"}},
        ("webstack:network.cidr", "10.0.0.300/16", "CIDR notation"),
    ),
    (
        "cidr-too-small-for-layout",
        {"webstack:network": {"cidr": "10.0.0.0/26"}},
        ("webstack:network.cidr", "10.0.0.0/26", "/16 to /23"),
    ),
    (
        "public-cidr",
        {"webstack:network": {"cidr": "8.8.0.0/16"}},
        ("webstack:network.cidr", "8.8.0.0/16", "private"),
    ),
    (
        "malformed-instance-type",
        {"webstack:web": {"instanceType": "t4g"}},
        ("webstack:web.instanceType", "'t4g'", "t4g.small"),
    ),
    (
        "malformed-db-class",
        {"webstack:database": {"instanceClass": "r6g.large"}},
        ("webstack:database.instanceClass", "'r6g.large'", "db.r6g.large"),
    ),
    (
        "malformed-cache-node",
        {"webstack:cache": {"nodeType": "t4g.small"}},
        ("webstack:cache.nodeType", "'t4g.small'", "cache.t4g.small"),
    ),
    (
        "unknown-engine",
        {"webstack:database": {"engine": "oracle"}},
        ("webstack:database.engine", "'oracle'", "aurora-postgresql", "mysql"),
    ),
    (
        "unknown-cache-engine",
        {"webstack:cache": {"engine": "dragonfly"}},
        ("webstack:cache.engine", "'dragonfly'", "valkey", "memcached"),
    ),
    (
        "unknown-dr-strategy",
        {"webstack:dr": {"strategy": "hot-spare"}},
        ("webstack:dr.strategy", "'hot-spare'", "pilot-light", "active-active"),
    ),
    (
        "unknown-nat-mode",
        {"webstack:network": {"natGateways": "perAZ"}},
        ("webstack:network.natGateways", "'perAZ'", "single", "perAz"),
    ),
    (
        "unknown-price-class",
        {"webstack:cdn": {"priceClass": "PriceClass_50"}},
        ("webstack:cdn.priceClass", "'PriceClass_50'", "PriceClass_100"),
    ),
    (
        "dr-region-equals-primary",
        {"webstack:dr": {"strategy": "pilot-light", "region": "us-east-1", "cidr": "10.1.0.0/16"}},
        ("webstack:dr.region", "us-east-1", "other than the primary"),
    ),
    (
        "dr-cidr-overlaps-primary",
        {
            "webstack:dr": {
                "strategy": "warm-standby",
                "region": "us-west-2",
                "cidr": "10.10.0.0/16",
            }
        },
        ("webstack:dr.cidr", "10.10.0.0/16", "does not overlap"),
    ),
    (
        "misspelt-key-in-section",
        {"webstack:network": {"azcount": 3}},
        ("webstack:network.azcount", "did you mean 'azCount'"),
    ),
    (
        "misspelt-top-level-key",
        {"webstack:netwrok": {"azCount": 3}},
        ("webstack:netwrok", "did you mean 'network'"),
    ),
    (
        "prod-backup-retention",
        {"webstack:environment": "prod", "webstack:database": {"backupRetentionDays": 13}},
        ("webstack:database.backupRetentionDays is 13", "at least 14 in prod"),
    ),
    (
        "prod-cache-snapshots",
        {"webstack:environment": "prod", "webstack:cache": {"snapshotRetentionDays": 6}},
        ("webstack:cache.snapshotRetentionDays is 6", "at least 7 in prod"),
    ),
    (
        "aurora-without-reader-in-dev",
        {"webstack:database": {"readers": 0}},
        ("webstack:database.readers is 0", "at least 1, so Aurora can fail over"),
    ),
    (
        "cache-without-replica-in-dev",
        {"webstack:cache": {"replicas": 0}},
        ("webstack:cache.replicas is 0", "at least 1, so the cache survives"),
    ),
    (
        "prod-without-domain",
        {"webstack:environment": "prod"},
        ("webstack:domain is unset", "a domain in prod", "TLSv1"),
    ),
    (
        # dev's burstable cache cannot join the global datastore warm standby mirrors it with.
        "dr-warm-standby-needs-a-global-datastore-node-type",
        {"webstack:dr": {"strategy": "warm-standby", "region": "us-west-2", "cidr": "10.1.0.0/16"}},
        ("webstack:cache.nodeType is 'cache.t4g.micro'", "global datastore", "no burstable"),
    ),
    (
        "number-as-string",
        {"webstack:network": {"azCount": "3"}},
        ("webstack:network.azCount", "'3'", "a valid integer"),
    ),
    (
        "boolean-as-yes",
        {"webstack:cdn": {"enabled": "yes"}},
        ("webstack:cdn.enabled", "'yes'", "a valid boolean"),
    ),
    (
        "boolean-as-no",
        {"webstack:cdn": {"enabled": "no"}},
        ("webstack:cdn.enabled", "'no'", "a valid boolean"),
    ),
    (
        "boolean-as-on",
        {"webstack:database": {"proxy": "on"}},
        ("webstack:database.proxy", "'on'", "a valid boolean"),
    ),
    (
        "integer-as-float",
        {"webstack:database": {"readers": 1.0}},
        ("webstack:database.readers", "1.0", "a valid integer"),
    ),
    (
        "memcached-not-spoken-by-the-app",
        {"webstack:cache": {"engine": "memcached"}},
        ("webstack:cache.engine is 'memcached'", "accepted: valkey or redis", "Redis protocol"),
    ),
    (
        "unknown-environment",
        {"webstack:environment": "production"},
        ("webstack:environment", "production", "dev, staging, prod"),
    ),
    (
        "section-not-an-object",
        {"webstack:network": "10.0.0.0/16"},
        ("webstack:network", "10.0.0.0/16", "an object"),
    ),
]


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [pytest.param(o, f, id=case) for case, o, f in BAD_CONFIGS],
)
def test_bad_config_is_refused_with_one_clear_message_and_registers_nothing(
    overrides: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    result = synth("dev", overrides)
    assert result.error is not None, "the program accepted a bad configuration"
    for fragment in fragments:
        assert fragment in result.error, f"{fragment!r} missing from: {result.error}"
    assert "Traceback" not in result.error
    assert result.resources == [], "resources were registered before the config was validated"


def test_a_stack_name_too_long_for_aws_names_is_refused_naming_its_length_and_the_limit() -> None:
    # webstack-<stack>-app + Pulumi's 8-character suffix must fit AWS's 32-character ALB and
    # target group names: 12 characters make webstack-twelvechars-app 25 long, one too many.
    result = synth("twelve-chars", {"aws:region": "us-east-1"})
    assert result.error is not None
    for fragment in (
        "the stack name 'twelve-chars' is 12 characters; accepted: at most 11",
        "8-character random suffix",
        "32 characters",
    ):
        assert fragment in result.error, result.error
    assert result.resources == []


def test_the_longest_accepted_stack_name_keeps_every_derived_name_within_aws_limits() -> None:
    stack = "elevenchars"
    overrides = {
        "aws:region": "us-east-1",
        "webstack:database": {"proxy": True, "readers": 2},
        "webstack:appTier": {"enabled": True},
    }
    result = synth(stack, overrides)
    assert result.error is None, result.error
    checked: set[tuple[str, str]] = set()
    for resource in result.resources:
        for key, limit in (
            ("clusterIdentifier", 63),
            ("identifier", 63),
            ("replicationGroupId", 40),
        ):
            value = resource.get(key)
            if isinstance(value, str):
                checked.add((resource.type, key))
                assert len(value) <= limit, (resource.name, value)
        if resource.type in (RDS_PROXY, RDS_SUBNET_GROUP):
            checked.add((resource.type, "name"))
            assert len(resource.get("name")) <= 63, resource.name
        if resource.type in (LB_LOAD_BALANCER, LB_TARGET_GROUP):
            checked.add((resource.type, "name"))
            # Auto-named: the logical name plus Pulumi's "-" and 7 random characters.
            assert "name" not in resource.inputs, resource.name
            assert len(resource.name) + 8 <= 32, resource.name
    # Every kind of name the stack derives from its name was checked.
    assert checked == {
        (RDS_CLUSTER, "clusterIdentifier"),
        (RDS_CLUSTER_INSTANCE, "clusterIdentifier"),
        (RDS_CLUSTER_INSTANCE, "identifier"),
        (ELASTICACHE_REPLICATION_GROUP, "replicationGroupId"),
        (RDS_PROXY, "name"),
        (RDS_SUBNET_GROUP, "name"),
        (LB_LOAD_BALANCER, "name"),
        (LB_TARGET_GROUP, "name"),
    }
    load({}, stack=stack, region="us-east-1")


def test_shared_address_space_is_a_valid_vpc_block() -> None:
    # RFC 6598 100.64.0.0/10: not private to Python's ipaddress, but AWS accepts it for a VPC.
    config = load_dev(network={"cidr": "100.64.0.0/16"})
    assert str(config.network.cidr) == "100.64.0.0/16"
    with pytest.raises(ConfigError, match=r"100\.128\.0\.0/16"):
        load_dev(network={"cidr": "100.128.0.0/16"})


def test_structured_numbers_and_booleans_keep_their_json_types() -> None:
    config = load_dev(
        network='{"azCount": 3}', cdn='{"enabled": false}', database='{"proxy": true}'
    )
    assert config.network.az_count == 3
    assert config.cdn.enabled is False
    assert config.database.proxy is True


def test_config_errors_are_run_errors_so_the_cli_prints_no_traceback() -> None:
    import pulumi

    with pytest.raises(pulumi.RunError):
        load_dev(web={"minSize": 9, "maxSize": 1})
    assert issubclass(ConfigError, pulumi.RunError)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_dev(network={"azCount": 1, "natGateways": "both"})
    message = str(caught.value)
    assert "webstack:network.azCount" in message
    assert "webstack:network.natGateways" in message


def test_missing_region_names_the_command_that_sets_it() -> None:
    with pytest.raises(ConfigError, match="pulumi config set aws:region"):
        load({}, stack="dev", region=None)


def test_structured_values_arrive_as_json_strings_from_the_engine() -> None:
    config = load_dev(network='{"azCount": 3, "natGateways": "perAz"}')
    assert config.network.az_count == 3
    assert config.network.nat_gateways is NatGateways.PER_AZ


def test_environment_picks_defaults_and_user_values_win_key_by_key() -> None:
    dev = load_dev()
    prod = load_prod()
    assert (dev.network.az_count, dev.network.nat_gateways) == (2, NatGateways.SINGLE)
    assert (prod.network.az_count, prod.network.nat_gateways) == (3, NatGateways.PER_AZ)
    tuned = load_dev(web={"maxSize": 9})
    assert tuned.web.max_size == 9
    assert tuned.web.instance_type == dev.web.instance_type


def test_dev_is_cheap_but_still_multi_az() -> None:
    dev = load_dev()
    assert dev.environment is Environment.DEV
    assert dev.network.az_count == 2
    assert dev.web.min_size == 2
    assert dev.cache.replicas == 1
    assert dev.database.readers == 1


def test_the_config_is_immutable() -> None:
    config = load_dev()
    with pytest.raises(Exception, match="frozen"):
        config.network.az_count = 5


def test_only_production_protects_data() -> None:
    assert not load_dev().protect_data
    assert load_prod().protect_data


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("t4g.small", "arm64"),
        ("m7gd.large", "arm64"),
        ("c7gn.xlarge", "arm64"),
        ("t3.micro", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("c6a.large", "x86_64"),
    ],
)
def test_instance_type_decides_the_ami_architecture(instance_type: str, architecture: str) -> None:
    assert architecture_of(instance_type) == architecture


@given(
    prefix=st.integers(min_value=16, max_value=23),
    az_count=st.integers(min_value=2, max_value=6),
    base=st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.0.0"]),
)
def test_subnet_layout_fits_and_never_overlaps(prefix: int, az_count: int, base: str) -> None:
    if base == "192.168.0.0" and prefix < 16:
        return
    config = load_dev(network={"cidr": f"{base}/{prefix}", "azCount": az_count})
    vpc = config.network.cidr
    blocks = [
        ipaddress.IPv4Network(config.network.subnet_cidr(tier, index))
        for tier in ("public", "app", "data")
        for index in range(az_count)
    ]
    assert all(block.subnet_of(vpc) for block in blocks)
    assert all(block.prefixlen <= 28 for block in blocks)
    assert len(set(blocks)) == len(blocks)
    for i, a in enumerate(blocks):
        for b in blocks[i + 1 :]:
            assert not a.overlaps(b)


def test_the_config_package_imports_no_component_and_no_provider_sdk() -> None:
    """Config is pure data and validation: components import it, never the other way round."""
    probe = (
        "import json, sys, components.config; "
        "loaded = [m for m in sys.modules if m.startswith(('components.', 'pulumi_'))]; "
        "print(json.dumps(sorted(loaded)))"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if not m.startswith("components.config")] == []
