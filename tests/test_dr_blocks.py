"""The DR building blocks, synthesized around stand-ins (tests/programs/dr_blocks) and deployed
against the mock cloud so references (ARNs, ids) can be followed between the two regions."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc

from components.config.capabilities import global_datastore_problem, write_forwarding_supported
from components.config.dr_objectives import (
    DNS_FAILOVER_SECONDS,
    HEALTH_CHECK_FAILURE_THRESHOLD,
    HEALTH_CHECK_INTERVAL_SECONDS,
    PLANS,
    CacheMode,
    DatabaseFamily,
    DatabaseMode,
    S3Replication,
    StandbySize,
    TrafficMode,
    objectives,
)
from components.config.values import DrStrategy
from components.data.credentials import replica_arn
from tools.mockcloud import RecordedResource, Synthesis, synthesize

PROGRAM = Path(__file__).parent / "programs" / "dr_blocks"
PRIMARY, DR = "us-east-1", "us-west-2"


@cache
def _stack(overrides_json: str) -> Synthesis:
    result = synthesize(
        "dev", overrides=json.loads(overrides_json), preview=False, project_dir=PROGRAM
    )
    assert result.error is None, result.error
    return result


def stack(**settings: Any) -> Synthesis:
    return _stack(json.dumps({f"webstack:{k}": v for k, v in settings.items()}, sort_keys=True))


def one(s: Synthesis, name: str, kind: str = "") -> RecordedResource:
    """The cloud resource ``name`` (components share their children's names), of type ``kind``."""
    (found,) = [r for r in s.cloud_resources if r.name == name and r.type.endswith(kind)]
    return found


def component(s: Synthesis, token: str) -> RecordedResource:
    (found,) = s.of_type(token)
    return found


# --- regions and parents ----------------------------------------------------------------------
DR_REGION_RESOURCES = {
    "site-db-secondary-cluster",
    "site-db-secondary-instance",
    "site-db-secondary",
    "site-db-secondary-1",
    "site-cache-secondary",
    "site-backup-dr-vault",
    "site-dns-traffic-switch",
}


# What tests/programs/dr_blocks makes itself, outside the blocks (family "aurora", the default).
STAND_INS = [
    "aws-us-east-1",
    "aws-us-west-2",
    "site-cache",
    # The global cluster and datastore, made as the primary's data tier makes them (PrimaryData).
    "site-cache-global",
    "site-db",
    "site-db-1",
    "site-db-global",
    "site-dr-db",
    "site-dr-uploads",
    "site-dr-uploads",
    "site-uploads",
    "site-uploads",
    "site-us-east-1-alb",
    "site-us-east-1-backups",
    "site-us-east-1-data",
    "site-us-west-2-alb",
    "site-us-west-2-backups",
    "site-us-west-2-data",
]


def top_level(s: Synthesis) -> list[RecordedResource]:
    """The resources parented to the stack itself (its URN is not recorded): blocks, stand-ins."""
    recorded = {r.urn for r in s.resources}
    return [r for r in s.resources if r.parent not in recorded]


def test_every_block_resource_is_in_the_region_it_belongs_to() -> None:
    s = stack()
    blocks = [r for r in s.resources if r.type.startswith("webstack:")]
    assert len(blocks) == 6
    owned = [r for b in blocks for r in s.descendants(b.urn)]
    # The blocks own everything the test program does not make at the top level itself.
    assert sorted(r.name for r in top_level(s) if r not in blocks) == STAND_INS
    assert {r.urn for r in owned} == {r.urn for r in s.resources} - {r.urn for r in top_level(s)}
    for resource in owned:
        expected = DR if resource.name in DR_REGION_RESOURCES else PRIMARY
        assert resource.region == expected, (resource.name, resource.region)
    assert {r.name for r in owned if r.region == DR} == DR_REGION_RESOURCES


def test_dr_children_name_the_dr_provider_and_the_others_inherit_the_primary() -> None:
    s = stack()
    providers = {p.get("region"): p.urn for p in s.of_type("pulumi:providers:aws")}
    for name in DR_REGION_RESOURCES:
        assert one(s, name).provider == providers[DR], name
    assert one(s, "site-db-global").provider == providers[PRIMARY]


def test_every_child_is_parented_to_its_component() -> None:
    s = stack(family="rds")
    blocks = [r for r in s.resources if r.type.startswith("webstack:")]
    assert {b.type.split(":")[-1] for b in blocks} == {
        "MasterCredential",
        "CrossRegionReplica",
        "GlobalDatastoreSecondary",
        "Replication",
        "Backup",
        "FailoverDns",
    }
    # Nothing a block makes is left at the top level (only the stand-ins are; the primary is one
    # RDS instance here, not a cluster and its instance), and nothing is nested deeper than a
    # block's own children.
    top = {r.urn for r in top_level(s)}
    rds_stand_ins = [name for name in STAND_INS if name not in ("site-db-1", "site-db-global")]
    assert sorted(r.name for r in top_level(s) if r not in blocks) == rds_stand_ins
    children = [c.urn for b in blocks for c in s.children(b.urn)]
    assert sorted(children) == sorted(r.urn for r in s.resources if r.urn not in top)
    for block in blocks:
        assert s.children(block.urn), block.name
        module = block.type.split(":")[1]
        for child in s.children(block.urn):
            assert child.name.startswith(block.name), (module, child.name)


# --- Aurora global database -------------------------------------------------------------------
def test_the_global_cluster_is_created_from_the_running_primary() -> None:
    s = stack()
    global_cluster = one(s, "site-db-global")
    primary = one(s, "site-db")
    assert primary.type == "aws:rds/cluster:Cluster"
    assert global_cluster.get("sourceDbClusterIdentifier") == primary.outputs["arn"]
    assert global_cluster.get("forceDestroy") is True
    # Engine and version are inherited from the source (setting them conflicts).
    assert global_cluster.get("engine") is None
    assert global_cluster.get("engineVersion") is None


def test_the_secondary_takes_no_credentials_and_the_dr_key() -> None:
    s = stack()
    secondary = one(s, "site-db-secondary")
    for key in ("databaseName", "masterUsername", "masterPassword", "manageMasterUserPassword"):
        assert secondary.get(key) is None, key
    dr_key = one(s, "site-us-west-2-data")
    assert secondary.get("kmsKeyId") == dr_key.outputs["arn"]
    assert ":us-west-2:" in secondary.get("kmsKeyId")
    assert secondary.get("storageEncrypted") is True
    assert secondary.get("globalClusterIdentifier") == one(s, "site-db-global").id
    assert secondary.get("dbSubnetGroupName") == "site-dr-db"
    assert secondary.get("vpcSecurityGroupIds") == ["sg-dr-database"]
    assert secondary.get("iamDatabaseAuthenticationEnabled") is True


def test_the_secondary_runs_the_primarys_engine_and_version() -> None:
    s = stack()
    primary, secondary = one(s, "site-db"), one(s, "site-db-secondary")
    assert secondary.get("engine") == primary.get("engine") == "aurora-postgresql"
    assert secondary.get("engineVersion") == primary.get("engineVersion") == "16.4"


def test_a_routine_update_can_never_detach_or_promote_the_secondary() -> None:
    s = stack()
    secondary = one(s, "site-db-secondary")
    assert set(secondary.ignore_changes) == {
        "globalClusterIdentifier",
        "replicationSourceIdentifier",
        "engineVersion",
    }
    assert one(s, "site-db-1").urn in secondary.dependencies


@pytest.mark.parametrize("protect", [False, True])
def test_protect_reaches_every_stateful_dr_resource(protect: bool) -> None:
    s = stack(protect=protect)
    for name in (
        "site-db-global",
        "site-db-secondary",
        "site-db-secondary-1",
        "site-cache-global",
        "site-cache-secondary",
        "site-backup-vault",
        "site-backup-dr-vault",
        "site-db-master:Secret",
        "site-db-master-password",
    ):
        resource_name, _, kind = name.partition(":")
        assert one(s, resource_name, kind).protect is protect, name
    assert one(s, "site-db-secondary").get("deletionProtection") is protect
    assert one(s, "site-db-global").get("deletionProtection") is protect


@pytest.mark.parametrize("readers", [0, 1, 2])
def test_reader_count_from_args_and_zero_is_headless(readers: int) -> None:
    s = stack(readers=readers)
    instances = [r for r in s.of_type("aws:rds/clusterInstance:ClusterInstance") if r.region == DR]
    assert len(instances) == readers
    assert sorted(r.get("identifier") for r in instances) == [
        f"site-db-us-west-2-{i + 1}" for i in range(readers)
    ]
    parameter_groups = [r for r in s.of_type("aws:rds/parameterGroup:ParameterGroup")]
    assert len(parameter_groups) == (1 if readers else 0)


def test_write_forwarding_is_on_only_when_asked_and_supported() -> None:
    assert one(stack(), "site-db-secondary").get("enableGlobalWriteForwarding") is False
    assert (
        one(stack(writeForwarding=True), "site-db-secondary").get("enableGlobalWriteForwarding")
        is True
    )
    old = stack(writeForwarding=True, engineVersion="14.6")
    assert one(old, "site-db-secondary").get("enableGlobalWriteForwarding") is False
    assert len(old.warnings) == 1
    assert "cannot forward writes" in old.warnings[0]


@pytest.mark.parametrize(
    ("engine", "version", "supported"),
    [
        ("aurora-postgresql", "16.1", True),
        ("aurora-postgresql", "17", True),
        ("aurora-postgresql", "15.4", True),
        ("aurora-postgresql", "15.3", False),
        ("aurora-postgresql", "14.9", True),
        ("aurora-postgresql", "14.8", False),
        ("aurora-postgresql", "13.12", False),
        ("aurora-mysql", "8.0.mysql_aurora.3.05.2", True),
        ("aurora-mysql", "5.7.mysql_aurora.2.08.1", True),
        ("aurora-mysql", "5.7.mysql_aurora.2.07.9", False),
        ("aurora-mysql", "8.0", True),
        ("postgres", "16.4", False),
    ],
)
def test_write_forwarding_support_by_engine_version(
    engine: str, version: str, supported: bool
) -> None:
    assert write_forwarding_supported(engine, version) is supported


# --- RDS cross-Region replica -----------------------------------------------------------------
def test_the_rds_replica_follows_the_primary_by_arn_with_the_dr_key() -> None:
    s = stack(family="rds")
    (replica,) = [r for r in s.of_type("aws:rds/instance:Instance") if r.region == DR]
    source = one(s, "site-db")
    assert source.type == "aws:rds/instance:Instance"
    assert replica.get("replicateSourceDb") == source.outputs["arn"]
    assert replica.get("kmsKeyId") == one(s, "site-us-west-2-data").outputs["arn"]
    assert replica.get("multiAz") is True
    assert replica.get("backupRetentionPeriod") == 7
    assert replica.get("identifier") == "site-db-us-west-2"
    for key in ("username", "password", "dbName", "manageMasterUserPassword"):
        assert replica.get(key) is None, key
    assert s.of_type("aws:rds/globalCluster:GlobalCluster") == []


# --- ElastiCache global datastore -------------------------------------------------------------
def test_the_global_datastore_joins_the_primary_group_and_a_dr_secondary() -> None:
    s = stack()
    global_group, secondary = one(s, "site-cache-global"), one(s, "site-cache-secondary")
    assert global_group.get("primaryReplicationGroupId") == one(s, "site-cache").id
    assert (
        secondary.get("globalReplicationGroupId")
        == global_group.outputs["globalReplicationGroupId"]
    )
    assert secondary.get("kmsKeyId") == one(s, "site-us-west-2-data").outputs["arn"]
    assert secondary.get("transitEncryptionEnabled") is True
    assert secondary.get("numCacheClusters") == 2
    for inherited in ("engine", "engineVersion", "nodeType", "parameterGroupName"):
        assert secondary.get(inherited) is None, inherited


@pytest.mark.parametrize(
    ("engine", "version", "node_type", "accepted"),
    [
        ("valkey", "8.0", "cache.r7g.large", True),
        ("valkey", "7.2", "cache.m7g.2xlarge", True),
        ("redis", "7.1", "cache.r6gd.xlarge", True),
        ("redis", "5.0.6", "cache.m5.large", True),
        ("redis", "5.0.5", "cache.m5.large", False),
        ("redis", "6.x", "cache.r5.large", True),
        ("valkey", "8.0", "cache.t4g.medium", False),
        ("valkey", "8.0", "cache.t3.large", False),
        ("valkey", "8.0", "cache.m7g.medium", False),
        ("redis", "7.1", "cache.r4.large", False),
        ("memcached", "1.6", "cache.r7g.large", False),
    ],
)
def test_which_caches_a_global_datastore_accepts(
    engine: str, version: str, node_type: str, accepted: bool
) -> None:
    problem = global_datastore_problem(engine, version, node_type)
    assert (problem is None) is accepted, problem


# --- AWS Backup ----------------------------------------------------------------------------
def test_backups_are_copied_to_a_vault_in_the_dr_region_under_its_key() -> None:
    s = stack()
    vault, dr_vault = one(s, "site-backup-vault"), one(s, "site-backup-dr-vault")
    assert (vault.region, dr_vault.region) == (PRIMARY, DR)
    assert vault.get("kmsKeyArn") == one(s, "site-us-east-1-backups").outputs["arn"]
    assert dr_vault.get("kmsKeyArn") == one(s, "site-us-west-2-backups").outputs["arn"]
    assert vault.get("name") != dr_vault.get("name")
    assert dr_vault.get("name") == "site-backup-us-west-2"
    (rule,) = one(s, "site-backup-plan").get("rules")
    assert rule["targetVaultName"] == vault.get("name")
    (copy,) = rule["copyActions"]
    assert copy["destinationVaultArn"] == dr_vault.outputs["arn"]
    assert rule["schedule"] == "cron(0 5 ? * * *)"
    assert rule["lifecycle"]["deleteAfter"] == 35


def test_the_selection_names_exactly_the_given_resources_with_the_backup_role() -> None:
    s = stack()
    selection = one(s, "site-backup-selection")
    assert selection.get("resources") == [one(s, "site-db").outputs["arn"]]
    role = one(s, "site-backup-backup")
    assert selection.get("iamRoleArn") == role.outputs["arn"]
    attachments = [
        r
        for r in s.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.get("role") == role.outputs["name"]
    ]
    assert sorted(a.get("policyArn") for a in attachments) == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]
    assert {a.urn for a in attachments} <= set(selection.dependencies)
    trust = json.loads(role.get("assumeRolePolicy"))
    assert [st["Principal"] for st in trust["Statement"]] == [{"Service": "backup.amazonaws.com"}]


