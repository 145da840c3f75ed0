"""The moto world built from the program's own resources (world.py), the runbook against it, and
the loopback fault proxy (faults.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config
from botocore.parsers import ResponseParserError

from ops.outputs import parse_outputs
from tests.ops import flows, support, world
from tests.ops.faults import FaultProxy

STACKS = ["dev", "dr-backup", "dr-pilot", "dr-pilotrds", "dr-warmrds", "dr-active", "prod"]

# What `verify` warns about in each shipped stack: what the program really lacks (none fails).
WARNINGS = {
    # dev: no deletion protection (advice outside prod)
    "dev": ["us-east-1/database/deletion-protection"],
    "dr-backup": [],
    # the Aurora DR secondary runs webstack:dr.secondaryReaders = 1 instance (one AZ), so the
    # writer a failover promotes has no standby in another AZ
    "dr-pilot": ["us-east-2/database/multi-az"],
    # pilot light: the cross-Region replica is Single-AZ (multiAz unset on the replica)
    "dr-pilotrds": ["us-west-2/database/multi-az"],
    "dr-warmrds": [],
    "dr-active": ["us-west-2/database/multi-az"],
    "prod": ["us-west-2/database/multi-az"],
}


@pytest.fixture(scope="module", params=STACKS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> world.World:
    return world.build_world(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture
def stack(built: world.World) -> world.World:
    """The module's world of this stack, rebuilt if another test built another one since."""
    if world.current() is not built:
        return world.build_world(built.stack, built.path.parent)
    return built


def _regions(outputs: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in (outputs["primary"], outputs["dr"]["standby"]) if r is not None]


def test_every_id_the_outputs_name_exists_in_moto(stack: world.World) -> None:
    o = stack.outputs
    parse_outputs(stack.path.read_text())
    for region in _regions(o):
        r = region["region"]
        assert support.client("kms", r).describe_key(KeyId=region["dataKeyArn"])["KeyMetadata"]
        for key in ("web", "app"):
            tier = region[key]
            if tier is None:
                continue
            group = support.client("autoscaling", r).describe_auto_scaling_groups(
                AutoScalingGroupNames=[tier["asgName"]]
            )["AutoScalingGroups"][0]
            assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (
                tier["minSize"],
                tier["desiredCapacity"],
                tier["maxSize"],
            )
            assert group["TargetGroupARNs"] == [tier["targetGroupArn"]]
            health = support.client("elbv2", r).describe_target_health(
                TargetGroupArn=tier["targetGroupArn"]
            )["TargetHealthDescriptions"]
            assert [h["TargetHealth"]["State"] for h in health] == ["healthy"] * len(
                group["Instances"]
            )
        lb = support.client("elbv2", r).describe_load_balancers(
            LoadBalancerArns=[region["loadBalancer"]["arn"]]
        )["LoadBalancers"][0]
        assert lb["DNSName"] == region["loadBalancer"]["dnsName"]
        groups = support.client("ec2", r).describe_security_groups(
            GroupIds=region["securityGroupIds"]
        )["SecurityGroups"]
        assert len(groups) == len(region["securityGroupIds"])
        encryption = support.client("s3", r).get_bucket_encryption(Bucket=region["uploadsBucket"])
        rule = encryption["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == region["dataKeyArn"]
        db = region["database"]
        rds = support.client("rds", r)
        if db["family"] == "aurora":
            cluster = rds.describe_db_clusters(DBClusterIdentifier=db["clusterId"])["DBClusters"][0]
            assert cluster["DBClusterArn"] == db["clusterArn"]
            assert cluster["KmsKeyId"] == region["dataKeyArn"]
            members = {m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]}
            assert members == set(db["instanceIds"])
        else:
            for name in db["instanceIds"]:
                assert rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
        if region["cache"] is not None:
            assert support.client("elasticache", r).describe_replication_groups(
                ReplicationGroupId=region["cache"]["replicationGroupId"]
            )["ReplicationGroups"]
    _dr_exists(o)


