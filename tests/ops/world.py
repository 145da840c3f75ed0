"""The moto world of a stack, built from what the program itself registers.

`build(stack, directory)` synthesizes the real program (`tools.mockcloud`, `preview=False`),
creates in moto, region by region, what the runbook reads - from the recorded resources' inputs,
so a change to the program changes the world - and writes the stack's outputs with every mock id
and ARN replaced by the one moto generated. Types it does not know are skipped.

The mock cloud answers an `id` that is a digest for every resource; the AWS provider's `id` is the
resource's name for buckets, RDS instances and clusters, global clusters, replication groups and
subnet groups (and references between resources carry that `id`). `_Builder.ids` maps every mock
value (id, ARN, ARN suffix, DNS name) to what moto made, and references are resolved through it.

Where moto refuses an input AWS accepts, or lacks a feature, the handler adapts minimally and a
comment names the gap ("moto 5.2.5: ...").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from moto.kms import models as kms_models

from ops.outputs import parse_outputs
from tests.ops import support
from tests.support.synth import succeeded, synth
from tools.mockcloud import INVOKES, RecordedResource, Synthesis, synthesize

ZONE_LOOKUP = "aws:route53/getZone:getZone"


@functools.cache
def _shipped_prod(overrides_json: str) -> Synthesis:
    overrides = json.loads(overrides_json) if overrides_json else None
    return synthesize("prod", overrides=overrides, preview=False)


def synthesis(stack: str, overrides: Mapping[str, Any] | None = None) -> Synthesis:
    """The stack as shipped, `overrides` applied (`preview=False`), cached. tests/support/synth.py
    shares its cache with the other test modules but takes prod's DR mirror away unless
    `webstack:dr` is overridden: prod as shipped, with its warm standby, is cached here."""
    if stack == "prod" and "webstack:dr" not in (overrides or {}):
        key = json.dumps(overrides, sort_keys=True) if overrides else ""
        return succeeded(_shipped_prod(key))
    return succeeded(synth(stack, overrides, preview=False))


@dataclass
class World:
    stack: str
    path: Path
    outputs: dict[str, Any]
    synthesis: Synthesis
    ids: dict[str, str]  # mock value -> moto value
    made: dict[str, list[str]] = field(default_factory=dict)  # type -> names made in moto
    skipped: dict[str, int] = field(default_factory=dict)  # type -> count not modelled


def build(
    stack: str, directory: Path, overrides: Mapping[str, Any] | None = None
) -> tuple[Path, dict[str, Any]]:
    """Reset moto, create the stack's world, write `directory/<stack>.json`: (path, outputs)."""
    world = build_world(stack, directory, overrides)
    return world.path, world.outputs


def build_world(stack: str, directory: Path, overrides: Mapping[str, Any] | None = None) -> World:
    support.reset()
    support.DATASTORES.reset()
    s = synthesis(stack, overrides)
    builder = _Builder(s)
    builder.zones()
    # moto 5.2.5 generates an RSA-2048 private key for every KMS key, symmetric ones included
    # (~85 ms each; AWS's symmetric keys have none, and refuse Sign/Verify/GetPublicKey).
    # While the world is built, symmetric keys get none: the same answers, a few seconds less.
    with mock.patch.object(kms_models, "generate_private_key", _private_key):
        for resource in s.resources:
            handler = HANDLERS.get(resource.type)
            if handler is None:
                builder.skipped[resource.type] = builder.skipped.get(resource.type, 0) + 1
                continue
            handler(builder, resource)
    builder.global_datastores()
    outputs = builder.translate({k: s.outputs[k] for k in s.outputs})
    # The DR region's records are healthy; the primary's health is each test's to decide (an
    # outage, a partition, a planned move), as support.seed does.
    for record in (outputs["dr"]["dns"] or {}).get("records", []):
        if record["healthCheckId"] and record["region"] != outputs["primary"]["region"]:
            support.put_health(record["healthCheckId"], [1, 1, 1])
    text = json.dumps(outputs, indent=2)
    parse_outputs(text)
    path = directory / f"{stack}.json"
    path.write_text(text)
    made = World(stack, path, outputs, s, builder.ids, builder.made, builder.skipped)
    _LAST[:] = [made]
    return made


_LAST: list[World] = []


def current() -> World | None:
    """The world moto holds now (the last one built), if any."""
    return _LAST[0] if _LAST else None


_GENERATE_PRIVATE_KEY = kms_models.generate_private_key


def _private_key(key_spec: str) -> Any:
    return None if key_spec == "SYMMETRIC_DEFAULT" else _GENERATE_PRIVATE_KEY(key_spec)


def _int(value: Any) -> int:
    return int(float(value))


