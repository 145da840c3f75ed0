# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: Multi-AZ rules, per resource and across the stack.

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_LIST, UNKNOWN_STRING

HA_GROUP = {"automaticFailoverEnabled": True, "multiAzEnabled": True, "numCacheClusters": 2}

COMPLIANT = [
    ("rds-multi-az", t.RDS_INSTANCE, {"multiAz": True}),
    ("rds-multi-az", t.RDS_INSTANCE, {"replicateSourceDb": "primary"}),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, HA_GROUP),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "numCacheClusters": None, "numNodeGroups": 2, "replicasPerNodeGroup": 1}),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "cross-az", "numCacheNodes": 2}),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"replicationGroupId": "rg"}),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": ["a", "b"]}),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": UNKNOWN_LIST}),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": [UNKNOWN_STRING, UNKNOWN_STRING]}),
    ("lb-multi-subnet", t.LOAD_BALANCERS[0], {"subnets": ["a", "b"]}),
    ("lb-multi-subnet", t.LOAD_BALANCERS[1], {"subnetMappings": [{"subnetId": "a"}, {"subnetId": "b"}]}),
]  # fmt: skip

VIOLATIONS = [
    ("rds-multi-az", t.RDS_INSTANCE, {"multiAz": False}, "`multiAz: true`"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "automaticFailoverEnabled": False}, "automaticFailoverEnabled: true"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "multiAzEnabled": False}, "multiAzEnabled: true"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "numCacheClusters": 1}, "numCacheClusters: 2"),
    ("elasticache-multi-az", t.CACHE_REPLICATION_GROUP, {**HA_GROUP, "numNodeGroups": 2, "replicasPerNodeGroup": 0}, "replicasPerNodeGroup"),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "single-az", "numCacheNodes": 2}, '`azMode: "cross-az"`'),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "memcached", "azMode": "cross-az", "numCacheNodes": 1}, "numCacheNodes"),
    ("elasticache-multi-az", t.CACHE_CLUSTER, {"engine": "redis"}, "ReplicationGroup"),
    ("asg-multi-subnet", t.AUTOSCALING_GROUP, {"vpcZoneIdentifiers": ["a"]}, "vpcZoneIdentifiers"),
    ("lb-multi-subnet", t.LOAD_BALANCERS[0], {"subnets": ["a"]}, "`subnets`"),
]  # fmt: skip

SEARCH_HA = {
    "instanceCount": 3,
    "zoneAwarenessEnabled": True,
    "dedicatedMasterEnabled": True,
    "dedicatedMasterCount": 3,
}

TWINS = [
    ("lb-multi-subnet", t.CLASSIC_LB, {"subnets": ["a"]}, {"subnets": ["a", "b"]}, "`subnets`"),
    ("lb-multi-subnet", t.CLASSIC_LB, {"availabilityZones": ["a", "b"], "crossZoneLoadBalancing": False}, {"availabilityZones": ["a", "b"]}, "`crossZoneLoadBalancing: true`"),
    ("search-domain-ha", t.OPENSEARCH_DOMAIN, {"clusterConfig": {**SEARCH_HA, "instanceCount": 2}}, {"clusterConfig": SEARCH_HA}, "`clusterConfig.instanceCount: 3`"),
    ("search-domain-ha", t.ELASTICSEARCH_DOMAIN, {"clusterConfig": {**SEARCH_HA, "zoneAwarenessEnabled": False}}, {"clusterConfig": SEARCH_HA}, "`clusterConfig.zoneAwarenessEnabled: true`"),
    ("search-domain-ha", t.OPENSEARCH_DOMAIN, {"clusterConfig": {**SEARCH_HA, "dedicatedMasterCount": 2}}, {"clusterConfig": SEARCH_HA}, "`dedicatedMasterCount: 3`"),
    ("dms-replication-instance-multi-az", t.DMS_REPLICATION_INSTANCE, {}, {"multiAz": True}, "`multiAz: true`"),
]  # fmt: skip
