"""CloudFront in front of the ALB (dynamic pages) and the uploads bucket (static files), with an
optional AWS WAF web ACL.

- Default behaviour -> the ALB, caching disabled, every viewer header, cookie and query string
  forwarded (sessions and forms work as if there were no CDN).
- ``/static/*`` and ``/uploads/*`` -> the uploads bucket through origin access control (SigV4
  signed, the bucket stays private), cached with the managed CachingOptimized policy.
- Viewers: HTTP redirects to HTTPS, TLSv1.2_2021 at least (with the site's certificate), HTTP/2
  and HTTP/3, compression, IPv6.

To the ALB: with a domain, HTTPS only, to an origin name on the ALB's certificate. Without a
domain the ALB has no certificate (none can be issued for *.elb.amazonaws.com), so CloudFront
speaks HTTP to it and proves itself with a secret header the ALB's listener checks; the ALB's
security group admits only CloudFront's origin-facing addresses. The policy pack's
``cloudfront-origin-https`` rule flags that mode, on purpose: set a domain for production.

Without an ALB (``CdnArgs.alb`` None: no load balancer yet, or a static-only site) the default
behaviour serves the files bucket too.

With a DR mirror serving reads (warm-standby, active-active), origin failover is for reads only:
CloudFront refuses a cache behaviour bound to an origin group whose AllowedMethods include POST,
PUT, PATCH or DELETE ("The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE
for a cached behavior associated with an origin group"; AmazonCloudFront DeveloperGuide,
high_availability_origin_failover.html: "CloudFront fails over to the secondary origin only
when the HTTP method of the viewer request is GET, HEAD, or OPTIONS"). So:

- ``/static/*`` and ``/uploads/*`` (GET/HEAD/OPTIONS) -> an S3 origin group, the primary bucket
  first and its replica in the DR region on 403/404/5xx;
- the default behaviour (every method: forms, sign-in, uploads) -> one ALB origin, the region
  that holds the writer (``dr.activeRegion``): an operator switch (config + ``pulumi up``) moves
  it, and Route 53 moves the site's name (FailoverDns) when the distribution itself is bypassed.

``origin_group_problems`` states the rule; the component refuses a distribution that breaks it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config.models import CdnConfig

# AWS managed policies; their ids are documented and fixed in every account
# (AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html and
# using-managed-origin-request-policies.html).
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_ORIGIN_REQUEST_POLICY_ID = "216adef6-5c7f-47e4-b989-5492eafa07d3"

MINIMUM_VIEWER_TLS = "TLSv1.2_2021"
ALB_ORIGIN_ID = "alb"
FAILOVER_ALB_ORIGIN_ID = "alb-dr"
FILES_GROUP_ID = "uploads-group"
FAILOVER_FILES_ORIGIN_ID = "uploads-bucket-dr"
# S3 answers 403 (OAC: a key that is not there yet, e.g. not replicated) or 404 for a missing
# object, and 5xx when the region is impaired: all are worth the replica.
FAILOVER_STATUS_CODES = [403, 404, 500, 502, 503, 504]
FILES_ORIGIN_ID = "uploads-bucket"
FILE_PATHS = ("/static/*", "/uploads/*")
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
# What CloudFront refuses on a behaviour bound to an origin group.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def origin_group_problems(
    origin_group_ids: Sequence[str], behaviours: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Why CloudFront would refuse these cache behaviours: one bound to an origin group may
    allow only GET, HEAD and OPTIONS. ``behaviours`` are distribution behaviour inputs
    (``target_origin_id``/``targetOriginId``, ``allowed_methods``/``allowedMethods``,
    ``path_pattern``/``pathPattern``; the default behaviour has no path)."""
    groups = set(origin_group_ids)
    problems = []
    for behaviour in behaviours:
        target = behaviour.get("target_origin_id", behaviour.get("targetOriginId"))
        methods = behaviour.get("allowed_methods", behaviour.get("allowedMethods")) or ()
        path = behaviour.get("path_pattern", behaviour.get("pathPattern")) or "default (*)"
        writes = sorted(WRITE_METHODS & {str(m).upper() for m in methods})
        if target in groups and writes:
            problems.append(
                f"cache behaviour {path} targets origin group {target!r} but allows "
                f"{', '.join(writes)}: CloudFront accepts only GET, HEAD and OPTIONS on an "
                "origin group (origin failover is for reads); target a single origin for writes"
            )
    return problems


