"""boto3 clients for the runbook: standard retries, a bounded time for every call, per-region
endpoints, errors in one line.

A region that hangs (accepts connections and never answers) is the common case in a regional
outage. Every call therefore runs against a deadline (``call_timeout``, retries included); past it
the region is taken as unreachable for the rest of the run, so one hung region costs one deadline,
not one per call, and the operator sees a progress line while waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config
from botocore.parsers import ResponseParserError

# Route 53's control plane and its CloudWatch metrics are answered from us-east-1 whatever the
# stack's regions; IAM too. STS is called in a stack region (botocore's default is the regional
# endpoint), so that checking credentials does not depend on us-east-1.
GLOBAL_REGION = "us-east-1"
GLOBAL_SERVICES = frozenset({"route53", "iam"})
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId"}
)


class RegionUnreachable(botocore.exceptions.BotoCoreError):
    """A region that refused, dropped or did not answer a call (now or earlier in this run)."""

    fmt = "region {region} unreachable: {reason}"


UNREACHABLE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
    RegionUnreachable,
)
# Every failure a call can end in that is the world's, not the program's.
AWS_FAILURES = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    ResponseParserError,
)


Progress = Callable[[str], None]


@dataclass
class Aws:
    """Where and how to reach AWS. `endpoints` maps a region (or 'global', or '*') to an endpoint
    URL; empty in production (boto3 also honours AWS_ENDPOINT_URL)."""

    session: boto3.Session = field(default_factory=boto3.Session)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_attempts: int = 6
    # The longest one call may take, retries included (None: as botocore's timeouts allow).
    call_timeout: float | None = 30.0
    # Told about a call still waiting (a line for the operator), every `progress_every` seconds.
    progress: Progress | None = None
    progress_every: float = 5.0
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _unreachable: dict[str, str] = field(default_factory=dict, repr=False)

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
        made = self.session.client(service, config=config, endpoint_url=endpoint)
        client = _Deadlined(made, self, region, key)
        self._clients[(service, key)] = client
        return client

    def unreachable(self, key: str) -> str | None:
        """Why a region (or "global") was found unreachable earlier in this run, else None."""
        return self._unreachable.get(key)

    def mark_unreachable(self, key: str, why: str) -> None:
        self._unreachable.setdefault(key, why)


class _Deadlined:
    """A boto3 client whose operations answer within the Aws's call deadline."""

    def __init__(self, client: Any, aws: Aws, region: str, key: str) -> None:
        self._client = client
        self._aws = aws
        self._region = region
        # What a failure is remembered by: the region, or "global" for us-east-1's global
        # control planes (Route 53, IAM), which fail independently of its regional services.
        self._key = key
        self._operations = set(client.meta.method_to_api_mapping)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self._operations:
            return attribute
        return lambda **kwargs: self._call(name, attribute, kwargs)

    def _call(self, name: str, method: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        aws, region, key = self._aws, self._region, self._key
        operation = self._client.meta.method_to_api_mapping[name]
        service = self._client.meta.service_model.service_name
        earlier = aws.unreachable(key)
        if earlier is not None:
            raise RegionUnreachable(region=region, reason=f"{earlier} (earlier in this run)")
        if aws.call_timeout is None:
            return method(**kwargs)
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["value"] = method(**kwargs)
            except BaseException as err:  # handed to the caller's thread
                outcome["error"] = err

        worker = threading.Thread(target=work, name=f"aws-{service}-{operation}", daemon=True)
        worker.start()
        waited = 0.0
        while worker.is_alive() and waited < aws.call_timeout:
            step = min(aws.progress_every, aws.call_timeout - waited)
            worker.join(step)
            waited += step
            if worker.is_alive() and aws.progress is not None and waited < aws.call_timeout:
                aws.progress(
                    f"  ... waiting for {region} ({service} {operation}): "
                    f"{waited:.0f}s of at most {aws.call_timeout:.0f}s"
                )
        if worker.is_alive():
            why = f"no answer to {service} {operation} within {aws.call_timeout:.0f}s"
            aws.mark_unreachable(key, why)
            raise RegionUnreachable(region=region, reason=why)
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, UNREACHABLE) and not isinstance(error, RegionUnreachable):
                aws.mark_unreachable(key, f"{service} {operation}: {_first_line(str(error))}")
                raise RegionUnreachable(region=region, reason=_first_line(str(error))) from error
            raise error
        return outcome["value"]


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
    if isinstance(err, botocore.exceptions.ProfileNotFound):
        return f"credentials: {err} (see `aws configure list-profiles`)"
    if isinstance(err, RegionUnreachable):
        return str(err)
    if isinstance(err, UNREACHABLE):
        return f"region {region or _region_of(err)} unreachable: {_first_line(str(err))}"
    if isinstance(err, ResponseParserError):
        return (
            f"AWS error{where}: an answer that is not an AWS response "
            f"({_first_line(str(err))[:160]}); a proxy or an outage in between? re-run"
        )
    code = error_code(err)
    if code in EXPIRED_CODES or isinstance(
        err, botocore.exceptions.TokenRetrievalError | botocore.exceptions.SSOTokenLoadError
    ):
        return (
            f"credentials: expired or invalid ({code or type(err).__name__}); "
            "refresh them and re-run"
        )
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
        return f"permission denied{where}: {_first_line(str(err))} (see ops/iam-policy.json)"
    return f"AWS error{where}: {_first_line(str(err))[:300]}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _region_of(err: BaseException) -> str:
    """The region in an endpoint URL of a connection error (``https://rds.us-east-1...``)."""
    url = str(getattr(err, "kwargs", {}).get("endpoint_url", ""))
    for part in url.replace("/", ".").split("."):
        if part.count("-") >= 2 and part[-1:].isdigit():
            return part
    return "?"


def is_regional_trouble(err: BaseException) -> bool:
    """The region is down or failing (no answer, a 5xx, a page that is no AWS response), as
    opposed to what would fail in every region (credentials, permissions, a bad request)."""
    if is_unreachable(err) or isinstance(err, ResponseParserError):
        return True
    if isinstance(err, botocore.exceptions.ClientError):
        return int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500
    return False


def is_unreachable(err: BaseException) -> bool:
    return isinstance(err, UNREACHABLE)
