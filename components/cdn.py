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
"""

from __future__ import annotations

from dataclasses import dataclass

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
ALB_GROUP_ID = "alb-group"
FAILOVER_STATUS_CODES = [500, 502, 503, 504]
# With a failover origin: give up on the primary after 2 attempts of 5 s each, not 3 x 10 s.
FAILOVER_CONNECTION_ATTEMPTS = 2
FAILOVER_CONNECTION_TIMEOUT_SECONDS = 5
FILES_ORIGIN_ID = "uploads-bucket"
FILE_PATHS = ("/static/*", "/uploads/*")
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]


@dataclass(frozen=True)
class AlbOrigin:
    """How CloudFront reaches the ALB."""

    domain_name: pulumi.Input[str]  # the origin name on the ALB's certificate, or its DNS name
    https: bool
    # Required when not https: the secret header the ALB's listener rule checks.
    header_name: str | None = None
    header_value: pulumi.Input[str] | None = None


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
    # A DR mirror's ALB (warm-standby, active-active): the default behaviour then targets an
    # origin group, primary ALB first, this one on 5xx or a timeout. CloudFront fails over
    # only GET, HEAD and OPTIONS requests; writes need DNS failover (FailoverDns).
    failover_alb: AlbOrigin | None = None


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

        files_origin = {
            "origin_id": FILES_ORIGIN_ID,
            "domain_name": args.files_bucket_regional_domain_name,
            "origin_access_control_id": self.origin_access_control.id,
        }
        files_behaviour = {
            "target_origin_id": FILES_ORIGIN_ID,
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ["GET", "HEAD", "OPTIONS"],
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": CACHING_OPTIMIZED_POLICY_ID,
            "compress": True,
        }
        origins: list[dict] = [files_origin]
        default_behaviour = files_behaviour
        origin_groups: list[dict] | None = None
        if alb is not None:
            failover = args.failover_alb
            origins = [_alb_origin(ALB_ORIGIN_ID, alb, failover is not None), files_origin]
            target = ALB_ORIGIN_ID
            if failover is not None:
                origins.insert(1, _alb_origin(FAILOVER_ALB_ORIGIN_ID, failover, True))
                target = ALB_GROUP_ID
                origin_groups = [
                    {
                        "origin_id": ALB_GROUP_ID,
                        "failover_criteria": {"status_codes": FAILOVER_STATUS_CODES},
                        "members": [
                            {"origin_id": ALB_ORIGIN_ID},
                            {"origin_id": FAILOVER_ALB_ORIGIN_ID},
                        ],
                    }
                ]
            default_behaviour = {
                "target_origin_id": target,
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ALL_METHODS,
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_DISABLED_POLICY_ID,
                "origin_request_policy_id": ALL_VIEWER_ORIGIN_REQUEST_POLICY_ID,
                "compress": True,
            }

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
            origin_groups=origin_groups,
            default_cache_behavior=default_behaviour,
            ordered_cache_behaviors=[
                {"path_pattern": path, **files_behaviour} for path in FILE_PATHS
            ],
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

        def visibility(metric: str) -> dict:
            return {
                "cloudwatch_metrics_enabled": True,
                "metric_name": metric,
                "sampled_requests_enabled": True,
            }

        return aws.wafv2.WebAcl(
            f"{name}-edge",
            description=f"AWS managed rules in front of {name}",
            scope="CLOUDFRONT",
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
                    "visibility_config": visibility(f"{name}-{group}"),
                }
                for priority, group in enumerate(WAF_MANAGED_RULE_GROUPS)
            ],
            visibility_config=visibility(f"{name}-edge"),
            tags={"Name": f"{name}-edge"},
            opts=pulumi.ResourceOptions(parent=self, provider=edge_provider),
        )


def _alb_origin(origin_id: str, alb: AlbOrigin, failover: bool) -> dict:
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
    if failover:
        origin["connection_attempts"] = FAILOVER_CONNECTION_ATTEMPTS
        origin["connection_timeout"] = FAILOVER_CONNECTION_TIMEOUT_SECONDS
    if alb.header_name is not None and alb.header_value is not None:
        origin["custom_headers"] = [{"name": alb.header_name, "value": alb.header_value}]
    return origin