def _dr_exists(o: dict[str, Any]) -> None:
    dr = o["dr"]
    db = dr["database"]
    if db is not None and db["family"] == "aurora":
        found = support.client("rds", dr["region"]).describe_global_clusters(
            GlobalClusterIdentifier=db["globalClusterId"]
        )["GlobalClusters"][0]
        writers = {m["DBClusterArn"]: m["IsWriter"] for m in found["GlobalClusterMembers"]}
        assert writers == {
            o["primary"]["database"]["clusterArn"]: True,
            db["secondaryClusterArn"]: False,
        }
    elif db is not None:
        replica = support.client("rds", dr["region"]).describe_db_instances(
            DBInstanceIdentifier=db["replicaInstanceId"]
        )["DBInstances"][0]
        assert replica["DBInstanceArn"] == db["replicaInstanceArn"]
        assert (
            replica["ReadReplicaSourceDBInstanceIdentifier"]
            == o["primary"]["database"]["instanceArn"]
        )
    if dr["cache"] is not None:
        members = support.DATASTORES.groups[dr["cache"]["globalReplicationGroupId"]]
        assert [(m["ReplicationGroupId"], m["Role"]) for m in members] == [
            (dr["cache"]["primaryReplicationGroupId"], "PRIMARY"),
            (dr["cache"]["secondaryReplicationGroupId"], "SECONDARY"),
        ]
    if dr["dns"] is not None:
        route53 = support.client("route53", "us-east-1")
        sets = route53.list_resource_record_sets(HostedZoneId=dr["dns"]["zoneId"])
        live = {
            s["SetIdentifier"]: s
            for s in sets["ResourceRecordSets"]
            if s["Name"] == dr["dns"]["recordName"] + "." and "SetIdentifier" in s
        }
        for record in dr["dns"]["records"]:
            carried = record["recordHealthCheckId"] or record["healthCheckId"]
            assert live[record["setIdentifier"]]["HealthCheckId"] == carried
            assert route53.get_health_check(HealthCheckId=record["healthCheckId"])
        # The primary's record carries its probe AND the traffic switch, all of them in moto.
        switch = dr["dns"]["trafficSwitch"]
        (primary,) = [r for r in dr["dns"]["records"] if r["region"] == o["primary"]["region"]]
        gate = route53.get_health_check(HealthCheckId=primary["recordHealthCheckId"])
        assert gate["HealthCheck"]["HealthCheckConfig"]["Type"] == "CALCULATED"
        assert set(gate["HealthCheck"]["HealthCheckConfig"]["ChildHealthChecks"]) == {
            primary["healthCheckId"],
            switch["healthCheckId"],
        }
        follows = route53.get_health_check(HealthCheckId=switch["healthCheckId"])
        assert follows["HealthCheck"]["HealthCheckConfig"]["Type"] == "CLOUDWATCH_METRIC"
        alarms = support.client("cloudwatch", switch["region"]).describe_alarms()["MetricAlarms"]
        switches = [a for a in alarms if a.get("Namespace") == switch["namespace"]]
        assert [a["MetricName"] for a in switches] == [switch["metricName"]]
    if dr["replication"] is not None:
        rep = dr["replication"]
        rules = []
        pairs = [(o["primary"]["region"], rep["sourceBucket"], rep["replicaBucket"])]
        if rep["bidirectional"]:
            pairs.append((dr["region"], rep["replicaBucket"], rep["sourceBucket"]))
        for region, source, target in pairs:
            config = support.client("s3", region).get_bucket_replication(Bucket=source)
            for rule in config["ReplicationConfiguration"]["Rules"]:
                assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{target}"
                rules.append(rule["ID"])
        assert rules == list(rep["ruleIds"])


def test_status_reports_no_failed_check(stack: world.World) -> None:
    code, out, err = flows.run(["status", "--outputs", str(stack.path), "--json"])
    assert code == 0, err
    failed = [c for c in json.loads(out)["checks"] if c["status"] == "fail"]
    assert failed == []


def test_verify_passes_and_warns_only_of_what_the_program_lacks(stack: world.World) -> None:
    code, out, err = flows.run(["verify", "--outputs", str(stack.path), "--json"])
    report = json.loads(out)
    assert (code, report["failed"]) == (0, []), err
    warned = [c["name"] for c in report["checks"] if c["status"] == "warn"]
    assert warned == WARNINGS[stack.stack]


def test_the_world_follows_the_program(tmp_path: Path) -> None:
    """A config change (a web tier of 3 to 5 instances instead of 2 to 3) changes the ASG in moto,
    and the outputs name it."""
    web = {"instanceType": "t4g.micro", "minSize": 3, "maxSize": 5, "targetCpu": 60, "port": 80}
    _, outputs = world.build("dev", tmp_path, overrides={"webstack:web": web})
    tier = outputs["primary"]["web"]
    group = support.client("autoscaling", "us-east-1").describe_auto_scaling_groups(
        AutoScalingGroupNames=[tier["asgName"]]
    )["AutoScalingGroups"][0]
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (3, 3, 5)
    assert len(group["Instances"]) == 3
    assert (tier["minSize"], tier["maxSize"]) == (3, 5)