@dataclass(frozen=True)
class AlbOrigin:
    """How CloudFront reaches the ALB."""

    domain_name: pulumi.Input[str]  # the origin name on the ALB's certificate, or its DNS name
    https: bool
    # Required when not https: the secret header the ALB's listener rule checks.
    header_name: str | None = None
    header_value: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class FailoverOrigins:
    """The DR region as CloudFront reaches it (the standby RegionalSite, ``Site``)."""

    # The DR ALB: a second origin, which the default behaviour (every method) targets instead
    # of the primary's ALB when ``active`` (the DR region holds the writer, dr.activeRegion).
    alb: AlbOrigin
    # The replica of the files bucket: ``/static/*`` and ``/uploads/*`` target an origin group,
    # the primary bucket first (read-only behaviours, as CloudFront requires).
    files_bucket_regional_domain_name: pulumi.Input[str]
    active: bool = False


@dataclass(frozen=True)
class CdnArgs:
    config: CdnConfig
    alb: AlbOrigin | None
    files_bucket_regional_domain_name: pulumi.Input[str]
    log_bucket_domain_name: pulumi.Input[str]
    log_prefix: str = "cloudfront/"
    # The site's names and their us-east-1 certificate; both or neither.
    aliases: tuple[str, ...] = ()
    certificate_arn: pulumi.Input[str] | None = None
    # us-east-1: a CLOUDFRONT-scoped web ACL can only be created there.
    edge_provider: pulumi.ProviderResource | None = None
    # What logging to the bucket needs first (its ownership controls and ACL): CloudFront
    # rejects a log bucket whose ACL does not yet admit its log delivery.
    log_bucket_dependencies: tuple[pulumi.Resource, ...] = ()
    # A DR mirror serving reads (warm-standby, active-active): its ALB and files bucket.
    failover: FailoverOrigins | None = None


