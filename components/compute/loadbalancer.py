"""Application load balancers: the internet-facing one of the web tier, the internal one of the
app tier (web servers call app servers through it), each with its target group and listeners.

Listeners
- With a certificate: HTTPS 443 (TLS 1.3 policy) serves; HTTP 80 only answers 301 to HTTPS.
- Without one, behind CloudFront: HTTP 80, reachable only from CloudFront's origin-facing prefix
  list (the security group) and only with the secret origin header (a listener rule).
- Internal (app tier): HTTP 80 inside the VPC; the web tier's security group is its only client.
- Behind CloudFront the header is checked on whichever listener serves, HTTPS too: the prefix
  list admits every CloudFront distribution, including other accounts'. Anything else: fixed 403.
- ``/error`` answers a fixed 404 without reaching an instance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.config.models import TierConfig
from components.edge.cdn import managed_rules_web_acl

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HEALTH_CHECK_PATH = "/healthz"
# interval x unhealthy threshold exceeds a data-tier failover (see the target group).
HEALTH_CHECK_INTERVAL_SECONDS = 30
HEALTH_CHECK_UNHEALTHY_THRESHOLD = 5
LONGEST_DATA_TIER_FAILOVER_SECONDS = 120
ORIGIN_HEADER_NAME = "X-Origin-Verify"
ERROR_PATH = "/error"
HTTP, HTTPS = 80, 443
ERROR_RULE_PRIORITY = 10
FORWARD_RULE_PRIORITY = 100


@dataclass(frozen=True)
class AccessLogs:
    """Where the ALB delivers its access logs."""

    bucket: pulumi.Input[str]
    # Exactly the prefix the bucket policy admits; file names carry the ALB's name.
    prefix: str
    # The log bucket's policy: AWS checks that it may write there when logging is switched on,
    # so the ALB waits for it.
    bucket_policy: pulumi.Resource


@dataclass(frozen=True)
class LoadBalancerArgs:
    tier: TierConfig
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]
    internal: bool = False
    deletion_protection: bool = False
    # The regional ACM certificate (validated ARN): HTTPS 443 plus an HTTP 80 redirect.
    certificate_arn: pulumi.Input[str] | None = None
    # CloudFront is the only client: a secret header is generated and required.
    cloudfront_only: bool = False
    access_logs: AccessLogs | None = None
    # A REGIONAL AWS WAF web ACL (the AWS managed rule groups CloudFront's runs) on the ALB:
    # for a public ALB users reach without CloudFront (a DR region serving them).
    web_acl: bool = False


class LoadBalancer(pulumi.ComponentResource):
    """An ALB, its instance target group and listeners."""

    alb: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    listener: aws.lb.Listener  # the one that forwards to the target group
    redirect_listener: aws.lb.Listener | None
    origin_header_name: str | None
    origin_header_value: pulumi.Output[str] | None  # a Pulumi secret
    # "app/<alb>/<id>/targetgroup/<tg>/<id>": the ALBRequestCountPerTarget resource label.
    request_count_label: pulumi.Output[str]
    https: bool
    web_acl: aws.wafv2.WebAcl | None

    def __init__(
        self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:loadbalancer:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tier = args.tier
        self.https = args.certificate_arn is not None
        if not (self.https or args.cloudfront_only or args.internal):
            pulumi.log.warn(
                f"{name}: an internet-facing ALB without a certificate or CloudFront serves plain "
                "HTTP; set webstack:domain (HTTPS) or keep webstack:cdn.enabled",
                self,
            )

        self.origin_header_name = None
        self.origin_header_value = None
        if args.cloudfront_only:
            # Letters and digits only: `*` and `?` are wildcards in ALB header conditions.
            secret = random.RandomPassword(
                f"{name}-origin-header", length=48, special=False, opts=child
            )
            self.origin_header_name = ORIGIN_HEADER_NAME
            self.origin_header_value = pulumi.Output.secret(secret.result)

        access_logs = None
        waits_for: list[pulumi.Resource] = []
        if args.access_logs is not None:
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.access_logs.bucket, prefix=args.access_logs.prefix, enabled=True
            )
            waits_for.append(args.access_logs.bucket_policy)
        self.alb = aws.lb.LoadBalancer(
            name,
            load_balancer_type="application",
            internal=args.internal,
            subnets=list(args.subnet_ids),
            security_groups=list(args.security_group_ids),
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=args.deletion_protection,
            enable_http2=True,
            idle_timeout=tier.idle_timeout_seconds,
            access_logs=access_logs,
            tags={"Name": name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits_for),
        )

        self.target_group = aws.lb.TargetGroup(
            name,
            port=tier.port,
            protocol="HTTP",
            target_type="instance",
            vpc_id=args.vpc_id,
            deregistration_delay=tier.deregistration_delay_seconds,
            slow_start=tier.slow_start_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=HEALTH_CHECK_PATH,
                protocol="HTTP",
                port="traffic-port",
                matcher="200",
                interval=HEALTH_CHECK_INTERVAL_SECONDS,
                timeout=5,
                healthy_threshold=2,
                # /healthz fails while the database or the cache fails over (30-120 s for Aurora
                # or ElastiCache), on every instance at once. ELB health checks make the Auto
                # Scaling group replace what the ALB calls unhealthy: marked unhealthy within
                # a failover, the whole fleet would be terminated. 30 s x 5 = 150 s outlasts one.
                unhealthy_threshold=HEALTH_CHECK_UNHEALTHY_THRESHOLD,
            ),
            # Off unless configured: sessions live in the cache, so any instance serves any user.
            stickiness=aws.lb.TargetGroupStickinessArgs(
                type="lb_cookie",
                enabled=tier.stickiness_seconds is not None,
                cookie_duration=tier.stickiness_seconds or 86400,
            ),
            tags={"Name": name},
            opts=child,
        )
        self.request_count_label = pulumi.Output.concat(
            self.alb.arn_suffix, "/", self.target_group.arn_suffix
        )

        forward = [
            aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
        ]
        refuse = [
            aws.lb.ListenerDefaultActionArgs(
                type="fixed-response",
                fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                    content_type="text/plain", message_body="Forbidden", status_code="403"
                ),
            )
        ]
        default_actions = refuse if args.cloudfront_only else forward

        self.redirect_listener = None
        if self.https:
            self.listener = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.alb.arn,
                port=HTTPS,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=args.certificate_arn,
                default_actions=default_actions,
                tags={"Name": f"{name}-https"},
                opts=child,
            )
            self.redirect_listener = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.alb.arn,
                port=HTTP,
                protocol="HTTP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                            protocol="HTTPS", port=str(HTTPS), status_code="HTTP_301"
                        ),
                    )
                ],
                tags={"Name": f"{name}-http"},
                opts=child,
            )
        else:
            # Plain HTTP only where nothing else can reach it: inside the VPC (internal ALB) or
            # from CloudFront with the secret header. ALBs cannot get a certificate for their
            # own *.elb.amazonaws.com name, so HTTPS needs webstack:domain.
            self.listener = aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=self.alb.arn,
                port=HTTP,
                protocol="HTTP",
                default_actions=default_actions,
                tags={"Name": f"{name}-http"},
                opts=child,
            )

        header_condition = []
        if self.origin_header_value is not None:
            header_condition = [
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name=ORIGIN_HEADER_NAME, values=[self.origin_header_value]
                    )
                )
            ]
        aws.lb.ListenerRule(
            f"{name}-error",
            listener_arn=self.listener.arn,
            priority=ERROR_RULE_PRIORITY,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[ERROR_PATH])
                ),
                *header_condition,
            ],
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerRuleActionFixedResponseArgs(
                        content_type="text/plain", message_body="Not found page", status_code="404"
                    ),
                )
            ],
            tags={"Name": f"{name}-error"},
            opts=child,
        )
        if header_condition:
            aws.lb.ListenerRule(
                f"{name}-from-cloudfront",
                listener_arn=self.listener.arn,
                priority=FORWARD_RULE_PRIORITY,
                conditions=header_condition,
                actions=[
                    aws.lb.ListenerRuleActionArgs(
                        type="forward", target_group_arn=self.target_group.arn
                    )
                ],
                tags={"Name": f"{name}-from-cloudfront"},
                opts=child,
            )

        self.web_acl = None
        if args.web_acl:
            if args.internal:
                raise ValueError("an internal ALB takes no web ACL: users never reach it")
            self.web_acl = managed_rules_web_acl(
                f"{name}-waf",
                "REGIONAL",
                f"AWS managed rules in front of {name}",
                name,
                child,
            )
            aws.wafv2.WebAclAssociation(
                f"{name}-waf",
                resource_arn=self.alb.arn,
                web_acl_arn=self.web_acl.arn,
                opts=child,
            )

        self.register_outputs(
            {
                "alb_arn": self.alb.arn,
                "dns_name": self.alb.dns_name,
                "zone_id": self.alb.zone_id,
                "target_group_arn": self.target_group.arn,
                "listener_arn": self.listener.arn,
                "request_count_label": self.request_count_label,
            }
        )
