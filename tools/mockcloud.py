"""Run the real ``__main__.py`` under Pulumi's own mock monitor and record what it registers.

``synthesize(stack)`` loads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` and hands their config to
the program the way the CLI does (structured values as JSON strings), installs
``pulumi.runtime.set_mocks`` with a ``RecordingMonitor`` and a ``MockCloud`` that knows just enough
of AWS (AZ names per region, account, partition, SSM AMI parameters, managed prefix lists, hosted
zones), runs the program and returns every registered resource: type, name, URN, parent,
provider, dependencies, options, inputs and the exact protobuf Struct the SDK serialized (what the
engine would hand a policy pack).

Two modes mirror the CLI:
- ``preview=True`` (default) is a first ``pulumi preview``: ids and computed attributes of new
  resources are unknown, so the program must cope with unknowns as it will for real.
- ``preview=False`` is a ``pulumi up`` against a fake cloud: ids and ARNs are deterministic, so
  tests can follow references between resources.

An invoke the mocks do not know raises instead of returning junk.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pulumi
import pulumi.runtime
from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.naming import PROJECT
from tools import stackfile

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_ID = "123456789012"
PARTITION = "aws"
AWS_PROVIDER = "pulumi:providers:aws"

# Availability zones as AWS lists them (state=available, no opt-in zones).
REGION_ZONE_LETTERS = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "sa-east-1": "abc",
}
DEFAULT_ZONE_LETTERS = "abc"


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


# --------------------------------------------------------------------------------------------
# Invokes: token -> function(args, region) -> result. Extend here when the program needs more.
# --------------------------------------------------------------------------------------------
InvokeHandler = Callable[[Mapping[str, Any], str], dict[str, Any]]


def _availability_zones(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    letters = REGION_ZONE_LETTERS.get(region, DEFAULT_ZONE_LETTERS)
    names = [f"{region}{letter}" for letter in letters]
    short = "".join(part[:3] if i == 1 else part[:2] for i, part in enumerate(region.split("-")))
    return {
        "id": region,
        "names": names,
        "zoneIds": [f"{short}-az{i + 1}" for i in range(len(names))],
        "groupNames": [region] * len(names),
        "state": args.get("state", "available"),
    }


def _ssm_parameter(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = str(args["name"])
    if not name.startswith("/aws/service/"):
        raise LookupError(
            f"MockCloud only serves public /aws/service/ SSM parameters, not {name!r}"
        )
    value = f"ami-{_digest(region, name)}" if "/ami-" in name else f"mock-{_digest(name)}"
    return {
        "id": name,
        "name": name,
        "value": value,
        "insecureValue": value,
        "type": "String",
        "version": 1,
        "arn": f"arn:{PARTITION}:ssm:{region}::parameter{name}",
    }


def _managed_prefix_list(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = args.get("name")
    if name != "com.amazonaws.global.cloudfront.origin-facing":
        raise LookupError(f"MockCloud knows no managed prefix list named {name!r}")
    prefix_id = f"pl-{_digest(region, str(name), length=8)}"
    return {
        "id": prefix_id,
        "name": name,
        "arn": f"arn:{PARTITION}:ec2:{region}:aws:prefix-list/{prefix_id}",
        "addressFamily": "IPv4",
        "maxEntries": 55,
        "ownerId": "AWS",
        "entries": [],
        "tags": {},
        "version": 1,
    }


def _hosted_zone(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = str(args.get("name", "")).rstrip(".")
    zone_id = "Z" + _digest(name, length=20).upper()
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": f"{name}.",
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "privateZone": bool(args.get("privateZone", False)),
        "nameServers": [f"ns-{i}.awsdns-{i}.org" for i in range(4)],
        "resourceRecordSetCount": 2,
        "callerReference": "mock",
        "comment": "",
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "primaryNameServer": "ns-0.awsdns-0.org",
        "tags": {},
        "vpcId": "",
    }


INVOKES: dict[str, InvokeHandler] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args, region: {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/preview",
        "userId": "AIDAMOCKPREVIEW",
    },
    "aws:index/getPartition:getPartition": lambda args, region: {
        "id": PARTITION,
        "partition": PARTITION,
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    },
    "aws:index/getRegion:getRegion": lambda args, region: {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    },
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
    "aws:route53/getZone:getZone": _hosted_zone,
    "aws:s3/getCanonicalUserId:getCanonicalUserId": lambda args, region: {
        "id": _digest("canonical", ACCOUNT_ID, length=64),
        "displayName": "preview",
    },
    "aws:elb/getServiceAccount:getServiceAccount": lambda args, region: {
        "id": _digest("elb", region, length=12),
        "arn": f"arn:{PARTITION}:iam::{_digest('elb', region, length=12)}:root",
        "region": region,
    },
}


# --------------------------------------------------------------------------------------------
# Computed attributes of created resources (update mode only; a first preview leaves them unknown)
# --------------------------------------------------------------------------------------------
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


class Invoke(NamedTuple):
    """One provider function call the program made."""

    token: str
    args: dict[str, Any]
    region: str
    provider: str  # the provider's URN, "" for the default provider


class MockCloud(pulumi.runtime.Mocks):
    """Answers resource creations and invokes the way AWS would, per provider region."""

    def __init__(self, default_region: str, preview: bool) -> None:
        self.default_region = default_region
        self.preview = preview
        self.provider_regions: dict[str, str] = {}
        self.invokes: list[Invoke] = []
        self._lock = threading.Lock()

    def region_of(self, provider_reference: str | None) -> str:
        if not provider_reference:
            return self.default_region
        urn = provider_reference.rsplit("::", 1)[0]
        return self.provider_regions.get(urn, self.default_region)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        region = self.region_of(args.provider)
        handler = INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"MockCloud has no answer for invoke {args.token!r}; "
                "teach it one in tools/mockcloud.py INVOKES rather than returning junk"
            )
        with self._lock:
            self.invokes.append(
                Invoke(
                    args.token, dict(args.args), region, (args.provider or "").rsplit("::", 1)[0]
                )
            )
        return handler(args.args, region), []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", dict(args.inputs)
        if not args.custom:
            return "", {}
        if self.preview:
            # A first preview: the engine echoes inputs; ids and computed attributes are unknown.
            return "", dict(args.inputs)
        region = self.region_of(args.provider)
        id_ = _ID_PREFIXES.get(args.typ, "") + _digest(args.typ, args.name, region)
        computed = COMPUTED.get(args.typ)
        outputs = {"id": id_, "arn": _generic_arn(args.typ, region, id_)}
        if computed is not None:
            outputs.update(computed(args.name, args.inputs, region, id_))
        return id_, {**args.inputs, **outputs}


@dataclass(frozen=True)
class RecordedResource:
    """One RegisterResource call, as the engine (and a policy pack) would see it."""

    urn: str
    type: str
    name: str
    id: str  # "" while unknown (a first preview)
    parent: str
    custom: bool
    provider: str  # the provider's URN, "" for components and default providers
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    protect: bool
    ignore_changes: tuple[str, ...]
    replace_on_changes: tuple[str, ...]
    delete_before_replace: bool
    retain_on_delete: bool
    additional_secret_outputs: tuple[str, ...]
    # The URNs this resource was known by before (``aliases``): the engine moves their state to it.
    aliases: tuple[str, ...]
    # ``import_``: the id of an existing cloud resource the engine adopts ("" for none).
    import_id: str
    inputs: Mapping[str, Any]  # deserialized; unknowns are None, secrets unwrapped
    struct: struct_pb2.Struct  # exactly what the SDK serialized
    region: str
    outputs: Mapping[str, Any]  # what the mock cloud answered (ids, ARNs, endpoints)

    def get(self, *path: str | int) -> Any:
        """A nested input, or None when absent: ``r.get("metadataOptions", "httpTokens")``."""
        value: Any = self.inputs
        for key in path:
            if isinstance(key, int):
                if not isinstance(value, list) or len(value) <= key:
                    return None
                value = value[key]
            else:
                if not isinstance(value, Mapping):
                    return None
                value = value.get(key)
        return value

    def is_unknown(self, key: str) -> bool:
        """Whether a top-level input is still unknown (as during a first preview)."""
        return _struct_value_is_unknown(self.struct.fields.get(key))


def _struct_value_is_unknown(value: struct_pb2.Value | None) -> bool:
    if value is None:
        return False
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value == rpc.UNKNOWN
    if kind == "struct_value":
        fields = value.struct_value.fields
        if rpc._special_sig_key in fields and "value" in fields:
            return _struct_value_is_unknown(fields["value"])
    return False


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's MockMonitor, keeping every registration request it answers."""

    def __init__(self, cloud: MockCloud) -> None:
        super().__init__(cloud)
        self.cloud = cloud
        self.recorded: list[RecordedResource] = []
        self._record_lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        urn = response.urn
        if request.type == AWS_PROVIDER:
            region = rpc.deserialize_properties(request.object).get("region")
            self.cloud.provider_regions[urn] = region or self.cloud.default_region
        provider_urn = request.provider.rsplit("::", 1)[0] if request.provider else ""
        record = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            id=response.id,
            parent=request.parent,
            custom=bool(request.custom),
            provider=provider_urn,
            dependencies=tuple(request.dependencies),
            property_dependencies={
                key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            replace_on_changes=tuple(request.replaceOnChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            retain_on_delete=bool(request.retainOnDelete),
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            aliases=_alias_urns(request, urn),
            import_id=request.importId,
            inputs=_unwrap_secrets(rpc.deserialize_properties(request.object)),
            struct=_copy_struct(request.object),
            region=self.cloud.region_of(request.provider),
            outputs=_unwrap_secrets(rpc.deserialize_properties(response.object)),
        )
        with self._record_lock:
            self.recorded.append(record)
        return response


def _alias_urns(request: Any, urn: str) -> tuple[str, ...]:
    """The URNs of a resource's aliases, resolved as the engine resolves an alias spec: an unset
    name, type or parent is the resource's own. URNs are built the way the SDK's mock monitor
    builds the recorded ones (``pulumi.runtime.mocks``: the parent's own type only, not its whole
    chain), so an alias compares equal to the URN of the resource it names."""
    stack = urn.split("::")[0].split(":")[2]
    project = urn.split("::")[1]
    found = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            found.append(alias.urn)
            continue
        spec = alias.spec
        parent_choice = spec.WhichOneof("parent")
        if parent_choice == "parentUrn":
            parent = spec.parentUrn
        elif parent_choice == "noParent" and spec.noParent:
            parent = ""
        else:
            parent = request.parent
        parent_types = f"{parent.split('::')[2].split('$')[-1]}$" if parent else ""
        found.append(
            f"urn:pulumi:{spec.stack or stack}::{spec.project or project}::"
            f"{parent_types}{spec.type or request.type}::{spec.name or request.name}"
        )
    return tuple(found)


def _copy_struct(struct: struct_pb2.Struct) -> struct_pb2.Struct:
    copy = struct_pb2.Struct()
    copy.CopyFrom(struct)
    return copy


def _unwrap_secrets(value: Any) -> Any:
    """Plain values: secrets unwrapped, preview unknowns as None (never truthy, never equal)."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _unwrap_secrets(value.get("value"))
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value


@dataclass
class Synthesis:
    """What one run of the program registered, exported, warned and failed with."""

    stack: str
    preview: bool
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    unknown_outputs: set[str]
    warnings: list[str]
    error: str | None
    invokes: list[Invoke] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources are named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise KeyError(urn)

    def by_id(self, id_: str) -> RecordedResource:
        """Follow a reference (deployed mode): the resource whose id is ``id_``."""
        matches = [r for r in self.resources if r.custom and id_ and r.id == id_]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources have id {id_!r}")
        return matches[0]

    def by_arn(self, arn: str) -> RecordedResource:
        """Follow an ARN reference (deployed mode)."""
        matches = [r for r in self.resources if arn and r.outputs.get("arn") == arn]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources have ARN {arn!r}")
        return matches[0]

    @property
    def cloud_resources(self) -> list[RecordedResource]:
        """Resources a deployment would create in AWS (not components, not providers)."""
        return [r for r in self.resources if r.custom and not r.type.startswith("pulumi:")]

    def children(self, parent_urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent_urn]

    def descendants(self, ancestor_urn: str) -> Iterator[RecordedResource]:
        for child in self.children(ancestor_urn):
            yield child
            yield from self.descendants(child.urn)

    def count_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        return dict(sorted(counts.items()))


# --------------------------------------------------------------------------------------------
# Stack configuration, as the CLI passes it to the program
# --------------------------------------------------------------------------------------------
def load_stack_config(
    stack: str, overrides: Mapping[str, Any] | None = None, project_dir: Path = ROOT
) -> dict[str, str]:
    """The config map the CLI would hand the program (see ``tools.stackfile``)."""
    return stackfile.load_stack_config(stack, project_dir, overrides)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.messages.append(record.getMessage())


# The Pulumi runtime is process-global: one synthesis at a time.
_RUNTIME_LOCK = threading.Lock()


def synthesize(
    stack: str = "dev",
    *,
    overrides: Mapping[str, Any] | None = None,
    preview: bool = True,
    project_dir: Path = ROOT,
) -> Synthesis:
    """Run the program for ``stack`` under mocks and return everything it registered.

    ``overrides`` maps full config keys (``"webstack:network"``) to values (objects allowed) and
    is applied over the stack file. A configuration error (``pulumi.RunError``) is returned in
    ``Synthesis.error``; any other exception is a bug and propagates.
    """
    config = load_stack_config(stack, overrides, project_dir)
    region = config.get("aws:region", "us-east-1")
    with _RUNTIME_LOCK:
        cloud = MockCloud(default_region=region, preview=preview)
        monitor = RecordingMonitor(cloud)
        logger = logging.getLogger(f"webstack.mockcloud.{stack}")
        logger.propagate = False
        collector = _WarningCollector()
        logger.handlers = [collector]

        settings.ROOT.set(None)
        pulumi.runtime.set_all_config(config, [])
        pulumi.runtime.set_mocks(
            cloud, project=PROJECT, stack=stack, preview=preview, logger=logger, monitor=monitor
        )
        if str(project_dir) not in sys.path:
            sys.path.insert(0, str(project_dir))

        def run_program() -> None:
            runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")

        error: str | None = None
        try:
            _sync_await(run_pulumi_func(run_program))
        except pulumi.RunError as exc:
            error = str(exc)

        outputs, unknown = _stack_outputs()
        return Synthesis(
            stack=stack,
            preview=preview,
            resources=list(monitor.recorded),
            outputs=outputs,
            unknown_outputs=unknown,
            warnings=list(collector.messages),
            error=error,
            invokes=list(cloud.invokes),
        )


def _stack_outputs() -> tuple[dict[str, Any], set[str]]:
    root = settings.get_root_resource()
    exported: Mapping[str, Any] = getattr(root, "outputs", {}) or {}
    values: dict[str, Any] = {}
    unknown: set[str] = set()
    for key, value in exported.items():
        output = pulumi.Output.from_input(value)
        if not _sync_await(output.is_known()):
            unknown.add(key)
            values[key] = None
            continue
        values[key] = _sync_await(output.future())
    return values, unknown
