"""Shared helpers of the ops tests: one moto server per session, seeding both regions of a
fixture's outputs, and the fake credentials and endpoints the CLI is pointed at."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.awsrequest
import pytest
from moto.core.responses import ActionResult
from moto.rds.models import DBCluster, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse
from moto.server import ThreadedMotoServer

from ops.aws import Aws

logging.getLogger("werkzeug").setLevel(logging.ERROR)

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "123456789012"
CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}
_server: dict[str, Any] = {}


def moto_url() -> str:
    """Start moto's server on loopback once per test session."""
    if "url" not in _server:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        _server.update(server=server, url=f"http://{host}:{port}")
    return str(_server["url"])


def reset() -> None:
    request = urllib.request.Request(f"{moto_url()}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def closed_port_url() -> str:
    """An endpoint on loopback that refuses connections (a region that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def fresh_session() -> boto3.Session:
    """A session of its own, for tests that register event hooks on it."""
    made = boto3.Session(**CREDENTIALS)
    DATASTORES.answer_on(made)
    return made


def plain_session() -> boto3.Session:
    """A session without the global datastore hook (for Stubber tests)."""
    return boto3.Session(**CREDENTIALS)


_shared: dict[str, Any] = {}
_clients: dict[tuple[str, str], Any] = {}


def session() -> boto3.Session:
    """One session for the test run: loading service models is most of a client's cost."""
    if "session" not in _shared:
        _shared["session"] = boto3.Session(**CREDENTIALS)
        DATASTORES.answer_on(_shared["session"])
    shared: boto3.Session = _shared["session"]
    return shared


def make_aws(
    endpoints: dict[str, str] | None = None, boto_session: boto3.Session | None = None
) -> Aws:
    return Aws(
        session=boto_session or session(),
        endpoints=endpoints or {"*": moto_url()},
        connect_timeout=1.0,
        read_timeout=10.0,
        max_attempts=3,
    )


def client(service: str, region: str) -> Any:
    if (service, region) not in _clients:
        _clients[(service, region)] = session().client(
            service, region_name=region, endpoint_url=moto_url()
        )
    return _clients[(service, region)]


# --- what moto 5.2.5 does not model ------------------------------------------------------------
#
# The server runs in this process, so after moto answers a call the tests can apply to moto's own
# backend the state change AWS makes. Each fix-up below names the gap and AWS's documented effect;
# the tool under test is unchanged and still waits for that effect before it moves on.


def _remove_from_global_cluster(
    self: RDSBackend, global_cluster_identifier: str, db_cluster_identifier: str
) -> Any:
    """moto does not model: RemoveFromGlobalCluster sent to the secondary's region (moto looks the
    global cluster up in that region's backend only - it lives in the primary's - answers 200 and
    keeps the member). The test applies AWS's documented effect ("Detaches an Aurora secondary
    cluster from an Aurora global database cluster. The cluster becomes a standalone cluster with
    read-write capability instead of being read-only"): the member leaves the global cluster, the
    cluster has no global cluster identifier and is a writer."""
    answer = _ORIGINAL["remove_from_global_cluster"](
        self, global_cluster_identifier, db_cluster_identifier
    )
    cluster = _cluster(self, db_cluster_identifier)
    for backend in rds_backends[self.account_id].values():
        found = backend.global_clusters.get(global_cluster_identifier)
        if found is not None and cluster in found.members:
            found.members.remove(cluster)
            answer = found
    cluster.global_cluster_identifier = None
    cluster.is_writer = True
    return answer


def _cluster(backend: RDSBackend, identifier: str) -> DBCluster:
    for cluster in backend.clusters.values():
        if identifier in (cluster.db_cluster_identifier, cluster.db_cluster_arn):
            return cluster
    raise KeyError(identifier)


def _promote_read_replica(self: RDSBackend, db_kwargs: dict[str, Any]) -> Any:
    """moto does not model: promoting a cross-region read replica (moto keeps
    ReadReplicaSourceDBInstanceIdentifier and the source keeps listing the replica). The test
    applies AWS's documented effect ("the read replica becomes a standalone DB instance ...
    replication stops"): the source identifier is cleared and the source no longer lists it."""
    database = self.databases[db_kwargs["db_instance_identifier"]]
    source_id = database.source_db_instance_identifier
    answer = _ORIGINAL["promote_read_replica"](self, db_kwargs)
    if source_id:
        source = self.find_db_from_id(source_id)
        for name in (database.db_instance_identifier, database.db_instance_arn):
            if name in source.replicas:
                source.replicas.remove(name)
        database.source_db_instance_identifier = None
    return answer


def _global_writer_to(self: RDSResponse) -> ActionResult:
    """moto does not implement FailoverGlobalCluster or SwitchoverGlobalCluster (it answers with a
    body botocore cannot parse). The test applies AWS's documented effect (RDS API reference,
    FailoverGlobalCluster: "Promotes the specified secondary DB cluster to be the primary DB
    cluster in the global database cluster"; the Aurora user guide: after a switchover, or once
    the old primary's Region is back after a failover with AllowDataLoss, the old primary is a
    secondary of the global database): the target becomes the global writer, every other member
    a secondary. Refuses a target that is not a member, as AWS does."""
    params = self.params
    found = self.global_backend.global_clusters.get(params["GlobalClusterIdentifier"].lower())
    target = params["TargetDbClusterIdentifier"]
    members = [] if found is None else found.members
    if not any(target in (m.db_cluster_arn, m.db_cluster_identifier) for m in members):
        from moto.rds.exceptions import DBClusterNotFoundError

        raise DBClusterNotFoundError(target)
    for member in members:
        member.is_writer = target in (member.db_cluster_arn, member.db_cluster_identifier)
    return ActionResult({"GlobalCluster": found})


_ORIGINAL: dict[str, Any] = {
    "remove_from_global_cluster": RDSBackend.remove_from_global_cluster,
    "promote_read_replica": RDSBackend.promote_read_replica,
}


def mark_global_writer(region: str, cluster_id: str) -> None:
    """moto does not model: CreateGlobalCluster from an existing cluster leaves that cluster's
    IsWriter false. AWS's documented effect (Aurora user guide, "Creating an Aurora global
    database"): the existing cluster becomes the global database's primary, its writer."""
    _cluster(rds_backends[ACCOUNT][region], cluster_id).is_writer = True


def set_engine_version(region: str, cluster_id: str, version: str) -> None:
    """A cluster whose minor upgrade ran on its own window (as AWS's automatic minor upgrades
    do, region by region)."""
    _cluster(rds_backends[ACCOUNT][region], cluster_id).engine_version = version


def apply_aws_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the fix-ups above on moto's RDS backend for one test."""
    monkeypatch.setattr(RDSBackend, "remove_from_global_cluster", _remove_from_global_cluster)
    monkeypatch.setattr(RDSBackend, "promote_read_replica", _promote_read_replica)
    monkeypatch.setattr(RDSResponse, "failover_global_cluster", _global_writer_to, raising=False)
    monkeypatch.setattr(RDSResponse, "switchover_global_cluster", _global_writer_to, raising=False)


class GlobalDatastores:
    """moto 5.2.5 does not implement ElastiCache global datastores at all (no
    DescribeGlobalReplicationGroups, no FailoverGlobalReplicationGroup). For runs against moto the
    tests answer these two calls client-side (a `before-call` hook, as botocore's Stubber does),
    from members seeded with the fixture, and apply AWS's documented effect of a failover ("the
    secondary region will become primary, and all other clusters will become secondary").
    tests/ops/test_stubber.py checks the exact requests the tool sends."""

    def __init__(self) -> None:
        self.groups: dict[str, list[dict[str, Any]]] = {}
        self.failovers: list[dict[str, Any]] = []

    def reset(self) -> None:
        self.groups.clear()
        self.failovers.clear()

    def answer_on(self, boto_session: boto3.Session) -> None:
        events = boto_session.events
        events.register(
            "before-call.elasticache.DescribeGlobalReplicationGroups",
            self._describe,
            unique_id="webstack-tests-describe-global-datastore",
        )
        events.register(
            "before-call.elasticache.FailoverGlobalReplicationGroup",
            self._failover,
            unique_id="webstack-tests-failover-global-datastore",
        )

    def _answer(self, parsed: dict[str, Any], status: int = 200) -> Any:
        response = botocore.awsrequest.AWSResponse("https://elasticache", status, {}, None)
        parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": status})
        return response, parsed

    def _missing(self, gid: str) -> Any:
        return self._answer(
            {
                "Error": {
                    "Code": "GlobalReplicationGroupNotFoundFault",
                    "Message": f"Global replication group {gid} not found.",
                }
            },
            404,
        )

    def _group(self, gid: str) -> dict[str, Any]:
        return {
            "GlobalReplicationGroupId": gid,
            "Status": "primary-only" if len(self.groups[gid]) == 1 else "available",
            "Engine": "redis",
            "Members": [dict(member) for member in self.groups[gid]],
        }

    @staticmethod
    def _params(request: dict[str, Any]) -> dict[str, Any]:
        """The API parameters of a serialized query-protocol request."""
        body: dict[str, Any] = request["body"]
        return {k: v for k, v in body.items() if k not in ("Action", "Version")}

    def _describe(self, params: dict[str, Any], **_: Any) -> Any:
        gid = self._params(params).get("GlobalReplicationGroupId", "")
        if gid not in self.groups:
            return self._missing(gid)
        return self._answer({"GlobalReplicationGroups": [self._group(gid)]})

    def _failover(self, params: dict[str, Any], **_: Any) -> Any:
        params = self._params(params)
        gid = params["GlobalReplicationGroupId"]
        if gid not in self.groups:
            return self._missing(gid)
        self.failovers.append(dict(params))
        for member in self.groups[gid]:
            promoted = (member["ReplicationGroupId"], member["ReplicationGroupRegion"]) == (
                params["PrimaryReplicationGroupId"],
                params["PrimaryRegion"],
            )
            member["Role"] = "PRIMARY" if promoted else "SECONDARY"
        return self._answer({"GlobalReplicationGroup": self._group(gid)})


DATASTORES = GlobalDatastores()


def _seed_global_datastore(outputs: dict[str, Any]) -> None:
    cache = outputs["dr"]["cache"]
    if cache is None:
        return
    DATASTORES.groups[cache["globalReplicationGroupId"]] = [
        {
            "ReplicationGroupId": cache["primaryReplicationGroupId"],
            "ReplicationGroupRegion": outputs["primary"]["region"],
            "Role": "PRIMARY",
            "AutomaticFailover": "enabled",
            "Status": "associated",
        },
        {
            "ReplicationGroupId": cache["secondaryReplicationGroupId"],
            "ReplicationGroupRegion": outputs["dr"]["region"],
            "Role": "SECONDARY",
            "AutomaticFailover": "enabled",
            "Status": "associated",
        },
    ]


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def put_health(check_id: str, values: list[float], later: int = 0) -> None:
    """HealthCheckStatus datapoints, one a minute, ending now or ``later`` minutes from now (so
    that they are newer than earlier ones: a recovery after an outage) (1 healthy, 0 unhealthy)."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=later)
    data = [
        {
            "MetricName": "HealthCheckStatus",
            "Dimensions": [{"Name": "HealthCheckId", "Value": check_id}],
            "Timestamp": now - dt.timedelta(minutes=len(values) - 1 - i),
            "Value": value,
        }
        for i, value in enumerate(values)
    ]
    client("cloudwatch", "us-east-1").put_metric_data(Namespace="AWS/Route53", MetricData=data)


def forget_metrics(region: str, namespace: str) -> None:
    """Time passing, for CloudWatch: the datapoints of ``namespace`` in ``region`` age out of
    every window the runbook reads (moto keeps them forever; the tests cannot wait)."""
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[ACCOUNT][region]
    backend.metric_data = [d for d in backend.metric_data if d.namespace != namespace]


def put_lag(
    region: str, metric: str, dimension: str, name: str, values: list[float], later: int = 0
) -> None:
    """Replication-lag datapoints (AWS/RDS ``metric``), one a minute, ending now (or ``later``
    minutes from now: newer than what an earlier call put, as time passing would make them)."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=later)
    client("cloudwatch", region).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": dimension, "Value": name}],
                "Timestamp": now - dt.timedelta(minutes=len(values) - 1 - i),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def _seed_region(region: dict[str, Any], outputs: dict[str, Any]) -> None:
    r = region["region"]
    ec2, elbv2 = client("ec2", r), client("elbv2", r)
    region["dataKeyArn"] = client("kms", r).create_key()["KeyMetadata"]["Arn"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{r}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    groups = []
    for role in ("alb", "web", "data"):
        gid = ec2.create_security_group(GroupName=f"{r}-{role}", Description=role, VpcId=vpc)[
            "GroupId"
        ]
        groups.append(gid)
    # the ALB admits the world on 443; the web tier admits the ALB on 80
    admitted: list[tuple[str, int, dict[str, Any]]] = [
        (groups[0], 443, {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}),
        (groups[1], 80, {"UserIdGroupPairs": [{"GroupId": groups[0]}]}),
    ]
    for group, port, peer in admitted:
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **peer}],
        )
    region["securityGroupIds"] = groups
    lb_name = region["loadBalancer"]["arn"].split("/")[2]
    lb = elbv2.create_load_balancer(Name=lb_name, Subnets=subnets, SecurityGroups=[groups[0]])
    region["loadBalancer"]["arn"] = lb["LoadBalancers"][0]["LoadBalancerArn"]
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{lb_name}-lt",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
    )["LaunchTemplate"]["LaunchTemplateId"]
    for key in ("web", "app"):
        tier = region[key]
        if tier is None:
            continue
        tg = elbv2.create_target_group(
            Name=tier["targetGroupArn"].split("/")[1][:32], Protocol="HTTP", Port=80, VpcId=vpc
        )["TargetGroups"][0]["TargetGroupArn"]
        tier["targetGroupArn"] = tg
        client("autoscaling", r).create_auto_scaling_group(
            AutoScalingGroupName=tier["asgName"],
            LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
            MinSize=tier["minSize"],
            MaxSize=tier["maxSize"],
            DesiredCapacity=tier["desiredCapacity"],
            TargetGroupARNs=[tg],
            VPCZoneIdentifier=",".join(subnets),
        )
    s3 = client("s3", r)
    bucket: dict[str, Any] = {"Bucket": region["uploadsBucket"]}
    if r != "us-east-1":
        bucket["CreateBucketConfiguration"] = {"LocationConstraint": r}
    s3.create_bucket(**bucket)
    s3.put_bucket_encryption(
        Bucket=region["uploadsBucket"],
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": region["dataKeyArn"],
                    }
                }
            ]
        },
    )
    if region["cache"] is not None:
        client("elasticache", r).create_replication_group(
            ReplicationGroupId=region["cache"]["replicationGroupId"],
            ReplicationGroupDescription="cache",
            Engine="redis",
            CacheNodeType="cache.m7g.large",
            NumCacheClusters=2,
            AutomaticFailoverEnabled=True,
            MultiAZEnabled=True,
            AtRestEncryptionEnabled=True,
            TransitEncryptionEnabled=True,
            KmsKeyId=region["dataKeyArn"],
        )


