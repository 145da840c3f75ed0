"""AutoScaledTier: the web tier (and, with appTier.enabled, the app tier) on EC2 Auto Scaling.

- Launch template: Amazon Linux 2023 (the public SSM parameter for the tier's architecture, or a
  pinned ``amiId``), IMDSv2 only, encrypted gp3 root volume with the data key, no public IP,
  detailed monitoring, a least-privilege instance profile and cloud-init user data that installs
  the demo PHP app (``user_data.py``, ``app/``).
- Auto Scaling group in the app subnets of every AZ, ELB health checks, rolling instance refresh
  whenever the launch template changes (it references ``latest_version``: a group pointing at
  ``$Latest`` never starts a refresh, pulumi-aws#1577).
- Its inline IAM policy comes from ``iam.py``, its scaling policies from ``scaling.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.compute import iam, user_data
from components.compute.iam import UPLOADS_PREFIX
from components.compute.scaling import scaling_policies
from components.config.models import TierConfig
from components.config.values import PdoDriver, TierRole
from components.policy_documents import document

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
# nginx keeps idle connections open longer than the ALB does, so the ALB always closes first and
# never sends a request down a connection the instance has just closed (a 502).
KEEPALIVE_MARGIN_SECONDS = 15


@dataclass(frozen=True)
class DatabaseEndpoints:
    """What the instances need of the database (components/data/tier.py builds it)."""

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
    """What the instances need of the cache (components/data/cache.py)."""

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
        inline_document = self._policy(args, partition, account_id)
        inline_policy: aws.iam.RolePolicy | None = None
        if inline_document is not None:
            inline_policy = aws.iam.RolePolicy(
                f"{name}-app", role=self.role.id, policy=inline_document, opts=child
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
        scaling_policies(name, self.group, tier, args.request_count_label, self)
        self.register_outputs(
            {
                "group_name": self.group.name,
                "launch_template_id": self.launch_template.id,
                "role_arn": self.role.arn,
                "ami_id": self.ami_id,
            }
        )

    @staticmethod
    def _policy(
        args: AutoScaledTierArgs, partition: pulumi.Input[str], account_id: pulumi.Input[str]
    ) -> pulumi.Output[str] | None:
        """The inline policy document (``iam.tier_statements``), or None when it grants nothing."""
        db, cache = args.database, args.cache
        proxy = db is not None and db.proxy_arn is not None and db.iam_user is not None
        secrets = [
            arn
            for arn in (
                db.secret_arn if db else None,
                cache.auth_secret_arn if cache else None,
            )
            if arn is not None
        ]
        uploads = args.uploads_bucket_arn is not None
        if not iam.grants_anything(proxy=proxy, secrets=bool(secrets), uploads=uploads):
            return None
        return pulumi.Output.all(
            partition=partition if proxy else None,
            account_id=account_id if proxy else None,
            proxy_arn=db.proxy_arn if proxy and db else None,
            secret_arns=pulumi.Output.all(*secrets),
            uploads_bucket_arn=args.uploads_bucket_arn,
            data_key_arn=args.data_key_arn if secrets or uploads else None,
        ).apply(
            lambda v: document(
                *iam.tier_statements(
                    iam.TierAccess(
                        region=args.region,
                        partition=v["partition"] or "",
                        account_id=v["account_id"] or "",
                        data_key_arn=v["data_key_arn"] or "",
                        secret_arns=tuple(v["secret_arns"]),
                        uploads_bucket_arn=v["uploads_bucket_arn"],
                        proxy_arn=v["proxy_arn"],
                        iam_user=db.iam_user if proxy and db else None,
                    )
                )
            )
        )

    @staticmethod
    def _user_data(args: AutoScaledTierArgs) -> pulumi.Output[str]:
        """The cloud-config, rendered once the endpoints, ports and ARNs are known."""
        db, cache = args.database, args.cache
        return pulumi.Output.all(
            db_host=db.writer_endpoint if db else None,
            db_reader_host=db.reader_endpoint if db else None,
            db_port=db.port if db else None,
            db_secret_arn=db.secret_arn if db else None,
            cache_host=cache.primary_endpoint if cache else None,
            cache_port=cache.port if cache else None,
            cache_secret_arn=cache.auth_secret_arn if cache else None,
            uploads_bucket=args.uploads_bucket_name,
            app_tier_url=args.app_tier_url,
        ).apply(
            lambda v: user_data.render(
                user_data.UserDataSettings(
                    tier=args.role,
                    region=args.region,
                    port=args.tier.port,
                    keepalive_seconds=args.tier.idle_timeout_seconds + KEEPALIVE_MARGIN_SECONDS,
                    database=user_data.DatabaseSettings(
                        engine=db.engine,
                        host=v["db_host"],
                        reader_host=v["db_reader_host"],
                        port=int(v["db_port"]),
                        name=db.name,
                        secret_arn=v["db_secret_arn"],
                        iam_user=db.iam_user if db.proxy_arn is not None else None,
                    )
                    if db
                    else None,
                    cache=user_data.CacheSettings(
                        host=v["cache_host"],
                        port=int(v["cache_port"]),
                        auth_secret_arn=v["cache_secret_arn"],
                        tls=cache.tls,
                    )
                    if cache
                    else None,
                    uploads_bucket=v["uploads_bucket"],
                    uploads_prefix=UPLOADS_PREFIX,
                    secure_cookies=args.secure_cookies,
                    app_tier_url=v["app_tier_url"],
                )
            )
        )
