"""Every AWS provider the program uses comes from this one factory.

An explicit ``aws.Provider`` inherits nothing from the stack's ``aws:*`` config (pulumi-aws#3259),
so region, default tags and the allowed accounts are set here, the same way for the primary
region, the disaster-recovery region and the us-east-1 edge (CloudFront certificates, WAF).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config import StackConfig


def standard_tags(config: StackConfig) -> dict[str, str]:
    return {
        "Project": config.project,
        "Stack": config.stack,
        "Environment": config.environment.value,
        "ManagedBy": "pulumi",
    }


def aws_provider(
    name: str, region: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
) -> aws.Provider:
    return aws.Provider(
        name,
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=standard_tags(config)),
        allowed_account_ids=list(config.allowed_account_ids) or None,
        opts=opts,
    )


def provider_opts(provider: pulumi.ProviderResource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=provider)
