"""CloudFront: HTTPS to viewers (TLSv1.2_2021, HTTP/2 and HTTP/3), dynamic pages from the ALB
uncached, static files from the private bucket through origin access control, standard logs,
and an optional AWS WAF web ACL in us-east-1."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc

from components.edge.cdn import (
    ALL_VIEWER_ORIGIN_REQUEST_POLICY_ID,
    CACHING_DISABLED_POLICY_ID,
    CACHING_OPTIMIZED_POLICY_ID,
)
from tests.support.tokens import (
    ACM_CERTIFICATE,
    CLOUDFRONT_DISTRIBUTION,
    CLOUDFRONT_ORIGIN_ACCESS_CONTROL,
    LB_LISTENER,
    LB_LISTENER_RULE,
    LB_LOAD_BALANCER,
    S3_BUCKET,
    S3_BUCKET_ACL,
    S3_BUCKET_OWNERSHIP_CONTROLS,
    WAFV2_WEB_ACL,
)
from tools.mockcloud import RecordedResource, Synthesis, synthesize

EDGE_PROGRAM = Path(__file__).parent / "programs" / "edge_with_alb"
EU_WEST_1 = {
    "aws:region": "eu-west-1",
    "webstack:dr": {"strategy": "none", "region": "us-west-2", "cidr": "10.1.0.0/16"},
    "webstack:cdn": {"enabled": True, "priceClass": "PriceClass_100", "waf": True},
}
DOMAIN = {"zoneName": "example.com", "recordName": "www"}


@cache
def edge_program(domain: bool, cdn: bool = True) -> Synthesis:
    """The edge components in front of a stand-in ALB (tests/programs/edge_with_alb)."""
    overrides: dict[str, Any] = {
        "aws:region": "us-east-1",
        # Production requires a domain; the no-domain variant is a staging stack.
        "webstack:environment": "prod" if domain else "staging",
        "webstack:alarmEmail": "ops@example.com",
        "webstack:cdn": {"enabled": cdn},
    }
    if domain:
        overrides["webstack:domain"] = DOMAIN
    stack = synthesize("prod", overrides=overrides, project_dir=EDGE_PROGRAM, preview=False)
    assert stack.error is None, stack.error
    return stack


def distribution(stack: Synthesis) -> RecordedResource:
    (found,) = stack.of_type(CLOUDFRONT_DISTRIBUTION)
    return found


def behaviours(d: RecordedResource) -> list[dict]:
    ordered = d.get("orderedCacheBehaviors")
    default = d.get("defaultCacheBehavior")
    assert ordered is not None and default is not None
    return [default, *ordered]


def origin(d: RecordedResource, origin_id: str) -> dict:
    (found,) = [o for o in d.get("origins") or [] if o["originId"] == origin_id]
    return found


@pytest.fixture(scope="module")
def eu_west_1(synthesized: Callable[..., Synthesis]) -> Synthesis:
    stack = synthesized("prod", EU_WEST_1, preview=False)
    assert stack.error is None, stack.error
    return stack


def test_viewers_are_redirected_to_https_on_every_behaviour(
    prod_primary_preview: Synthesis, dev_preview: Synthesis
) -> None:
    for stack in (prod_primary_preview, dev_preview):
        found = behaviours(distribution(stack))
        assert len(found) == 3  # the default and two ordered behaviours
        for behaviour in found:
            assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
            assert behaviour["compress"] is True


def test_viewers_get_http2_http3_and_ipv6(prod_primary_preview: Synthesis) -> None:
    d = distribution(prod_primary_preview)
    assert d.get("httpVersion") == "http2and3"
    assert d.get("isIpv6Enabled") is True
    assert d.get("enabled") is True


def test_with_a_domain_the_site_certificate_enforces_tls_1_2_2021(
    prod_primary_deployed: Synthesis,
) -> None:
    d = distribution(prod_primary_deployed)
    certificate = d.get("viewerCertificate")
    assert certificate is not None
    assert certificate["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert certificate["sslSupportMethod"] == "sni-only"
    assert not certificate.get("cloudfrontDefaultCertificate")
    issued = prod_primary_deployed.by_arn(certificate["acmCertificateArn"])
    assert issued.type == ACM_CERTIFICATE and issued.region == "us-east-1"
    assert d.get("aliases") == ["www.example.com"]


def test_without_a_domain_cloudfront_serves_its_own_name_and_certificate(
    dev_preview: Synthesis,
) -> None:
    # The policy pack's cloudfront-modern-tls rule reports this: set a domain for production.
    d = distribution(dev_preview)
    assert d.get("viewerCertificate") == {"cloudfrontDefaultCertificate": True}
    assert not d.get("aliases")


def test_price_class_comes_from_config(
    prod_primary_preview: Synthesis, synthesized: Callable[..., Synthesis]
) -> None:
    assert distribution(prod_primary_preview).get("priceClass") == "PriceClass_100"
    stack = synthesized("dev", {"webstack:cdn": {"priceClass": "PriceClass_All"}})
    assert distribution(stack).get("priceClass") == "PriceClass_All"


def test_static_files_come_from_the_bucket_through_origin_access_control(
    prod_primary_deployed: Synthesis,
) -> None:
    d = distribution(prod_primary_deployed)
    files = d.get("orderedCacheBehaviors") or []
    assert sorted(b["pathPattern"] for b in files) == ["/static/*", "/uploads/*"]
    for behaviour in files:
        assert behaviour["cachePolicyId"] == CACHING_OPTIMIZED_POLICY_ID
        assert behaviour["allowedMethods"] == ["GET", "HEAD", "OPTIONS"]
        served = origin(d, behaviour["targetOriginId"])
        oac = prod_primary_deployed.by_id(served["originAccessControlId"])
        assert oac.type == CLOUDFRONT_ORIGIN_ACCESS_CONTROL
        assert oac.get("signingBehavior") == "always"
        assert oac.get("signingProtocol") == "sigv4"
        assert oac.get("originAccessControlOriginType") == "s3"
        assert "customOriginConfig" not in served and "s3OriginConfig" not in served
        (bucket,) = [
            b
            for b in prod_primary_deployed.of_type(S3_BUCKET)
            if b.get("tags", "Purpose") == "uploads"
        ]
        regional_name = bucket.outputs.get("bucketRegionalDomainName")
        assert regional_name is not None and served["domainName"] == regional_name


def test_standard_logs_go_to_the_log_bucket(prod_primary_deployed: Synthesis) -> None:
    logging = distribution(prod_primary_deployed).get("loggingConfig")
    (bucket,) = [
        b
        for b in prod_primary_deployed.of_type(S3_BUCKET)
        if b.get("tags", "Purpose") == "access-logs"
    ]
    domain = bucket.outputs.get("bucketDomainName")
    assert logging is not None and domain is not None
    assert logging["bucket"] == domain
    assert logging["prefix"] == "cloudfront/"


def test_dynamic_pages_come_from_the_alb_uncached_with_every_viewer_header() -> None:
    d = distribution(edge_program(domain=True))
    default = d.get("defaultCacheBehavior")
    assert default is not None
    assert default["targetOriginId"] == "alb"
    assert default["cachePolicyId"] == CACHING_DISABLED_POLICY_ID
    assert default["originRequestPolicyId"] == ALL_VIEWER_ORIGIN_REQUEST_POLICY_ID
    assert set(default["allowedMethods"]) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "POST",
        "PATCH",
        "DELETE",
    }


def test_with_a_certificate_cloudfront_speaks_only_https_to_the_alb_origin_name() -> None:
    alb = origin(distribution(edge_program(domain=True)), "alb")
    assert alb["domainName"] == "origin-us-east-1.www.example.com"
    assert alb["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert alb["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]


def test_without_a_certificate_cloudfront_proves_itself_with_the_secret_header() -> None:
    stack = edge_program(domain=False)
    d = distribution(stack)
    alb = origin(d, "alb")
    assert alb["domainName"].endswith(".elb.amazonaws.com")
    # The ALB has no certificate: HTTP, with the header its listener rule checks.
    assert alb["customOriginConfig"]["originProtocolPolicy"] == "http-only"
    assert alb["customHeaders"] == [{"name": "X-Origin-Verify", "value": "s3cr3t-value"}]
    assert rpc._special_secret_sig in str(d.struct.fields["origins"]), "the header is a secret"


def test_cdn_disabled_means_no_distribution(synthesized: Callable[..., Synthesis]) -> None:
    stack = synthesized("prod", {"webstack:cdn": {"enabled": False}})
    assert stack.error is None, stack.error
    assert stack.of_type(CLOUDFRONT_DISTRIBUTION) == []
    assert stack.of_type(CLOUDFRONT_ORIGIN_ACCESS_CONTROL) == []


def test_waf_is_off_by_default(prod_primary_preview: Synthesis) -> None:
    assert prod_primary_preview.of_type(WAFV2_WEB_ACL) == []
    assert distribution(prod_primary_preview).get("webAclId") is None


def test_the_web_acl_lives_in_us_east_1_with_aws_managed_rules(eu_west_1: Synthesis) -> None:
    (acl,) = eu_west_1.of_type(WAFV2_WEB_ACL)
    assert acl.region == "us-east-1" and acl.provider.endswith("::edge-us-east-1")
    assert acl.get("scope") == "CLOUDFRONT"
    assert acl.get("defaultAction") == {"allow": {}}
    rules = acl.get("rules")
    assert rules is not None
    assert len(rules) == 3
    groups = {r["statement"]["managedRuleGroupStatement"]["name"] for r in rules}
    assert groups == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    assert all(r["statement"]["managedRuleGroupStatement"]["vendorName"] == "AWS" for r in rules)
    assert all(r["overrideAction"] == {"none": {}} for r in rules)
    web_acl_arn = acl.outputs.get("arn")
    assert web_acl_arn is not None
    assert distribution(eu_west_1).get("webAclId") == web_acl_arn


def test_cloudfronts_certificate_is_issued_in_us_east_1(eu_west_1: Synthesis) -> None:
    certificate = distribution(eu_west_1).get("viewerCertificate")
    assert certificate is not None
    issued = eu_west_1.by_arn(certificate["acmCertificateArn"])
    assert issued.region == "us-east-1" and issued.provider.endswith("::edge-us-east-1")
    assert issued.get("domainName") == "www.example.com"
    regional = [c for c in eu_west_1.of_type(ACM_CERTIFICATE) if c.region == "eu-west-1"]
    assert len(regional) == 1


def alb_forward_header_value(stack: Synthesis, port: int) -> str:
    """The X-Origin-Verify value the public ALB's forwarding rule on ``port`` requires."""
    (alb,) = [lb for lb in stack.of_type(LB_LOAD_BALANCER) if not lb.get("internal")]
    (listener,) = [
        r
        for r in stack.of_type(LB_LISTENER)
        if r.get("loadBalancerArn") == alb.outputs["arn"] and r.get("port") == port
    ]
    (forward,) = [
        r
        for r in stack.of_type(LB_LISTENER_RULE)
        if r.get("listenerArn") == listener.outputs["arn"]
        and r.get("actions", 0, "type") == "forward"
    ]
    header = forward.get("conditions", 0, "httpHeader")
    assert header["httpHeaderName"] == "X-Origin-Verify"
    (value,) = header["values"]
    assert isinstance(value, str) and value
    return value