# --- S3 replication ------------------------------------------------------------------------
def _replication_policy(s: Synthesis) -> dict[str, Any]:
    return json.loads(one(s, "site-uploads-replication", "RolePolicy").get("policy"))


def test_replication_goes_to_the_dr_bucket_under_the_dr_key_with_delete_markers() -> None:
    s = stack()
    (configuration,) = s.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert configuration.region == PRIMARY
    assert configuration.get("bucket") == one(s, "site-uploads", "Bucket").id
    (rule,) = configuration.get("rules")
    assert rule["id"] == "uploads-to-us-west-2"
    assert rule["destination"]["bucket"] == one(s, "site-dr-uploads", "Bucket").outputs["arn"]
    assert (
        rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
        == one(s, "site-us-west-2-data").outputs["arn"]
    )
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"] == {"status": "Enabled"}
    versionings = {r.urn for r in s.of_type("aws:s3/bucketVersioning:BucketVersioning")}
    assert len(versionings) == 2
    assert versionings <= set(configuration.dependencies)


def test_the_replication_role_names_exactly_the_buckets_and_keys() -> None:
    s = stack()
    statements = _replication_policy(s)["Statement"]
    resources: set[str] = set()
    for statement in statements:
        values = statement["Resource"]
        resources.update([values] if isinstance(values, str) else values)
    source, target = (
        one(s, "site-uploads", "Bucket").outputs["arn"],
        one(s, "site-dr-uploads", "Bucket").outputs["arn"],
    )
    source_key = one(s, "site-us-east-1-data").outputs["arn"]
    target_key = one(s, "site-us-west-2-data").outputs["arn"]
    assert resources == {source, f"{source}/*", f"{target}/*", source_key, target_key}
    by_sid = {st["Sid"]: st for st in statements}
    assert by_sid["DecryptWithTheKeyOfUsEast1"]["Resource"] == source_key
    assert by_sid["DecryptWithTheKeyOfUsEast1"]["Action"] == "kms:Decrypt"
    assert by_sid["EncryptWithTheKeyOfUsWest2"]["Resource"] == target_key
    assert by_sid["EncryptWithTheKeyOfUsWest2"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    }