def _seed_database(outputs: dict[str, Any]) -> None:
    prod = outputs["environment"] == "prod"
    for region in [outputs["primary"], outputs["dr"]["standby"]]:
        if region is None or region["database"] is None:
            continue
        db, r = region["database"], region["region"]
        rds = client("rds", r)
        primary = region["role"] == "primary"
        common = {
            "StorageEncrypted": True,
            "KmsKeyId": region["dataKeyArn"],
            "DeletionProtection": prod,
        }
        if db["family"] == "aurora":
            global_id = (outputs["dr"]["database"] or {}).get("globalClusterId")
            extra: dict[str, Any] = {}
            if primary:
                extra = {"MasterUsername": "webstack", "MasterUserPassword": "not-a-secret-1"}
            elif global_id:
                extra = {"GlobalClusterIdentifier": global_id}
            cluster = rds.create_db_cluster(
                DBClusterIdentifier=db["clusterId"],
                Engine=db["engine"],
                BackupRetentionPeriod=7,
                **common,
                **extra,
            )["DBCluster"]
            db["clusterArn"] = cluster["DBClusterArn"]
            if primary and global_id:
                rds.create_global_cluster(
                    GlobalClusterIdentifier=global_id,
                    SourceDBClusterIdentifier=cluster["DBClusterArn"],
                )
                mark_global_writer(r, db["clusterId"])
            for i, instance_id in enumerate(db["instanceIds"]):
                rds.create_db_instance(
                    DBInstanceIdentifier=instance_id,
                    DBClusterIdentifier=db["clusterId"],
                    Engine=db["engine"],
                    DBInstanceClass="db.r7g.large",
                    AvailabilityZone=f"{r}{'ab'[i % 2]}",
                )
        elif primary:
            made = rds.create_db_instance(
                DBInstanceIdentifier=db["instanceIds"][0],
                Engine=db["engine"],
                DBInstanceClass="db.m7g.large",
                AllocatedStorage=20,
                MasterUsername="webstack",
                MasterUserPassword="not-a-secret-1",
                MultiAZ=True,
                BackupRetentionPeriod=7,
                **common,
            )["DBInstance"]
            db["instanceArn"] = made["DBInstanceArn"]
        else:
            source = outputs["primary"]["database"]["instanceArn"]
            made = rds.create_db_instance_read_replica(
                DBInstanceIdentifier=db["instanceIds"][0],
                SourceDBInstanceIdentifier=source,
                KmsKeyId=region["dataKeyArn"],
                DeletionProtection=prod,
            )["DBInstance"]
            db["instanceArn"] = made["DBInstanceArn"]
    dr_db = outputs["dr"]["database"]
    if dr_db is not None:
        standby = outputs["dr"]["standby"]["database"]
        if dr_db["family"] == "aurora":
            dr_db["secondaryClusterArn"] = standby["clusterArn"]
        else:
            dr_db["replicaInstanceArn"] = standby["instanceArn"]


