"""S3 cross-Region replication of the uploads bucket into the DR region (and back, active-active).

Both buckets are passed in with their ``BucketVersioning`` resources: S3 refuses a replication
configuration on a bucket without versioning, so the arguments require the versioning resources
and the configuration depends on them (versioning status "Enabled" is the caller's contract,
checked by the tests of the composed stack).

Encryption: objects are SSE-KMS under each region's data key. Only objects the rule selects as
``sse_kms_encrypted_objects`` are replicated, and they are re-encrypted with the destination
region's key (``replica_kms_key_id``), so the DR copy never depends on a key of the lost region.
The replication role may decrypt with the source key only through S3 in the source region and
encrypt with the destination key only through S3 in the destination region, on exactly the two
buckets.

Replication Time Control (``time_control``): S3 replicates 99.99% of new objects within 15
minutes and publishes ReplicationLatency per rule, which ``latency_alarms`` watches (AWS, S3 User
Guide, replication-time-control.html; 15 is the only accepted value of both settings).

A replication rule copies only objects written after it exists: objects already in the bucket
when DR is turned on are seeded once with S3 Batch Replication (docs/disaster-recovery.md).

Delete markers ARE replicated (``delete_marker_replication`` Enabled): the DR bucket shows the
site as it was, and a deleted upload does not reappear after a failover. Permanent deletions of
a version (DELETE with a version id) are never replicated by S3, so a malicious or mistaken
delete in the primary remains recoverable from the DR bucket's versions, which expire under its
own lifecycle rules. Replica modifications are synchronised in the two-way setup so metadata
changes made in either region converge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# The one value S3 accepts for ReplicationTime.Time.Minutes and Metrics.EventThreshold.Minutes.
from components.config.dr_objectives import RTC_MINUTES
from components.policy_documents import document_output, service_trust


@dataclass(frozen=True)
class ReplicatedBucket:
    """One side of the replication: a versioned, SSE-KMS bucket of one region."""

    region: str
    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    kms_key_arn: pulumi.Input[str]
    # The provider of the bucket's region (None: the default/parent provider).
    provider: pulumi.ProviderResource | None = None


@dataclass(frozen=True)
class ReplicationArgs:
    source: ReplicatedBucket
    destination: ReplicatedBucket
    # Active-active: the destination also replicates back into the source.
    bidirectional: bool = False
    # S3 Replication Time Control (warm standby, active-active): 99.99% of objects within 15
    # minutes, with the replication metrics (ReplicationLatency, OperationsPendingReplication)
    # it requires. Without it S3 gives no time bound and publishes no latency metric.
    time_control: bool = False


class Replication(pulumi.ComponentResource):
    """Replication rule(s) and the role S3 replicates with."""

    role: aws.iam.Role
    configurations: list[aws.s3.BucketReplicationConfig]
    rule_ids: list[str]
    time_control: bool
    alarms: list[aws.cloudwatch.MetricAlarm]

    def __init__(
        self, name: str, args: ReplicationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:replication:Replication", name, None, opts)
        source, destination = args.source, args.destination
        if source.region == destination.region:
            raise ValueError(
                f"cross-Region replication needs two regions; both buckets are in {source.region}"
            )
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))

        # One role for both directions (IAM is global; auto-named from the component's name).
        self.role = aws.iam.Role(
            f"{name}-replication",
            description=f"S3 replication of {name} between {source.region} and "
            f"{destination.region}",
            assume_role_policy=service_trust("s3.amazonaws.com", account.account_id),
            opts=child,
        )
        directions = [(source, destination)]
        if args.bidirectional:
            directions.append((destination, source))
        # Statement ids name the regions, so the two directions never repeat one.
        statements: list[pulumi.Input[dict]] = []
        for origin, target in directions:
            statements.extend(_statements(origin, target))
        role_policy = aws.iam.RolePolicy(
            f"{name}-replication",
            role=self.role.id,
            policy=document_output(*statements),
            opts=child,
        )

        self._directions = directions
        self._name = name
        self.time_control = args.time_control
        self.configurations = []
        self.rule_ids = []
        for origin, target in directions:
            rule_id = f"uploads-to-{target.region}"
            self.rule_ids.append(rule_id)
            self.configurations.append(
                aws.s3.BucketReplicationConfig(
                    f"{name}-to-{target.region}",
                    bucket=origin.bucket.id,
                    role=self.role.arn,
                    rules=[
                        aws.s3.BucketReplicationConfigRuleArgs(
                            id=rule_id,
                            status="Enabled",
                            priority=0,
                            # An empty filter: the whole bucket (V2 schema, needed for
                            # delete-marker replication).
                            filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                            delete_marker_replication=(
                                aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                                    status="Enabled"
                                )
                            ),
                            source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                                sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                                    status="Enabled"
                                ),
                                replica_modifications=(
                                    aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaReplicaModificationsArgs(
                                        status="Enabled"
                                    )
                                    if args.bidirectional
                                    else None
                                ),
                            ),
                            destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                                bucket=target.bucket.arn,
                                storage_class="STANDARD",
                                encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                                    replica_kms_key_id=target.kms_key_arn
                                ),
                                replication_time=(
                                    aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                                        status="Enabled",
                                        time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(
                                            minutes=RTC_MINUTES
                                        ),
                                    )
                                    if args.time_control
                                    else None
                                ),
                                metrics=(
                                    aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                                        status="Enabled",
                                        event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                                            minutes=RTC_MINUTES
                                        ),
                                    )
                                    if args.time_control
                                    else None
                                ),
                            ),
                        )
                    ],
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        provider=origin.provider,
                        # S3 rejects the configuration unless both sides are versioned, and
                        # replicates only once the role may act.
                        depends_on=[origin.versioning, target.versioning, role_policy],
                    ),
                )
            )
        self.alarms = []
        self.register_outputs(
            {
                "role_arn": self.role.arn,
                "rule_ids": self.rule_ids,
                "bidirectional": args.bidirectional,
                "time_control": args.time_control,
            }
        )

    def latency_alarms(self, topic_arns: Mapping[str, pulumi.Input[str]]) -> None:
        """With Replication Time Control: an alarm per direction when the rule's
        ReplicationLatency passes the 15-minute bound, in the source bucket's region (where S3
        publishes it), notifying that region's alarm topic (``topic_arns`` by region)."""
        if not self.time_control:
            return
        for (origin, target), rule_id, configuration in zip(
            self._directions, self.rule_ids, self.configurations, strict=True
        ):
            self.alarms.append(
                aws.cloudwatch.MetricAlarm(
                    f"{self._name}-to-{target.region}-latency",
                    alarm_description=(
                        f"Uploads replicate from {origin.region} to {target.region} later than "
                        f"the {RTC_MINUTES}-minute bound of S3 Replication Time Control: the "
                        "uploads RPO is not met"
                    ),
                    namespace="AWS/S3",
                    metric_name="ReplicationLatency",
                    dimensions={
                        "SourceBucket": origin.bucket.bucket,
                        "DestinationBucket": target.bucket.bucket,
                        "RuleId": rule_id,
                    },
                    statistic="Maximum",
                    period=300,
                    evaluation_periods=1,
                    threshold=RTC_MINUTES * 60,
                    comparison_operator="GreaterThanThreshold",
                    # No datapoint: nothing written lately, nothing late.
                    treat_missing_data="notBreaching",
                    alarm_actions=[topic_arns[origin.region]],
                    ok_actions=[topic_arns[origin.region]],
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=origin.provider, depends_on=[configuration]
                    ),
                )
            )


