"""Monitoring: an encrypted alarm topic, an alarm per failure mode, each notifying the topic of its
region, and a dashboard of the tier."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.support.tokens import (
    CLOUDFRONT_DISTRIBUTION,
    CLOUDWATCH_DASHBOARD,
    CLOUDWATCH_METRIC_ALARM,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
    SNS_TOPIC,
    SNS_TOPIC_SUBSCRIPTION,
)
from tests.test_cdn import EU_WEST_1, edge_program
from tools.mockcloud import RecordedResource, Synthesis


def alarm(stack: Synthesis, key: str) -> RecordedResource:
    (found,) = [a for a in stack.of_type(CLOUDWATCH_METRIC_ALARM) if a.name.endswith(f"-{key}")]
    return found


def metrics_of(found: RecordedResource) -> set[str]:
    if found.get("metricName"):
        return {found.get("metricName")}
    return {q["metric"]["metricName"] for q in found.get("metricQueries") or [] if q.get("metric")}


def test_the_alarm_topic_is_encrypted_with_the_logs_key(prod_primary_deployed: Synthesis) -> None:
    (topic,) = prod_primary_deployed.of_type(SNS_TOPIC)
    key = prod_primary_deployed.by_arn(topic.get("kmsMasterKeyId"))
    assert key.get("tags", "Purpose") == "logs"


def test_alarm_email_is_subscribed(
    prod_primary_deployed: Synthesis, dev_preview: Synthesis
) -> None:
    (topic,) = prod_primary_deployed.of_type(SNS_TOPIC)
    (subscription,) = prod_primary_deployed.of_type(SNS_TOPIC_SUBSCRIPTION)
    assert subscription.get("protocol") == "email"
    assert subscription.get("endpoint") == "ops@example.com"
    assert subscription.get("topic") == topic.outputs.get("arn")
    assert dev_preview.of_type(SNS_TOPIC_SUBSCRIPTION) == []


def test_there_is_an_alarm_for_every_failure_mode() -> None:
    stack = edge_program(domain=True)
    expected = {
        "alb-5xx-rate": {"HTTPCode_ELB_5XX_Count", "RequestCount"},
        "target-5xx-rate": {"HTTPCode_Target_5XX_Count", "RequestCount"},
        "target-response-time-p90": {"TargetResponseTime"},
        "unhealthy-hosts": {"UnHealthyHostCount"},
        "web-in-service-below-minimum": {"GroupInServiceInstances"},
        "cloudfront-5xx-rate": {"5xxErrorRate"},
    }
    assert len(stack.of_type(CLOUDWATCH_METRIC_ALARM)) == len(expected)
    for key, metrics in expected.items():
        assert metrics_of(alarm(stack, key)) == metrics, key


def test_every_alarm_notifies_a_topic_of_its_own_region() -> None:
    stack = edge_program(domain=True)
    (topic,) = stack.of_type(SNS_TOPIC)
    arn = topic.outputs.get("arn")
    assert arn is not None
    alarms = stack.of_type(CLOUDWATCH_METRIC_ALARM)
    assert len(alarms) == 6  # every failure mode (test_there_is_an_alarm_for_every_failure_mode)
    for found in alarms:
        assert found.get("alarmActions") == [arn], found.name
        assert found.get("okActions") == [arn], found.name


def test_5xx_rates_divide_errors_by_requests() -> None:
    for key in ("alb-5xx-rate", "target-5xx-rate"):
        queries = alarm(edge_program(domain=True), key).get("metricQueries")
        assert queries is not None
        (returned,) = [q for q in queries if q.get("returnData")]
        assert returned["expression"] == "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)"
        assert {q["id"] for q in queries} == {"errors", "requests", "rate"}


def test_response_time_alarm_watches_p90_of_the_target_group() -> None:
    found = alarm(edge_program(domain=True), "target-response-time-p90")
    assert found.get("extendedStatistic") == "p90"
    assert found.get("dimensions") == {
        "LoadBalancer": "app/webstack-alb/0123456789abcdef",
        "TargetGroup": "targetgroup/webstack-web/fedcba9876543210",
    }


def test_in_service_alarm_fires_below_the_tiers_minimum() -> None:
    found = alarm(edge_program(domain=True), "web-in-service-below-minimum")
    assert found.get("namespace") == "AWS/AutoScaling"
    assert found.get("comparisonOperator") == "LessThanThreshold"
    assert found.get("threshold") == 2
    assert found.get("dimensions") == {"AutoScalingGroupName": "webstack-web-asg"}


def test_cloudfront_alarm_reads_the_global_metrics_in_us_east_1(
    synthesized: Callable[..., Synthesis],
) -> None:
    stack = synthesized("prod", EU_WEST_1, preview=False)
    assert stack.error is None, stack.error
    found = alarm(stack, "cloudfront-5xx-rate")
    assert found.region == "us-east-1" and found.provider.endswith("::edge-us-east-1")
    dimensions = found.get("dimensions")
    assert dimensions is not None and dimensions["Region"] == "Global"
    (distribution,) = stack.of_type(CLOUDFRONT_DISTRIBUTION)
    assert distribution.id and dimensions["DistributionId"] == distribution.id
    topics = {t.region: t for t in stack.of_type(SNS_TOPIC)}
    assert set(topics) == {"eu-west-1", "us-east-1"}
    assert found.get("alarmActions") == [topics["us-east-1"].outputs.get("arn")]
    # KMS keys are regional: the us-east-1 topic has a rotated key of its own there.
    edge_key = stack.by_arn(topics["us-east-1"].get("kmsMasterKeyId"))
    assert edge_key.region == "us-east-1" and edge_key.get("enableKeyRotation") is True
    statements = json.loads(edge_key.get("policy"))["Statement"]
    assert any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} for s in statements)


def test_the_dashboard_shows_the_tier() -> None:
    stack = edge_program(domain=True)
    (dashboard,) = stack.of_type(CLOUDWATCH_DASHBOARD)
    body = json.loads(dashboard.get("dashboardBody"))
    metrics = {
        m[1]
        for widget in body["widgets"]
        if widget["type"] == "metric"
        for m in widget["properties"]["metrics"]
    }
    assert {
        "RequestCount",
        "HTTPCode_ELB_5XX_Count",
        "TargetResponseTime",
        "UnHealthyHostCount",
        "GroupInServiceInstances",
        "5xxErrorRate",
    } <= metrics
    (alarms,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert len(alarms["properties"]["alarms"]) == len(stack.of_type(CLOUDWATCH_METRIC_ALARM))


def test_dashboard_and_topic_are_exported(prod_primary_deployed: Synthesis) -> None:
    outputs = prod_primary_deployed.outputs
    assert outputs["dashboardName"] == "webstack-prod"
    assert outputs["alarmTopicArn"].startswith("arn:aws:sns:us-east-1:")
    assert outputs["siteUrl"] == "https://www.example.com"
    assert outputs["cloudFrontDomain"].endswith(".cloudfront.net")
    assert outputs["uploadsBucketName"].startswith("webstack-prod-uploads")


def test_without_a_domain_the_site_url_is_cloudfronts(dev_deployed: Synthesis) -> None:
    domain = dev_deployed.outputs["cloudFrontDomain"]
    assert domain is not None and dev_deployed.outputs["siteUrl"] == f"https://{domain}"


ALB_ALARMS = {
    "alb-5xx-rate": {"HTTPCode_ELB_5XX_Count", "RequestCount"},
    "target-5xx-rate": {"HTTPCode_Target_5XX_Count", "RequestCount"},
    "target-response-time-p90": {"TargetResponseTime"},
    "unhealthy-hosts": {"UnHealthyHostCount"},
}


def alarms_by_name(stack: Synthesis) -> dict[str, RecordedResource]:
    prefix = f"webstack-{stack.stack}-"
    return {a.name.removeprefix(prefix): a for a in stack.of_type(CLOUDWATCH_METRIC_ALARM)}


def dimensions_of(found: RecordedResource) -> list[dict]:
    if found.get("dimensions"):
        return [found.get("dimensions")]
    return [q["metric"]["dimensions"] for q in found.get("metricQueries") or [] if q.get("metric")]


def test_the_real_stack_alarms_on_every_failure_mode(prod_primary_deployed: Synthesis) -> None:
    alarms = alarms_by_name(prod_primary_deployed)
    assert set(alarms) == {*ALB_ALARMS, "web-in-service-below-minimum", "cloudfront-5xx-rate"}
    (alb,) = [
        lb
        for lb in prod_primary_deployed.of_type(LB_LOAD_BALANCER)
        if lb.name == "webstack-prod-web"
    ]
    for key, metrics in ALB_ALARMS.items():
        # one set of dimensions per metric the alarm reads
        assert len(dimensions_of(alarms[key])) == len(metrics), key
        for dimensions in dimensions_of(alarms[key]):
            assert dimensions["LoadBalancer"] == alb.outputs["arnSuffix"], key


def test_with_the_app_tier_its_internal_alb_alarms_too(
    synthesized: Callable[..., Synthesis],
) -> None:
    stack = synthesized("prod", {"webstack:appTier": {"enabled": True}}, preview=False)
    assert stack.error is None, stack.error
    alarms = alarms_by_name(stack)
    assert set(alarms) == {
        *ALB_ALARMS,
        *(f"app-{key}" for key in ALB_ALARMS),
        "web-in-service-below-minimum",
        "app-in-service-below-minimum",
        "cloudfront-5xx-rate",
    }
    (internal,) = [lb for lb in stack.of_type(LB_LOAD_BALANCER) if lb.name == "webstack-prod-app"]
    (target,) = [tg for tg in stack.of_type(LB_TARGET_GROUP) if tg.name == "webstack-prod-app"]
    for key, metrics in ALB_ALARMS.items():
        found = alarms[f"app-{key}"]
        assert metrics_of(found) == metrics, key
        assert len(dimensions_of(found)) == len(metrics), key
        for dimensions in dimensions_of(found):
            assert dimensions["LoadBalancer"] == internal.outputs["arnSuffix"], key
            if "TargetGroup" in dimensions:
                assert dimensions["TargetGroup"] == target.outputs["arnSuffix"], key
    assert (
        dimensions_of(alarms["app-unhealthy-hosts"])[0]["TargetGroup"]
        == (target.outputs["arnSuffix"])
    )
