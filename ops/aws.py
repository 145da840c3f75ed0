"""boto3 clients for the runbook: standard retries, timeouts, per-region endpoints, errors in
one line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

# Route 53, its CloudWatch metrics and STS are answered from us-east-1 whatever the stack's regions.
GLOBAL_REGION = "us-east-1"
GLOBAL_SERVICES = frozenset({"route53", "sts", "iam"})
UNREACHABLE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
)
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId"}
)


class AwsError(Exception):
    """An AWS failure worded for the operator (one line)."""


@dataclass
class Aws:
    """Where and how to reach AWS. `endpoints` maps a region (or 'global', or '*') to an endpoint
    URL; empty in production (boto3 also honours AWS_ENDPOINT_URL)."""

    session: boto3.Session = field(default_factory=boto3.Session)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 6
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def client(self, service: str, region: str, *, global_endpoint: bool = False) -> Any:
        if global_endpoint:
            key = "global"
        elif service in GLOBAL_SERVICES:
            region = GLOBAL_REGION
            key = "global"
        else:
            key = region
        cached = self._clients.get((service, key))
        if cached is not None:
            return cached
        config = Config(
            region_name=region,
            retries={"mode": "standard", "max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )
        endpoint = self.endpoints.get(key) or self.endpoints.get("*")
        client = self.session.client(service, config=config, endpoint_url=endpoint)
        self._clients[(service, key)] = client
        return client


def error_code(err: BaseException) -> str:
    if isinstance(err, botocore.exceptions.ClientError):
        return str(err.response.get("Error", {}).get("Code", ""))
    return ""


def describe_error(err: BaseException, region: str | None = None) -> str:
    """One line for any boto3 failure."""
    where = f" in {region}" if region else ""
    if isinstance(
        err, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError
    ):
        return (
            "credentials: none found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "or run `aws sso login`)"
        )
    if isinstance(err, UNREACHABLE):
        return f"region {region or '?'} unreachable: {err}"
    code = error_code(err)
    if code in EXPIRED_CODES or isinstance(
        err, botocore.exceptions.TokenRetrievalError | botocore.exceptions.SSOTokenLoadError
    ):
        return (
            f"credentials: expired or invalid ({code or type(err).__name__}); "
            "refresh them and re-run"
        )
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
        return f"permission denied{where}: {err} (see ops/iam-policy.json)"
    return f"AWS error{where}: {err}"


def is_unreachable(err: BaseException) -> bool:
    return isinstance(err, UNREACHABLE)


def is_credentials_error(err: BaseException) -> bool:
    return isinstance(
        err,
        botocore.exceptions.NoCredentialsError
        | botocore.exceptions.PartialCredentialsError
        | botocore.exceptions.TokenRetrievalError
        | botocore.exceptions.SSOTokenLoadError,
    ) or (error_code(err) in EXPIRED_CODES)