def _via(service: str, region: str) -> dict:
    return {"StringEquals": {"kms:ViaService": f"{service}.{region}.amazonaws.com"}}


def _statements(origin: ReplicatedBucket, target: ReplicatedBucket) -> list[pulumi.Input[dict]]:
    """What replicating ``origin`` into ``target`` needs, on exactly those buckets and keys."""
    source_arn = origin.bucket.arn
    target_arn = target.bucket.arn
    return [
        {
            "Sid": f"ReadReplicationConfigOf{_sid(origin.region)}",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source_arn,
        },
        {
            "Sid": f"ReadVersionsIn{_sid(origin.region)}",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": source_arn.apply(lambda arn: f"{arn}/*"),
        },
        {
            "Sid": f"WriteReplicasIn{_sid(target.region)}",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "Resource": target_arn.apply(lambda arn: f"{arn}/*"),
        },
        {
            "Sid": f"DecryptWithTheKeyOf{_sid(origin.region)}",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": origin.kms_key_arn,
            "Condition": _via("s3", origin.region),
        },
        {
            "Sid": f"EncryptWithTheKeyOf{_sid(target.region)}",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": target.kms_key_arn,
            "Condition": _via("s3", target.region),
        },
    ]


def _sid(region: str) -> str:
    return "".join(part.capitalize() for part in region.split("-"))