def test_two_way_replication_adds_the_reverse_rule_in_the_dr_region() -> None:
    s = stack(bidirectional=True)
    configurations = s.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert len(configurations) == 2
    by_region = {c.region: c for c in configurations}
    assert set(by_region) == {PRIMARY, DR}
    (back,) = by_region[DR].get("rules")
    assert by_region[DR].get("bucket") == one(s, "site-dr-uploads", "Bucket").id
    assert back["id"] == "uploads-to-us-east-1"
    assert back["destination"]["bucket"] == one(s, "site-uploads", "Bucket").outputs["arn"]
    assert (
        back["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
        == one(s, "site-us-east-1-data").outputs["arn"]
    )
    assert back["sourceSelectionCriteria"]["replicaModifications"] == {"status": "Enabled"}
    # The role's statements: the one-way rule's, and the same again with the regions swapped.
    one_way = _replication_policy(stack())["Statement"]
    assert _replication_policy(s)["Statement"] == one_way + [_mirrored(st, s) for st in one_way]


def _mirrored(statement: dict[str, Any], s: Synthesis) -> dict[str, Any]:
    """``statement`` for replication the other way: buckets, keys and regions swapped."""
    swaps: dict[str, str] = {"UsEast1": "UsWest2", PRIMARY: DR}
    for first, second in (
        (one(s, "site-uploads", "Bucket"), one(s, "site-dr-uploads", "Bucket")),
        (one(s, "site-us-east-1-data"), one(s, "site-us-west-2-data")),
    ):
        swaps[first.outputs["arn"]] = second.outputs["arn"]
    swaps.update({value: key for key, value in swaps.items()})
    # Longest first: an ARN is swapped whole, before the region inside it could be.
    pattern = re.compile("|".join(re.escape(k) for k in sorted(swaps, key=len, reverse=True)))
    mirrored: dict[str, Any] = json.loads(
        pattern.sub(lambda match: swaps[match[0]], json.dumps(statement))
    )
    return mirrored


# --- Route 53 ------------------------------------------------------------------------------
def _records(s: Synthesis) -> list[RecordedResource]:
    records = s.of_type("aws:route53/record:Record")
    assert len(records) == 2
    return records


def test_failover_is_exactly_one_primary_and_one_secondary_with_health_checks() -> None:
    s = stack()
    records = _records(s)
    assert {r.get("name") for r in records} == {"www.example.com"}
    policies = sorted(
        (r.get("failoverRoutingPolicies")[0]["type"], r.get("setIdentifier")) for r in records
    )
    assert policies == [("PRIMARY", "primary-us-east-1"), ("SECONDARY", "secondary-us-west-2")]
    checks = {r.get("fqdn"): r.id for r in s.of_type("aws:route53/healthCheck:HealthCheck")}
    gate = one(s, "site-dns-serve-us-east-1")
    for record in records:
        region = record.get("setIdentifier").split("-", 1)[1]
        probe = checks[f"origin-{region}.www.example.com"]
        # The primary's record carries its probe AND the traffic switch; the secondary's, its probe.
        if region == PRIMARY:
            assert record.get("healthCheckId") == gate.id
            assert probe in gate.get("childHealthchecks")
        else:
            assert record.get("healthCheckId") == probe
        (alias,) = record.get("aliases")
        assert alias["name"] == one(s, f"site-{region}-alb").outputs["dnsName"]
        assert alias["evaluateTargetHealth"] is True
        assert record.get("latencyRoutingPolicies") is None


def test_the_traffic_switch_is_an_alarm_in_the_dr_region_that_keeps_its_state() -> None:
    """The runbook holds the primary out from the DR region (a metric of 0): the alarm lives
    there, keeps its state while no data comes, and Route 53 keeps its last verdict."""
    s = stack()
    alarm = one(s, "site-dns-traffic-switch")
    assert alarm.region == DR
    assert (alarm.get("namespace"), alarm.get("metricName")) == (
        "webstack/TrafficSwitch",
        "ServePrimary",
    )
    assert (alarm.get("statistic"), alarm.get("comparisonOperator"), alarm.get("threshold")) == (
        "Minimum",
        "LessThanThreshold",
        1,
    )
    assert alarm.get("treatMissingData") == "ignore"
    switch = one(s, "site-dns-switch-us-east-1")
    assert (switch.get("type"), switch.get("cloudwatchAlarmRegion")) == ("CLOUDWATCH_METRIC", DR)
    assert switch.get("cloudwatchAlarmName") == alarm.get("name") == "site-dns-traffic-switch"
    assert switch.get("insufficientDataHealthStatus") == "LastKnownStatus"
    gate = one(s, "site-dns-serve-us-east-1")
    assert gate.get("type") == "CALCULATED"
    assert gate.get("childHealthThreshold") == 2  # both: the probe passing, the switch serving
    assert switch.id in gate.get("childHealthchecks")


def test_latency_routing_is_one_health_checked_record_per_region() -> None:
    s = stack(routing="latency")
    records = _records(s)
    assert sorted(
        (r.get("setIdentifier"), r.get("latencyRoutingPolicies")[0]["region"]) for r in records
    ) == [(PRIMARY, PRIMARY), (DR, DR)]
    assert all(r.get("failoverRoutingPolicies") is None for r in records)
    assert all(r.get("healthCheckId") for r in records)


def test_health_checks_probe_healthz_over_https_at_the_timing_the_rto_counts() -> None:
    s = stack()
    checks = [
        c for c in s.of_type("aws:route53/healthCheck:HealthCheck") if c.get("type") == "HTTPS"
    ]
    assert [c.get("fqdn") for c in checks] == [
        f"origin-{region}.www.example.com" for region in (PRIMARY, DR)
    ]
    for check in checks:
        assert check.get("type") == "HTTPS"
        assert check.get("port") == 443
        assert check.get("resourcePath") == "/healthz"
        assert check.get("enableSni") is True
        assert check.get("requestInterval") == HEALTH_CHECK_INTERVAL_SECONDS
        assert check.get("failureThreshold") == HEALTH_CHECK_FAILURE_THRESHOLD
    assert DNS_FAILOVER_SECONDS == 30 * 3 + 60


# --- credentials ---------------------------------------------------------------------------
def test_the_master_secret_is_replicated_to_the_dr_region_with_the_dr_key() -> None:
    s = stack()
    secret = one(s, "site-db-master", "secret:Secret")
    assert secret.region == PRIMARY
    assert secret.get("kmsKeyId") == one(s, "site-us-east-1-data").outputs["arn"]
    assert secret.get("replicas") == [
        {"region": DR, "kmsKeyId": one(s, "site-us-west-2-data").outputs["arn"]}
    ]
    (stored,) = s.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    value = json.loads(stored.get("secretString"))
    assert set(value) == {"engine", "username", "password"}
    assert value["password"] == one(s, "site-db").get("masterPassword")
    assert len(value["password"]) == 40


def test_the_generated_password_travels_as_a_secret() -> None:
    s = stack()
    for resource, key in (
        (one(s, "site-db"), "masterPassword"),
        (one(s, "site-db-master", "secret:Secret"), None),
    ):
        if key is None:
            (resource,) = s.of_type("aws:secretsmanager/secretVersion:SecretVersion")
            key = "secretString"
        signature = resource.struct.fields[key].struct_value.fields[rpc._special_sig_key]
        assert signature.string_value == rpc._special_secret_sig, resource.name
    assert one(s, "site-db").get("manageMasterUserPassword") is None


def test_a_replica_secret_keeps_its_name_in_the_dr_region() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:site-db-master-AbCdEf"
    assert replica_arn(arn, DR) == (
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:site-db-master-AbCdEf"
    )
    with pytest.raises(ValueError, match="not a Secrets Manager secret ARN"):
        replica_arn("arn:aws:kms:us-east-1:123456789012:key/1", DR)


# --- objectives and plans ------------------------------------------------------------------
STRATEGIES = [s for s in DrStrategy if s is not DrStrategy.NONE]


LABELS = ("lower bound", "upper bound", "expected", "bound for")


@pytest.mark.parametrize("family", list(DatabaseFamily))
def test_every_strategy_has_an_rto_and_rpo_with_units_and_sources(family: DatabaseFamily) -> None:
    assert objectives(DrStrategy.NONE, family) is None
    found = [objectives(s, family) for s in STRATEGIES]
    assert len(found) == 4
    rtos, rpos = [], []
    for o in found:
        assert o is not None
        for objective in (o.rto, o.rpo, o.uploads_rpo):
            assert objective.value > 0
            # Says what the figure is, and cites public AWS documentation, never notes outside
            # the repository (issue 17).
            assert objective.source.startswith(LABELS), objective.source
            assert "https://docs.aws.amazon.com/" in objective.source
            assert "architecture notes" not in objective.source
            assert set(objective.as_output()) == {"value", "unit", "source"}
        rtos.append(o.rto.seconds)
        rpos.append(o.rpo.seconds)
    # Cheapest first: recovery gets faster with each strategy, never slower.
    assert rtos == sorted(rtos, reverse=True)
    assert len(set(rtos)) == 4
    assert rpos == sorted(rpos, reverse=True)


def test_the_published_aws_figures() -> None:
    aurora = objectives(DrStrategy.WARM_STANDBY, DatabaseFamily.AURORA)
    rds = objectives(DrStrategy.WARM_STANDBY, DatabaseFamily.RDS)
    assert aurora is not None and rds is not None
    assert aurora.rpo.as_output()["value"] == 1
    assert aurora.rpo.as_output()["unit"] == "seconds"
    assert rds.rpo.as_output()["value"] == 5
    assert rds.rpo.as_output()["unit"] == "minutes"
    backup = objectives(DrStrategy.BACKUP_RESTORE, DatabaseFamily.AURORA)
    assert backup is not None and backup.rpo.seconds == 24 * 3600


def test_the_rto_counts_what_the_runbook_waits_for() -> None:
    """Issue 17: pilot light's groups start from 0 (launch + health-check grace), a headless
    secondary first gets its writer instance, and DNS answers live for their TTL after the
    detection; the figure is the sum, called a lower bound."""
    warm = objectives(DrStrategy.WARM_STANDBY, DatabaseFamily.AURORA)
    pilot = objectives(DrStrategy.PILOT_LIGHT, DatabaseFamily.AURORA)
    slow_boot = objectives(
        DrStrategy.PILOT_LIGHT, DatabaseFamily.AURORA, health_check_grace_seconds=900
    )
    headless = objectives(DrStrategy.PILOT_LIGHT, DatabaseFamily.AURORA, headless=True)
    assert warm and pilot and slow_boot and headless
    # 90 s detection + 60 s promotion + 60 s launch + 300 s grace + 60 s TTL = 570 s, shown
    # as 10 minutes (rounded up). Before issue 17: 30 minutes from a range, none of it counted.
    assert pilot.rto.as_output()["value"] == 10 and pilot.rto.unit == "minutes"
    assert "Auto Scaling groups from 0: launch and health-check grace 360 s" in pilot.rto.source
    assert slow_boot.rto.seconds - pilot.rto.seconds == 600
    assert headless.rto.seconds - pilot.rto.seconds == 600
    assert "writer instance" in headless.rto.source
    for o in (pilot, headless, warm):
        assert o.rto.source.startswith("lower bound")
        assert "TTL" in o.rto.source and "detection" in o.rto.source


def test_the_uploads_rpo_is_bounded_only_with_replication_time_control() -> None:
    for strategy in STRATEGIES:
        found = objectives(strategy, DatabaseFamily.AURORA)
        assert found is not None
        rpo = found.uploads_rpo
        assert (rpo.value, rpo.unit) == (15, "minutes")
        bounded = strategy in (DrStrategy.WARM_STANDBY, DrStrategy.ACTIVE_ACTIVE)
        assert rpo.source.startswith("bound for" if bounded else "expected, NOT a bound")
        assert PLANS[strategy].s3_time_control is bounded


def test_what_each_strategy_runs_in_the_dr_region() -> None:
    assert list(PLANS) == list(DrStrategy)
    table = {
        s.value: (
            p.foundation,
            p.standby_size,
            p.database,
            p.cache,
            p.traffic,
            p.s3_replication,
            p.backup,
            p.write_forwarding,
            p.replica_multi_az,
            p.origin_group,
        )
        for s, p in PLANS.items()
    }
    assert table == {
        "none": (
            False, StandbySize.NONE, DatabaseMode.NONE, CacheMode.NONE, TrafficMode.NONE,
            S3Replication.NONE, False, False, False, False,
        ),
        "backup-restore": (
            False, StandbySize.NONE, DatabaseMode.NONE, CacheMode.NONE, TrafficMode.NONE,
            S3Replication.ONE_WAY, True, False, False, False,
        ),
        "pilot-light": (
            True, StandbySize.ZERO, DatabaseMode.SECONDARY, CacheMode.REGIONAL,
            TrafficMode.FAILOVER, S3Replication.ONE_WAY, False, False, False, False,
        ),
        "warm-standby": (
            True, StandbySize.REDUCED, DatabaseMode.SECONDARY, CacheMode.GLOBAL_DATASTORE,
            TrafficMode.FAILOVER, S3Replication.ONE_WAY, False, False, True, True,
        ),
        "active-active": (
            True, StandbySize.FULL, DatabaseMode.SECONDARY, CacheMode.REGIONAL,
            TrafficMode.LATENCY, S3Replication.TWO_WAY, False, True, True, True,
        ),
    }  # fmt: skip
