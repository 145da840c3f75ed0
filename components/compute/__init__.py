"""AutoScaledTier: the web tier (and, with appTier.enabled, the app tier) on EC2 Auto Scaling.

- Launch template: Amazon Linux 2023 (the public SSM parameter for the tier's architecture, or a
  pinned ``amiId``), IMDSv2 only, encrypted gp3 root volume with the data key, no public IP,
  detailed monitoring, a least-privilege instance profile and cloud-init user data that installs
  the demo PHP app (``user_data.py``, ``app/``).
- Auto Scaling group in the app subnets of every AZ, ELB health checks, rolling instance refresh
  whenever the launch template changes (it references ``latest_version``: a group pointing at
  ``$Latest`` never starts a refresh, pulumi-aws#1577).
- Scaling: target tracking on CPU and on ALB requests per target, optional step scaling and
  scheduled actions (seed 001).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute import user_data
from components.config.models import StepAdjustment, TierConfig
from components.config.values import PdoDriver, TierRole
from components.policy_documents import document, document_output

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
ROOT_DEVICE = "/dev/xvda"  # Amazon Linux 2023's root device name
MANAGED_POLICIES = ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy")
ENABLED_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
)
# Rebalance across AZs first, then retire instances on the oldest template, then the oldest.
TERMINATION_POLICIES = ("AllocationStrategy", "OldestLaunchTemplate", "OldestInstance")
MIN_HEALTHY_PERCENTAGE = 90
# Launch before terminate: a refresh adds the new instances before retiring old ones, so
# capacity never drops below the group's size while a rollout is in progress.
MAX_HEALTHY_PERCENTAGE = 200
UPLOADS_PREFIX = "uploads/"
# nginx keeps idle connections open longer than the ALB does, so the ALB always closes first and
# never sends a request down a connection the instance has just closed (a 502).
KEEPALIVE_MARGIN_SECONDS = 15


@dataclass(frozen=True)
class DatabaseEndpoints:
    """What the instances need of the database (components/database.py)."""

    engine: PdoDriver
    writer_endpoint: pulumi.Input[str]
    reader_endpoint: pulumi.Input[str]
    port: pulumi.Input[int]
    name: str
    secret_arn: pulumi.Input[str]
    # Through an RDS Proxy that requires IAM authentication: the endpoints are the proxy's,
    # the instances sign in as ``iam_user`` with an IAM auth token, and the role gets
    # rds-db:connect on the proxy's dbuser ARN.
    proxy_arn: pulumi.Input[str] | None = None
    iam_user: str | None = None


@dataclass(frozen=True)
class CacheEndpoints:
    """What the instances need of the cache (components/cache.py)."""

    primary_endpoint: pulumi.Input[str]
    port: pulumi.Input[int]
    auth_secret_arn: pulumi.Input[str] | None = None
    tls: bool = True


@dataclass(frozen=True)
class AutoScaledTierArgs:
    tier: TierConfig
    role: TierRole
    region: str
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]
    data_key_arn: pulumi.Input[str]
    target_group_arn: pulumi.Input[str]
    # "<alb arn_suffix>/<target group arn_suffix>", for RequestCountPerTarget tracking.
    request_count_label: pulumi.Input[str] | None = None
    database: DatabaseEndpoints | None = None
    cache: CacheEndpoints | None = None
    uploads_bucket_name: pulumi.Input[str] | None = None
    uploads_bucket_arn: pulumi.Input[str] | None = None
    # Whether browsers reach this tier over HTTPS (CDN or a domain): the session cookie's Secure.
    secure_cookies: bool = True
    # The app tier's internal URL, handed to the web tier's app config.
    app_tier_url: pulumi.Input[str] | None = None
    # EC2 Auto Scaling's service-linked role (the one the data key policy admits).
    service_linked_role_arn: pulumi.Input[str] | None = None


class AutoScaledTier(pulumi.ComponentResource):
    """One tier of identical instances behind a target group."""

    role: aws.iam.Role
    instance_profile: aws.iam.InstanceProfile
    launch_template: aws.ec2.LaunchTemplate
    group: aws.autoscaling.Group
    ami_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AutoScaledTierArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:compute:AutoScaledTier", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tier = args.tier
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition

        self.role = aws.iam.Role(
            name,
            description=f"Instances of {name}",
            # EC2 sends no aws:SourceAccount when it assumes an instance role: no condition.
            assume_role_policy=document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
            tags={"Name": name},
            opts=child,
        )
        for policy in MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=self.role.name,
                policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
                opts=child,
            )
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        statements = self._statements(args, partition, account_id)
        inline_policy: aws.iam.RolePolicy | None = None
        if statements:
            inline_policy = aws.iam.RolePolicy(
                f"{name}-app",
                role=self.role.id,
                policy=document_output(*statements),
                opts=child,
            )
        self.instance_profile = aws.iam.InstanceProfile(
            name, role=self.role.name, tags={"Name": name}, opts=child
        )

        if tier.ami_id is not None:
            self.ami_id = pulumi.Output.from_input(tier.ami_id)
        else:
            self.ami_id = aws.ssm.get_parameter_output(
                name=AMI_PARAMETER.format(arch=tier.architecture), opts=invoke
            ).value

        self.launch_template = aws.ec2.LaunchTemplate(
            name,
            description=f"{args.role} tier of {name}",
            image_id=self.ami_id,
            instance_type=tier.instance_type,
            update_default_version=True,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(
                arn=self.instance_profile.arn
            ),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            # Launch templates take these flags as strings.
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=tier.root_volume_gb,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=args.data_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    associate_public_ip_address="false",
                    delete_on_termination="true",
                    security_groups=list(args.security_group_ids),
                )
            ],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            user_data=self._user_data(args).apply(user_data.encode),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={"Name": name, "Tier": args.role}
                )
                for kind in ("instance", "volume")
            ],
            tags={"Name": name},
            opts=child,
        )

        self.group = aws.autoscaling.Group(
            name,
            vpc_zone_identifiers=list(args.subnet_ids),
            min_size=tier.min_size,
            max_size=tier.max_size,
            desired_capacity=tier.desired_capacity,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            target_group_arns=[args.target_group_arn],
            health_check_type="ELB",
            health_check_grace_period=tier.health_check_grace_seconds,
            default_instance_warmup=tier.instance_warmup_seconds,
            capacity_rebalance=True,
            enabled_metrics=list(ENABLED_METRICS),
            metrics_granularity="1Minute",
            termination_policies=list(TERMINATION_POLICIES),
            service_linked_role_arn=args.service_linked_role_arn,
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=MIN_HEALTHY_PERCENTAGE,
                    max_healthy_percentage=MAX_HEALTHY_PERCENTAGE,
                    instance_warmup=str(tier.instance_warmup_seconds),
                    auto_rollback=True,
                    skip_matching=True,
                ),
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(key="Name", value=name, propagate_at_launch=True),
                aws.autoscaling.GroupTagArgs(key="Tier", value=args.role, propagate_at_launch=True),
            ],
            # Scaling policies own the desired capacity once the group exists; scheduled
            # actions own min and max too, or the next `pulumi up` would revert what they set.
            # The inline policy first: the first boot fetches the secrets with it.
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["desiredCapacity"]
                + (["minSize", "maxSize"] if tier.scheduled_actions else []),
                depends_on=[inline_policy] if inline_policy is not None else [],
            ),
        )
        self._scaling(name, args)
        self.register_outputs(
            {
                "group_name": self.group.name,
                "launch_template_id": self.launch_template.id,
                "role_arn": self.role.arn,
                "ami_id": self.ami_id,
            }
        )

    @staticmethod
    def _statements(
        args: AutoScaledTierArgs, partition: pulumi.Input[str], account_id: pulumi.Input[str]
    ) -> list[pulumi.Input[dict]]:
        """The inline policy: its own secrets, the data key through those services, its prefix;
        through an IAM-authenticated RDS Proxy, rds-db:connect as the database user."""
        out: list[pulumi.Input[dict]] = []
        db = args.database
        if db is not None and db.proxy_arn is not None and db.iam_user is not None:
            user = db.iam_user
            out.append(
                pulumi.Output.all(partition, account_id, db.proxy_arn).apply(
                    lambda v: {
                        "Sid": "ConnectThroughTheProxy",
                        "Effect": "Allow",
                        "Action": "rds-db:connect",
                        # The proxy's resource id (prx-...) is the last field of its ARN.
                        "Resource": f"arn:{v[0]}:rds-db:{args.region}:{v[1]}:dbuser:"
                        f"{v[2].rsplit(':', 1)[-1]}/{user}",
                    }
                )
            )
        secrets = [
            arn
            for arn in (
                args.database.secret_arn if args.database else None,
                args.cache.auth_secret_arn if args.cache else None,
            )
            if arn is not None
        ]
        if secrets:
            out.append(
                pulumi.Output.all(*secrets).apply(
                    lambda arns: {
                        "Sid": "ReadItsSecrets",
                        "Effect": "Allow",
                        "Action": [
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:DescribeSecret",
                        ],
                        "Resource": list(arns),
                    }
                )
            )
        via = [f"secretsmanager.{args.region}.amazonaws.com"]
        if args.uploads_bucket_arn is not None:
            via.append(f"s3.{args.region}.amazonaws.com")
            out.append(
                pulumi.Output.from_input(args.uploads_bucket_arn).apply(
                    lambda arn: {
                        "Sid": "ReadWriteItsUploads",
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        "Resource": f"{arn}/{UPLOADS_PREFIX}*",
                    }
                )
            )
            out.append(
                pulumi.Output.from_input(args.uploads_bucket_arn).apply(
                    lambda arn: {
                        "Sid": "ListItsUploads",
                        "Effect": "Allow",
                        "Action": "s3:ListBucket",
                        "Resource": arn,
                        "Condition": {"StringLike": {"s3:prefix": [f"{UPLOADS_PREFIX}*"]}},
                    }
                )
            )
        if secrets or args.uploads_bucket_arn is not None:
            out.append(
                pulumi.Output.from_input(args.data_key_arn).apply(
                    lambda arn: {
                        "Sid": "UseTheDataKeyThroughThoseServices",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": arn,
                        "Condition": {"StringEquals": {"kms:ViaService": via}},
                    }
                )
            )
        return out

    @staticmethod
    def _user_data(args: AutoScaledTierArgs) -> pulumi.Output[str]:
        """The cloud-config, rendered once the endpoints, ports and ARNs are known."""
        db, cache = args.database, args.cache
        return pulumi.Output.all(
            db.writer_endpoint if db else None,
            db.reader_endpoint if db else None,
            db.port if db else None,
            db.secret_arn if db else None,
            cache.primary_endpoint if cache else None,
            cache.port if cache else None,
            cache.auth_secret_arn if cache else None,
            args.uploads_bucket_name,
            args.app_tier_url,
        ).apply(
            lambda v: user_data.render(
                user_data.UserDataSettings(
                    tier=args.role,
                    region=args.region,
                    port=args.tier.port,
                    keepalive_seconds=args.tier.idle_timeout_seconds + KEEPALIVE_MARGIN_SECONDS,
                    database=user_data.DatabaseSettings(
                        engine=db.engine,
                        host=v[0],
                        reader_host=v[1],
                        port=int(v[2]),
                        name=db.name,
                        secret_arn=v[3],
                        iam_user=db.iam_user if db.proxy_arn is not None else None,
                    )
                    if db
                    else None,
                    cache=user_data.CacheSettings(
                        host=v[4], port=int(v[5]), auth_secret_arn=v[6], tls=cache.tls
                    )
                    if cache
                    else None,
                    uploads_bucket=v[7],
                    uploads_prefix=UPLOADS_PREFIX,
                    secure_cookies=args.secure_cookies,
                    app_tier_url=v[8],
                )
            )
        )

    def _scaling(self, name: str, args: AutoScaledTierArgs) -> None:
        tier = args.tier
        child = pulumi.ResourceOptions(parent=self)
        aws.autoscaling.Policy(
            f"{name}-cpu",
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=tier.instance_warmup_seconds,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ASGAverageCPUUtilization"
                ),
                target_value=tier.target_cpu,
            ),
            opts=child,
        )
        if tier.requests_per_target is not None and args.request_count_label is not None:
            aws.autoscaling.Policy(
                f"{name}-requests",
                autoscaling_group_name=self.group.name,
                policy_type="TargetTrackingScaling",
                estimated_instance_warmup=tier.instance_warmup_seconds,
                target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                    predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type="ALBRequestCountPerTarget",
                        resource_label=args.request_count_label,
                    ),
                    target_value=tier.requests_per_target,
                ),
                opts=child,
            )
        steps = tier.step_scaling
        if steps is not None:
            for direction, adjustments, threshold, comparison in (
                (
                    "out",
                    steps.scale_out,
                    steps.scale_out_threshold,
                    "GreaterThanOrEqualToThreshold",
                ),
                ("in", steps.scale_in, steps.scale_in_threshold, "LessThanThreshold"),
            ):
                if not adjustments:
                    continue
                policy = aws.autoscaling.Policy(
                    f"{name}-step-{direction}",
                    autoscaling_group_name=self.group.name,
                    policy_type="StepScaling",
                    adjustment_type="ChangeInCapacity",
                    metric_aggregation_type="Average",
                    estimated_instance_warmup=tier.instance_warmup_seconds,
                    step_adjustments=[_step(s, threshold) for s in adjustments],
                    opts=child,
                )
                aws.cloudwatch.MetricAlarm(
                    f"{name}-step-{direction}",
                    alarm_description=f"Scale {name} {direction} on {steps.metric}",
                    namespace="AWS/EC2",
                    metric_name=steps.metric,
                    dimensions={"AutoScalingGroupName": self.group.name},
                    statistic="Average",
                    period=steps.period_seconds,
                    evaluation_periods=steps.evaluation_periods,
                    threshold=threshold,
                    comparison_operator=comparison,
                    alarm_actions=[policy.arn],
                    opts=child,
                )
        for action in tier.scheduled_actions:
            # -1 leaves a size unchanged; AWS's default for an unset one is 0.
            aws.autoscaling.Schedule(
                f"{name}-{action.name}",
                autoscaling_group_name=self.group.name,
                scheduled_action_name=action.name,
                recurrence=action.recurrence,
                time_zone=action.time_zone,
                min_size=-1 if action.min_size is None else action.min_size,
                max_size=-1 if action.max_size is None else action.max_size,
                desired_capacity=-1 if action.desired_capacity is None else action.desired_capacity,
                opts=child,
            )


def _step(step: StepAdjustment, threshold: float) -> aws.autoscaling.PolicyStepAdjustmentArgs:
    """A step with its bounds made relative to the alarm threshold, as the API wants them."""
    return aws.autoscaling.PolicyStepAdjustmentArgs(
        scaling_adjustment=step.adjustment,
        metric_interval_lower_bound=None
        if step.lower_bound is None
        else str(step.lower_bound - threshold),
        metric_interval_upper_bound=None
        if step.upper_bound is None
        else str(step.upper_bound - threshold),
    )
