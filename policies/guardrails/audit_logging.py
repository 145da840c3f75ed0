"""Logging: load balancer access logs, CloudFront logs, VPC flow logs, database log exports."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, Config, PolicySet, Resource
from .props import UNKNOWN, as_bool, as_list, get
from .relations import Targets, of_type, referenced

rules = PolicySet()


@rules.resource(
    name="lb-access-logs",
    description="Load balancers write access logs.",
    types=t.LOAD_BALANCERS,
    level=ADVISORY,
    fsbp=("ELB.5",),
)
def lb_access_logs(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "loadBalancerType") == "gateway":
        return []  # gateway load balancers have no access logs
    logs = get(r.props, "accessLogs")
    if logs is UNKNOWN:
        return []
    if as_bool(get(logs, "enabled")) is not True or get(logs, "bucket") in (None, ""):
        return [
            f"Load balancer '{r.name}' writes no access logs: set "
            "`accessLogs: {bucket: <log bucket>, enabled: true}`"
        ]
    return []


@rules.resource(
    name="cloudfront-logging",
    description="CloudFront distributions write access logs.",
    types=[t.CLOUDFRONT_DISTRIBUTION],
    level=ADVISORY,
    fsbp=("CloudFront.5",),
)
def cloudfront_logging(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "loggingConfig", "bucket") in (None, ""):
        return [
            f"CloudFront distribution '{r.name}' writes no access logs: set "
            '`loggingConfig.bucket` (e.g. "<log bucket>.s3.amazonaws.com")'
        ]
    return []


@rules.resource(
    name="db-log-exports",
    description="Databases export their logs to CloudWatch.",
    types=[t.RDS_INSTANCE, t.RDS_CLUSTER],
    level=ADVISORY,
    fsbp=("RDS.9",),
)
def db_log_exports(r: Resource, cfg: Config) -> list[str]:
    exports = as_list(get(r.props, "enabledCloudwatchLogsExports"))
    if exports is UNKNOWN or exports:
        return []
    return [
        f"{t.label(r.type)} '{r.name}' exports no logs to CloudWatch: set "
        '`enabledCloudwatchLogsExports` (e.g. ["postgresql"] or ["audit", "error", "slowquery"])'
    ]


@rules.stack(
    name="vpc-flow-logs",
    description="Every VPC has a flow log.",
    level=ADVISORY,
    fsbp=("EC2.6",),
)
def vpc_flow_logs(resources: Sequence[PolicyResource], cfg: Config) -> list[tuple[str, str]]:
    vpcs = of_type(resources, t.VPC)
    if not vpcs:
        return []
    targets = Targets(vpcs)
    logged: set[str] = set()
    for flow_log in of_type(resources, t.FLOW_LOG):
        found, ok = referenced(flow_log, "vpcId", targets)
        if not ok:
            return []  # a flow log whose VPC cannot be told yet: decide after the update
        logged.update(v.urn for v in found)
    return [
        (
            v.urn,
            f"VPC '{v.name}' has no flow log: add an `aws.ec2.FlowLog` with `vpcId` set to this "
            'VPC, `trafficType: "ALL"` and a log destination',
        )
        for v in vpcs
        if v.urn not in logged
    ]


policies = rules.policies
