"""Computed attributes of created resources: the per-type fake outputs (ids, ARNs, endpoints).

Used in update mode only (``preview=False``); a first preview leaves them unknown.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from tools.mockcloud.account import ACCOUNT_ID, PARTITION, _digest

ComputedHandler = Callable[[str, Mapping[str, Any], str, str], dict[str, Any]]

_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:cloudfront/distribution:Distribution": "E",
    "aws:route53/healthCheck:HealthCheck": "hc-",
}


def _kms_key(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    return {"keyId": id_, "arn": f"arn:{PARTITION}:kms:{region}:{ACCOUNT_ID}:key/{id_}"}


def _log_group(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    group = inputs.get("name") or f"{name}-{id_[:7]}"
    return {
        "name": group,
        "arn": f"arn:{PARTITION}:logs:{region}:{ACCOUNT_ID}:log-group:{group}",
    }


def _iam_role(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    role = inputs.get("name") or f"{name}-{id_[:7]}"
    return {
        "name": role,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{role}",
        "uniqueId": f"AROA{id_.upper()}",
    }


def _bucket(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    bucket = inputs.get("bucket") or f"{name}-{id_[:7]}"
    return {
        "bucket": bucket,
        "arn": f"arn:{PARTITION}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
        "region": region,
    }


def _distribution(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    return {
        "arn": f"arn:{PARTITION}:cloudfront::{ACCOUNT_ID}:distribution/{id_}",
        "domainName": f"d{id_[1:].lower()}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
    }


def _certificate(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    names = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
    # ACM's validation CNAME depends on the account and the name, not the region.
    return {
        "arn": f"arn:{PARTITION}:acm:{region}:{ACCOUNT_ID}:certificate/{id_}",
        "domainValidationOptions": [
            {
                "domainName": n,
                "resourceRecordName": f"_{_digest(ACCOUNT_ID, str(n), length=32)}.{n}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_digest(str(n), length=32)}.acm-validations.aws.",
            }
            for n in names
        ],
    }


def _record(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    return {"fqdn": str(inputs.get("name", "")).rstrip(".")}


def _topic(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    topic = inputs.get("name") or f"{name}-{id_[:7]}"
    return {"name": topic, "arn": f"arn:{PARTITION}:sns:{region}:{ACCOUNT_ID}:{topic}"}


def _master_user_secrets(inputs: Mapping[str, Any], region: str, id_: str) -> list[dict]:
    if not inputs.get("manageMasterUserPassword"):
        return []
    return [
        {
            "secretArn": f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT_ID}:secret:rds!{id_}",
            "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
            "secretStatus": "active",
        }
    ]


def _rds_cluster(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    cluster = inputs.get("clusterIdentifier") or id_
    suffix = _digest(ACCOUNT_ID, region, length=12)
    return {
        "endpoint": f"{cluster}.cluster-{suffix}.{region}.rds.amazonaws.com",
        "readerEndpoint": f"{cluster}.cluster-ro-{suffix}.{region}.rds.amazonaws.com",
        "clusterResourceId": f"cluster-{id_.upper()}",
        "masterUserSecrets": _master_user_secrets(inputs, region, id_),
    }


def _rds_instance(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    instance = inputs.get("identifier") or id_
    address = f"{instance}.{_digest(ACCOUNT_ID, region, length=12)}.{region}.rds.amazonaws.com"
    return {
        "address": address,
        "endpoint": f"{address}:{inputs.get('port', 5432)}",
        "resourceId": f"db-{id_.upper()}",
        "masterUserSecrets": _master_user_secrets(inputs, region, id_),
    }


def _rds_proxy(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    proxy = inputs.get("name") or id_
    suffix = _digest(ACCOUNT_ID, region, length=12)
    return {"endpoint": f"{proxy}.proxy-{suffix}.{region}.rds.amazonaws.com"}


def _replication_group(
    name: str, inputs: Mapping[str, Any], region: str, id_: str
) -> dict[str, Any]:
    group = inputs.get("replicationGroupId") or id_
    suffix = f"{_digest(ACCOUNT_ID, region, length=6)}.use1.cache.amazonaws.com"
    return {
        "primaryEndpointAddress": f"master.{group}.{suffix}",
        "readerEndpointAddress": f"replica.{group}.{suffix}",
    }


def _cache_cluster(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    cluster = inputs.get("clusterId") or id_
    address = f"{cluster}.{_digest(ACCOUNT_ID, region, length=6)}.cfg.use1.cache.amazonaws.com"
    return {"clusterAddress": address, "configurationEndpoint": f"{address}:11211"}


def _autonamed(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    """A resource the provider names ``<name>-<suffix>`` when the program gives no name."""
    return {"name": inputs.get("name") or f"{name}-{id_[:7]}"}


def _random_password(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    length = int(inputs.get("length", 32))
    return {"result": (_digest("password", name, length=64) * 3)[:length]}


def _load_balancer(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    lb_name = inputs.get("name") or f"{name}-{id_[:7]}"
    suffix = f"app/{lb_name}/{id_[:16]}"
    scheme = "internal-" if inputs.get("internal") else ""
    return {
        "name": lb_name,
        "arn": f"arn:{PARTITION}:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
        "arnSuffix": suffix,
        "dnsName": f"{scheme}{lb_name}-{id_[:10]}.{region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


def _target_group(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    tg_name = inputs.get("name") or f"{name}-{id_[:7]}"
    suffix = f"targetgroup/{tg_name}/{id_[:16]}"
    return {
        "name": tg_name,
        "arn": f"arn:{PARTITION}:elasticloadbalancing:{region}:{ACCOUNT_ID}:{suffix}",
        "arnSuffix": suffix,
    }


def _launch_template(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    return {"latestVersion": 1, "defaultVersion": 1}


def _instance_profile(
    name: str, inputs: Mapping[str, Any], region: str, id_: str
) -> dict[str, Any]:
    profile = inputs.get("name") or f"{name}-{id_[:7]}"
    return {"name": profile, "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:instance-profile/{profile}"}


def _random_id(name: str, inputs: Mapping[str, Any], region: str, id_: str) -> dict[str, Any]:
    raw = bytes.fromhex(_digest("random-id", name, length=2 * int(inputs.get("byteLength", 8))))
    return {
        "hex": raw.hex(),
        "b64Url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "b64Std": base64.b64encode(raw).decode(),
        "dec": str(int.from_bytes(raw, "big")),
    }


def _global_replication_group(
    name: str, inputs: Mapping[str, Any], region: str, id_: str
) -> dict[str, Any]:
    # AWS prefixes the suffix with letters of its own (per account).
    group = f"ldgnf-{inputs.get('globalReplicationGroupIdSuffix') or id_}"
    return {"globalReplicationGroupId": group}


COMPUTED: dict[str, ComputedHandler] = {
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": _global_replication_group,
    "random:index/randomId:RandomId": _random_id,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:iam/instanceProfile:InstanceProfile": _instance_profile,
    "aws:autoscaling/group:Group": _autonamed,
    "aws:kms/key:Key": _kms_key,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:route53/record:Record": _record,
    "aws:sns/topic:Topic": _topic,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:iam/role:Role": _iam_role,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_instance,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/proxy:Proxy": _rds_proxy,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:rds/parameterGroup:ParameterGroup": _autonamed,
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": _autonamed,
    "aws:elasticache/parameterGroup:ParameterGroup": _autonamed,
}


def _generic_arn(type_token: str, region: str, id_: str) -> str:
    module = type_token.split(":")[1].split("/")[0]
    kind = type_token.rsplit(":", 1)[1]
    kind = kind[0].lower() + kind[1:]
    return f"arn:{PARTITION}:{module}:{region}:{ACCOUNT_ID}:{kind}/{id_}"