def _seed_dns(outputs: dict[str, Any]) -> None:
    dns = outputs["dr"]["dns"]
    if dns is None:
        return
    route53 = client("route53", "us-east-1")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="webstack")
    dns["zoneId"] = zone["HostedZone"]["Id"].split("/")[-1]
    regions = {
        outputs["primary"]["region"]: outputs["primary"],
        outputs["dr"]["region"]: outputs["dr"]["standby"],
    }
    changes = []
    for i, record in enumerate(dns["records"]):
        target = regions[record["region"]]["loadBalancer"]["dnsName"]
        check = route53.create_health_check(
            CallerReference=f"hc-{i}",
            HealthCheckConfig={
                "Type": "HTTPS",
                "FullyQualifiedDomainName": target,
                "Port": 443,
                "ResourcePath": "/healthz",
            },
        )["HealthCheck"]["Id"]
        record["healthCheckId"] = check
        if record["region"] != outputs["primary"]["region"]:
            put_health(check, [1, 1, 1])  # the DR record is healthy; tests decide the primary's
        rrset: dict[str, Any] = {
            "Name": dns["recordName"] + ".",
            "Type": "CNAME",
            "TTL": 60,
            "SetIdentifier": record["setIdentifier"],
            "HealthCheckId": check,
            "ResourceRecords": [{"Value": target}],
        }
        if record["failover"]:
            rrset["Failover"] = record["failover"]
        else:
            rrset["Region"] = record["region"]
        changes.append({"Action": "CREATE", "ResourceRecordSet": rrset})
    route53.change_resource_record_sets(
        HostedZoneId=dns["zoneId"], ChangeBatch={"Changes": changes}
    )


def seed(
    name: str, directory: Path, edit: Callable[[dict[str, Any]], None] | None = None
) -> tuple[Path, dict[str, Any]]:
    """Reset moto, create everything fixture `name` names (after `edit`, if given) in both
    regions, and write the outputs with moto's generated ids (keys, ARNs, groups, health checks)
    to `directory`."""
    reset()
    DATASTORES.reset()
    outputs = fixture(name)
    if edit is not None:
        edit(outputs)
    for region in (outputs["primary"], outputs["dr"]["standby"]):
        if region is not None:
            _seed_region(region, outputs)
    _seed_database(outputs)
    _seed_dns(outputs)
    _seed_global_datastore(outputs)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(outputs, indent=2))
    return path, outputs
