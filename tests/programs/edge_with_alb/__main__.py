"""The edge components in front of a stand-in ALB: CloudFront's ALB origin, the DNS records that
point at the ALB and the ALB/ASG alarms, tested with known values whatever the stack wires."""

import pulumi

from components import config as stack_config
from components.data.storage import Storage, StorageArgs
from components.edge.cdn import AlbOrigin, Cdn, CdnArgs
from components.edge.dns import (
    AliasTarget,
    Certificates,
    CertificatesArgs,
    DnsRecords,
    DnsRecordsArgs,
)
from components.monitoring import Monitoring, MonitoringArgs, ScaledTier
from components.providers import aws_provider
from components.site.site import uploads_bucket_policy

ALB_DNS_NAME = "webstack-alb-1234567890.us-east-1.elb.amazonaws.com"
ALB_ZONE_ID = "Z35SXDOTRQ7X7K"
ALB_ARN_SUFFIX = "app/webstack-alb/0123456789abcdef"
TARGET_GROUP_ARN_SUFFIX = "targetgroup/webstack-web/fedcba9876543210"
ORIGIN_HEADER = "X-Origin-Verify"

config = stack_config.from_pulumi()
name = "edge"
provider = aws_provider("primary", config.region, config)
edge_provider = (
    provider if config.region == "us-east-1" else aws_provider("edge", "us-east-1", config)
)
opts = pulumi.ResourceOptions(provider=provider)
storage = Storage(name, StorageArgs(region=config.region, data_key_arn="arn:aws:kms:key"), opts)
certificates = (
    Certificates(
        name,
        CertificatesArgs(
            domain=config.domain,
            region=config.region,
            cdn=config.cdn.enabled,
            edge_provider=edge_provider,
        ),
        opts,
    )
    if config.domain
    else None
)
cdn = None
if config.cdn.enabled:
    cdn = Cdn(
        name,
        CdnArgs(
            config=config.cdn,
            alb=(
                AlbOrigin(domain_name=certificates.origin_fqdn or "", https=True)
                if certificates
                else AlbOrigin(
                    domain_name=ALB_DNS_NAME,
                    https=False,
                    header_name=ORIGIN_HEADER,
                    header_value=pulumi.Output.secret("s3cr3t-value"),
                )
            ),
            files_bucket_regional_domain_name=storage.uploads_bucket.bucket_regional_domain_name,
            log_bucket_domain_name=storage.log_bucket.bucket_domain_name,
            aliases=(config.domain.fqdn,) if config.domain else (),
            certificate_arn=certificates.edge_certificate_arn if certificates else None,
            edge_provider=edge_provider,
        ),
        opts,
    )
uploads_bucket_policy(name, storage, cdn.distribution.arn if cdn else None)
alb = AliasTarget(
    dns_name=ALB_DNS_NAME, zone_id=ALB_ZONE_ID, evaluate_target_health=True, ipv6=False
)
if config.domain and certificates:
    DnsRecords(
        name,
        DnsRecordsArgs(
            domain=config.domain,
            zone_id=certificates.zone_id,
            cloudfront=(
                AliasTarget(
                    dns_name=cdn.distribution.domain_name,
                    zone_id=cdn.distribution.hosted_zone_id,
                    evaluate_target_health=False,
                    ipv6=True,
                )
                if cdn
                else None
            ),
            alb=alb,
            origin_fqdn=certificates.origin_fqdn,
        ),
        opts,
    )
Monitoring(
    name,
    MonitoringArgs(
        region=config.region,
        logs_key_arn="arn:aws:kms:logs-key",
        alarm_email=config.alarm_email,
        alb_arn_suffix=ALB_ARN_SUFFIX,
        target_group_arn_suffix=TARGET_GROUP_ARN_SUFFIX,
        tiers=(ScaledTier("web", "webstack-web-asg", config.web.min_size),),
        distribution_id=cdn.distribution.id if cdn else None,
        edge_provider=edge_provider,
    ),
    opts,
)
