"""Alarms, the topic they notify, and a CloudWatch dashboard of the tier.

Alarms: ALB 5xx rate, target 5xx rate, target response time (p90), unhealthy hosts, each Auto
Scaling group's in-service instances below its minimum, CloudFront 5xx rate.

CloudFront publishes its metrics only in us-east-1 (dimension Region=Global), and an alarm may
only notify a topic of its own region: when the stack lives elsewhere, the CloudFront alarm, a
second topic and the KMS key that encrypts it are created in us-east-1 with the edge provider,
with the same e-mail subscription.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.policy_documents import account_administers_key, document

EDGE_REGION = "us-east-1"
ALB = "AWS/ApplicationELB"
PERIOD = 60


@dataclass(frozen=True)
class Thresholds:
    alb_5xx_percent: float = 5.0
    target_5xx_percent: float = 5.0
    target_response_time_p90_seconds: float = 1.0
    cloudfront_5xx_percent: float = 5.0


@dataclass(frozen=True)
class ScaledTier:
    """An Auto Scaling group the alarms watch (metrics collection must be on)."""

    name: str
    auto_scaling_group_name: pulumi.Input[str]
    min_size: int


@dataclass(frozen=True)
class MonitoringArgs:
    region: str
    logs_key_arn: pulumi.Input[str]
    alarm_email: str | None = None
    alb_arn_suffix: pulumi.Input[str] | None = None
    target_group_arn_suffix: pulumi.Input[str] | None = None
    # More (ALB, target group) ARN suffix pairs: the app tier's internal ALB.
    load_balancers: tuple[tuple[pulumi.Input[str], pulumi.Input[str] | None], ...] = ()
    tiers: tuple[ScaledTier, ...] = ()
    distribution_id: pulumi.Input[str] | None = None
    # us-east-1, for the CloudFront alarm (and its topic) when the stack is elsewhere.
    edge_provider: pulumi.ProviderResource | None = None
    protect: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)


class Monitoring(pulumi.ComponentResource):
    """An encrypted alarm topic, the tier's alarms and its dashboard."""

    topic: aws.sns.Topic
    edge_topic: aws.sns.Topic | None
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    dashboard: aws.cloudwatch.Dashboard

    def __init__(
        self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:monitoring:Monitoring", name, None, opts)
        self._prefix = name
        self._args = args
        self.alarms = {}
        self.topic = self._topic(name, args.logs_key_arn, None)
        self.edge_topic = None

        thresholds = args.thresholds
        for index, (alb, tg) in enumerate(self._load_balancers()):
            # The public ALB keeps the unprefixed alarm names; the app tier's internal one
            # ("app-...") follows, so a failing app tier alarms on its own, too.
            self._alb_alarms("" if index == 0 else "app-", alb, tg, thresholds)
        for tier in args.tiers:
            if tier.min_size < 1:
                continue
            self._alarm(
                f"{tier.name}-in-service-below-minimum",
                description=f"{tier.name} tier runs fewer than its minimum {tier.min_size} "
                "in-service instances",
                namespace="AWS/AutoScaling",
                metric_name="GroupInServiceInstances",
                dimensions={"AutoScalingGroupName": tier.auto_scaling_group_name},
                statistic="Minimum",
                comparison_operator="LessThanThreshold",
                threshold=tier.min_size,
                # No data means the group or its metrics collection is gone: that is an alarm.
                treat_missing_data="breaching",
            )
        if args.distribution_id is not None:
            edge: pulumi.ProviderResource | None = None
            topic = self.topic
            if args.region != EDGE_REGION:
                if args.edge_provider is None:
                    raise ValueError("the CloudFront alarm needs the us-east-1 edge provider")
                edge = args.edge_provider
                self.edge_topic = self._topic(f"{name}-edge", self._edge_key(name, edge), edge)
                topic = self.edge_topic
            self._alarm(
                "cloudfront-5xx-rate",
                description=f"CloudFront 5xx responses above {thresholds.cloudfront_5xx_percent}%",
                namespace="AWS/CloudFront",
                metric_name="5xxErrorRate",
                dimensions={"DistributionId": args.distribution_id, "Region": "Global"},
                statistic="Average",
                comparison_operator="GreaterThanThreshold",
                threshold=thresholds.cloudfront_5xx_percent,
                treat_missing_data="notBreaching",
                topic=topic,
                provider=edge,
            )

        self.dashboard = aws.cloudwatch.Dashboard(
            name,
            dashboard_name=name,
            dashboard_body=self._dashboard_body(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(
            {
                "topic_arn": self.topic.arn,
                "dashboard_name": self.dashboard.dashboard_name,
                "alarm_arns": {key: alarm.arn for key, alarm in self.alarms.items()},
            }
        )

    def _load_balancers(self) -> list[tuple[pulumi.Input[str], pulumi.Input[str] | None]]:
        """(ALB, target group) ARN suffixes: the public ALB first, then ``load_balancers``."""
        args = self._args
        pairs: list[tuple[pulumi.Input[str], pulumi.Input[str] | None]] = []
        if args.alb_arn_suffix is not None:
            pairs.append((args.alb_arn_suffix, args.target_group_arn_suffix))
        pairs.extend(args.load_balancers)
        return pairs

    def _alb_alarms(
        self,
        prefix: str,
        alb: pulumi.Input[str],
        tg: pulumi.Input[str] | None,
        thresholds: Thresholds,
    ) -> None:
        tier = "App tier" if prefix else "Web tier"
        balancer = "App tier load balancer" if prefix else "Load balancer"
        target_dimensions: dict[str, pulumi.Input[str]] = {
            "LoadBalancer": alb,
            **({"TargetGroup": tg} if tg else {}),
        }
        self._rate_alarm(
            f"{prefix}alb-5xx-rate",
            f"{balancer} 5xx responses above {{}}% of requests",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": alb},
            thresholds.alb_5xx_percent,
        )
        self._rate_alarm(
            f"{prefix}target-5xx-rate",
            f"{tier} 5xx responses above {{}}% of requests",
            "HTTPCode_Target_5XX_Count",
            target_dimensions,
            thresholds.target_5xx_percent,
        )
        self._alarm(
            f"{prefix}target-response-time-p90",
            description=(
                ("App tier p90" if prefix else "p90")
                + f" target response time above {thresholds.target_response_time_p90_seconds}s"
            ),
            namespace=ALB,
            metric_name="TargetResponseTime",
            dimensions=target_dimensions,
            extended_statistic="p90",
            comparison_operator="GreaterThanThreshold",
            threshold=thresholds.target_response_time_p90_seconds,
            treat_missing_data="notBreaching",
        )
        if tg is not None:
            self._alarm(
                f"{prefix}unhealthy-hosts",
                description=("App tier: a" if prefix else "A")
                + "t least one target failed its health check",
                namespace=ALB,
                metric_name="UnHealthyHostCount",
                dimensions={"LoadBalancer": alb, "TargetGroup": tg},
                statistic="Maximum",
                comparison_operator="GreaterThanThreshold",
                threshold=0,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                treat_missing_data="notBreaching",
            )

    def _topic(
        self, name: str, key_arn: pulumi.Input[str], provider: pulumi.ProviderResource | None
    ) -> aws.sns.Topic:
        opts = pulumi.ResourceOptions(parent=self, provider=provider)
        topic = aws.sns.Topic(
            f"{name}-alarms",
            kms_master_key_id=key_arn,
            tags={"Name": f"{name}-alarms"},
            opts=opts,
        )
        if self._args.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-alarms-email",
                topic=topic.arn,
                protocol="email",
                endpoint=self._args.alarm_email,
                opts=opts,
            )
        return topic

    def _edge_key(self, name: str, provider: pulumi.ProviderResource) -> pulumi.Output[str]:
        """A us-east-1 key for the edge topic (KMS keys never leave their region)."""
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=provider)
        identity = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)
        policy = pulumi.Output.all(
            account=identity.account_id, partition=partition.partition
        ).apply(
            lambda v: document(
                account_administers_key(v["partition"], v["account"]),
                {
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": v["account"]}},
                },
            )
        )
        key = aws.kms.Key(
            f"{name}-alarms",
            description=f"CloudFront alarm topic in us-east-1 ({name})",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            tags={"Name": f"{name}-alarms", "Purpose": "alarms"},
            opts=pulumi.ResourceOptions(parent=self, provider=provider, protect=self._args.protect),
        )
        return key.arn

    def _alarm(
        self,
        key: str,
        *,
        description: str,
        topic: aws.sns.Topic | None = None,
        provider: pulumi.ProviderResource | None = None,
        evaluation_periods: int = 5,
        datapoints_to_alarm: int = 3,
        **metric: Any,
    ) -> aws.cloudwatch.MetricAlarm:
        if "metric_queries" not in metric:
            metric.setdefault("period", PERIOD)
        notify = (topic or self.topic).arn
        alarm = aws.cloudwatch.MetricAlarm(
            f"{self._prefix}-{key}",
            alarm_description=description,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            alarm_actions=[notify],
            ok_actions=[notify],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
            **metric,
        )
        self.alarms[key] = alarm
        return alarm

    def _rate_alarm(
        self,
        key: str,
        description: str,
        error_metric: str,
        dimensions: dict[str, pulumi.Input[str]],
        threshold_percent: float,
    ) -> aws.cloudwatch.MetricAlarm:
        def query(query_id: str, metric_name: str) -> dict:
            return {
                "id": query_id,
                "return_data": False,
                "metric": {
                    "namespace": ALB,
                    "metric_name": metric_name,
                    "dimensions": dimensions,
                    "period": PERIOD,
                    "stat": "Sum",
                },
            }

        return self._alarm(
            key,
            description=description.format(threshold_percent),
            comparison_operator="GreaterThanThreshold",
            threshold=threshold_percent,
            treat_missing_data="notBreaching",
            metric_queries=[
                query("errors", error_metric),
                query("requests", "RequestCount"),
                {
                    "id": "rate",
                    "label": f"{error_metric} % of RequestCount",
                    # The error count is absent (not 0) in minutes without errors.
                    "expression": "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
                    "return_data": True,
                },
            ],
        )

    def _dashboard_body(self) -> pulumi.Output[str]:
        args = self._args
        widgets: list[Any] = []
        alb, tg = args.alb_arn_suffix, args.target_group_arn_suffix
        if alb is not None:
            lb = ["LoadBalancer", alb]
            target = [*lb, *(["TargetGroup", tg] if tg is not None else [])]
            widgets.append(
                _metric_widget(
                    "Requests and 5xx responses",
                    args.region,
                    [
                        [ALB, "RequestCount", *lb, {"stat": "Sum"}],
                        [ALB, "HTTPCode_ELB_5XX_Count", *lb, {"stat": "Sum"}],
                        [ALB, "HTTPCode_Target_5XX_Count", *target, {"stat": "Sum"}],
                    ],
                )
            )
            widgets.append(
                _metric_widget(
                    "Target response time (s)",
                    args.region,
                    [
                        [ALB, "TargetResponseTime", *target, {"stat": stat}]
                        for stat in ("p50", "p90", "p99")
                    ],
                )
            )
            if tg is not None:
                widgets.append(
                    _metric_widget(
                        "Healthy and unhealthy targets",
                        args.region,
                        [
                            [ALB, metric, *target, {"stat": "Maximum"}]
                            for metric in ("HealthyHostCount", "UnHealthyHostCount")
                        ],
                    )
                )
        if args.tiers:
            widgets.append(
                _metric_widget(
                    "In-service instances",
                    args.region,
                    [
                        [
                            "AWS/AutoScaling",
                            "GroupInServiceInstances",
                            "AutoScalingGroupName",
                            tier.auto_scaling_group_name,
                            {"stat": "Minimum", "label": tier.name},
                        ]
                        for tier in args.tiers
                    ],
                )
            )
        if args.distribution_id is not None:
            distribution = ["DistributionId", args.distribution_id, "Region", "Global"]
            widgets.append(
                _metric_widget(
                    "CloudFront requests and error rates",
                    EDGE_REGION,
                    [
                        ["AWS/CloudFront", "Requests", *distribution, {"stat": "Sum"}],
                        [
                            "AWS/CloudFront",
                            "5xxErrorRate",
                            *distribution,
                            {"stat": "Average", "yAxis": "right"},
                        ],
                        [
                            "AWS/CloudFront",
                            "4xxErrorRate",
                            *distribution,
                            {"stat": "Average", "yAxis": "right"},
                        ],
                    ],
                )
            )
        regional_alarms = [
            alarm.arn for key, alarm in self.alarms.items() if key != "cloudfront-5xx-rate"
        ]
        if args.region == EDGE_REGION and "cloudfront-5xx-rate" in self.alarms:
            regional_alarms.append(self.alarms["cloudfront-5xx-rate"].arn)
        if regional_alarms:
            widgets.append(
                {"type": "alarm", "properties": {"title": "Alarms", "alarms": regional_alarms}}
            )
        for index, widget in enumerate(widgets):
            widget.update({"x": (index % 2) * 12, "y": (index // 2) * 6, "width": 12, "height": 6})
        return pulumi.Output.from_input({"widgets": widgets}).apply(
            lambda body: json.dumps(body, sort_keys=True)
        )


def _metric_widget(title: str, region: str, metrics: list[list[Any]]) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stacked": False,
            "period": PERIOD,
            "metrics": metrics,
        },
    }
