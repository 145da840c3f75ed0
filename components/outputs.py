"""The stack's outputs: the contract ``ops/outputs.py`` parses (the runbook reads only these), and
the flat exports people and scripts use. Built here, in one place, from the finished Site's parts
and the typed descriptions its data tiers give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from components.config.dr_objectives import (
    DatabaseFamily,
    DrPlan,
    S3Replication,
    StandbySize,
    objectives,
)
from components.config.models import StackConfig, TierConfig
from components.data.tier import DataDescription, PrimaryData, StandbyData

if TYPE_CHECKING:
    from components.compute import AutoScaledTier
    from components.compute.loadbalancer import LoadBalancer
    from components.data.storage import Storage
    from components.dr.backup import Backup
    from components.dr.replication import Replication
    from components.edge.cdn import Cdn
    from components.edge.failover_dns import FailoverDns
    from components.monitoring import Monitoring
    from components.site.regional_site import RegionalSite


@dataclass(frozen=True)
class SiteParts:
    config: StackConfig
    plan: DrPlan | None
    primary: RegionalSite
    standby: RegionalSite | None
    # Their data tiers, by role.
    primary_data: PrimaryData
    standby_data: StandbyData | None
    dr_storage: Storage | None
    replication: Replication | None
    backup: Backup | None
    cdn: Cdn | None
    failover_dns: FailoverDns | None
    # The primary region's.
    monitoring: Monitoring


def no_dr_outputs() -> dict[str, Any]:
    """The ``dr`` output of a stack without DR."""
    return {
        "strategy": "none",
        "region": None,
        "activeRegion": None,
        "rto": None,
        "rpo": None,
        "uploadsRpo": None,
        "standby": None,
        "database": None,
        "cache": None,
        "failoverCapacity": None,
        "dns": None,
        "backup": None,
        "replication": None,
    }


def stack_outputs(parts: SiteParts) -> dict[str, Any]:
    """Every output of the stack, by export name."""
    config, site = parts.config, parts.primary
    data = parts.primary_data
    database, cache = data.database_endpoints, data.cache_endpoints
    outputs: dict[str, Any] = {
        "project": config.project,
        "stack": config.stack,
        "environment": config.environment.value,
        "allowedAccountIds": list(config.allowed_account_ids),
        "primary": region_outputs(site, "primary"),
        "dr": dr_outputs(parts) if parts.plan is not None else no_dr_outputs(),
        "region": config.region,
        "vpcId": site.network.vpc.id,
        "availabilityZones": site.network.availability_zones,
        "publicSubnetIds": [s.id for s in site.network.public_subnets],
        "appSubnetIds": [s.id for s in site.network.app_subnets],
        "dataSubnetIds": [s.id for s in site.network.data_subnets],
        "securityGroupIds": {
            "publicAlb": site.security.public_alb.id,
            "web": site.security.web.id,
            "database": site.security.database.id,
            "cache": site.security.cache.id,
        },
        # The data tier: where applications connect; credentials stay in Secrets Manager.
        "databaseEndpoint": data.database.serves.writer_endpoint,
        "databaseReaderEndpoint": data.database.serves.reader_endpoint,
        "databasePort": database.port,
        "databaseSecretArn": database.secret_arn,
        "databaseProxyEndpoint": data.proxy.endpoint if data.proxy else None,
        "cacheEndpoint": cache.primary_endpoint,
        "cacheReaderEndpoint": data.cache.reader_endpoint,
        "cachePort": cache.port,
        "cacheAuthSecretArn": cache.auth_secret_arn,
        # Load balancing and compute.
        "albDnsName": site.load_balancer.alb.dns_name,
        "webAsgName": site.web.group.name,
    }
    if site.app is not None and site.internal_load_balancer is not None:
        outputs["appAsgName"] = site.app.group.name
        outputs["internalAlbDnsName"] = site.internal_load_balancer.alb.dns_name
    # The edge: where users go, and what operators watch.
    if config.domain is not None:
        outputs["siteUrl"] = f"https://{config.domain.fqdn}"
    elif parts.cdn is not None:
        outputs["siteUrl"] = parts.cdn.distribution.domain_name.apply(lambda d: f"https://{d}")
    else:
        outputs["siteUrl"] = site.load_balancer.alb.dns_name.apply(lambda d: f"http://{d}")
    outputs["cloudFrontDomain"] = parts.cdn.distribution.domain_name if parts.cdn else None
    outputs["uploadsBucketName"] = site.storage.uploads_bucket.bucket
    outputs["dashboardName"] = parts.monitoring.dashboard.dashboard_name
    outputs["alarmTopicArn"] = parts.monitoring.topic.arn
    return outputs


def region_outputs(site: RegionalSite, role: str) -> pulumi.Output[dict[str, Any]]:
    """A region described for operators (``Region`` of ``ops/outputs.py``)."""
    description: DataDescription = site.data.description
    db = description.database

    def tier(group: AutoScaledTier | None, lb: LoadBalancer | None, size: TierConfig) -> Any:
        if group is None or lb is None:
            return None
        return {
            "asgName": group.group.name,
            "targetGroupArn": lb.target_group.arn,
            "minSize": size.min_size,
            "maxSize": size.max_size,
            "desiredCapacity": (
                size.min_size if size.desired_capacity is None else size.desired_capacity
            ),
        }

    security = site.security
    return pulumi.Output.from_input(
        {
            "region": site.region,
            "role": role,
            "dataKeyArn": site.keys.data.arn,
            "database": {
                "family": db.family,
                "engine": db.engine,
                "clusterId": db.cluster_id,
                "clusterArn": db.cluster_arn,
                "instanceIds": db.instance_ids,
                "instanceArn": db.instance_arn,
            },
            "cache": {"replicationGroupId": description.cache_replication_group_id},
            "web": tier(site.web, site.load_balancer, site.web_config),
            "app": tier(site.app, site.internal_load_balancer, site.app_config),
            "loadBalancer": {
                "arn": site.load_balancer.alb.arn,
                "dnsName": site.load_balancer.alb.dns_name,
            },
            "securityGroupIds": [
                g.id
                for g in (
                    security.public_alb,
                    security.cloudfront_origin,
                    security.web,
                    security.internal_alb,
                    security.app,
                    security.database,
                    security.database_proxy,
                    security.cache,
                )
                if g is not None
            ],
            "uploadsBucket": site.storage.uploads_bucket.bucket,
        }
    )


def dr_outputs(parts: SiteParts) -> pulumi.Output[dict[str, Any]]:
    """The DR mirror described for operators (``Dr`` of ``ops/outputs.py``)."""
    config, dr_plan = parts.config, parts.plan
    if dr_plan is None:  # pragma: no cover - no_dr_outputs()
        raise ValueError("dr_outputs needs a DR plan")
    family = DatabaseFamily.AURORA if config.database.engine.is_aurora else DatabaseFamily.RDS
    grace = max(
        config.web.health_check_grace_seconds,
        config.app_tier.health_check_grace_seconds if config.app_tier.enabled else 0,
    )
    expected = objectives(
        config.dr.strategy,
        family,
        health_check_grace_seconds=grace,
        headless=family is DatabaseFamily.AURORA and config.dr.secondary_readers == 0,
    )
    primary_data, standby_data, standby = parts.primary_data, parts.standby_data, parts.standby
    return pulumi.Output.from_input(
        {
            "strategy": config.dr.strategy.value,
            "region": config.dr.region,
            "activeRegion": config.active_region,
            "rto": expected.rto.as_output() if expected else None,
            "rpo": expected.rpo.as_output() if expected else None,
            "uploadsRpo": expected.uploads_rpo.as_output() if expected else None,
            "standby": region_outputs(standby, "standby") if standby is not None else None,
            "database": _dr_database(config, family, primary_data, standby_data),
            "cache": _dr_cache(primary_data, standby_data),
            "failoverCapacity": _failover_capacity(config, dr_plan, standby),
            "dns": _dr_dns(parts),
            "backup": _dr_backup(parts.backup),
            "replication": _dr_replication(parts),
        }
    )


def _dr_database(
    config: StackConfig,
    family: DatabaseFamily,
    primary: PrimaryData,
    standby: StandbyData | None,
) -> dict[str, Any] | None:
    if standby is not None and standby.global_database is not None:
        g = standby.global_database
        cluster = getattr(primary.database, "cluster", None)
        return {
            "family": family.value,
            "globalClusterId": g.global_cluster.global_cluster_identifier,
            "primaryClusterId": cluster.cluster_identifier if cluster is not None else None,
            "secondaryClusterId": g.secondary.cluster_identifier,
            "secondaryClusterArn": g.secondary.arn,
            "primaryInstanceId": None,
            "replicaInstanceId": None,
            "replicaInstanceArn": None,
            "writeForwarding": g.write_forwarding,
            # Headless: the writer the runbook adds on failover (adopted by the program).
            "failoverInstance": (
                {
                    "identifier": g.failover_instance_identifier,
                    "instanceClass": g.failover_instance_class,
                }
                if config.dr.secondary_readers == 0
                else None
            ),
        }
    if standby is not None and standby.replica is not None:
        instance = getattr(primary.database, "instance", None)
        return {
            "family": family.value,
            "globalClusterId": None,
            "primaryClusterId": None,
            "secondaryClusterId": None,
            "secondaryClusterArn": None,
            "primaryInstanceId": instance.identifier if instance is not None else None,
            "replicaInstanceId": standby.replica.replica.identifier,
            "replicaInstanceArn": standby.replica.replica.arn,
            "writeForwarding": False,
            "failoverInstance": None,
        }
    return None


def _dr_cache(primary: PrimaryData, standby: StandbyData | None) -> dict[str, Any] | None:
    if standby is None or standby.global_datastore is None:
        return None
    primary_group = primary.cache.replication_group
    return {
        "globalReplicationGroupId": (
            standby.global_datastore.global_group.global_replication_group_id
        ),
        "primaryReplicationGroupId": (
            primary_group.replication_group_id if primary_group else None
        ),
        "secondaryReplicationGroupId": standby.global_datastore.secondary.replication_group_id,
    }


def _failover_capacity(
    config: StackConfig, dr_plan: DrPlan, standby: RegionalSite | None
) -> dict[str, Any] | None:
    if standby is None or dr_plan.standby_size is StandbySize.NONE:
        return None

    def capacity(tier: AutoScaledTier, primary_min: int, primary_max: int) -> Any:
        size = config.dr.failover_capacity or primary_min
        return {
            "asgName": tier.group.name,
            "minSize": size,
            "maxSize": max(primary_max, size),
            "desiredCapacity": size,
        }

    return {
        "web": capacity(standby.web, config.web.min_size, config.web.max_size),
        "app": (
            capacity(standby.app, config.app_tier.min_size, config.app_tier.max_size)
            if standby.app is not None
            else None
        ),
    }


def _dr_dns(parts: SiteParts) -> dict[str, Any] | None:
    dns, config, dr_plan = parts.failover_dns, parts.config, parts.plan
    if dns is None or config.domain is None or dr_plan is None:
        return None
    certificates = parts.primary.certificates
    return {
        "zoneId": certificates.zone_id if certificates else None,
        "recordName": config.domain.fqdn,
        "routing": dr_plan.traffic.value,
        "records": [
            {
                "setIdentifier": r.set_identifier,
                "region": r.region,
                "failover": r.failover,
                "healthCheckId": r.health_check.id,
                "recordHealthCheckId": (
                    r.record_health_check.id if r.record_health_check else None
                ),
            }
            for r in dns.records
        ],
        "trafficSwitch": {
            "region": dns.switch.region,
            "namespace": dns.switch.namespace,
            "metricName": dns.switch.metric_name,
            "dimensions": dns.switch.dimensions,
            "healthCheckId": dns.switch.health_check.id,
        },
    }


def _dr_backup(backup: Backup | None) -> dict[str, Any] | None:
    if backup is None:
        return None
    return {
        "planId": backup.plan.id,
        "planName": backup.plan.name,
        "vaultName": backup.vault.name,
        "drVaultName": backup.dr_vault.name,
        "drVaultArn": backup.dr_vault.arn,
    }


def _dr_replication(parts: SiteParts) -> dict[str, Any] | None:
    replication, dr_plan = parts.replication, parts.plan
    if replication is None or dr_plan is None:
        return None
    target = parts.standby.storage if parts.standby is not None else parts.dr_storage
    return {
        "sourceBucket": parts.primary.storage.uploads_bucket.bucket,
        "replicaBucket": target.uploads_bucket.bucket if target else None,
        "ruleIds": list(replication.rule_ids),
        "bidirectional": dr_plan.s3_replication is S3Replication.TWO_WAY,
        "replicationTimeControl": replication.time_control,
    }