class Cdn(pulumi.ComponentResource):
    """A CloudFront distribution, its S3 origin access control and optional WAF web ACL."""

    distribution: aws.cloudfront.Distribution
    origin_access_control: aws.cloudfront.OriginAccessControl
    web_acl: aws.wafv2.WebAcl | None

    def __init__(
        self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webstack:cdn:Cdn", name, None, opts)
        alb = args.alb
        if (
            alb is not None
            and not alb.https
            and (alb.header_name is None or alb.header_value is None)
        ):
            raise ValueError(
                "CloudFront reaches the ALB over HTTP only with the secret origin header: "
                "pass AlbOrigin.header_name and header_value"
            )
        if bool(args.aliases) != (args.certificate_arn is not None):
            raise ValueError("CloudFront aliases need the us-east-1 certificate, and vice versa")

        self.web_acl = None
        if args.config.waf:
            self.web_acl = self._web_acl(name, args.edge_provider)

        self.origin_access_control = aws.cloudfront.OriginAccessControl(
            f"{name}-files",
            description=f"CloudFront signs every request to the files bucket ({name})",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=pulumi.ResourceOptions(parent=self),
        )

        def files_origin(origin_id: str, domain_name: pulumi.Input[str]) -> dict:
            return {
                "origin_id": origin_id,
                "domain_name": domain_name,
                "origin_access_control_id": self.origin_access_control.id,
            }

        origins: list[dict] = [
            files_origin(FILES_ORIGIN_ID, args.files_bucket_regional_domain_name)
        ]
        origin_groups: list[dict] = []
        files_target = FILES_ORIGIN_ID
        failover = args.failover
        if failover is not None:
            origins.append(
                files_origin(FAILOVER_FILES_ORIGIN_ID, failover.files_bucket_regional_domain_name)
            )
            files_target = FILES_GROUP_ID
            origin_groups.append(
                {
                    "origin_id": FILES_GROUP_ID,
                    "failover_criteria": {"status_codes": FAILOVER_STATUS_CODES},
                    "members": [
                        {"origin_id": FILES_ORIGIN_ID},
                        {"origin_id": FAILOVER_FILES_ORIGIN_ID},
                    ],
                }
            )
        files_behaviour = {
            "target_origin_id": files_target,
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": READ_METHODS,
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": CACHING_OPTIMIZED_POLICY_ID,
            "compress": True,
        }
        default_behaviour = files_behaviour
        if alb is None and failover is not None:
            raise ValueError("a failover ALB needs the primary's ALB (CdnArgs.alb)")
        if alb is not None:
            origins = [_alb_origin(ALB_ORIGIN_ID, alb), *origins]
            if failover is not None:
                origins.insert(1, _alb_origin(FAILOVER_ALB_ORIGIN_ID, failover.alb))
            # Writes go to one origin, never an origin group (CloudFront refuses one there).
            default_behaviour = {
                "target_origin_id": (
                    FAILOVER_ALB_ORIGIN_ID
                    if failover is not None and failover.active
                    else ALB_ORIGIN_ID
                ),
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ALL_METHODS,
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_DISABLED_POLICY_ID,
                "origin_request_policy_id": ALL_VIEWER_ORIGIN_REQUEST_POLICY_ID,
                "compress": True,
            }
        ordered_behaviours = [{"path_pattern": path, **files_behaviour} for path in FILE_PATHS]
        problems = origin_group_problems(
            [g["origin_id"] for g in origin_groups], [default_behaviour, *ordered_behaviours]
        )
        if problems:  # pragma: no cover - the behaviours above are built to pass
            raise ValueError(f"{name}: " + "; ".join(problems))

        if args.certificate_arn is not None:
            viewer_certificate: dict = {
                "acm_certificate_arn": args.certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": MINIMUM_VIEWER_TLS,
            }
        else:
            # The *.cloudfront.net certificate: CloudFront fixes its policy at TLSv1 and rejects
            # any other minimum_protocol_version. Set a domain to enforce TLSv1.2_2021.
            viewer_certificate = {"cloudfront_default_certificate": True}

        self.distribution = aws.cloudfront.Distribution(
            name,
            enabled=True,
            comment=f"{name}: ALB and static files",
            aliases=list(args.aliases) or None,
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=args.config.price_class.value,
            origins=origins,
            origin_groups=origin_groups or None,
            default_cache_behavior=default_behaviour,
            ordered_cache_behaviors=ordered_behaviours,
            logging_config={
                "bucket": args.log_bucket_domain_name,
                "prefix": args.log_prefix,
                "include_cookies": False,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            web_acl_id=self.web_acl.arn if self.web_acl is not None else None,
            tags={"Name": name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.log_bucket_dependencies)),
        )
        self.register_outputs(
            {
                "distribution_id": self.distribution.id,
                "distribution_arn": self.distribution.arn,
                "domain_name": self.distribution.domain_name,
            }
        )

    def _web_acl(
        self, name: str, edge_provider: pulumi.ProviderResource | None
    ) -> aws.wafv2.WebAcl:
        if edge_provider is None:
            raise ValueError("a CloudFront web ACL needs the us-east-1 edge provider")
        return managed_rules_web_acl(
            f"{name}-edge",
            "CLOUDFRONT",
            f"AWS managed rules in front of {name}",
            name,
            pulumi.ResourceOptions(parent=self, provider=edge_provider),
        )


def managed_rules_web_acl(
    name: str, scope: str, description: str, metric_prefix: str, opts: pulumi.ResourceOptions
) -> aws.wafv2.WebAcl:
    """A WAFv2 web ACL running the AWS managed rule groups (``WAF_MANAGED_RULE_GROUPS``):
    CLOUDFRONT scope (us-east-1, on a distribution) or REGIONAL (on an ALB of its region)."""

    def visibility(metric: str) -> dict:
        return {
            "cloudwatch_metrics_enabled": True,
            "metric_name": metric,
            "sampled_requests_enabled": True,
        }

    return aws.wafv2.WebAcl(
        name,
        description=description,
        scope=scope,
        default_action={"allow": {}},
        rules=[
            {
                "name": group,
                "priority": priority,
                # Block what the group blocks (its own actions), rather than count only.
                "override_action": {"none": {}},
                "statement": {
                    "managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}
                },
                "visibility_config": visibility(f"{metric_prefix}-{group}"),
            }
            for priority, group in enumerate(WAF_MANAGED_RULE_GROUPS)
        ],
        visibility_config=visibility(name),
        tags={"Name": name},
        opts=opts,
    )


def _alb_origin(origin_id: str, alb: AlbOrigin) -> dict:
    origin: dict = {
        "origin_id": origin_id,
        "domain_name": alb.domain_name,
        "custom_origin_config": {
            "http_port": 80,
            "https_port": 443,
            "origin_protocol_policy": "https-only" if alb.https else "http-only",
            "origin_ssl_protocols": ["TLSv1.2"],
            "origin_read_timeout": 30,
            "origin_keepalive_timeout": 5,
        },
    }
    if alb.header_name is not None and alb.header_value is not None:
        origin["custom_headers"] = [{"name": alb.header_name, "value": alb.header_value}]
    return origin