def _tags(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def _pascal(key: str) -> str:
    return key[:1].upper() + key[1:]


class _Builder:
    def __init__(self, s: Synthesis) -> None:
        self.s = s
        self.ids: dict[str, str] = {}
        self.made: dict[str, list[str]] = {}
        self.skipped: dict[str, int] = {}
        self.cache_groups: dict[str, RecordedResource] = {}  # moto name -> recorded group
        self.global_groups: list[RecordedResource] = []

    def client(self, service: str, region: str) -> Any:
        return support.client(service, region)

    def ref(self, value: Any) -> Any:
        """A reference in an input, resolved to what moto made (lists element-wise)."""
        if isinstance(value, list):
            return [self.ref(v) for v in value]
        if isinstance(value, str):
            return self.ids.get(value, value)
        return value

    def learn(self, r: RecordedResource, name: str, moto_id: str, arn: str | None = None) -> None:
        self.made.setdefault(r.type, []).append(name)
        self.ids[r.id] = moto_id
        if arn is not None and r.outputs.get("arn"):
            self.ids[str(r.outputs["arn"])] = arn

    def translate(self, value: Any) -> Any:
        """Outputs with every mock value (a whole string) replaced by moto's."""
        if isinstance(value, dict):
            return {k: self.translate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.translate(v) for v in value]
        return self.ref(value)

    def zones(self) -> None:
        """The program looks its hosted zone up (an invoke): the zone exists before the stack."""
        seen: set[str] = set()
        for invoke in self.s.invokes:
            if invoke.token != ZONE_LOOKUP:
                continue
            name = str(invoke.args["name"]).rstrip(".")
            if name in seen:
                continue
            seen.add(name)
            mock_id = INVOKES[ZONE_LOOKUP](invoke.args, invoke.region)["zoneId"]
            zone = self.client("route53", "us-east-1").create_hosted_zone(
                Name=name, CallerReference=f"zone-{name}"
            )["HostedZone"]
            self.ids[mock_id] = zone["Id"].split("/")[-1]
            self.made.setdefault("hosted-zone", []).append(name)

    # --- global datastores (after every replication group exists) ---------------------------

    def global_datastores(self) -> None:
        """moto 5.2.5 has no ElastiCache global datastores: members go to support.DATASTORES,
        which answers Describe/FailoverGlobalReplicationGroup client-side."""
        for g in self.global_groups:
            gid = str(g.outputs["globalReplicationGroupId"])
            primary = str(self.ref(g.inputs["primaryReplicationGroupId"]))
            members = [(primary, g.region, "PRIMARY")]
            for name, group in self.cache_groups.items():
                if group.inputs.get("globalReplicationGroupId") == gid:
                    members.append((name, group.region, "SECONDARY"))
            support.DATASTORES.groups[gid] = [
                {
                    "ReplicationGroupId": name,
                    "ReplicationGroupRegion": region,
                    "Role": role,
                    "AutomaticFailover": "enabled"
                    if self.cache_groups[name].inputs.get("automaticFailoverEnabled")
                    else "disabled",
                    "Status": "associated",
                }
                for name, region, role in members
            ]
            self.made.setdefault(g.type, []).append(gid)


# --- handlers: one per resource type, each reading only the recorded inputs -------------------


def _kms_key(b: _Builder, r: RecordedResource) -> None:
    kms = b.client("kms", r.region)
    args: dict[str, Any] = {"Tags": _tags(r.inputs.get("tags"), "TagKey", "TagValue")}
    for key, arg in (("description", "Description"), ("policy", "Policy")):
        if r.inputs.get(key):
            args[arg] = r.inputs[key]
    key = kms.create_key(**args)["KeyMetadata"]
    if r.inputs.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=key["KeyId"])
    b.learn(r, key["KeyId"], key["KeyId"], key["Arn"])


def _kms_alias(b: _Builder, r: RecordedResource) -> None:
    b.client("kms", r.region).create_alias(
        AliasName=r.inputs["name"], TargetKeyId=b.ref(r.inputs["targetKeyId"])
    )
    b.made.setdefault(r.type, []).append(str(r.inputs["name"]))


def _vpc(b: _Builder, r: RecordedResource) -> None:
    ec2 = b.client("ec2", r.region)
    vpc = ec2.create_vpc(
        CidrBlock=r.inputs["cidrBlock"],
        TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags(r.inputs.get("tags"))}],
    )["Vpc"]["VpcId"]
    for key, attribute in (
        ("enableDnsSupport", "EnableDnsSupport"),
        ("enableDnsHostnames", "EnableDnsHostnames"),
    ):
        if key in r.inputs:
            ec2.modify_vpc_attribute(VpcId=vpc, **{attribute: {"Value": bool(r.inputs[key])}})
    b.learn(r, vpc, vpc)


