"""Defaults: the pinned engine versions and what each environment starts from."""

from __future__ import annotations

from typing import Any

from components.config.values import CacheEngine, DatabaseEngine, Environment

# Versions a new database or cache starts on when engineVersion is unset. Pinned, not left to
# AWS's default, because the parameter group family follows the major version: an unpinned
# default that moves to a new major would make the next run build a mismatched group.
DEFAULT_DATABASE_VERSIONS = {
    DatabaseEngine.AURORA_POSTGRESQL: "16.11",
    DatabaseEngine.AURORA_MYSQL: "8.0.mysql_aurora.3.10.3",
    DatabaseEngine.POSTGRES: "16",
    DatabaseEngine.MYSQL: "8.4",
}
DEFAULT_CACHE_VERSIONS = {
    CacheEngine.VALKEY: "8.0",
    CacheEngine.REDIS: "7.1",
    # In-transit encryption needs Memcached 1.6.12 or later.
    CacheEngine.MEMCACHED: "1.6.22",
}

# Defaults that depend on the environment. Sections the user sets are merged over these key by
# key, so `webstack:web: {maxSize: 10}` keeps the environment's instance type and minSize.
ENVIRONMENT_DEFAULTS: dict[Environment, dict[str, dict[str, Any]]] = {
    Environment.DEV: {
        "network": {"azCount": 2, "natGateways": "single", "flowLogRetentionDays": 14},
        "web": {"instanceType": "t4g.micro", "minSize": 2, "maxSize": 3},
        "appTier": {"instanceType": "t4g.micro", "minSize": 2, "maxSize": 3},
        "database": {"instanceClass": "db.t4g.medium", "readers": 1, "backupRetentionDays": 1},
        "cache": {"nodeType": "cache.t4g.micro", "replicas": 1, "snapshotRetentionDays": 1},
        "cdn": {"priceClass": "PriceClass_100"},
        "dr": {"standbySize": 1, "secondaryReaders": 1},
    },
    Environment.STAGING: {
        "network": {"azCount": 2, "natGateways": "perAz", "flowLogRetentionDays": 30},
        "web": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 4},
        "appTier": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 4},
        "database": {"instanceClass": "db.t4g.medium", "readers": 1, "backupRetentionDays": 7},
        "cache": {"nodeType": "cache.t4g.small", "replicas": 1},
        "cdn": {"priceClass": "PriceClass_100"},
        "dr": {"standbySize": 1, "secondaryReaders": 1},
    },
    Environment.PROD: {
        "network": {"azCount": 3, "natGateways": "perAz", "flowLogRetentionDays": 365},
        "web": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 6},
        "appTier": {"instanceType": "t4g.small", "minSize": 2, "maxSize": 6},
        "database": {"instanceClass": "db.r6g.large", "readers": 1, "backupRetentionDays": 14},
        "cache": {"nodeType": "cache.m7g.large", "replicas": 1, "snapshotRetentionDays": 7},
        "cdn": {"priceClass": "PriceClass_All"},
        # Warm standby keeps one instance per AZ pair running; a failover scales to minSize.
        "dr": {"standbySize": 2, "secondaryReaders": 1},
    },
}
