"""Who writes: the data tier of both regions, as AWS says it is now.

Every decision that could make a second writer, or send users to a region whose database does not
accept writes, is taken from this reading at the moment of acting, never from the journal alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import botocore.exceptions

from ops import facts
from ops.aws import is_unreachable
from ops.outputs import Capacity
from ops.runner import Context, StepFailed

Role = Literal["writer", "replica", "unreachable", "missing"]


@dataclass(frozen=True)
class Node:
    """One region's database (an RDS instance or an Aurora cluster)."""

    region: str
    name: str
    role: Role
    status: str = ""
    # replica: what it replicates (instance id/ARN, or the global writer's cluster ARN)
    source: str = ""
    # aurora: standalone (not, or no longer, a member of the global cluster)
    standalone: bool = False
    engine_version: str = ""
    # Its region's tiers run (desired capacity above 0); None when they cannot be read.
    serving: bool | None = None

    @property
    def reachable(self) -> bool:
        """Answered from here (a role known only from the other region's view is not)."""
        return self.role != "unreachable" and self.status != "unreachable"

    @property
    def writes(self) -> bool:
        """Accepts writes (a writer that is up)."""
        return self.role == "writer" and self.status in ("available", "backing-up", "modifying")

    def describe(self) -> str:
        if self.role == "unreachable":
            return f"{self.name} ({self.region}) unreachable"
        if self.status == "unreachable":
            known = "writer" if self.role == "writer" else "secondary"
            return f"{self.name} ({self.region}) unreachable, the global cluster's {known}"
        if self.role == "missing":
            return f"{self.name} ({self.region}) not found"
        what = "writer" if self.role == "writer" else f"replica of {self.source}"
        if self.standalone and self.role == "writer":
            what = "standalone writer"
        return f"{self.name} ({self.region}) {self.status}, {what}"


@dataclass(frozen=True)
class Topology:
    primary: Node
    standby: Node

    @property
    def writers(self) -> list[Node]:
        return [n for n in (self.primary, self.standby) if n.role == "writer"]

    def node(self, region: str) -> Node:
        return self.primary if self.primary.region == region else self.standby

    def sole_writer(self, region: str, *, other_fenced: bool = False) -> bool:
        """``region``'s database accepts writes and no other writer can take traffic: the other
        region's database is a replica or gone, a writer whose tiers are scaled to 0, or
        unreachable and fenced (taken out of traffic on outside evidence)."""
        mine = self.node(region)
        other = self.standby if mine is self.primary else self.primary
        if not mine.writes:
            return False
        if other.role in ("replica", "missing"):
            return True
        if other.role == "writer" and other.status != "unreachable":
            return other.serving is False
        return other_fenced


def _rds(ctx: Context, region: str, name: str) -> Node:
    try:
        inst = facts.instance(ctx, region, name)
    except botocore.exceptions.BotoCoreError as err:
        if is_unreachable(err):
            return Node(region, name, "unreachable")
        raise
    except botocore.exceptions.ClientError as err:
        if facts.not_found(err):
            return Node(region, name, "missing")
        raise
    source = inst.get("ReadReplicaSourceDBInstanceIdentifier") or ""
    return Node(
        region,
        name,
        "replica" if source else "writer",
        inst.get("DBInstanceStatus", "?"),
        source,
        engine_version=inst.get("EngineVersion", ""),
    )


def _aurora(ctx: Context, region: str, name: str, arn: str, members: dict[str, bool]) -> Node:
    """An Aurora cluster's role: the global cluster's writer, a secondary of it, or a standalone
    cluster (detached: it accepts writes)."""
    try:
        cluster = facts.cluster(ctx, region, name)
    except botocore.exceptions.BotoCoreError as err:
        if not is_unreachable(err):
            raise
        if arn in members:  # the global cluster (read from the other region) knows its role
            role: Role = "writer" if members[arn] else "replica"
            return Node(region, name, role, "unreachable")
        return Node(region, name, "unreachable")
    except botocore.exceptions.ClientError as err:
        if facts.not_found(err):
            return Node(region, name, "missing")
        raise
    status = cluster.get("Status", "?")
    version = cluster.get("EngineVersion", "")
    if arn in members:
        writer = next((a for a, w in members.items() if w), "")
        if members[arn]:
            return Node(region, name, "writer", status, engine_version=version)
        return Node(region, name, "replica", status, writer, engine_version=version)
    return Node(region, name, "writer", status, standalone=True, engine_version=version)


def _serving(ctx: Context, region: str, tiers: tuple[Capacity | None, ...]) -> bool | None:
    try:
        return any(facts.asg(ctx, region, t.asg_name)["DesiredCapacity"] > 0 for t in tiers if t)
    except botocore.exceptions.BotoCoreError as err:
        if is_unreachable(err):
            return None
        raise


def read(ctx: Context) -> Topology:
    """Both regions' databases, each with whether its region's tiers run."""
    found = _databases(ctx)
    o = ctx.outputs
    assert o.dr.standby is not None
    primary_tiers = (o.primary.web, o.primary.app)
    standby_tiers = (o.dr.standby.web, o.dr.standby.app)
    return Topology(
        replace(found.primary, serving=_serving(ctx, found.primary.region, primary_tiers)),
        replace(found.standby, serving=_serving(ctx, found.standby.region, standby_tiers)),
    )


def _databases(ctx: Context) -> Topology:
    """Both regions' databases. The Aurora global cluster is read from the DR region first (the
    region a failover keeps), from the primary when the DR region cannot answer."""
    o = ctx.outputs
    db = o.dr.database
    assert db is not None and o.dr.region is not None
    primary, dr_region = o.primary.region, o.dr.region
    if db.family == "rds":
        assert db.primary_instance_id and db.replica_instance_id
        return Topology(
            _rds(ctx, primary, db.primary_instance_id),
            _rds(ctx, dr_region, db.replica_instance_id),
        )
    assert db.global_cluster_id and db.primary_cluster_id and db.secondary_cluster_id
    assert db.secondary_cluster_arn
    primary_arn = (o.primary.database.cluster_arn if o.primary.database else None) or ""
    members: dict[str, bool] = {}
    for region in (dr_region, primary):
        try:
            members = facts.global_members(ctx, region, db.global_cluster_id)
            break
        except StepFailed:  # no global cluster (any more)
            break
        except botocore.exceptions.BotoCoreError as err:
            if not is_unreachable(err):
                raise
    return Topology(
        _aurora(ctx, primary, db.primary_cluster_id, primary_arn, members),
        _aurora(ctx, dr_region, db.secondary_cluster_id, db.secondary_cluster_arn, members),
    )