@pytest.mark.parametrize(
    ("fixture", "https", "port"),
    [("prod_primary_deployed", True, 443), ("dev_deployed", False, 80)],
)
def test_the_real_stacks_alb_origin_sends_the_header_its_listener_requires(
    fixture: str, https: bool, port: int, request: pytest.FixtureRequest
) -> None:
    # The ALB's security group admits CloudFront's prefix list (every account's distributions):
    # over HTTPS too, only the secret header tells this distribution apart.
    stack: Synthesis = request.getfixturevalue(fixture)
    alb = origin(distribution(stack), "alb")
    policy = alb["customOriginConfig"]["originProtocolPolicy"]
    assert policy == ("https-only" if https else "http-only")
    assert alb["customHeaders"] == [
        {"name": "X-Origin-Verify", "value": alb_forward_header_value(stack, port)}
    ]
    assert rpc._special_secret_sig in str(distribution(stack).struct.fields["origins"])


def test_the_distribution_waits_for_the_log_buckets_acl(prod_primary_deployed: Synthesis) -> None:
    # Standard logging needs the log bucket's ACL (and the ownership controls allowing ACLs).
    d = distribution(prod_primary_deployed)
    for token in (
        S3_BUCKET_OWNERSHIP_CONTROLS,
        S3_BUCKET_ACL,
    ):
        (logs,) = [r for r in prod_primary_deployed.of_type(token) if r.name.endswith("-logs")]
        assert logs.urn in d.dependencies, token
