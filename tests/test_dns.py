"""Route 53 and ACM: DNS-validated certificates, alias records to CloudFront (or the ALB), a health
check on the public endpoint; nothing without a domain."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.tokens import (
    ACM_CERTIFICATE,
    ACM_CERTIFICATE_VALIDATION,
    CLOUDFRONT_DISTRIBUTION,
    ROUTE53_GET_ZONE,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_RECORD,
    ROUTE53_ZONE,
)
from tests.test_cdn import EU_WEST_1, edge_program
from tools.mockcloud import RecordedResource, Synthesis

CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


def records(stack: Synthesis, name: str) -> dict[str, RecordedResource]:
    return {r.get("type"): r for r in stack.of_type(ROUTE53_RECORD) if r.get("name") == name}


def test_without_a_domain_there_are_no_dns_or_certificate_resources(
    dev_preview: Synthesis,
) -> None:
    for token in (
        ROUTE53_RECORD,
        ACM_CERTIFICATE,
        ACM_CERTIFICATE_VALIDATION,
        ROUTE53_HEALTH_CHECK,
    ):
        assert dev_preview.of_type(token) == [], token
    assert not any(i[0].startswith("aws:route53/") for i in dev_preview.invokes)


def test_the_hosted_zone_is_looked_up_not_created(prod_primary_preview: Synthesis) -> None:
    lookups = [i for i in prod_primary_preview.invokes if i[0] == ROUTE53_GET_ZONE]
    assert lookups and all(i[1].get("name") == "example.com" for i in lookups)
    assert all(i[1].get("privateZone") is False for i in lookups)
    assert prod_primary_preview.of_type(ROUTE53_ZONE) == []


def test_certificates_are_validated_through_dns_records(prod_primary_deployed: Synthesis) -> None:
    certificates = prod_primary_deployed.of_type(ACM_CERTIFICATE)
    assert len(certificates) == 1  # us-east-1: one certificate serves CloudFront and the ALB
    for certificate in certificates:
        assert certificate.get("validationMethod") == "DNS"
        options = certificate.outputs.get("domainValidationOptions")
        assert options
        names = {o["resourceRecordName"].rstrip(".") for o in options}
        created = {
            r.get("name")
            for r in prod_primary_deployed.of_type(ROUTE53_RECORD)
            if r.get("type") == "CNAME"
        }
        assert names <= {n.rstrip(".") for n in created if n}
    (validation,) = prod_primary_deployed.of_type(ACM_CERTIFICATE_VALIDATION)
    assert validation.get("validationRecordFqdns")


def test_in_us_east_1_one_certificate_serves_the_alb_and_cloudfront(
    prod_primary_deployed: Synthesis,
) -> None:
    (certificate,) = prod_primary_deployed.of_type(ACM_CERTIFICATE)
    assert certificate.get("domainName") == "www.example.com"
    # CloudFront reaches the ALB by the origin name, so the ALB's certificate carries it.
    assert certificate.get("subjectAlternativeNames") == ["origin-us-east-1.www.example.com"]


def test_elsewhere_the_cloudfront_certificate_comes_from_us_east_1(
    synthesized: Callable[..., Synthesis],
) -> None:
    stack = synthesized("prod", EU_WEST_1, preview=False)
    assert stack.error is None, stack.error
    by_region = {c.region: c for c in stack.of_type(ACM_CERTIFICATE)}
    assert set(by_region) == {"eu-west-1", "us-east-1"}
    assert by_region["us-east-1"].provider.endswith("::edge-us-east-1")
    validations = {v.region: v for v in stack.of_type(ACM_CERTIFICATE_VALIDATION)}
    assert set(validations) == {"eu-west-1", "us-east-1"}
    edge_fqdns = validations["us-east-1"].get("validationRecordFqdns")
    created = {r.get("name") for r in stack.of_type(ROUTE53_RECORD) if r.get("type") == "CNAME"}
    assert edge_fqdns and set(edge_fqdns) <= {n.rstrip(".") for n in created if n}


def test_the_site_name_aliases_cloudfront_over_ipv4_and_ipv6(
    prod_primary_deployed: Synthesis,
) -> None:
    site = records(prod_primary_deployed, "www.example.com")
    assert set(site) == {"A", "AAAA"}
    (distribution,) = prod_primary_deployed.of_type(CLOUDFRONT_DISTRIBUTION)
    domain_name = distribution.outputs.get("domainName")
    assert domain_name is not None
    for record in site.values():
        assert record.get("aliases") == [
            {"name": domain_name, "zoneId": CLOUDFRONT_ZONE, "evaluateTargetHealth": False}
        ]


def test_with_cloudfront_the_origin_name_aliases_the_alb() -> None:
    stack = edge_program(domain=True)
    (origin,) = records(stack, "origin-us-east-1.www.example.com").values()
    (alias,) = origin.get("aliases")
    assert alias["name"].endswith(".elb.amazonaws.com") and alias["evaluateTargetHealth"] is True


def test_without_the_cdn_the_site_name_aliases_the_alb() -> None:
    stack = edge_program(domain=True, cdn=False)
    site = records(stack, "www.example.com")
    assert list(site) == ["A"]
    (alias,) = site["A"].get("aliases")
    assert alias["name"].endswith(".elb.amazonaws.com")
    assert records(stack, "origin-us-east-1.www.example.com") == {}
    (certificate,) = stack.of_type(ACM_CERTIFICATE)
    assert not certificate.get("subjectAlternativeNames")


def test_route53_checks_the_public_endpoints_health(prod_primary_preview: Synthesis) -> None:
    (check,) = prod_primary_preview.of_type(ROUTE53_HEALTH_CHECK)
    assert check.get("type") == "HTTPS"
    assert check.get("fqdn") == "www.example.com"
    assert check.get("port") == 443
    assert check.get("resourcePath") == "/healthz"
    assert check.get("enableSni") is True
