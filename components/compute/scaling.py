"""The tier's scaling: target tracking on CPU and on ALB requests per target, optional step
scaling on a CPU alarm and scheduled capacity changes for known peaks."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config.models import StepAdjustment, TierConfig

# A scheduled action's size of -1 leaves that size unchanged; AWS's default for an unset one is 0.
UNCHANGED_SIZE = -1


def scaling_policies(
    name: str,
    group: aws.autoscaling.Group,
    tier: TierConfig,
    request_count_label: pulumi.Input[str] | None,
    parent: pulumi.Resource,
) -> None:
    """Every scaling policy, alarm and schedule of ``group``, children of ``parent``."""
    child = pulumi.ResourceOptions(parent=parent)
    # (suffix, AWS metric, target value, the metric's load balancer label)
    tracking: list[tuple[str, str, float, pulumi.Input[str] | None]] = [
        ("cpu", "ASGAverageCPUUtilization", tier.target_cpu, None)
    ]
    if tier.requests_per_target is not None and request_count_label is not None:
        tracking.append(
            (
                "requests",
                "ALBRequestCountPerTarget",
                tier.requests_per_target,
                request_count_label,
            )
        )
    for suffix, metric, target, label in tracking:
        aws.autoscaling.Policy(
            f"{name}-{suffix}",
            autoscaling_group_name=group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=tier.instance_warmup_seconds,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=metric, resource_label=label
                ),
                target_value=target,
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
                autoscaling_group_name=group.name,
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
                dimensions={"AutoScalingGroupName": group.name},
                statistic="Average",
                period=steps.period_seconds,
                evaluation_periods=steps.evaluation_periods,
                threshold=threshold,
                comparison_operator=comparison,
                alarm_actions=[policy.arn],
                opts=child,
            )
    for action in tier.scheduled_actions:
        aws.autoscaling.Schedule(
            f"{name}-{action.name}",
            autoscaling_group_name=group.name,
            scheduled_action_name=action.name,
            recurrence=action.recurrence,
            time_zone=action.time_zone,
            min_size=UNCHANGED_SIZE if action.min_size is None else action.min_size,
            max_size=UNCHANGED_SIZE if action.max_size is None else action.max_size,
            desired_capacity=UNCHANGED_SIZE
            if action.desired_capacity is None
            else action.desired_capacity,
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
