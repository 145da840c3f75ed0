"""The database: per engine, isolated, encrypted, TLS-only, backed up, protected in production."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import StackConfig, load
from components.config.errors import ConfigError
from tests.support.assertions import assert_final_snapshot_is_suffixed, key_arn
from tests.support.synth import synth
from tests.support.tokens import (
    CLOUDWATCH_LOG_GROUP,
    DATABASE_COMPONENTS,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    RDS_PROXY,
    RDS_PROXY_TARGET,
    RDS_SUBNET_GROUP,
)
from tools.mockcloud import RecordedResource, Synthesis

AURORA = ["aurora-postgresql", "aurora-mysql"]
RDS = ["postgres", "mysql"]
ENGINES = AURORA + RDS
AZ_COUNT = {"dev": 2, "prod": 3}
# The logs each engine exports to CloudWatch.
EXPORTED_LOGS = [
    ("aurora-postgresql", ["postgresql"]),
    ("aurora-mysql", ["audit", "error", "general", "slowquery"]),
    ("postgres", ["postgresql"]),
    ("mysql", ["audit", "error", "general", "slowquery"]),
]


def stack_with(engine: str, stack: str = "dev", **database: Any) -> Synthesis:
    """The stack deployed to the mock cloud with the database engine (and settings) given."""
    result = synth(stack, {"webstack:database": {"engine": engine, **database}}, preview=False)
    assert result.error is None, result.error
    return result


def primary(stack: Synthesis) -> RecordedResource:
    """The resource that holds the data: the Aurora cluster or the RDS source instance."""
    clusters = stack.of_type(RDS_CLUSTER)
    if clusters:
        assert len(clusters) == 1
        return clusters[0]
    sources = [r for r in stack.of_type(RDS_INSTANCE) if not r.get("replicateSourceDb")]
    assert len(sources) == 1
    return sources[0]


def replicas(stack: Synthesis, readers: int = 1) -> list[RecordedResource]:
    """The RDS source's ``readers`` read replicas (the shipped stacks have one reader); none with
    Aurora, whose readers are cluster instances."""
    found = [r for r in stack.of_type(RDS_INSTANCE) if r.get("replicateSourceDb")]
    assert len(found) == (0 if stack.of_type(RDS_CLUSTER) else readers)
    return found


def database_instances(stack: Synthesis, readers: int = 1) -> list[RecordedResource]:
    """Every instance that serves queries: Aurora instances, or the RDS source and replicas; the
    writer and ``readers`` readers (the shipped stacks have one)."""
    found = stack.of_type(RDS_CLUSTER_INSTANCE) + stack.of_type(RDS_INSTANCE)
    assert len(found) == 1 + readers
    return found


def data_key_arn(stack: Synthesis) -> str:
    return key_arn(stack, "data")


def parameters(group: RecordedResource) -> dict[str, str]:
    return {p["name"]: p["value"] for p in group.get("parameters") or []}


def group_behind(stack: Synthesis, resource: RecordedResource, prop: str) -> RecordedResource:
    """The parameter group a property names (followed through the recorded dependency)."""
    urns = resource.property_dependencies.get(prop, ())
    assert len(urns) == 1, f"{resource.name}.{prop} does not come from one resource"
    return stack.by_urn(urns[0])


@pytest.mark.parametrize("engine", ENGINES)
def test_the_database_lives_only_in_the_data_subnets_of_every_az(engine: str) -> None:
    stack = stack_with(engine)
    groups = stack.of_type(RDS_SUBNET_GROUP)
    assert len(groups) == 1
    group = groups[0]
    tiers = [stack.by_id(i).get("tags", "Tier") for i in group.get("subnetIds")]
    zones = {stack.by_id(i).get("availabilityZone") for i in group.get("subnetIds")}
    assert tiers == ["data"] * AZ_COUNT["dev"]
    assert len(zones) == AZ_COUNT["dev"]
    for resource in [primary(stack), *database_instances(stack)]:
        assert resource.get("dbSubnetGroupName") == group.get("name") is not None


@pytest.mark.parametrize("engine", ENGINES)
def test_the_database_admits_only_its_security_group_and_is_never_public(engine: str) -> None:
    stack = stack_with(engine)
    groups = primary(stack).get("vpcSecurityGroupIds")
    assert [stack.by_id(g).get("tags", "Tier") for g in groups] == ["database"]
    for instance in database_instances(stack):
        assert instance.get("publiclyAccessible") is False, instance.name


@pytest.mark.parametrize("engine", ENGINES)
def test_storage_secrets_and_insights_are_encrypted_with_the_data_key(engine: str) -> None:
    stack = stack_with(engine)
    key = data_key_arn(stack)
    source = primary(stack)
    assert source.get("storageEncrypted") is True
    assert source.get("kmsKeyId") == key
    assert source.get("masterUserSecretKmsKeyId") == key
    for replica in replicas(stack):
        assert replica.get("storageEncrypted") is True
        assert replica.get("kmsKeyId") == key
    for instance in database_instances(stack):
        assert instance.get("performanceInsightsEnabled") is True, instance.name
        assert instance.get("performanceInsightsKmsKeyId") == key, instance.name


@pytest.mark.parametrize("engine", ENGINES)
def test_rds_keeps_the_master_password_and_no_password_is_ever_an_input(engine: str) -> None:
    stack = stack_with(engine)
    source = primary(stack)
    assert source.get("manageMasterUserPassword") is True
    assert source.get("masterUsername" if engine in AURORA else "username") == "app_admin"
    for resource in stack.resources:
        if resource.type.startswith("aws:rds/"):
            for field in ("masterPassword", "masterPasswordWo", "password", "passwordWo"):
                assert field not in resource.inputs, f"{resource.name} sets {field}"
    secrets = source.outputs.get("masterUserSecrets")
    assert secrets and secrets[0]["secretArn"]
    assert stack.outputs["databaseSecretArn"] == secrets[0]["secretArn"]


@pytest.mark.parametrize("engine", ENGINES)
def test_iam_database_authentication_is_on(engine: str) -> None:
    stack = stack_with(engine)
    assert primary(stack).get("iamDatabaseAuthenticationEnabled") is True
    for replica in replicas(stack):
        assert replica.get("iamDatabaseAuthenticationEnabled") is True


@pytest.mark.parametrize(
    ("engine", "setting", "value", "family"),
    [
        ("aurora-postgresql", "rds.force_ssl", "1", "aurora-postgresql16"),
        ("aurora-mysql", "require_secure_transport", "ON", "aurora-mysql8.0"),
        ("postgres", "rds.force_ssl", "1", "postgres16"),
        # RDS for MySQL spells booleans 1/0; Aurora MySQL's cluster groups spell them ON/OFF.
        ("mysql", "require_secure_transport", "1", "mysql8.4"),
    ],
)
def test_a_parameter_group_of_the_engine_family_refuses_connections_without_tls(
    engine: str, setting: str, value: str, family: str
) -> None:
    stack = stack_with(engine)
    source = primary(stack)
    prop = "dbClusterParameterGroupName" if engine in AURORA else "parameterGroupName"
    group = group_behind(stack, source, prop)
    assert group.get("family") == family
    assert parameters(group).get(setting) == value
    for instance in database_instances(stack):
        prop = "dbParameterGroupName" if engine in AURORA else "parameterGroupName"
        assert group_behind(stack, instance, prop).get("family") == family


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_backups_follow_the_config_and_copy_tags(engine: str, stack_name: str) -> None:
    stack = stack_with(engine, stack_name)
    source = primary(stack)
    aurora = engine in AURORA
    assert source.get("backupRetentionPeriod") == {"dev": 1, "prod": 14}[stack_name]
    assert source.get("preferredBackupWindow" if aurora else "backupWindow") == "03:00-04:00"
    assert (
        source.get("preferredMaintenanceWindow" if aurora else "maintenanceWindow")
        == "sun:05:00-sun:06:00"
    )
    assert source.get("copyTagsToSnapshot") is True
    assert source.get("deleteAutomatedBackups") is False


@pytest.mark.parametrize("engine", ENGINES)
def test_destroying_the_database_leaves_a_final_snapshot_with_a_unique_name(engine: str) -> None:
    stack = stack_with(engine)
    source = primary(stack)
    identifier = source.get("clusterIdentifier" if engine in AURORA else "identifier")
    assert identifier == "webstack-dev-db"
    assert source.get("skipFinalSnapshot") is False
    assert_final_snapshot_is_suffixed(stack, source, identifier)


def test_the_final_snapshot_name_is_unknown_until_the_suffix_exists(dev_preview: Synthesis) -> None:
    cluster = primary(dev_preview)
    # A first preview: the random suffix is not known yet (recorded as None), never a fixed name.
    assert cluster.get("finalSnapshotIdentifier") is None
    assert cluster.is_unknown("finalSnapshotIdentifier")


def expected_log_groups(stack: Synthesis, engine: str, logs: list[str]) -> dict[str, list[str]]:
    """Identifier of each exporting resource -> the log groups RDS writes its logs to."""
    if engine in AURORA:
        identifier = primary(stack).get("clusterIdentifier")
        return {identifier: [f"/aws/rds/cluster/{identifier}/{t}" for t in logs]}
    return {
        i.get("identifier"): [f"/aws/rds/instance/{i.get('identifier')}/{t}" for t in logs]
        for i in stack.of_type(RDS_INSTANCE)
    }


@pytest.mark.parametrize(("engine", "logs"), EXPORTED_LOGS)
def test_exported_logs_land_in_encrypted_expiring_groups_made_before_the_database(
    engine: str, logs: list[str]
) -> None:
    # Left to RDS, /aws/rds/... groups are created unencrypted and kept forever.
    stack = stack_with(engine, "dev", readers=2)
    (component,) = [r for r in stack.resources if r.type in DATABASE_COMPONENTS]
    groups = {
        g.get("name"): g for g in stack.of_type(CLOUDWATCH_LOG_GROUP) if g.parent == component.urn
    }
    expected = expected_log_groups(stack, engine, logs)
    assert len(expected) == (1 if engine in AURORA else 3)  # RDS: the source and two replicas
    assert sorted(groups) == sorted(n for names in expected.values() for n in names)
    for group in groups.values():
        assert group.get("kmsKeyId") == key_arn(stack, "logs"), group.name
        assert group.get("retentionInDays") == 90, group.name
    exporters = stack.of_type(RDS_CLUSTER) if engine in AURORA else stack.of_type(RDS_INSTANCE)
    assert len(exporters) == len(expected)
    for exporter in exporters:
        identifier = exporter.get("clusterIdentifier" if engine in AURORA else "identifier")
        assert exporter.get("enabledCloudwatchLogsExports") == logs
        assert {groups[n].urn for n in expected[identifier]} <= set(exporter.dependencies)


@pytest.mark.parametrize("engine", ["aurora-mysql", "mysql"])
@pytest.mark.parametrize(("stack_name", "protected"), [("dev", False), ("prod", True)])
def test_the_database_log_groups_are_protected_in_production_only(
    engine: str, stack_name: str, protected: bool
) -> None:
    stack = stack_with(engine, stack_name)
    groups = [
        g for g in stack.of_type(CLOUDWATCH_LOG_GROUP) if str(g.get("name")).startswith("/aws/rds/")
    ]
    # four logs (audit, error, general, slowquery) of the cluster, or of the source and replica
    assert len(groups) == (4 if engine in AURORA else 8)
    assert {g.protect for g in groups} == {protected}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("stack_name", "protected"), [("dev", False), ("prod", True)])
def test_deletion_protection_and_protect_in_production_only(
    engine: str, stack_name: str, protected: bool
) -> None:
    stack = stack_with(engine, stack_name)
    source = primary(stack)
    assert source.get("deletionProtection") is protected
    assert source.protect is protected
    for instance in database_instances(stack):
        assert instance.protect is protected, instance.name


@pytest.mark.parametrize("engine", ENGINES)
def test_an_automatic_minor_upgrade_never_shows_up_as_a_diff(engine: str) -> None:
    stack = stack_with(engine)
    assert "engineVersion" in primary(stack).ignore_changes
    for instance in database_instances(stack):
        assert instance.get("autoMinorVersionUpgrade") is True


@pytest.mark.parametrize("engine", AURORA)
def test_aurora_puts_a_writer_and_each_reader_in_a_different_az(engine: str) -> None:
    stack = stack_with(engine, "prod", readers=2)
    cluster = primary(stack)
    # Setting the cluster's AZs diffs forever and replaces it (pulumi#5637).
    assert "availabilityZones" not in cluster.inputs
    instances = stack.of_type(RDS_CLUSTER_INSTANCE)
    assert len(instances) == 3
    zones = [i.get("availabilityZone") for i in instances]
    assert None not in zones
    assert len(set(zones)) == 3
    for instance in instances:
        assert instance.get("clusterIdentifier") == cluster.get("clusterIdentifier")
        assert instance.get("engine") == engine
        assert instance.get("instanceClass") == "db.r6g.large"


@pytest.mark.parametrize("engine", RDS)
def test_rds_is_multi_az_with_read_replicas_in_other_azs(engine: str) -> None:
    stack = stack_with(engine, "prod", readers=2)
    source = primary(stack)
    assert source.get("multiAz") is True
    copies = replicas(stack, readers=2)
    assert {r.get("replicateSourceDb") for r in copies} == {source.outputs.get("arn")}
    zones = [r.get("availabilityZone") for r in copies]
    assert None not in zones
    assert len(set(zones)) == 2
    # AWS refuses a final snapshot of a replica; the source's backups hold the data.
    assert {r.get("skipFinalSnapshot") for r in copies} == {True}


@pytest.mark.parametrize("engine", ENGINES)
def test_enhanced_monitoring_uses_a_role_rds_monitoring_can_assume(engine: str) -> None:
    stack = stack_with(engine)
    for instance in database_instances(stack):
        assert instance.get("monitoringInterval") == 60
        role = stack.by_arn(instance.get("monitoringRoleArn"))
        trust = json.loads(role.get("assumeRolePolicy"))
        assert [s["Principal"] for s in trust["Statement"]] == [
            {"Service": "monitoring.rds.amazonaws.com"}
        ]
        role_name = role.outputs.get("name")
        assert role_name
        attached = [
            a for a in stack.of_type(IAM_ROLE_POLICY_ATTACHMENT) if a.get("role") == role_name
        ]
        assert [a.get("policyArn") for a in attached] == [
            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
        ]


@pytest.mark.parametrize(("engine", "logs"), EXPORTED_LOGS)
def test_database_logs_are_exported_to_cloudwatch(engine: str, logs: list[str]) -> None:
    assert primary(stack_with(engine)).get("enabledCloudwatchLogsExports") == logs


def test_the_smallest_classes_run_without_performance_insights_which_they_do_not_support() -> None:
    stack = stack_with("mysql", instanceClass="db.t4g.small")
    for instance in database_instances(stack):
        assert instance.get("performanceInsightsEnabled") is False
        assert "performanceInsightsKmsKeyId" not in instance.inputs


def test_without_proxy_there_is_none(dev_deployed: Synthesis) -> None:
    assert not dev_deployed.of_type(RDS_PROXY)
    assert dev_deployed.outputs["databaseProxyEndpoint"] is None


@pytest.mark.parametrize("engine", ENGINES)
def test_the_proxy_requires_tls_and_iam_and_signs_in_with_the_managed_secret(engine: str) -> None:
    stack = stack_with(engine, proxy=True)
    proxies = stack.of_type(RDS_PROXY)
    assert len(proxies) == 1
    proxy = proxies[0]
    secret_arn = stack.outputs["databaseSecretArn"]
    assert secret_arn
    assert proxy.get("requireTls") is True
    assert proxy.get("engineFamily") == ("POSTGRESQL" if "postgres" in engine else "MYSQL")
    assert proxy.get("auths") == [
        {
            "authScheme": "SECRETS",
            "secretArn": secret_arn,
            "iamAuth": "REQUIRED",
            "description": "Clients sign in with IAM; the proxy uses the master secret",
        }
    ]
    subnets = [stack.by_id(s) for s in proxy.get("vpcSubnetIds")]
    assert [s.get("tags", "Tier") for s in subnets] == ["app"] * AZ_COUNT["dev"]
    assert [stack.by_id(g).get("tags", "Tier") for g in proxy.get("vpcSecurityGroupIds")] == [
        "database-proxy"
    ]
    assert stack.outputs["databaseProxyEndpoint"] == proxy.outputs.get("endpoint")

    role = stack.by_arn(proxy.get("roleArn"))
    trust = json.loads(role.get("assumeRolePolicy"))
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "rds.amazonaws.com"}]
    (policy,) = [p for p in stack.of_type(IAM_ROLE_POLICY) if p.get("role") == role.outputs["id"]]
    statements = json.loads(policy.get("policy"))["Statement"]
    assert {s["Sid"]: s["Resource"] for s in statements} == {
        "ReadTheMasterSecret": secret_arn,
        "DecryptTheMasterSecret": data_key_arn(stack),
    }

    (target,) = stack.of_type(RDS_PROXY_TARGET)
    source = primary(stack)
    if engine in AURORA:
        assert target.get("dbClusterIdentifier") == source.get("clusterIdentifier")
    else:
        assert target.get("dbInstanceIdentifier") == source.get("identifier")


def test_every_database_resource_is_a_child_of_the_database_component(
    prod_primary_preview: Synthesis,
) -> None:
    (component,) = [r for r in prod_primary_preview.resources if r.type in DATABASE_COMPONENTS]
    children = {r.urn for r in prod_primary_preview.children(component.urn)}
    for token, count in ((RDS_CLUSTER, 1), (RDS_CLUSTER_INSTANCE, 2), (RDS_SUBNET_GROUP, 1)):
        resources = prod_primary_preview.of_type(token)
        assert len(resources) == count, token
        for resource in resources:
            assert resource.urn in children, resource.name


def test_the_outputs_name_the_endpoints_port_and_secret(prod_primary_deployed: Synthesis) -> None:
    cluster = primary(prod_primary_deployed)
    outputs = prod_primary_deployed.outputs
    assert outputs["databaseEndpoint"] == cluster.outputs["endpoint"] is not None
    assert outputs["databaseReaderEndpoint"] == cluster.outputs["readerEndpoint"] is not None
    assert outputs["databasePort"] == 5432


# --- configuration ----------------------------------------------------------------------------


def _load(database: dict[str, Any]) -> StackConfig:
    return load({"database": database}, stack="dev", region="us-east-1")


@pytest.mark.parametrize(
    ("database", "message"),
    [
        (
            {"backupWindow": "05:30-06:30"},
            "webstack:database.backupWindow is '05:30-06:30'; accepted: a window that does not "
            "overlap maintenanceWindow (sun:05:00-sun:06:00)",
        ),
        (
            # Crosses midnight into Monday's maintenance.
            {"backupWindow": "23:45-00:15", "maintenanceWindow": "mon:00:00-mon:01:00"},
            "webstack:database.backupWindow is '23:45-00:15'; accepted: a window that does not "
            "overlap",
        ),
        ({"backupWindow": "03:00-03:10"}, "accepted: at least 30 minutes"),
        ({"backupWindow": "24:00-25:00"}, "hours 00-23"),
        (
            {"engine": "aurora-mysql", "engineVersion": "8.0"},
            "webstack:database.engineVersion is '8.0'; accepted: a version of aurora-mysql such "
            "as 8.0.mysql_aurora.3.10.3",
        ),
    ],
)
def test_bad_database_windows_and_versions_are_refused(
    database: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        _load(database)
    assert message in str(error.value)


def test_windows_that_merely_touch_are_accepted() -> None:
    # Accepted: the config loads (no ConfigError) and keeps both windows as written.
    touching = _load({"backupWindow": "04:00-05:00", "maintenanceWindow": "sun:05:00-sun:06:00"})
    assert touching.database.backup_window == "04:00-05:00"
    assert touching.database.maintenance_window == "sun:05:00-sun:06:00"
    mysql = _load({"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.08.2"})
    assert mysql.database.engine_version == "8.0.mysql_aurora.3.08.2"
