"""Names shared by every component: the project, and the identifiers AWS constrains.

Components derive every physical name from their own component name, so two instances (the
primary and, later, a disaster-recovery mirror) never collide.
"""

from __future__ import annotations

import hashlib
import re

import pulumi
import pulumi_random as random

from components.config.values import PROJECT

# RDS identifiers (clusters, instances, proxies) are at most 63 characters.
MAX_RDS_IDENTIFIER = 63
# ElastiCache identifiers (replication group and cluster ids) are at most 40 characters.
MAX_ELASTICACHE_IDENTIFIER = 40
# Hex characters of the hash that keeps shortened identifiers distinct.
IDENTIFIER_DIGEST_LENGTH = 6
# Bytes of randomness in a final snapshot's suffix (8 hex characters).
FINAL_SNAPSHOT_SUFFIX_BYTES = 4


def aws_identifier(*parts: str, max_length: int = MAX_RDS_IDENTIFIER) -> str:
    """An RDS/ElastiCache identifier: lower-case letters, digits and single hyphens, starting
    with a letter, at most ``max_length`` long (a hash keeps shortened names distinct)."""
    text = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    if not text or not text[0].isalpha():
        text = f"x-{text}"
    if len(text) > max_length:
        digest = hashlib.sha256(text.encode()).hexdigest()[:IDENTIFIER_DIGEST_LENGTH]
        text = f"{text[: max_length - IDENTIFIER_DIGEST_LENGTH - 1].rstrip('-')}-{digest}"
    return text


def final_snapshot_identifier(
    name: str, identifier: str, opts: pulumi.ResourceOptions
) -> pulumi.Output[str]:
    """``<identifier>-final-<8 hex>``: unique per stack lifetime, so destroying a stack and
    creating one of the same name never collides with the first one's final snapshot (AWS refuses
    a second snapshot of an existing name). The suffix changes only with the identifier."""
    suffix = random.RandomId(
        f"{name}-final-snapshot",
        byte_length=FINAL_SNAPSHOT_SUFFIX_BYTES,
        keepers={"identifier": identifier},
        opts=opts,
    )
    return pulumi.Output.concat(identifier, "-final-", suffix.hex)


def log_group_name(component_name: str, *parts: str) -> str:
    """``/webstack/<component name>/<parts...>``: where the stack's own log groups live."""
    return "/".join((f"/{PROJECT}", component_name, *parts))