def _subnet(b: _Builder, r: RecordedResource) -> None:
    subnet = b.client("ec2", r.region).create_subnet(
        VpcId=b.ref(r.inputs["vpcId"]),
        CidrBlock=r.inputs["cidrBlock"],
        AvailabilityZone=r.inputs["availabilityZone"],
        TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags(r.inputs.get("tags"))}],
    )["Subnet"]["SubnetId"]
    b.learn(r, subnet, subnet)


def _permission(b: _Builder, rule: Mapping[str, Any]) -> dict[str, Any]:
    """An IpPermission from a rule resource's inputs or an inline rule (plural keys)."""
    protocol = str(rule.get("ipProtocol") or rule.get("protocol") or "-1")
    perm: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        perm["FromPort"] = _int(rule.get("fromPort", 0))
        perm["ToPort"] = _int(rule.get("toPort", 0))
    desc = {"Description": rule["description"]} if rule.get("description") else {}
    v4 = [rule["cidrIpv4"]] if rule.get("cidrIpv4") else rule.get("cidrBlocks") or []
    v6 = [rule["cidrIpv6"]] if rule.get("cidrIpv6") else rule.get("ipv6CidrBlocks") or []
    lists = [rule["prefixListId"]] if rule.get("prefixListId") else rule.get("prefixListIds") or []
    peers = rule.get("securityGroups") or []
    if rule.get("referencedSecurityGroupId"):
        peers = [rule["referencedSecurityGroupId"]]
    if v4:
        perm["IpRanges"] = [{"CidrIp": c, **desc} for c in v4]
    if v6:
        perm["Ipv6Ranges"] = [{"CidrIpv6": c, **desc} for c in v6]
    if lists:
        perm["PrefixListIds"] = [{"PrefixListId": p, **desc} for p in lists]
    if peers:
        perm["UserIdGroupPairs"] = [{"GroupId": b.ref(p), **desc} for p in peers]
    return perm


def _security_group(b: _Builder, r: RecordedResource) -> None:
    ec2 = b.client("ec2", r.region)
    name = str(r.inputs.get("name") or r.outputs.get("name") or r.name)
    group = ec2.create_security_group(
        GroupName=name,
        Description=r.inputs.get("description") or "Managed by Pulumi",
        VpcId=b.ref(r.inputs["vpcId"]),
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(r.inputs.get("tags"))}],
    )["GroupId"]
    # The provider removes the allow-all egress rule AWS gives a new VPC group (its rules are the
    # program's, inline or as rule resources).
    ec2.revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    for rule in r.inputs.get("ingress") or []:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[_permission(b, rule)])
    for rule in r.inputs.get("egress") or []:
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[_permission(b, rule)])
    b.learn(r, name, group)


def _ingress_rule(b: _Builder, r: RecordedResource) -> None:
    b.client("ec2", r.region).authorize_security_group_ingress(
        GroupId=b.ref(r.inputs["securityGroupId"]), IpPermissions=[_permission(b, r.inputs)]
    )
    b.made.setdefault(r.type, []).append(r.name)


def _egress_rule(b: _Builder, r: RecordedResource) -> None:
    b.client("ec2", r.region).authorize_security_group_egress(
        GroupId=b.ref(r.inputs["securityGroupId"]), IpPermissions=[_permission(b, r.inputs)]
    )
    b.made.setdefault(r.type, []).append(r.name)


def _suffix(arn: str) -> str:
    """An ELB ARN's suffix (CloudWatch's LoadBalancer/TargetGroup dimension)."""
    return arn.split(":", 5)[5].removeprefix("loadbalancer/")


def _load_balancer(b: _Builder, r: RecordedResource) -> None:
    name = str(r.outputs["name"])
    lb = b.client("elbv2", r.region).create_load_balancer(
        Name=name,
        Subnets=b.ref(r.inputs.get("subnets") or []),
        SecurityGroups=b.ref(r.inputs.get("securityGroups") or []),
        Scheme="internal" if r.inputs.get("internal") else "internet-facing",
        Type=r.inputs.get("loadBalancerType", "application"),
        Tags=_tags(r.inputs.get("tags")),
    )["LoadBalancers"][0]
    b.learn(r, name, lb["LoadBalancerArn"], lb["LoadBalancerArn"])
    b.ids[str(r.outputs["dnsName"])] = lb["DNSName"]
    b.ids[str(r.outputs["arnSuffix"])] = _suffix(lb["LoadBalancerArn"])


