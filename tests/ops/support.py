"""Shared helpers of the ops tests: one moto server per session, seeding both regions of a
fixture's outputs, and the fake credentials and endpoints the CLI is pointed at."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import urllib.request
from pathlib import Path
from typing import Any

import boto3
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
    return boto3.Session(**CREDENTIALS)


_shared: dict[str, Any] = {}
_clients: dict[tuple[str, str], Any] = {}


def session() -> boto3.Session:
    """One session for the test run: loading service models is most of a client's cost."""
    if "session" not in _shared:
        _shared["session"] = boto3.Session(**CREDENTIALS)
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


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def put_health(check_id: str, values: list[float]) -> None:
    """HealthCheckStatus datapoints, one a minute, ending now (1 healthy, 0 unhealthy)."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
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
    ec2.authorize_security_group_ingress(
        GroupId=groups[0],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=groups[1],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "UserIdGroupPairs": [{"GroupId": groups[0]}],
            }
        ],
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


def seed(name: str, directory: Path) -> tuple[Path, dict[str, Any]]:
    """Reset moto, create everything fixture `name` names in both regions, and write the outputs
    with moto's generated ids (keys, ARNs, groups, health checks) to `directory`."""
    reset()
    outputs = fixture(name)
    for region in (outputs["primary"], outputs["dr"]["standby"]):
        if region is not None:
            _seed_region(region, outputs)
    _seed_database(outputs)
    _seed_dns(outputs)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(outputs, indent=2))
    return path, outputs
