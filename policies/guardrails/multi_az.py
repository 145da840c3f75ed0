"""High availability: Multi-AZ databases and caches, spread across subnets and zones."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import MANDATORY, Config, PolicySet, Resource, where
from .props import UNKNOWN, as_bool, as_int, as_list, get, is_set
from .relations import Targets, of_type, referenced

rules = PolicySet()


@rules.resource(
    name="rds-multi-az",
    description="RDS instances are Multi-AZ (read replicas are exempt).",
    types=[t.RDS_INSTANCE],
    level=MANDATORY,
    fsbp=("RDS.5",),
)
def rds_multi_az(r: Resource, cfg: Config) -> list[str]:
    if is_set(get(r.props, "replicateSourceDb")):
        return []  # read replicas are exempt
    if as_bool(get(r.props, "multiAz")) in (False, None):
        return [f"{where(r)} runs in a single AZ: set `multiAz: true`"]
    return []


@rules.resource(
    name="elasticache-multi-az",
    description="ElastiCache has automatic failover, Multi-AZ and at least two nodes; "
    "Memcached spreads nodes across AZs.",
    types=[t.CACHE_REPLICATION_GROUP, t.CACHE_CLUSTER],
    level=MANDATORY,
    fsbp=("ElastiCache.3",),
)
def elasticache_multi_az(r: Resource, cfg: Config) -> list[str]:
    p = r.props
    if r.type == t.CACHE_CLUSTER:
        if is_set(get(p, "replicationGroupId")):
            return []
        engine = get(p, "engine")
        if engine == "memcached":
            out = []
            if get(p, "azMode") not in (UNKNOWN, "cross-az"):
                out.append(f'{where(r)} keeps all nodes in one AZ: set `azMode: "cross-az"`')
            nodes = as_int(get(p, "numCacheNodes"))
            if nodes is not UNKNOWN and (nodes or 1) < 2:
                out.append(f"{where(r)} has a single node: set `numCacheNodes: 2` or more")
            return out
        if engine is UNKNOWN:
            return []
        return [
            f"{where(r)} is a single {engine} node with no failover: declare an "
            "`aws.elasticache.ReplicationGroup` with `automaticFailoverEnabled: true`, "
            "`multiAzEnabled: true` and `numCacheClusters: 2` instead"
        ]
    out = []
    if as_bool(get(p, "automaticFailoverEnabled")) in (False, None):
        out.append(f"{where(r)} cannot fail over: set `automaticFailoverEnabled: true`")
    if as_bool(get(p, "multiAzEnabled")) in (False, None):
        out.append(f"{where(r)} is not Multi-AZ: set `multiAzEnabled: true`")
    groups = as_int(get(p, "numNodeGroups"))
    replicas = as_int(get(p, "replicasPerNodeGroup"))
    clusters = as_int(get(p, "numCacheClusters"))
    if isinstance(groups, int) or isinstance(replicas, int):
        if replicas is not UNKNOWN and (replicas or 0) < 1:
            out.append(
                f"{where(r)} has no replica per shard: set `replicasPerNodeGroup: 1` or more"
            )
    elif clusters is not UNKNOWN and (clusters or 1) < 2:
        out.append(f"{where(r)} has a single node: set `numCacheClusters: 2` or more")
    return out


def _subnet_count(r: Resource, *props: str) -> int | None:
    """Entries in the first of `props` that is set; None when that cannot be known yet."""
    for prop in props:
        value = as_list(get(r.props, prop))
        if value is UNKNOWN:
            return None
        if value:
            return len(value)
    return 0


@rules.resource(
    name="asg-multi-subnet",
    description="Auto Scaling groups span at least two subnets.",
    types=[t.AUTOSCALING_GROUP],
    level=MANDATORY,
    fsbp=("AutoScaling.2",),
)
def asg_multi_subnet(r: Resource, cfg: Config) -> list[str]:
    count = _subnet_count(r, "vpcZoneIdentifiers", "availabilityZones")
    if count is not None and count < 2:
        return [
            f"{where(r)} spans {count} subnet(s): list subnets in at least "
            "two AZs in `vpcZoneIdentifiers`"
        ]
    return []


@rules.resource(
    name="lb-multi-subnet",
    description=(
        "Load balancers span at least two subnets; classic ones also balance across zones."
    ),
    types=[*t.LOAD_BALANCERS, t.CLASSIC_LB],
    level=MANDATORY,
    fsbp=("ELB.9", "ELB.10", "ELB.13"),
)
def lb_multi_subnet(r: Resource, cfg: Config) -> list[str]:
    classic = r.type == t.CLASSIC_LB
    count = _subnet_count(r, "subnets", "availabilityZones" if classic else "subnetMappings")
    out = []
    if count is not None and count < 2:
        out.append(
            f"{where(r)} spans {count} subnet(s): list subnets in at least two AZs in `subnets`"
        )
    if classic and as_bool(get(r.props, "crossZoneLoadBalancing")) is False:
        out.append(f"{where(r)} keeps traffic in one zone: set `crossZoneLoadBalancing: true`")
    return out


def _non_aurora(engine: object) -> bool:
    return isinstance(engine, str) and not engine.startswith("aurora")


@rules.stack(
    name="aurora-cluster-min-instances",
    description="Aurora clusters have at least two instances, so a reader can take over.",
    level=MANDATORY,
    fsbp=("RDS.15",),
    config={
        "minInstances": {
            "type": "integer",
            "minimum": 1,
            "default": 2,
            "description": "Minimum number of cluster instances per Aurora cluster.",
        }
    },
)
def aurora_min_instances(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    minimum = int(cfg.get("minInstances", 2))
    clusters = [
        c
        for c in of_type(resources, t.RDS_CLUSTER)
        if get(c.props, "engineMode") not in ("serverless", UNKNOWN)
        # Multi-AZ DB clusters (non-Aurora engines) manage their own instances.
        and not _non_aurora(get(c.props, "engine"))
        # A global database's secondary (no master user of its own) may be headless by design.
        and not (
            is_set(get(c.props, "globalClusterIdentifier"))
            and get(c.props, "masterUsername") is None
        )
    ]
    if not clusters:
        return []
    targets = Targets(clusters, ["clusterIdentifier"])
    counts = {c.urn: 0 for c in clusters}
    unresolved = False
    for inst in of_type(resources, t.RDS_CLUSTER_INSTANCE):
        found, ok = referenced(inst, "clusterIdentifier", targets)
        unresolved |= not ok
        for c in found:
            counts[c.urn] += 1
    out = []
    for c in clusters:
        n = counts[c.urn]
        if n < minimum and not unresolved:
            out.append(
                (
                    c.urn,
                    f"RDS cluster '{c.name}' has {n} instance(s): add "
                    f"`aws.rds.ClusterInstance` resources with `clusterIdentifier` set to this "
                    f"cluster until there are {minimum}, in different AZs",
                )
            )
    return out


@rules.stack(
    name="neptune-cluster-multi-az",
    description="Neptune clusters have instances in at least two AZs (two instances or more).",
    level=MANDATORY,
    fsbp=("Neptune.9",),
)
def neptune_multi_az(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    clusters = of_type(resources, t.NEPTUNE_CLUSTER)
    if not clusters:
        return []
    targets = Targets(clusters, ["clusterIdentifier"])
    counts = {c.urn: 0 for c in clusters}
    for inst in of_type(resources, t.NEPTUNE_CLUSTER_INSTANCE):
        found, ok = referenced(inst, "clusterIdentifier", targets)
        if not ok:
            return []  # an instance whose cluster cannot be told yet: decide after the update
        for c in found:
            counts[c.urn] += 1
    return [
        (
            c.urn,
            f"Neptune cluster '{c.name}' has {counts[c.urn]} instance(s): add "
            "`aws.neptune.ClusterInstance` resources with `clusterIdentifier` set to this cluster "
            "until there are 2, in different AZs",
        )
        for c in clusters
        if counts[c.urn] < 2
    ]


@rules.resource(
    name="search-domain-ha",
    description=(
        "OpenSearch and Elasticsearch domains run three or more data nodes across zones and "
        "three dedicated master nodes."
    ),
    types=t.SEARCH_DOMAINS,
    level=MANDATORY,
    fsbp=("Opensearch.6", "Opensearch.11", "ES.6", "ES.7"),
)
def search_domain_ha(r: Resource, cfg: Config) -> list[str]:
    cluster = get(r.props, "clusterConfig")
    if cluster is UNKNOWN:
        return []
    out = []
    nodes = as_int(get(cluster, "instanceCount"))
    if nodes is not UNKNOWN and (nodes or 1) < 3:
        out.append(
            f"{where(r)} has {nodes or 1} data node(s): set `clusterConfig.instanceCount: 3`"
        )
    if as_bool(get(cluster, "zoneAwarenessEnabled")) in (False, None):
        out.append(
            f"{where(r)} keeps its nodes in one AZ: set `clusterConfig.zoneAwarenessEnabled: true` "
            "(with `zoneAwarenessConfig.availabilityZoneCount: 3`)"
        )
    masters = as_int(get(cluster, "dedicatedMasterCount"))
    if as_bool(get(cluster, "dedicatedMasterEnabled")) in (False, None) or (
        masters is not UNKNOWN and (masters or 0) < 3
    ):
        out.append(
            f"{where(r)} has no quorum of dedicated master nodes: set "
            "`clusterConfig.dedicatedMasterEnabled: true` and `dedicatedMasterCount: 3`"
        )
    return out


@rules.resource(
    name="dms-replication-instance-multi-az",
    description="DMS replication instances are Multi-AZ.",
    types=[t.DMS_REPLICATION_INSTANCE],
    level=MANDATORY,
    fsbp=("DMS.13",),
)
def dms_multi_az(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "multiAz")) in (False, None):
        return [f"{where(r)} runs in a single AZ: set `multiAz: true`"]
    return []


_MQ_MULTI_AZ = {"activemq": "ACTIVE_STANDBY_MULTI_AZ", "rabbitmq": "CLUSTER_MULTI_AZ"}


@rules.resource(
    name="mq-broker-multi-az",
    description="Amazon MQ brokers run across AZs: ActiveMQ active/standby, RabbitMQ clusters.",
    types=[t.MQ_BROKER],
    level=MANDATORY,
    fsbp=("MQ.5", "MQ.6"),
)
def mq_multi_az(r: Resource, cfg: Config) -> list[str]:
    engine = get(r.props, "engineType")
    mode = get(r.props, "deploymentMode")
    if not isinstance(engine, str) or mode is UNKNOWN:
        return []
    wanted = _MQ_MULTI_AZ.get(engine.lower())
    if wanted is None or mode == wanted:
        return []
    return [
        f"{where(r)} is a single {engine} instance in one AZ "
        f'({mode or "SINGLE_INSTANCE"}): set `deploymentMode: "{wanted}"` (with `subnetIds` in '
        f"{'two' if wanted.startswith('ACTIVE') else 'three'} AZs)"
    ]


@rules.resource(
    name="redshift-multi-az",
    description="Redshift clusters are Multi-AZ.",
    types=[t.REDSHIFT_CLUSTER],
    level=MANDATORY,
    fsbp=("Redshift.18",),
)
def redshift_multi_az(r: Resource, cfg: Config) -> list[str]:
    if as_bool(get(r.props, "multiAz")) in (False, None):
        return [f"{where(r)} runs in a single AZ: set `multiAz: true` (RA3 node types)"]
    return []


def _zone(subnet: PolicyResource) -> str | None:
    for prop in ("availabilityZone", "availabilityZoneId"):
        zone = get(subnet.props, prop)
        if isinstance(zone, str) and zone:
            return zone
    return None


@rules.stack(
    name="asg-multi-az",
    description="Auto Scaling groups launch into subnets of at least two distinct AZs.",
    level=MANDATORY,
    fsbp=("AutoScaling.2",),
)
def asg_multi_az(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    subnets = of_type(resources, t.SUBNET)
    targets = Targets(subnets, ["subnetId"])
    out = []
    for asg in of_type(resources, t.AUTOSCALING_GROUP):
        zones = as_list(get(asg.props, "availabilityZones"))
        if isinstance(zones, list) and zones and not is_set(get(asg.props, "vpcZoneIdentifiers")):
            if any(z is UNKNOWN for z in zones):
                continue  # a zone chosen at update time: cannot decide yet
            azs = set(zones)
        else:
            found, ok = referenced(asg, "vpcZoneIdentifiers", targets)
            ids = as_list(get(asg.props, "vpcZoneIdentifiers"))
            outside = isinstance(ids, list) and any(
                isinstance(i, str) and i not in targets.by_value for i in ids
            )
            if not ok or not found or outside:
                continue  # subnets from elsewhere (another stack, a lookup): cannot decide
            zones_of = [_zone(s) for s in found]
            if None in zones_of:
                continue  # a subnet's AZ is chosen by AWS: cannot decide before the update
            azs = set(zones_of)
        if len(azs) < 2:
            out.append(
                (
                    asg.urn,
                    f"Auto Scaling group '{asg.name}' launches into {len(azs)} AZ(s) "
                    f"({', '.join(sorted(map(str, azs))) or 'none'}): put subnets of at least two "
                    "AZs in `vpcZoneIdentifiers`",
                )
            )
    return out


policies = rules.policies
