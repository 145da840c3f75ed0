"""Route 53 and ACM: the site's certificates, its alias records and a health check.

Only with ``webstack:domain``: without one, CloudFront serves its own *.cloudfront.net name and
nothing here is created.

Certificates
- regional (the ALB's HTTPS listener): the site name, plus the origin name CloudFront uses to reach
  the ALB (``origin-<region>.<fqdn>``) when the CDN is on. CloudFront checks the origin's
  certificate against the Host it forwards (the viewer's, under the AllViewer policy) or the
  origin name, so both names are on it.
- edge (CloudFront's viewer certificate): must live in us-east-1. When the stack itself is in
  us-east-1, the regional certificate already covers the site name and serves CloudFront too.

ACM hands out the same validation CNAME for a name in every region of an account, so one set of
validation records (from the regional certificate) validates both certificates; the edge
certificate's validation lists its own record names, so a mismatch would fail loudly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config.models import DomainConfig

EDGE_REGION = "us-east-1"
HEALTH_CHECK_PATH = "/healthz"


def origin_fqdn(domain: DomainConfig, region: str) -> str:
    """The name CloudFront uses to reach a region's ALB over HTTPS (one per region: DR-ready)."""
    return f"origin-{region}.{domain.fqdn}"


def internal_fqdn(domain: DomainConfig, region: str) -> str:
    """The name the web tier reaches the app tier's internal ALB by, over HTTPS."""
    return f"app-{region}.{domain.fqdn}"


@dataclass(frozen=True)
class CertificatesArgs:
    domain: DomainConfig
    region: str
    cdn: bool = True
    # An origin name (origin-<region>.<fqdn>) on the regional certificate: CloudFront reaches
    # this region's ALB by it. Default: with ``cdn``; a DR standby without a CloudFront of its
    # own sets it when the primary's distribution has its ALB as an origin.
    origin_name: bool | None = None
    # The app tier's internal ALB gets a name on the regional certificate too.
    app_tier: bool = False
    # us-east-1, for CloudFront's certificate; unused when region is us-east-1.
    edge_provider: pulumi.ProviderResource | None = None
    # Names another Certificates of the stack already validates (the DR mirror's certificate
    # names the site too): ACM's validation CNAME is the same in every region, and a second
    # record of that name would collide, so only the first one creates it.
    validated_elsewhere: tuple[str, ...] = ()


