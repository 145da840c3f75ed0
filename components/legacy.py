"""Where resources were before the Site/RegionalSite composition, as URNs for ``aliases``.

Up to that release the tree was ``WebStack`` (the primary, at the root) and ``DisasterRecovery``
(the root of the DR region's pieces, with a standby ``WebStack`` inside). A stack made then keeps
those URNs in its state; each resource that moved names its old URN, so ``pulumi up`` moves it
in state instead of deleting and recreating it. A URN carries the whole chain of ancestor types
(``T1$T2$T::name``), and children inherit their parent's aliases, so only the top of each moved
subtree names its old place: ``tests/test_urn_moves.py`` holds every old URN to exactly one new
resource over every shipped stack and DR strategy.
"""

from __future__ import annotations

import pulumi

WEB_STACK = "webstack:stack:WebStack"
DISASTER_RECOVERY = "webstack:disaster_recovery:DisasterRecovery"
DATABASE = "webstack:database:Database"
CACHE = "webstack:cache:Cache"
CREDENTIAL = "webstack:credentials:MasterCredential"
KEYS = "webstack:keys:Keys"
STORAGE = "webstack:storage:Storage"
CDN = "webstack:cdn:Cdn"
DNS_RECORDS = "webstack:dns:DnsRecords"
FAILOVER_DNS = "webstack:failover_dns:FailoverDns"
MONITORING = "webstack:monitoring:Monitoring"
REPLICATION = "webstack:replication:Replication"
BACKUP = "webstack:backup:Backup"
AURORA_GLOBAL = "webstack:global_database:AuroraGlobalDatabase"
CROSS_REGION_REPLICA = "webstack:global_database:CrossRegionReplica"
GLOBAL_DATASTORE = "webstack:global_database:GlobalDatastore"
SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
ROUTE53_RECORD = "aws:route53/record:Record"
GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
GLOBAL_REPLICATION_GROUP = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"


def urn(*types: str, name: str) -> str:
    """The URN a resource had under the ancestor types ``types`` (outermost first, ending with
    its own type), in this stack and project."""
    return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{'$'.join(types)}::{name}"


def child_urn(parent_urn: str, type_: str, name: str) -> str:
    """The URN of a child ``type_``/``name`` of the resource that had ``parent_urn``."""
    prefix, _parent_name = parent_urn.rsplit("::", 1)
    return f"{prefix}${type_}::{name}"


def moved_child(
    parent: pulumi.Resource, moved_from: str | None, type_: str, name: str
) -> pulumi.ResourceOptions:
    """The options of a child ``type_``/``name`` of ``parent`` that was a child of the resource
    with the URN ``moved_from`` (None: it was made here)."""
    return pulumi.ResourceOptions(
        parent=parent,
        aliases=[child_urn(moved_from, type_, name)] if moved_from is not None else None,
    )
