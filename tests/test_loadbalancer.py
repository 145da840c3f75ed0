"""Load balancing: the public ALB (and the app tier's internal one), target groups, listeners."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format
from pulumi.runtime import rpc

from tests.support.synth import synth
from tests.support.tokens import (
    LB_LISTENER,
    LB_LISTENER_RULE,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
    RANDOM_PASSWORD,
    S3_BUCKET,
    S3_BUCKET_POLICY,
    VPC_SECURITY_GROUP_INGRESS_RULE,
)
from tools.mockcloud import RecordedResource, Synthesis

TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
APP_TIER = {"webstack:appTier": {"enabled": True}}


def the(stack: Synthesis, token: str, name: str) -> RecordedResource:
    (found,) = [r for r in stack.of_type(token) if r.name == name]
    return found


def listeners_of(stack: Synthesis, alb: RecordedResource) -> list[RecordedResource]:
    return [r for r in stack.of_type(LB_LISTENER) if r.get("loadBalancerArn") == alb.outputs["arn"]]


def rules_of(stack: Synthesis, listener: RecordedResource) -> list[RecordedResource]:
    return [
        r
        for r in stack.of_type(LB_LISTENER_RULE)
        if r.get("listenerArn") == listener.outputs["arn"]
    ]


def zones_of(stack: Synthesis, subnet_ids: list[str]) -> set[str]:
    return {stack.by_id(s).get("availabilityZone") for s in subnet_ids}


def holds_secret(resource: RecordedResource) -> bool:
    wire = json.dumps(json_format.MessageToDict(resource.struct))
    return rpc._special_secret_sig in wire


@pytest.fixture(scope="module")
def app_tier() -> Synthesis:
    return synth("dev", APP_TIER, preview=False)


def test_the_public_alb_spans_the_public_subnets_of_every_az(dev_deployed: Synthesis) -> None:
    alb = the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web")
    subnets = [dev_deployed.by_id(s) for s in alb.get("subnets")]
    assert alb.get("internal") is False
    assert all("-public-" in s.name for s in subnets)
    assert zones_of(dev_deployed, alb.get("subnets")) == {"us-east-1a", "us-east-1b"}


def test_the_alb_drops_invalid_headers_speaks_http2_and_takes_its_idle_timeout(
    dev_deployed: Synthesis,
) -> None:
    alb = the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web")
    assert alb.get("dropInvalidHeaderFields") is True
    assert alb.get("enableHttp2") is True
    assert alb.get("idleTimeout") == 60
    tuned = synth("dev", {"webstack:web": {"idleTimeoutSeconds": 120}})
    assert the(tuned, LB_LOAD_BALANCER, "webstack-dev-web").get("idleTimeout") == 120


def test_deletion_protection_is_on_in_prod_only(
    dev_deployed: Synthesis, prod_primary_deployed: Synthesis
) -> None:
    assert (
        the(prod_primary_deployed, LB_LOAD_BALANCER, "webstack-prod-web").get(
            "enableDeletionProtection"
        )
        is True
    )
    assert (
        the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web").get("enableDeletionProtection")
        is False
    )


def test_access_logs_go_to_the_log_bucket_under_the_prefix_its_policy_admits(
    dev_deployed: Synthesis,
) -> None:
    alb = the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web")
    logs = alb.get("accessLogs")
    bucket = the(dev_deployed, S3_BUCKET, "webstack-dev-logs")
    assert logs == {"bucket": bucket.outputs["bucket"], "prefix": "alb", "enabled": True}
    policy = the(dev_deployed, S3_BUCKET_POLICY, "webstack-dev-logs")
    assert policy.urn in alb.dependencies


def test_the_target_group_checks_healthz_on_the_instance_port(dev_deployed: Synthesis) -> None:
    group = the(dev_deployed, LB_TARGET_GROUP, "webstack-dev-web")
    assert group.get("port") == 80 and group.get("protocol") == "HTTP"
    assert group.get("targetType") == "instance"
    check = group.get("healthCheck")
    assert check["path"] == "/healthz" and check["matcher"] == "200"
    assert check["port"] == "traffic-port"
    assert 2 <= check["healthyThreshold"] <= 5 and 2 <= check["unhealthyThreshold"] <= 5
    assert check["timeout"] < check["interval"]


def test_draining_slow_start_and_stickiness_come_from_config(dev_deployed: Synthesis) -> None:
    group = the(dev_deployed, LB_TARGET_GROUP, "webstack-dev-web")
    assert group.get("deregistrationDelay") == 30
    assert group.get("slowStart") == 30
    assert group.get("stickiness", "enabled") is False  # sessions live in the cache
    sticky = synth(
        "dev", {"webstack:web": {"stickinessSeconds": 600, "deregistrationDelaySeconds": 90}}
    )
    tuned = the(sticky, LB_TARGET_GROUP, "webstack-dev-web")
    assert tuned.get("stickiness") == {"type": "lb_cookie", "enabled": True, "cookieDuration": 600}
    assert tuned.get("deregistrationDelay") == 90


def test_slow_start_outside_what_aws_accepts_is_refused() -> None:
    refused = synth("dev", {"webstack:web": {"slowStartSeconds": 10}})
    assert refused.error is not None and "slowStartSeconds" in refused.error


def test_with_a_domain_https_serves_with_tls13_and_http_only_redirects(
    prod_primary_deployed: Synthesis,
) -> None:
    alb = the(prod_primary_deployed, LB_LOAD_BALANCER, "webstack-prod-web")
    by_port = {r.get("port"): r for r in listeners_of(prod_primary_deployed, alb)}
    assert set(by_port) == {80, 443}
    https = by_port[443]
    assert https.get("protocol") == "HTTPS" and https.get("sslPolicy") == TLS13
    assert https.get("certificateArn")
    http = by_port[80]
    assert http.get("protocol") == "HTTP"
    (action,) = http.get("defaultActions")
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}
    assert rules_of(prod_primary_deployed, http) == []


def test_without_a_domain_only_cloudfront_with_the_secret_header_is_forwarded(
    dev_deployed: Synthesis,
) -> None:
    alb = the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web")
    (listener,) = listeners_of(dev_deployed, alb)
    assert listener.get("port") == 80
    (default,) = listener.get("defaultActions")
    assert default["type"] == "fixed-response" and default["fixedResponse"]["statusCode"] == "403"
    forwards = [
        r for r in rules_of(dev_deployed, listener) if r.get("actions", 0, "type") == "forward"
    ]
    (forward,) = forwards
    (condition,) = forward.get("conditions")
    header = condition["httpHeader"]
    assert header["httpHeaderName"] == "X-Origin-Verify"
    (value,) = header["values"]
    assert value.isalnum() and len(value) == 48  # no `*` or `?`: wildcards in ALB conditions
    assert holds_secret(forward)


def test_behind_cloudfront_the_https_listener_checks_the_header_too(
    prod_primary_deployed: Synthesis,
) -> None:
    alb = the(prod_primary_deployed, LB_LOAD_BALANCER, "webstack-prod-web")
    (https,) = [r for r in listeners_of(prod_primary_deployed, alb) if r.get("port") == 443]
    assert https.get("defaultActions", 0, "fixedResponse", "statusCode") == "403"
    (forward,) = [
        r
        for r in rules_of(prod_primary_deployed, https)
        if r.get("actions", 0, "type") == "forward"
    ]
    assert forward.get("conditions", 0, "httpHeader", "httpHeaderName") == "X-Origin-Verify"


def test_the_origin_header_is_generated_without_wildcard_characters(
    dev_deployed: Synthesis,
) -> None:
    (password,) = [
        r
        for r in dev_deployed.of_type(RANDOM_PASSWORD)
        if r.name == "webstack-dev-web-origin-header"
    ]
    assert password.get("special") is False and password.get("length") == 48


def test_without_a_domain_the_alb_admits_only_cloudfronts_prefix_list(
    dev_deployed: Synthesis,
) -> None:
    alb = the(dev_deployed, LB_LOAD_BALANCER, "webstack-dev-web")
    groups = set(alb.get("securityGroups"))
    ingress = [
        r
        for r in dev_deployed.of_type(VPC_SECURITY_GROUP_INGRESS_RULE)
        if r.get("securityGroupId") in groups
    ]
    assert ingress
    for rule in ingress:
        assert rule.get("prefixListId"), rule.name
        assert not rule.get("cidrIpv4") and not rule.get("cidrIpv6")


def test_error_path_answers_a_fixed_404(dev_deployed: Synthesis) -> None:
    (rule,) = [
        r for r in dev_deployed.of_type(LB_LISTENER_RULE) if r.name == "webstack-dev-web-error"
    ]
    assert rule.get("conditions", 0, "pathPattern", "values") == ["/error"]
    assert rule.get("actions", 0, "fixedResponse", "statusCode") == "404"
    assert rule.get("priority") < min(
        r.get("priority")
        for r in dev_deployed.of_type(LB_LISTENER_RULE)
        if r.get("actions", 0, "type") == "forward"
    )


def test_the_app_tier_gets_an_internal_alb_in_the_app_subnets(app_tier: Synthesis) -> None:
    alb = the(app_tier, LB_LOAD_BALANCER, "webstack-dev-app")
    assert alb.get("internal") is True
    assert len(alb.get("subnets")) == 2
    assert all("-app-" in app_tier.by_id(s).name for s in alb.get("subnets"))
    assert zones_of(app_tier, alb.get("subnets")) == {"us-east-1a", "us-east-1b"}
    (group,) = alb.get("securityGroups")
    assert app_tier.by_id(group).name == "webstack-dev-internal-alb"
    (listener,) = listeners_of(app_tier, alb)
    # HTTP inside the VPC: only the web tier's security group reaches it.
    assert listener.get("protocol") == "HTTP" and listener.get("port") == 80
    assert listener.get("defaultActions", 0, "type") == "forward"
    target = the(app_tier, LB_TARGET_GROUP, "webstack-dev-app")
    assert target.get("port") == 8080


def test_every_listener_belongs_to_an_alb_that_drops_invalid_headers(
    app_tier: Synthesis, prod_primary_deployed: Synthesis
) -> None:
    # dev spans 2 AZs and has the app tier's internal ALB too; prod spans 3 with one ALB.
    for stack, albs, zones in ((app_tier, 2, 2), (prod_primary_deployed, 1, 3)):
        found = stack.of_type(LB_LOAD_BALANCER)
        assert len(found) == albs
        for alb in found:
            assert alb.get("dropInvalidHeaderFields") is True
            assert len(zones_of(stack, alb.get("subnets"))) == zones


@pytest.mark.parametrize("overrides", [None, APP_TIER])
def test_health_checks_outlast_a_data_tier_failover(overrides: dict | None) -> None:
    # /healthz fails on every instance while the database or cache fails over (30-120 s); with
    # ELB health checks the group would terminate the whole fleet if that marked it unhealthy.
    stack = synth("prod", overrides, preview=False)
    assert stack.error is None, stack.error
    groups = stack.of_type(LB_TARGET_GROUP)
    assert len(groups) == (2 if overrides else 1)
    for group in groups:
        check = group.get("healthCheck")
        # 30 s x 5 = 150 s, longer than the longest failover (120 s).
        assert check["interval"] == 30 and check["unhealthyThreshold"] == 5, group.name