# --- the fault proxy --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxy() -> Iterator[FaultProxy]:
    with FaultProxy(support.moto_url(), hold_seconds=5) as made:
        yield made


@pytest.fixture
def fresh(proxy: FaultProxy) -> FaultProxy:
    proxy.passthrough()
    return proxy


def _rds(proxy: FaultProxy, retries: dict[str, Any]) -> Any:
    config = Config(connect_timeout=1, read_timeout=2, retries=retries)
    return support.session().client(
        "rds", region_name="us-east-1", endpoint_url=proxy.url, config=config
    )


# botocore's `max_attempts` counts retries, not attempts: one attempt is total_max_attempts=1.
ONCE = {"total_max_attempts": 1}


def test_refused_connections_fail_at_once_and_the_port_reopens(fresh: FaultProxy) -> None:
    port = fresh.port
    fresh.refuse()
    rds = _rds(fresh, ONCE)  # made before the clock starts: a loaded machine makes it slowly
    started = time.monotonic()
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        rds.describe_db_instances()
    assert time.monotonic() - started < 1
    fresh.passthrough()
    assert fresh.port == port
    assert _rds(fresh, ONCE).describe_db_instances()["DBInstances"] is not None


def test_a_hung_endpoint_times_out_on_read(fresh: FaultProxy) -> None:
    fresh.hang()
    rds = _rds(fresh, ONCE)
    started = time.monotonic()
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        rds.describe_db_instances()
    assert 1.5 < time.monotonic() - started < 4


def test_standard_retries_ride_out_throttling(fresh: FaultProxy) -> None:
    fresh.throttle(1)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _rds(fresh, ONCE).describe_db_instances()
    assert raised.value.response["Error"]["Code"] == "Throttling"
    fresh.throttle(2)
    before = fresh.count
    _rds(fresh, {"mode": "standard", "max_attempts": 2}).describe_db_instances()
    assert [s.action for s in fresh.seen[before:]] == ["DescribeDBInstances"] * 3


def test_a_plain_text_503_is_not_a_client_error_for_query_services(fresh: FaultProxy) -> None:
    """What botocore raises for an HTML/plain-text 503 (a load balancer in front of the API) to
    a query-protocol client: ResponseParserError, neither a ClientError nor a BotoCoreError, and
    standard retries do not retry it."""
    fresh.fail5xx(1)
    before = fresh.count
    with pytest.raises(ResponseParserError, match="Service Unavailable"):
        _rds(fresh, {"mode": "standard", "max_attempts": 2}).describe_db_instances()
    assert fresh.count - before == 1
    assert not issubclass(ResponseParserError, botocore.exceptions.BotoCoreError)


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("route53", "list_hosted_zones", "Throttling"),
        ("ec2", "describe_vpcs", "Throttling"),
        ("cloudwatch", "list_metrics", "Throttling"),
        ("autoscaling", "describe_auto_scaling_groups", "Throttling"),
    ],
)
def test_throttling_speaks_each_protocol(
    fresh: FaultProxy, service: str, call: str, code: str
) -> None:
    config = Config(connect_timeout=1, read_timeout=2, retries=ONCE)
    client = support.session().client(
        service, region_name="us-east-1", endpoint_url=fresh.url, config=config
    )
    fresh.throttle(1)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        getattr(client, call)()
    assert raised.value.response["Error"]["Code"] == code
    getattr(client, call)()  # then passes through


def test_the_runbook_rides_out_throttling_in_the_primary_region(
    tmp_path: Path, fresh: FaultProxy
) -> None:
    built = world.current() or world.build_world("dr-pilotrds", tmp_path)
    path = built.path
    aws = support.make_aws({"*": support.moto_url(), "us-east-1": fresh.url})
    fresh.throttle(2)
    before = fresh.count
    code, out, err = flows.run(["status", "--outputs", str(path), "--json"], aws=aws)
    assert code == 0, err
    assert [c for c in json.loads(out)["checks"] if c["status"] == "fail"] == []
    assert fresh.count - before > 2
