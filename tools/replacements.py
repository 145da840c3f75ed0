"""Which inputs force a replacement, per resource type, and which types hold data.

The Pulumi CLI learns what forces a replacement from the provider's ``Diff`` (``replaceKeys``):
for a bridged provider such as pulumi-aws those are the Terraform schema's ``ForceNew``
attributes. pulumi_aws 7.51.1 ships no schema JSON in site-packages and its docstrings say
"forces a new resource" for only a few inputs, so this table is typed in from the Terraform AWS
provider's resource schemas (``internal/service/<service>/<resource>.go``, ``ForceNew: true`` /
``RequiresReplace``), in Pulumi's camelCase input names (as ``RecordedResource.inputs`` has
them). Each entry names its source:

- "read": the schema was read for this table (terraform-provider-aws, 2024-2026 sources);
- "docstring": the pulumi_aws 7.51.1 docstring says so;
- "known": the provider's schema as generally documented (the registry's "Forces new
  resource"), not re-read here: less certain, said so where it matters.

Only top-level inputs are listed: a ``ForceNew`` attribute inside a block (``s3Import.bucketName``)
replaces the resource when the block changes, so the block's key stands for it. Conditions the
provider decides in ``CustomizeDiff`` are in ``CONDITIONAL``. ``tests/test_preview_diff.py`` checks
that every resource type of every shipped stack has an entry (an empty set only with a comment
saying nothing forces replacement) and that every name is a real input of its type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# pulumi-aws 7 (Terraform provider v6) gives every regional resource a ``region`` input; moving a
# resource to another region recreates it ("known": enhanced region support, RequiresReplace).
_REGION = frozenset({"region"})


def _aws(*names: str) -> frozenset[str]:
    return frozenset(names) | _REGION


FORCES_REPLACEMENT: Mapping[str, frozenset[str]] = {
    # --- Data: databases, caches, buckets, keys, secrets, vaults ("read" unless said) ---------
    # rds/instance.go. dbSubnetGroupName is NOT ForceNew for an instance (ModifyDBInstance moves
    # it); replicateSourceDb is not either (removing it promotes the replica): the program adds
    # replace_on_changes for that one where it wants a rebuild.
    "aws:rds/instance:Instance": _aws(
        "availabilityZone",
        "characterSetName",
        "customIamInstanceProfile",
        "dbName",
        "engine",
        "identifier",
        "identifierPrefix",
        "kmsKeyId",
        "ncharCharacterSetName",
        "restoreToPointInTime",
        "s3Import",
        "snapshotIdentifier",
        "storageEncrypted",
        "timezone",
        "username",
    ),
    # rds/cluster.go. storageType forces new only for Multi-AZ DB clusters (not Aurora: the
    # docstring says so), so it is not listed; availabilityZones: see PITFALLS (perpetual diff).
    "aws:rds/cluster:Cluster": _aws(
        "availabilityZones",
        "clusterIdentifier",
        "clusterIdentifierPrefix",
        "clusterScalabilityType",
        "databaseName",
        "dbSubnetGroupName",
        "dbSystemId",
        "engine",
        "engineMode",
        "kmsKeyId",
        "masterUsername",
        "restoreToPointInTime",
        "s3Import",
        "snapshotIdentifier",
        "sourceRegion",
        "storageEncrypted",
    ),
    # rds/cluster_instance.go.
    "aws:rds/clusterInstance:ClusterInstance": _aws(
        "availabilityZone",
        "clusterIdentifier",
        "customIamInstanceProfile",
        "dbSubnetGroupName",
        "engine",
        "identifier",
        "identifierPrefix",
    ),
    # rds/global_cluster.go.
    "aws:rds/globalCluster:GlobalCluster": _aws(
        "databaseName",
        "engine",
        "globalClusterIdentifier",
        "sourceDbClusterIdentifier",
        "storageEncrypted",
    ),
    # elasticache/replication_group.go. engine and engineVersion force new only on a downgrade,
    # transitEncryptionEnabled only below 7.0.5: CONDITIONAL.
    "aws:elasticache/replicationGroup:ReplicationGroup": _aws(
        "atRestEncryptionEnabled",
        "dataTieringEnabled",
        "globalReplicationGroupId",
        "kmsKeyId",
        "networkType",
        "port",
        "replicationGroupId",
        "securityGroupNames",
        "snapshotArns",
        "snapshotName",
        "subnetGroupName",
    ),
    # elasticache/global_replication_group.go ("docstring": the suffix and the primary group).
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": _aws(
        "globalReplicationGroupIdSuffix",
        "primaryReplicationGroupId",
    ),
    # elasticache/cluster.go ("known": Memcached clusters; a Redis/Valkey group is above).
    "aws:elasticache/cluster:Cluster": _aws(
        "availabilityZone",
        "clusterId",
        "engine",
        "networkType",
        "port",
        "replicationGroupId",
        "snapshotArns",
        "snapshotName",
        "subnetGroupName",
    ),
    # s3/bucket.go ("known"): the name is the bucket; object lock is set at creation.
    "aws:s3/bucket:Bucket": _aws("bucket", "bucketPrefix", "objectLockEnabled"),
    # kms/key.go: key spec, usage, multi-Region and the key store are fixed at creation.
    "aws:kms/key:Key": _aws(
        "customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"
    ),
    # secretsmanager/secret.go: the name; kmsKeyId, policy and replicas update in place.
    "aws:secretsmanager/secret:Secret": _aws("name", "namePrefix"),
    # secretsmanager/secret_version.go ("known"): a version is immutable.
    "aws:secretsmanager/secretVersion:SecretVersion": _aws(
        "secretBinary", "secretId", "secretString"
    ),
    # backup/vault.go: name and key (the vault has tags only to update).
    "aws:backup/vault:Vault": _aws("kmsKeyArn", "name"),
    # backup/plan.go ("known"): rules update in place.
    "aws:backup/plan:Plan": _aws("name"),
    # backup/selection.go ("known"): a selection has no update; every argument forces new.
    "aws:backup/selection:Selection": _aws(
        "conditions", "iamRoleArn", "name", "notResources", "planId", "resources", "selectionTags"
    ),
    # The bucket's satellites ("known"): each is keyed by its bucket.
    "aws:s3/bucketAcl:BucketAcl": _aws("bucket", "expectedBucketOwner"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _aws(
        "bucket", "expectedBucketOwner"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _aws("bucket"),
    "aws:s3/bucketPolicy:BucketPolicy": _aws("bucket"),  # region: "docstring"
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _aws("bucket"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _aws("bucket"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _aws(
        "bucket", "expectedBucketOwner"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _aws("bucket", "expectedBucketOwner"),
    # rds/subnet_group.go, elasticache/subnet_group.go ("known"): the name; subnets update.
    "aws:rds/subnetGroup:SubnetGroup": _aws("name", "namePrefix"),
    "aws:elasticache/subnetGroup:SubnetGroup": _aws("name"),
    # Parameter groups ("known"): name, family and description are fixed at creation.
    "aws:rds/parameterGroup:ParameterGroup": _aws("description", "family", "name", "namePrefix"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": _aws(
        "description", "family", "name", "namePrefix"
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": _aws("description", "family", "name"),
    # rds/proxy*.go ("known"; proxyTarget's targetGroupName: "docstring").
    "aws:rds/proxy:Proxy": _aws("engineFamily", "name", "vpcSubnetIds"),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": _aws("dbProxyName"),
    "aws:rds/proxyTarget:ProxyTarget": _aws(
        "dbClusterIdentifier", "dbInstanceIdentifier", "dbProxyName", "targetGroupName"
    ),
    # random provider: every argument of these is RequiresReplace (terraform-provider-random).
    "random:index/randomPassword:RandomPassword": frozenset(
        {
            "keepers",
            "length",
            "lower",
            "minLower",
            "minNumeric",
            "minSpecial",
            "minUpper",
            "numeric",
            "overrideSpecial",
            "special",
            "upper",
        }
    ),
    "random:index/randomId:RandomId": frozenset({"byteLength", "keepers", "prefix"}),
    # --- Network ("known" unless said) --------------------------------------------------------
    "aws:ec2/vpc:Vpc": _aws("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"),
    "aws:ec2/subnet:Subnet": _aws(
        "availabilityZone", "availabilityZoneId", "cidrBlock", "outpostArn", "vpcId"
    ),
    # Attaching and detaching a VPC is an update: nothing forces replacement but the region.
    "aws:ec2/internetGateway:InternetGateway": _REGION,
    "aws:ec2/eip:Eip": _aws(
        "address", "customerOwnedIpv4Pool", "domain", "networkBorderGroup", "publicIpv4Pool"
    ),
    "aws:ec2/natGateway:NatGateway": _aws(
        "allocationId", "connectivityType", "privateIp", "subnetId"
    ),
    "aws:ec2/routeTable:RouteTable": _aws("vpcId"),
    "aws:ec2/route:Route": _aws(
        "destinationCidrBlock",
        "destinationIpv6CidrBlock",
        "destinationPrefixListId",
        "routeTableId",
    ),
    # route_table_id moves the association in place (ReplaceRouteTableAssociation).
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _aws("gatewayId", "subnetId"),
    # vpcId: "docstring"; name and description cannot be changed on a security group.
    "aws:ec2/securityGroup:SecurityGroup": _aws("description", "name", "namePrefix", "vpcId"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _aws("vpcId"),
    # The rule resources modify a rule in place (ModifySecurityGroupRules) but its group.
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _aws("securityGroupId"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _aws("securityGroupId"),
    # vpcId and vpcEndpointType: "docstring".
    "aws:ec2/vpcEndpoint:VpcEndpoint": _aws("serviceName", "vpcEndpointType", "vpcId"),
    # A flow log has no update (tags only): every argument forces new.
    "aws:ec2/flowLog:FlowLog": _aws(
        "deliverCrossAccountRole",
        "destinationOptions",
        "eniId",
        "iamRoleArn",
        "logDestination",
        "logDestinationType",
        "logFormat",
        "maxAggregationInterval",
        "subnetId",
        "trafficType",
        "transitGatewayAttachmentId",
        "transitGatewayId",
        "vpcId",
    ),
    # --- Compute and load balancing ("known") -------------------------------------------------
    # Everything else of a launch template makes a new version in place.
    "aws:ec2/launchTemplate:LaunchTemplate": _aws("name", "namePrefix"),
    # suspendedProcesses / warmPool: "docstring" mentions them for other reasons, not ForceNew.
    "aws:autoscaling/group:Group": _aws("name", "namePrefix"),
    "aws:autoscaling/policy:Policy": _aws("autoscalingGroupName", "name"),
    "aws:autoscaling/schedule:Schedule": _aws("autoscalingGroupName", "scheduledActionName"),
    # subnets force new for network load balancers only; ours are application load balancers.
    "aws:lb/loadBalancer:LoadBalancer": _aws(
        "customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"
    ),
    "aws:lb/targetGroup:TargetGroup": _aws(
        "ipAddressType",
        "name",
        "namePrefix",
        "port",
        "protocol",
        "protocolVersion",
        "targetType",
        "vpcId",
    ),
    "aws:lb/listener:Listener": _aws("loadBalancerArn"),
    "aws:lb/listenerRule:ListenerRule": _aws("listenerArn"),
    # --- IAM and keys ("known"; IAM is global: no region input) --------------------------------
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": frozenset({"policyArn", "role"}),
    "aws:iam/instanceProfile:InstanceProfile": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": frozenset({"awsServiceName", "customSuffix"}),
    # targetKeyId moves the alias in place (UpdateAlias).
    "aws:kms/alias:Alias": _aws("name", "namePrefix"),
    # --- Edge, DNS, monitoring ("known" unless said) ------------------------------------------
    # Every setting of a distribution is an UpdateDistribution: nothing forces replacement.
    "aws:cloudfront/distribution:Distribution": frozenset(),
    # Name, description, signing behaviour: UpdateOriginAccessControl. Nothing forces new.
    "aws:cloudfront/originAccessControl:OriginAccessControl": frozenset(),
    # ACM cannot change a certificate's names. (validationMethod: unsure, not listed.)
    "aws:acm/certificate:Certificate": _aws(
        "certificateAuthorityArn",
        "domainName",
        "keyAlgorithm",
        "subjectAlternativeNames",
        "validationOptions",
    ),
    "aws:acm/certificateValidation:CertificateValidation": _aws(
        "certificateArn", "validationRecordFqdns"
    ),
    # route53/record.go ("read"): name and zone; type and setIdentifier change in place.
    "aws:route53/record:Record": frozenset({"name", "zoneId"}),
    "aws:route53/healthCheck:HealthCheck": frozenset(
        {"referenceName", "routingControlArn", "type"}
    ),
    "aws:route53/zone:Zone": frozenset({"delegationSetId", "name"}),
    "aws:cloudwatch/logGroup:LogGroup": _aws("logGroupClass", "name", "namePrefix"),
    # name (Terraform's alarm_name): a renamed alarm is a new alarm (fairly sure: PutMetricAlarm
    # keys alarms by name).
    "aws:cloudwatch/metricAlarm:MetricAlarm": _aws("name"),
    "aws:cloudwatch/dashboard:Dashboard": _aws("dashboardName"),
    "aws:sns/topic:Topic": _aws("fifoTopic", "name", "namePrefix"),
    "aws:sns/topicSubscription:TopicSubscription": _aws("endpoint", "protocol", "topic"),
    "aws:wafv2/webAcl:WebAcl": _aws("name", "namePrefix", "scope"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": _aws("resourceArn", "webAclArn"),
    # --- Providers ---------------------------------------------------------------------------
    # pulumi-aws marks the provider's region ForcesProviderReplace (its provider's
    # SchemaInfo): a new region replaces the provider, and with it every resource it manages
    # (tools.diff cascades that). allowedAccountIds, defaultTags and the rest are updates.
    "pulumi:providers:aws": frozenset({"region"}),
}

# The stores: replacing or deleting one loses its data (databases, caches, buckets, keys,
# secrets, the backup vault's recovery points, the global database and datastore).
DATA_TYPES = frozenset(
    {
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:rds/instance:Instance",
        "aws:rds/globalCluster:GlobalCluster",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
        "aws:backup/vault:Vault",
    }
)
# Resources whose replacement loses data or breaks what holds it: the stores, and what goes with
# them (their subnet groups, the bucket's encryption, the generated password, the suffix of the
# final snapshot names). Deleting one of the companions loses nothing by itself (it goes when its
# store goes, and that store is flagged): the preview refuses replacing any of STATEFUL_TYPES and
# deleting any of DATA_TYPES (tools.diff.destructive).
STATEFUL_TYPES = DATA_TYPES | frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "random:index/randomPassword:RandomPassword",
        "random:index/randomId:RandomId",
    }
)

Inputs = Mapping[str, Any]
Condition = Callable[[Inputs, Inputs], bool]


def _version(value: Any) -> tuple[int, ...]:
    parts = []
    for part in str(value or "").split("."):
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _cache_engine_downgrade(old: Inputs, new: Inputs) -> bool:
    # customizeDiffEngineForceNewOnDowngrade: valkey -> redis recreates the group.
    return old.get("engine") == "valkey" and new.get("engine") == "redis"


def _cache_version_downgrade(old: Inputs, new: Inputs) -> bool:
    # customizeDiffEngineVersionForceNewOnDowngrade.
    before, after = old.get("engineVersion"), new.get("engineVersion")
    return bool(before and after) and _version(after) < _version(before)


def _transit_encryption_before_7_0_5(old: Inputs, new: Inputs) -> bool:
    # "docstring": changing it with an engine_version < 7.0.5 forces a replacement.
    version = new.get("engineVersion") or old.get("engineVersion")
    return new.get("engine", "redis") == "redis" and _version(version) < (7, 0, 5)


# Inputs that force a replacement only under a condition the provider decides in CustomizeDiff:
# (type, input) -> condition(old inputs, new inputs).
CONDITIONAL: Mapping[tuple[str, str], Condition] = {
    ("aws:elasticache/replicationGroup:ReplicationGroup", "engine"): _cache_engine_downgrade,
    ("aws:elasticache/replicationGroup:ReplicationGroup", "engineVersion"): (
        _cache_version_downgrade
    ),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "transitEncryptionEnabled"): (
        _transit_encryption_before_7_0_5
    ),
}


def forces_replacement(type_: str, key: str, old: Inputs, new: Inputs) -> bool:
    """Whether a change of the top-level input ``key`` replaces a resource of ``type_``."""
    if key in FORCES_REPLACEMENT.get(type_, frozenset()):
        return True
    condition = CONDITIONAL.get((type_, key))
    return condition is not None and condition(old, new)
