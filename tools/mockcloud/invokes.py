"""Invokes: token -> function(args, region) -> result. Extend here when the program needs more.

An invoke the table does not know raises (``MockCloud.call``) instead of returning junk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tools.mockcloud.account import ACCOUNT_ID, PARTITION, _digest

# Availability zones as AWS lists them (state=available, no opt-in zones).
REGION_ZONE_LETTERS = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "sa-east-1": "abc",
}
DEFAULT_ZONE_LETTERS = "abc"


InvokeHandler = Callable[[Mapping[str, Any], str], dict[str, Any]]


def _availability_zones(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    letters = REGION_ZONE_LETTERS.get(region, DEFAULT_ZONE_LETTERS)
    names = [f"{region}{letter}" for letter in letters]
    short = "".join(part[:3] if i == 1 else part[:2] for i, part in enumerate(region.split("-")))
    return {
        "id": region,
        "names": names,
        "zoneIds": [f"{short}-az{i + 1}" for i in range(len(names))],
        "groupNames": [region] * len(names),
        "state": args.get("state", "available"),
    }


def _ssm_parameter(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = str(args["name"])
    if not name.startswith("/aws/service/"):
        raise LookupError(
            f"MockCloud only serves public /aws/service/ SSM parameters, not {name!r}"
        )
    value = f"ami-{_digest(region, name)}" if "/ami-" in name else f"mock-{_digest(name)}"
    return {
        "id": name,
        "name": name,
        "value": value,
        "insecureValue": value,
        "type": "String",
        "version": 1,
        "arn": f"arn:{PARTITION}:ssm:{region}::parameter{name}",
    }


def _managed_prefix_list(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = args.get("name")
    if name != "com.amazonaws.global.cloudfront.origin-facing":
        raise LookupError(f"MockCloud knows no managed prefix list named {name!r}")
    prefix_id = f"pl-{_digest(region, str(name), length=8)}"
    return {
        "id": prefix_id,
        "name": name,
        "arn": f"arn:{PARTITION}:ec2:{region}:aws:prefix-list/{prefix_id}",
        "addressFamily": "IPv4",
        "maxEntries": 55,
        "ownerId": "AWS",
        "entries": [],
        "tags": {},
        "version": 1,
    }


def _hosted_zone(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = str(args.get("name", "")).rstrip(".")
    zone_id = "Z" + _digest(name, length=20).upper()
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": f"{name}.",
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "privateZone": bool(args.get("privateZone", False)),
        "nameServers": [f"ns-{i}.awsdns-{i}.org" for i in range(4)],
        "resourceRecordSetCount": 2,
        "callerReference": "mock",
        "comment": "",
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "primaryNameServer": "ns-0.awsdns-0.org",
        "tags": {},
        "vpcId": "",
    }


INVOKES: dict[str, InvokeHandler] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args, region: {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/preview",
        "userId": "AIDAMOCKPREVIEW",
    },
    "aws:index/getPartition:getPartition": lambda args, region: {
        "id": PARTITION,
        "partition": PARTITION,
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    },
    "aws:index/getRegion:getRegion": lambda args, region: {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    },
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
    "aws:route53/getZone:getZone": _hosted_zone,
    "aws:s3/getCanonicalUserId:getCanonicalUserId": lambda args, region: {
        "id": _digest("canonical", ACCOUNT_ID, length=64),
        "displayName": "preview",
    },
    "aws:elb/getServiceAccount:getServiceAccount": lambda args, region: {
        "id": _digest("elb", region, length=12),
        "arn": f"arn:{PARTITION}:iam::{_digest('elb', region, length=12)}:root",
        "region": region,
    },
}