class Certificates(pulumi.ComponentResource):
    """The hosted zone lookup and DNS-validated ACM certificates for the ALB and CloudFront."""

    zone_id: pulumi.Output[str]
    origin_fqdn: str | None
    internal_fqdn: str | None
    regional_certificate: aws.acm.Certificate
    # Validated ARNs: use these, so listeners and distributions wait for issuance.
    regional_certificate_arn: pulumi.Output[str]
    edge_certificate_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: CertificatesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:dns:Certificates", name, None, opts)
        domain = args.domain
        zone = aws.route53.get_zone_output(
            name=domain.zone_name,
            private_zone=False,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.zone_id = zone.zone_id
        wants_origin = args.cdn if args.origin_name is None else args.origin_name
        self.origin_fqdn = origin_fqdn(domain, args.region) if wants_origin else None
        self.internal_fqdn = internal_fqdn(domain, args.region) if args.app_tier else None
        names = [domain.fqdn, *(n for n in (self.origin_fqdn, self.internal_fqdn) if n)]

        self.regional_certificate = aws.acm.Certificate(
            f"{name}-regional",
            domain_name=domain.fqdn,
            subject_alternative_names=names[1:],
            validation_method="DNS",
            tags={"Name": f"{name}-regional"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        records = [
            self._validation_record(name, self.regional_certificate, domain_name)
            for domain_name in names
            if domain_name not in args.validated_elsewhere
        ]
        shared = [n for n in names if n in args.validated_elsewhere]
        shared_fqdns = [
            self.regional_certificate.domain_validation_options.apply(
                lambda options, n=n: _field(_option_for(options, n), "resource_record_name").rstrip(
                    "."
                )
            )
            for n in shared
        ]
        self.regional_certificate_arn = aws.acm.CertificateValidation(
            f"{name}-regional",
            certificate_arn=self.regional_certificate.arn,
            validation_record_fqdns=[*(r.fqdn for r in records), *shared_fqdns],
            opts=pulumi.ResourceOptions(parent=self),
        ).certificate_arn

        self.edge_certificate_arn = None
        if args.cdn and args.region == EDGE_REGION:
            self.edge_certificate_arn = self.regional_certificate_arn
        elif args.cdn:
            if args.edge_provider is None:
                raise ValueError("CloudFront's certificate needs the us-east-1 edge provider")
            edge = pulumi.ResourceOptions(parent=self, provider=args.edge_provider)
            edge_certificate = aws.acm.Certificate(
                f"{name}-edge",
                domain_name=domain.fqdn,
                validation_method="DNS",
                tags={"Name": f"{name}-edge"},
                opts=edge,
            )
            self.edge_certificate_arn = aws.acm.CertificateValidation(
                f"{name}-edge",
                certificate_arn=edge_certificate.arn,
                validation_record_fqdns=edge_certificate.domain_validation_options.apply(
                    lambda options: [_field(o, "resource_record_name").rstrip(".") for o in options]
                ),
                opts=pulumi.ResourceOptions.merge(edge, pulumi.ResourceOptions(depends_on=records)),
            ).certificate_arn

        self.register_outputs(
            {
                "zone_id": self.zone_id,
                "regional_certificate_arn": self.regional_certificate_arn,
                "edge_certificate_arn": self.edge_certificate_arn,
            }
        )

    def _validation_record(
        self, name: str, certificate: aws.acm.Certificate, domain_name: str
    ) -> aws.route53.Record:
        option = certificate.domain_validation_options.apply(
            lambda options: _option_for(options, domain_name)
        )
        label = domain_name.replace(".", "-")
        return aws.route53.Record(
            f"{name}-validation-{label}",
            zone_id=self.zone_id,
            name=option.apply(lambda o: _field(o, "resource_record_name")),
            type=option.apply(lambda o: _field(o, "resource_record_type")),
            records=[option.apply(lambda o: _field(o, "resource_record_value"))],
            ttl=300,
            opts=pulumi.ResourceOptions(parent=self),
        )


@dataclass(frozen=True)
class AliasTarget:
    """Where an alias record points: a CloudFront distribution or a load balancer."""

    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    # Route 53 may only evaluate the health of ELB targets; CloudFront must be false.
    evaluate_target_health: bool
    ipv6: bool


@dataclass(frozen=True)
class DnsRecordsArgs:
    domain: DomainConfig
    zone_id: pulumi.Input[str]
    # The site name points at CloudFront when there is one, else at the ALB.
    cloudfront: AliasTarget | None = None
    alb: AliasTarget | None = None
    # With CloudFront in front, the name CloudFront reaches the ALB by (Certificates.origin_fqdn).
    origin_fqdn: str | None = None
    # The app tier's internal ALB and its name (Certificates.internal_fqdn). The record is public
    # but resolves to private addresses: only the web tier can connect.
    internal_alb: AliasTarget | None = None
    internal_fqdn: str | None = None
    # False when the site name is routed across regions (a DR mirror's FailoverDns owns it,
    # with health checks per region): then only the origin and internal names are made here.
    site: bool = True


class DnsRecords(pulumi.ComponentResource):
    """Alias A/AAAA records for the site (and the ALB's origin name), and a health check."""

    site_records: list[aws.route53.Record]
    origin_records: list[aws.route53.Record]
    internal_records: list[aws.route53.Record]
    health_check: aws.route53.HealthCheck | None

    def __init__(
        self, name: str, args: DnsRecordsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:dns:DnsRecords", name, None, opts)
        site_target = args.cloudfront or args.alb
        if site_target is None:
            raise ValueError("the site's records need a CloudFront distribution or an ALB")
        fqdn = args.domain.fqdn
        self.site_records = (
            self._alias_records(f"{name}-site", fqdn, site_target, args.zone_id)
            if args.site
            else []
        )
        self.origin_records = []
        # The origin name: CloudFront's way to this ALB (the primary's, or a standby's).
        if args.alb is not None and args.origin_fqdn:
            self.origin_records = self._alias_records(
                f"{name}-origin", args.origin_fqdn, args.alb, args.zone_id
            )
        self.internal_records = []
        if args.internal_alb is not None and args.internal_fqdn:
            self.internal_records = self._alias_records(
                f"{name}-internal", args.internal_fqdn, args.internal_alb, args.zone_id
            )
        self.health_check = None
        if args.site:
            self.health_check = self._site_health_check(name, fqdn)
        self.register_outputs(
            {
                "fqdn": fqdn,
                "health_check_id": self.health_check.id if self.health_check else None,
            }
        )

    def _site_health_check(self, name: str, fqdn: str) -> aws.route53.HealthCheck:
        return aws.route53.HealthCheck(
            f"{name}-site",
            type="HTTPS",
            fqdn=fqdn,
            port=443,
            resource_path=HEALTH_CHECK_PATH,
            enable_sni=True,
            request_interval=30,
            failure_threshold=3,
            tags={"Name": f"{name}-site"},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _alias_records(
        self, name: str, record_name: str, target: AliasTarget, zone_id: pulumi.Input[str]
    ) -> list[aws.route53.Record]:
        record_types = ["A", "AAAA"] if target.ipv6 else ["A"]
        return [
            aws.route53.Record(
                f"{name}-{record_type.lower()}",
                zone_id=zone_id,
                name=record_name,
                type=record_type,
                aliases=[
                    {
                        "name": target.dns_name,
                        "zone_id": target.zone_id,
                        "evaluate_target_health": target.evaluate_target_health,
                    }
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for record_type in record_types
        ]


def _option_for(options: Sequence[Any], domain_name: str) -> Any:
    for option in options:
        if _field(option, "domain_name") == domain_name:
            return option
    raise ValueError(f"ACM returned no validation option for {domain_name}")


def _field(option: Any, key: str) -> str:
    """A validation option's field, whether the SDK hands an output object or a plain dict."""
    if hasattr(option, key):
        return str(getattr(option, key))
    if isinstance(option, Mapping) and key in option:
        return str(option[key])
    camel = "".join(p if i == 0 else p.title() for i, p in enumerate(key.split("_")))
    return str(option[camel])