def _target_group(b: _Builder, r: RecordedResource) -> None:
    name = str(r.outputs["name"])
    check = r.inputs.get("healthCheck") or {}
    args: dict[str, Any] = {
        "Name": name,
        "Protocol": r.inputs.get("protocol", "HTTP"),
        "Port": _int(r.inputs.get("port", 80)),
        "VpcId": b.ref(r.inputs["vpcId"]),
        "TargetType": r.inputs.get("targetType", "instance"),
        "Tags": _tags(r.inputs.get("tags")),
    }
    for key, arg in (
        ("path", "HealthCheckPath"),
        ("protocol", "HealthCheckProtocol"),
        ("port", "HealthCheckPort"),
        ("interval", "HealthCheckIntervalSeconds"),
        ("timeout", "HealthCheckTimeoutSeconds"),
        ("healthyThreshold", "HealthyThresholdCount"),
        ("unhealthyThreshold", "UnhealthyThresholdCount"),
    ):
        if key in check:
            args[arg] = check[key] if isinstance(check[key], str) else _int(check[key])
    if "matcher" in check:
        args["Matcher"] = {"HttpCode": check["matcher"]}
    tg = b.client("elbv2", r.region).create_target_group(**args)["TargetGroups"][0]
    b.learn(r, name, tg["TargetGroupArn"], tg["TargetGroupArn"])
    b.ids[str(r.outputs["arnSuffix"])] = _suffix(tg["TargetGroupArn"])


def _launch_template(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs.get("name") or r.outputs.get("name") or r.name)
    data: dict[str, Any] = {
        arg: r.inputs[key]
        for key, arg in (("imageId", "ImageId"), ("instanceType", "InstanceType"))
        if r.inputs.get(key)
    }
    interfaces = [
        {
            "DeviceIndex": _int(n.get("deviceIndex", 0)),
            "Groups": b.ref(n.get("securityGroups") or []),
            # the provider's TypeBool strings ("true"/"false")
            "AssociatePublicIpAddress": str(n.get("associatePublicIpAddress")) == "true",
            "DeleteOnTermination": str(n.get("deleteOnTermination", "true")) == "true",
        }
        for n in r.inputs.get("networkInterfaces") or []
    ]
    if interfaces:
        # moto 5.2.5 launches an ASG's instances with the template's SecurityGroups (names) only,
        # ignoring NetworkInterfaces: its instances sit in the VPC's default group. The runbook
        # never reads instance groups; the template itself holds what the program set.
        data["NetworkInterfaces"] = interfaces
    if r.inputs.get("vpcSecurityGroupIds"):
        data["SecurityGroupIds"] = b.ref(r.inputs["vpcSecurityGroupIds"])
    if r.inputs.get("tagSpecifications"):
        data["TagSpecifications"] = [
            {"ResourceType": t["resourceType"], "Tags": _tags(t.get("tags"))}
            for t in r.inputs["tagSpecifications"]
        ]
    template = b.client("ec2", r.region).create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData=data,
        TagSpecifications=[
            {"ResourceType": "launch-template", "Tags": _tags(r.inputs.get("tags"))}
        ],
    )["LaunchTemplate"]
    b.learn(r, name, template["LaunchTemplateId"])


def _asg(b: _Builder, r: RecordedResource) -> None:
    name = str(r.outputs["name"])
    template = r.inputs.get("launchTemplate") or {}
    args: dict[str, Any] = {
        "AutoScalingGroupName": name,
        "LaunchTemplate": {
            "LaunchTemplateId": b.ref(template.get("id")),
            "Version": str(template.get("version") or "$Default"),
        },
        "MinSize": _int(r.inputs["minSize"]),
        "MaxSize": _int(r.inputs["maxSize"]),
        "TargetGroupARNs": b.ref(r.inputs.get("targetGroupArns") or []),
        "VPCZoneIdentifier": ",".join(b.ref(r.inputs.get("vpcZoneIdentifiers") or [])),
        "Tags": [
            {
                "Key": t["key"],
                "Value": t["value"],
                "PropagateAtLaunch": bool(t.get("propagateAtLaunch")),
            }
            for t in r.inputs.get("tags") or []
        ],
    }
    # Without DesiredCapacity AWS starts the group at MinSize (as moto does).
    if r.inputs.get("desiredCapacity") is not None:
        args["DesiredCapacity"] = _int(r.inputs["desiredCapacity"])
    if r.inputs.get("healthCheckType"):
        args["HealthCheckType"] = r.inputs["healthCheckType"]
    if r.inputs.get("healthCheckGracePeriod") is not None:
        args["HealthCheckGracePeriod"] = _int(r.inputs["healthCheckGracePeriod"])
    b.client("autoscaling", r.region).create_auto_scaling_group(**args)
    b.learn(r, name, name)


def _db_subnet_group(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs.get("name") or r.outputs.get("name") or r.name)
    b.client("rds", r.region).create_db_subnet_group(
        DBSubnetGroupName=name,
        DBSubnetGroupDescription=r.inputs.get("description") or "Managed by Pulumi",
        SubnetIds=b.ref(r.inputs["subnetIds"]),
        Tags=_tags(r.inputs.get("tags")),
    )
    b.learn(r, name, name)


