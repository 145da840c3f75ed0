"""The cache: Valkey/Redis replicated across AZs, encrypted, behind a token; memcached warns."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc

from components.config import load
from components.config.errors import ConfigError
from tests.support.assertions import assert_final_snapshot_is_suffixed, key_arn
from tests.support.synth import synth
from tests.support.tokens import (
    CACHE_COMPONENT,
    CLOUDWATCH_LOG_GROUP,
    ELASTICACHE_CLUSTER,
    ELASTICACHE_PARAMETER_GROUP,
    ELASTICACHE_REPLICATION_GROUP,
    ELASTICACHE_SUBNET_GROUP,
    RANDOM_PASSWORD,
    SECRETSMANAGER_SECRET,
    SECRETSMANAGER_SECRET_VERSION,
)
from tools.mockcloud import RecordedResource, Synthesis, synthesize

REPLICATED = ["valkey", "redis"]
# The program refuses memcached (the app speaks only Redis); the component still builds it.
CACHE_ONLY = Path(__file__).parent / "programs" / "cache_only"


def owned(stack: Synthesis, token: str) -> list[RecordedResource]:
    """Resources of ``token`` that the cache component made (the ALB has a secret too)."""
    (component,) = stack.of_type(CACHE_COMPONENT)
    return [r for r in stack.of_type(token) if r.parent == component.urn]


def stack_with(engine: str, stack: str = "dev", **settings: Any) -> Synthesis:
    """The program (valkey/redis), or the Cache component alone (memcached), deployed."""
    overrides = {"webstack:cache": {"engine": engine, **settings}}
    if engine == "memcached":
        result = _cache_only(stack, json.dumps(overrides, sort_keys=True))
    else:
        result = synth(stack, overrides, preview=False)
    assert result.error is None, result.error
    return result


@cache
def _cache_only(stack: str, overrides_json: str) -> Synthesis:
    environment: dict[str, Any] = {"aws:region": "us-east-1", "webstack:environment": stack}
    if stack == "prod":
        environment["webstack:domain"] = {"zoneName": "example.com"}
    overrides = {**environment, **json.loads(overrides_json)}
    return synthesize(stack, overrides=overrides, preview=False, project_dir=CACHE_ONLY)


def the_group(stack: Synthesis) -> RecordedResource:
    (group,) = stack.of_type(ELASTICACHE_REPLICATION_GROUP)
    return group


def is_secret(value: struct_pb2.Value) -> bool:
    fields = value.struct_value.fields
    return fields.get(rpc._special_sig_key) is not None and (
        fields[rpc._special_sig_key].string_value == rpc._special_secret_sig
    )


@pytest.mark.parametrize("engine", [*REPLICATED, "memcached"])
def test_the_cache_lives_only_in_the_data_subnets_behind_its_security_group(engine: str) -> None:
    stack = stack_with(engine)
    (subnet_group,) = stack.of_type(ELASTICACHE_SUBNET_GROUP)
    subnets = [stack.by_id(i) for i in subnet_group.get("subnetIds")]
    assert [s.get("tags", "Tier") for s in subnets] == ["data", "data"]
    assert len({s.get("availabilityZone") for s in subnets}) == 2
    (cache,) = stack.of_type(ELASTICACHE_REPLICATION_GROUP) or stack.of_type(ELASTICACHE_CLUSTER)
    assert cache.get("subnetGroupName") == subnet_group.get("name") is not None
    assert [stack.by_id(g).get("tags", "Tier") for g in cache.get("securityGroupIds")] == ["cache"]
    assert cache.get("engine") == engine


@pytest.mark.parametrize("engine", REPLICATED)
@pytest.mark.parametrize("replicas", [1, 2])
def test_with_replicas_the_group_fails_over_automatically_across_azs(
    engine: str, replicas: int
) -> None:
    group = the_group(stack_with(engine, replicas=replicas))
    assert group.get("numCacheClusters") == 1 + replicas
    assert group.get("automaticFailoverEnabled") is True
    assert group.get("multiAzEnabled") is True
    assert group.get("clusterMode") == "disabled"


def test_a_single_node_cache_is_refused_in_every_environment() -> None:
    # AWS refuses automatic failover or Multi-AZ with fewer than two nodes, and the
    # organisation's pack requires both (elasticache-multi-az): the program refuses the config.
    for environment in ("dev", "staging"):
        result = synth(
            "dev",
            {"webstack:environment": environment, "webstack:cache": {"replicas": 0}},
            preview=False,
        )
        assert result.error == (
            "webstack:cache.replicas is 0; accepted: at least 1, so the cache survives the loss "
            "of an AZ"
        )


@pytest.mark.parametrize("engine", REPLICATED)
def test_data_is_encrypted_at_rest_with_the_data_key_and_tls_is_required(engine: str) -> None:
    stack = stack_with(engine)
    group = the_group(stack)
    assert group.get("atRestEncryptionEnabled") is True
    assert group.get("kmsKeyId") == key_arn(stack, "data")
    assert group.get("transitEncryptionEnabled") is True
    assert group.get("transitEncryptionMode") == "required"


@pytest.mark.parametrize("engine", REPLICATED)
def test_the_auth_token_is_a_generated_secret_kept_in_secrets_manager(engine: str) -> None:
    stack = stack_with(engine)
    group = the_group(stack)
    (password,) = owned(stack, RANDOM_PASSWORD)
    # ElastiCache: 16-128 printable characters, none of @ " /.
    assert 16 <= password.get("length") <= 128
    assert password.get("special") is False
    assert group.property_dependencies.get("authToken") == (password.urn,)
    assert is_secret(group.struct.fields["authToken"])
    assert not is_secret(group.struct.fields["engine"])
    assert group.get("authToken") == password.outputs.get("result") is not None

    (secret,) = owned(stack, SECRETSMANAGER_SECRET)
    (version,) = owned(stack, SECRETSMANAGER_SECRET_VERSION)
    assert secret.get("kmsKeyId") == key_arn(stack, "data")
    assert version.get("secretId") == secret.outputs.get("id") is not None
    assert version.property_dependencies.get("secretString") == (password.urn,)
    assert is_secret(version.struct.fields["secretString"])
    assert stack.outputs["cacheAuthSecretArn"] == secret.outputs.get("arn") is not None


def test_the_token_is_secret_even_in_a_first_preview(dev_preview: Synthesis) -> None:
    group = the_group(dev_preview)
    assert is_secret(group.struct.fields["authToken"])


@pytest.mark.parametrize("engine", REPLICATED)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_snapshots_and_maintenance_follow_the_config(engine: str, stack_name: str) -> None:
    group = the_group(stack_with(engine, stack_name))
    assert group.get("snapshotRetentionLimit") == {"dev": 1, "prod": 7}[stack_name]
    assert group.get("snapshotWindow") == "02:00-03:00"
    assert group.get("maintenanceWindow") == "sun:06:00-sun:07:00"
    assert group.get("autoMinorVersionUpgrade") is True


@pytest.mark.parametrize("engine", REPLICATED)
def test_the_final_snapshot_name_is_unique_per_stack_lifetime(engine: str) -> None:
    stack = stack_with(engine)
    group = the_group(stack)
    identifier = group.get("replicationGroupId")
    assert identifier == "webstack-dev-cache"
    assert_final_snapshot_is_suffixed(stack, group, identifier)


@pytest.mark.parametrize("engine", REPLICATED)
def test_the_slow_log_goes_to_an_encrypted_log_group_with_retention(engine: str) -> None:
    stack = stack_with(engine)
    group = the_group(stack)
    (delivery,) = group.get("logDeliveryConfigurations")
    assert delivery["logType"] == "slow-log"
    assert delivery["destinationType"] == "cloudwatch-logs"
    (log_group,) = [
        g for g in stack.of_type(CLOUDWATCH_LOG_GROUP) if g.get("name") == delivery["destination"]
    ]
    assert log_group.get("kmsKeyId") == key_arn(stack, "logs")
    assert log_group.get("retentionInDays") == 30


@pytest.mark.parametrize(
    ("engine", "version", "family"), [("valkey", "8.0", "valkey8"), ("redis", "7.1", "redis7")]
)
def test_the_group_uses_a_parameter_group_of_its_engine_family(
    engine: str, version: str, family: str
) -> None:
    stack = stack_with(engine)
    group = the_group(stack)
    (parameters,) = stack.of_type(ELASTICACHE_PARAMETER_GROUP)
    assert group.get("engineVersion") == version
    assert parameters.get("family") == family
    assert group.property_dependencies.get("parameterGroupName") == (parameters.urn,)


@pytest.mark.parametrize("engine", [*REPLICATED, "memcached"])
@pytest.mark.parametrize(("stack_name", "protected"), [("dev", False), ("prod", True)])
def test_the_cache_is_protected_in_production_only(
    engine: str, stack_name: str, protected: bool
) -> None:
    stack = stack_with(engine, stack_name)
    (cache,) = stack.of_type(ELASTICACHE_REPLICATION_GROUP) or stack.of_type(ELASTICACHE_CLUSTER)
    assert cache.protect is protected


@pytest.mark.parametrize("engine", REPLICATED)
@pytest.mark.parametrize(("stack_name", "protected"), [("dev", False), ("prod", True)])
def test_the_token_secret_and_the_slow_log_are_protected_in_production_only(
    engine: str, stack_name: str, protected: bool
) -> None:
    stack = stack_with(engine, stack_name)
    (secret,) = owned(stack, SECRETSMANAGER_SECRET)
    (log_group,) = owned(stack, CLOUDWATCH_LOG_GROUP)
    assert secret.protect is protected
    assert log_group.protect is protected


def test_the_program_refuses_memcached_which_the_app_cannot_speak() -> None:
    result = synth("dev", {"webstack:cache": {"engine": "memcached"}})
    assert result.error is not None
    assert "webstack:cache.engine is 'memcached'; accepted: valkey or redis" in result.error
    assert "Redis protocol" in result.error
    assert result.resources == []


def test_memcached_spreads_nodes_across_azs_with_tls_and_warns_it_is_not_highly_available() -> None:
    stack = stack_with("memcached")
    assert not stack.of_type(ELASTICACHE_REPLICATION_GROUP)
    (cluster,) = stack.of_type(ELASTICACHE_CLUSTER)
    assert cluster.get("azMode") == "cross-az"
    assert cluster.get("numCacheNodes") == 2
    assert cluster.get("transitEncryptionEnabled") is True
    assert cluster.get("engineVersion") == "1.6.22"
    warnings = [w for w in stack.warnings if "memcached" in w]
    assert len(warnings) == 1
    assert "not highly available" in warnings[0]
    assert stack.outputs["cacheAuthSecretArn"] is None
    assert stack.outputs["cachePort"] == 11211


def test_valkey_does_not_warn(dev_deployed: Synthesis) -> None:
    assert not [w for w in dev_deployed.warnings if "memcached" in w]


def test_the_outputs_name_the_endpoints_and_port(prod_primary_deployed: Synthesis) -> None:
    group = the_group(prod_primary_deployed)
    outputs = prod_primary_deployed.outputs
    assert outputs["cacheEndpoint"] == group.outputs.get("primaryEndpointAddress") is not None
    assert outputs["cacheReaderEndpoint"] == group.outputs.get("readerEndpointAddress") is not None
    assert outputs["cachePort"] == 6379


def test_every_cache_resource_is_a_child_of_the_cache_component(dev_preview: Synthesis) -> None:
    (component,) = dev_preview.of_type(CACHE_COMPONENT)
    children = {r.urn for r in dev_preview.children(component.urn)}
    for token in (
        ELASTICACHE_REPLICATION_GROUP,
        ELASTICACHE_SUBNET_GROUP,
        ELASTICACHE_PARAMETER_GROUP,
        SECRETSMANAGER_SECRET,
    ):
        (resource,) = dev_preview.of_type(token)
        assert resource.urn in children, resource.name
    passwords = [r for r in dev_preview.of_type(RANDOM_PASSWORD) if "cache" in r.name]
    assert passwords and all(p.urn in children for p in passwords)


@pytest.mark.parametrize(
    ("cache", "message"),
    [
        ({"engine": "memcached", "nodes": 1}, "webstack:cache.nodes is 1; accepted: at least 2"),
        (
            {"snapshotWindow": "06:30-07:30"},
            "webstack:cache.snapshotWindow is '06:30-07:30'; accepted: a window that does not "
            "overlap maintenanceWindow",
        ),
        ({"snapshotWindow": "02:00-02:30"}, "accepted: at least 60 minutes"),
        ({"engineVersion": "8"}, "webstack:cache.engineVersion is '8'; accepted: a major.minor"),
    ],
)
def test_bad_cache_settings_are_refused(cache: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load({"cache": cache}, stack="dev", region="us-east-1")
    assert message in str(error.value)