def _cache_subnet_group(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs.get("name") or r.outputs.get("name") or r.name)
    b.client("elasticache", r.region).create_cache_subnet_group(
        CacheSubnetGroupName=name,
        CacheSubnetGroupDescription=r.inputs.get("description") or "Managed by Pulumi",
        SubnetIds=b.ref(r.inputs["subnetIds"]),
    )
    b.learn(r, name, name)


# Inputs of aws.rds.Instance / aws.rds.Cluster that map one to one onto the API's parameters.
_DB_COMMON = {
    "engine": "Engine",
    "engineVersion": "EngineVersion",
    "storageEncrypted": "StorageEncrypted",
    "deletionProtection": "DeletionProtection",
    "backupRetentionPeriod": "BackupRetentionPeriod",
    "port": "Port",
    "dbSubnetGroupName": "DBSubnetGroupName",
    "iamDatabaseAuthenticationEnabled": "EnableIAMDatabaseAuthentication",
    "copyTagsToSnapshot": "CopyTagsToSnapshot",
    "manageMasterUserPassword": "ManageMasterUserPassword",
    "masterUserSecretKmsKeyId": "MasterUserSecretKmsKeyId",
}
_INSTANCE = {
    **_DB_COMMON,
    "instanceClass": "DBInstanceClass",
    "allocatedStorage": "AllocatedStorage",
    "maxAllocatedStorage": "MaxAllocatedStorage",
    "storageType": "StorageType",
    "multiAz": "MultiAZ",
    "username": "MasterUsername",
    "password": "MasterUserPassword",
    "dbName": "DBName",
    "availabilityZone": "AvailabilityZone",
    "publiclyAccessible": "PubliclyAccessible",
}
_CLUSTER = {
    **_DB_COMMON,
    "masterUsername": "MasterUsername",
    "masterPassword": "MasterUserPassword",
    "databaseName": "DatabaseName",
    "enableGlobalWriteForwarding": "EnableGlobalWriteForwarding",
}


def _params(b: _Builder, r: RecordedResource, names: Mapping[str, str]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, arg in names.items():
        value = r.inputs.get(key)
        if value is None:
            continue
        args[arg] = _int(value) if isinstance(value, float) else b.ref(value)
    if r.inputs.get("kmsKeyId"):
        args["KmsKeyId"] = b.ref(r.inputs["kmsKeyId"])
    if r.inputs.get("vpcSecurityGroupIds"):
        args["VpcSecurityGroupIds"] = b.ref(r.inputs["vpcSecurityGroupIds"])
    if r.inputs.get("tags"):
        args["Tags"] = _tags(r.inputs["tags"])
    return args


def _accepted(client: Any, operation: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of `args` that `operation` takes (its API model's input members)."""
    members = client.meta.service_model.operation_model(operation).input_shape.members
    return {k: v for k, v in args.items() if k in members}


def _db_instance(b: _Builder, r: RecordedResource) -> None:
    rds = b.client("rds", r.region)
    name = str(r.inputs.get("identifier") or r.name)
    args = _params(b, r, _INSTANCE)
    source = r.inputs.get("replicateSourceDb")
    if not source:
        made = rds.create_db_instance(DBInstanceIdentifier=name, **args)["DBInstance"]
        b.learn(r, name, name, made["DBInstanceArn"])
        return
    # A replica takes its engine, version, credentials, database and encryption from its source
    # (CreateDBInstanceReadReplica has no such parameters): the provider sends what the call
    # takes and sets the rest it can (backup retention) with ModifyDBInstance afterwards.
    retention = args.get("BackupRetentionPeriod", 0)
    later = {}
    if str(b.ref(source)).split(":")[3:4] != [r.region]:
        # moto 5.2.5 resolves a cross-region replica's DBSubnetGroupName in its source's region
        # (DBSubnetGroupNotFoundFault); AWS resolves it in the replica's. Set once it exists.
        later = {"DBSubnetGroupName": args.pop("DBSubnetGroupName")}
    made = rds.create_db_instance_read_replica(
        **_accepted(
            rds,
            "CreateDBInstanceReadReplica",
            {**args, "DBInstanceIdentifier": name, "SourceDBInstanceIdentifier": b.ref(source)},
        )
    )["DBInstance"]
    # moto 5.2.5 creates a replica as a copy of its source (deletion protection, Multi-AZ,
    # backups, tags included); AWS gives a replica only what the call asked for, the rest its
    # defaults. The replica's own settings (or AWS's defaults) are put back explicitly.
    rds.modify_db_instance(
        DBInstanceIdentifier=name,
        DeletionProtection=bool(r.inputs.get("deletionProtection", False)),
        MultiAZ=bool(r.inputs.get("multiAz", False)),
        BackupRetentionPeriod=retention,
        ApplyImmediately=True,
        **later,
    )
    b.learn(r, name, name, made["DBInstanceArn"])


def _db_cluster(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs.get("clusterIdentifier") or r.name)
    args = _params(b, r, _CLUSTER)
    if r.inputs.get("globalClusterIdentifier"):
        args["GlobalClusterIdentifier"] = b.ref(r.inputs["globalClusterIdentifier"])
    made = b.client("rds", r.region).create_db_cluster(DBClusterIdentifier=name, **args)[
        "DBCluster"
    ]
    b.learn(r, name, name, made["DBClusterArn"])


def _global_cluster(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs["globalClusterIdentifier"])
    args: dict[str, Any] = {"GlobalClusterIdentifier": name}
    if r.inputs.get("sourceDbClusterIdentifier"):
        args["SourceDBClusterIdentifier"] = b.ref(r.inputs["sourceDbClusterIdentifier"])
    for key, arg in (("engine", "Engine"), ("engineVersion", "EngineVersion")):
        if r.inputs.get(key):
            args[arg] = r.inputs[key]
    if r.inputs.get("deletionProtection") is not None:
        args["DeletionProtection"] = bool(r.inputs["deletionProtection"])
    made = b.client("rds", r.region).create_global_cluster(**args)["GlobalCluster"]
    if "SourceDBClusterIdentifier" in args:
        # moto 5.2.5 leaves the source cluster IsWriter=false; AWS makes it the global writer.
        source = str(args["SourceDBClusterIdentifier"])
        support.mark_global_writer(source.split(":")[3], source.split(":")[-1])
    b.learn(r, name, name, made["GlobalClusterArn"])


def _cluster_instance(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs.get("identifier") or r.name)
    args: dict[str, Any] = {
        "DBInstanceIdentifier": name,
        "DBClusterIdentifier": b.ref(r.inputs["clusterIdentifier"]),
        "Engine": r.inputs["engine"],
        "DBInstanceClass": r.inputs["instanceClass"],
    }
    for key, arg in (
        ("availabilityZone", "AvailabilityZone"),
        ("dbSubnetGroupName", "DBSubnetGroupName"),
        ("promotionTier", "PromotionTier"),
        ("publiclyAccessible", "PubliclyAccessible"),
    ):
        value = r.inputs.get(key)
        if value is not None:
            args[arg] = _int(value) if isinstance(value, float) else value
    if r.inputs.get("tags"):
        args["Tags"] = _tags(r.inputs["tags"])
    made = b.client("rds", r.region).create_db_instance(**args)["DBInstance"]
    b.learn(r, name, name, made["DBInstanceArn"])


def _replication_group(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs.get("replicationGroupId") or r.name)
    args: dict[str, Any] = {
        "ReplicationGroupId": name,
        "ReplicationGroupDescription": r.inputs.get("description") or "Managed by Pulumi",
    }
    inherited = r.inputs
    gid = r.inputs.get("globalReplicationGroupId")
    if gid:
        # A global datastore's secondary takes its engine, version and node type from the
        # datastore (AWS refuses them on the call); moto 5.2.5 has no global datastores and needs
        # them, so they are read from the primary member the datastore was made from.
        primary = next(
            b.ref(g.inputs["primaryReplicationGroupId"])
            for g in b.global_groups
            if g.outputs.get("globalReplicationGroupId") == gid
        )
        inherited = b.cache_groups[primary].inputs
    for key, arg in (
        ("engine", "Engine"),
        ("engineVersion", "EngineVersion"),
        ("nodeType", "CacheNodeType"),
    ):
        if inherited.get(key):
            args[arg] = inherited[key]
    for key, arg in (
        ("numCacheClusters", "NumCacheClusters"),
        ("port", "Port"),
        ("snapshotRetentionLimit", "SnapshotRetentionLimit"),
        ("automaticFailoverEnabled", "AutomaticFailoverEnabled"),
        ("multiAzEnabled", "MultiAZEnabled"),
        ("atRestEncryptionEnabled", "AtRestEncryptionEnabled"),
        ("transitEncryptionEnabled", "TransitEncryptionEnabled"),
        ("transitEncryptionMode", "TransitEncryptionMode"),
        ("subnetGroupName", "CacheSubnetGroupName"),
        ("authToken", "AuthToken"),
    ):
        value = r.inputs.get(key)
        if value is not None:
            args[arg] = _int(value) if isinstance(value, float) else value
    if r.inputs.get("kmsKeyId"):
        args["KmsKeyId"] = b.ref(r.inputs["kmsKeyId"])
    if r.inputs.get("securityGroupIds"):
        args["SecurityGroupIds"] = b.ref(r.inputs["securityGroupIds"])
    if r.inputs.get("tags"):
        args["Tags"] = _tags(r.inputs["tags"])
    b.client("elasticache", r.region).create_replication_group(**args)
    b.cache_groups[name] = r
    b.learn(r, name, name)


def _global_replication_group(b: _Builder, r: RecordedResource) -> None:
    b.global_groups.append(r)  # members are known once every group exists


def _bucket(b: _Builder, r: RecordedResource) -> None:
    name = str(r.outputs["bucket"])
    s3 = b.client("s3", r.region)
    args: dict[str, Any] = {"Bucket": name}
    if r.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": r.region}
    s3.create_bucket(**args)
    if r.inputs.get("tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(r.inputs["tags"])})
    b.learn(r, name, name)


def _bucket_versioning(b: _Builder, r: RecordedResource) -> None:
    config = r.inputs["versioningConfiguration"]
    b.client("s3", r.region).put_bucket_versioning(
        Bucket=b.ref(r.inputs["bucket"]), VersioningConfiguration={"Status": config["status"]}
    )
    b.made.setdefault(r.type, []).append(str(b.ref(r.inputs["bucket"])))


def _bucket_encryption(b: _Builder, r: RecordedResource) -> None:
    rules = []
    for rule in r.inputs["rules"]:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        by_default: dict[str, Any] = {"SSEAlgorithm": default["sseAlgorithm"]}
        if default.get("kmsMasterKeyId"):
            by_default["KMSMasterKeyID"] = b.ref(default["kmsMasterKeyId"])
        made: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": by_default}
        if rule.get("bucketKeyEnabled") is not None:
            made["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
        rules.append(made)
    b.client("s3", r.region).put_bucket_encryption(
        Bucket=b.ref(r.inputs["bucket"]), ServerSideEncryptionConfiguration={"Rules": rules}
    )
    b.made.setdefault(r.type, []).append(str(b.ref(r.inputs["bucket"])))


def _status(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"Status": (value or {}).get("status", "Disabled")}


def _bucket_replication(b: _Builder, r: RecordedResource) -> None:
    rules = []
    for rule in r.inputs["rules"]:
        destination = rule["destination"]
        dest: dict[str, Any] = {"Bucket": b.ref(destination["bucket"])}
        if destination.get("storageClass"):
            dest["StorageClass"] = destination["storageClass"]
        replica_key = (destination.get("encryptionConfiguration") or {}).get("replicaKmsKeyId")
        if replica_key:
            dest["EncryptionConfiguration"] = {"ReplicaKmsKeyID": b.ref(replica_key)}
        made: dict[str, Any] = {"ID": rule["id"], "Status": rule["status"], "Destination": dest}
        if rule.get("priority") is not None:
            made["Priority"] = _int(rule["priority"])
        if rule.get("filter") is not None:
            made["Filter"] = {"Prefix": rule["filter"].get("prefix", "")}
        if rule.get("deleteMarkerReplication"):
            made["DeleteMarkerReplication"] = _status(rule["deleteMarkerReplication"])
        criteria = rule.get("sourceSelectionCriteria") or {}
        if criteria:
            made["SourceSelectionCriteria"] = {
                _pascal(key): _status(value) for key, value in criteria.items()
            }
        rules.append(made)
    b.client("s3", r.region).put_bucket_replication(
        Bucket=b.ref(r.inputs["bucket"]),
        ReplicationConfiguration={"Role": r.inputs["role"], "Rules": rules},
    )
    b.made.setdefault(r.type, []).append(str(b.ref(r.inputs["bucket"])))


def _health_check(b: _Builder, r: RecordedResource) -> None:
    config: dict[str, Any] = {"Type": r.inputs["type"]}
    for key, arg in (
        ("fqdn", "FullyQualifiedDomainName"),
        ("ipAddress", "IPAddress"),
        ("port", "Port"),
        ("resourcePath", "ResourcePath"),
        ("requestInterval", "RequestInterval"),
        ("failureThreshold", "FailureThreshold"),
        ("measureLatency", "MeasureLatency"),
        ("enableSni", "EnableSNI"),
        ("invertHealthcheck", "Inverted"),
        ("disabled", "Disabled"),
        ("searchString", "SearchString"),
        ("childHealthchecks", "ChildHealthChecks"),
        ("childHealthThreshold", "HealthThreshold"),
        ("insufficientDataHealthStatus", "InsufficientDataHealthStatus"),
    ):
        value = r.inputs.get(key)
        if value is not None:
            config[arg] = _int(value) if isinstance(value, float) else b.ref(value)
    if r.inputs.get("cloudwatchAlarmName"):
        config["AlarmIdentifier"] = {
            "Name": b.ref(r.inputs["cloudwatchAlarmName"]),
            "Region": r.inputs["cloudwatchAlarmRegion"],
        }
    route53 = b.client("route53", "us-east-1")
    check = route53.create_health_check(CallerReference=r.urn, HealthCheckConfig=config)[
        "HealthCheck"
    ]["Id"]
    if r.inputs.get("tags"):
        route53.change_tags_for_resource(
            ResourceType="healthcheck", ResourceId=check, AddTags=_tags(r.inputs["tags"])
        )
    b.learn(r, check, check)


def _record(b: _Builder, r: RecordedResource) -> None:
    name = str(r.inputs["name"])
    rrset: dict[str, Any] = {
        "Name": name if name.endswith(".") else name + ".",
        "Type": r.inputs["type"],
    }
    if r.inputs.get("ttl") is not None:
        rrset["TTL"] = _int(r.inputs["ttl"])
    if r.inputs.get("records"):
        rrset["ResourceRecords"] = [{"Value": v} for v in b.ref(r.inputs["records"])]
    aliases = r.inputs.get("aliases") or []
    if aliases:
        rrset["AliasTarget"] = {
            "HostedZoneId": aliases[0]["zoneId"],
            "DNSName": b.ref(aliases[0]["name"]),
            "EvaluateTargetHealth": bool(aliases[0].get("evaluateTargetHealth")),
        }
    if r.inputs.get("setIdentifier"):
        rrset["SetIdentifier"] = r.inputs["setIdentifier"]
    if r.inputs.get("healthCheckId"):
        rrset["HealthCheckId"] = b.ref(r.inputs["healthCheckId"])
    for policy in r.inputs.get("failoverRoutingPolicies") or []:
        rrset["Failover"] = policy["type"]
    for policy in r.inputs.get("latencyRoutingPolicies") or []:
        rrset["Region"] = policy["region"]
    for policy in r.inputs.get("weightedRoutingPolicies") or []:
        rrset["Weight"] = _int(policy["weight"])
    b.client("route53", "us-east-1").change_resource_record_sets(
        HostedZoneId=b.ref(r.inputs["zoneId"]),
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": rrset}]},
    )
    b.made.setdefault(r.type, []).append(f"{rrset['Name']} {rrset.get('SetIdentifier', '')}")


def _metric(b: _Builder, metric: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Namespace": metric["namespace"],
        "MetricName": metric["metricName"],
        "Dimensions": [
            {"Name": k, "Value": b.ref(v)} for k, v in (metric.get("dimensions") or {}).items()
        ],
    }


def _metric_alarm(b: _Builder, r: RecordedResource) -> None:
    i = r.inputs
    name = str(i.get("name") or r.name)
    args: dict[str, Any] = {
        "AlarmName": name,
        "EvaluationPeriods": _int(i["evaluationPeriods"]),
        "ComparisonOperator": i["comparisonOperator"],
        "Threshold": float(i.get("threshold", 0)),
    }
    for key, arg in (
        ("alarmDescription", "AlarmDescription"),
        ("treatMissingData", "TreatMissingData"),
        ("statistic", "Statistic"),
        ("extendedStatistic", "ExtendedStatistic"),
        ("unit", "Unit"),
    ):
        if i.get(key):
            args[arg] = i[key]
    for key, arg in (("datapointsToAlarm", "DatapointsToAlarm"), ("period", "Period")):
        if i.get(key) is not None:
            args[arg] = _int(i[key])
    for key, arg in (
        ("alarmActions", "AlarmActions"),
        ("okActions", "OKActions"),
        ("insufficientDataActions", "InsufficientDataActions"),
    ):
        if i.get(key):
            args[arg] = b.ref(i[key])
    if i.get("metricName"):
        args.update(_metric(b, i))
    queries = []
    for q in i.get("metricQueries") or []:
        query: dict[str, Any] = {"Id": q["id"], "ReturnData": bool(q.get("returnData"))}
        if q.get("expression"):
            query["Expression"] = q["expression"]
        if q.get("label"):
            query["Label"] = q["label"]
        if q.get("metric"):
            m = q["metric"]
            query["MetricStat"] = {
                "Metric": _metric(b, m),
                "Period": _int(m["period"]),
                "Stat": m["stat"],
            }
        queries.append(query)
    if queries:
        args["Metrics"] = queries
    b.client("cloudwatch", r.region).put_metric_alarm(**args)
    b.made.setdefault(r.type, []).append(name)


Handler = Callable[[_Builder, RecordedResource], None]
HANDLERS: dict[str, Handler] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ingress_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _egress_rule,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:autoscaling/group:Group": _asg,
    "aws:rds/subnetGroup:SubnetGroup": _db_subnet_group,
    "aws:rds/instance:Instance": _db_instance,
    "aws:rds/cluster:Cluster": _db_cluster,
    "aws:rds/globalCluster:GlobalCluster": _global_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _cluster_instance,
    "aws:elasticache/subnetGroup:SubnetGroup": _cache_subnet_group,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": _global_replication_group,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_versioning,
    "aws:s3/bucketVersioningV2:BucketVersioningV2": _bucket_versioning,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _bucket_encryption
    ),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _bucket_replication,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:route53/record:Record": _record,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
}
