"""Logging where FSBP asks for it: load balancers, CloudFront, VPC flow logs, databases, ECS
Container Insights, API Gateway stages, AppSync, Step Functions, EKS audit and Redshift audit."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource

from . import tokens as t
from .base import ADVISORY, Config, PolicySet, Resource, where
from .props import UNKNOWN, as_bool, as_list, get, items
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
            f"{where(r)} writes no access logs: set "
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
            f"{where(r)} writes no access logs: set "
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
        f"{where(r)} exports no logs to CloudWatch: set "
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


@rules.resource(
    name="ecs-container-insights",
    description="ECS clusters turn Container Insights on.",
    types=[t.ECS_CLUSTER],
    level=ADVISORY,
    fsbp=("ECS.12",),
)
def ecs_container_insights(r: Resource, cfg: Config) -> list[str]:
    settings = get(r.props, "settings")
    if settings is UNKNOWN:
        return []
    for setting in items(settings):
        if setting is UNKNOWN or get(setting, "name") is UNKNOWN:
            return []
        if get(setting, "name") == "containerInsights":
            value = get(setting, "value")
            if value is UNKNOWN or value in ("enabled", "enhanced"):
                return []
    return [
        f"{where(r)} has Container Insights off: set "
        '`settings: [{name: "containerInsights", value: "enabled"}]` (or "enhanced")'
    ]


def _stage_matches(ms: PolicyResource, stage: PolicyResource) -> bool | None:
    """Whether method settings `ms` apply to REST `stage`; None when that cannot be told yet."""
    deps = (ms.property_dependencies or {}).get("stageName", []) or []
    if any(d.urn == stage.urn for d in deps):
        return True
    name = get(ms.props, "stageName")
    if name is UNKNOWN:
        return None if not deps else False
    if name != get(stage.props, "stageName"):
        return False
    api, stage_api = get(ms.props, "restApi"), get(stage.props, "restApi")
    return not (isinstance(api, str) and isinstance(stage_api, str) and api != stage_api)


def _websocket_stages_unlogged(resources: Sequence[PolicyResource]) -> list[tuple[str, str]]:
    """WebSocket API stages whose default route logs nothing (HTTP APIs have no execution log,
    so a v2 stage is judged only when its API, in the stack, is a WebSocket one)."""
    apis = Targets(
        [
            a
            for a in of_type(resources, t.APIGATEWAYV2_API)
            if get(a.props, "protocolType") == "WEBSOCKET"
        ]
    )
    out = []
    for stage in of_type(resources, t.APIGATEWAYV2_STAGE):
        found, _ = referenced(stage, "apiId", apis)
        level = get(stage.props, "defaultRouteSettings", "loggingLevel")
        if found and level not in ("ERROR", "INFO", UNKNOWN):
            out.append(
                (
                    stage.urn,
                    f"API Gateway v2 stage '{stage.name}' of WebSocket API '{found[0].name}' "
                    'logs no execution: set `defaultRouteSettings.loggingLevel: "ERROR"` '
                    '(or "INFO")',
                )
            )
    return out


@rules.stack(
    name="apigateway-execution-logging",
    description=(
        "API Gateway REST and WebSocket stages log execution (ERROR or INFO for every method)."
    ),
    level=ADVISORY,
    fsbp=("APIGateway.1",),
)
def apigateway_execution_logging(
    resources: Sequence[PolicyResource], cfg: Config
) -> list[tuple[str, str]]:
    return [*_rest_stages_unlogged(resources), *_websocket_stages_unlogged(resources)]


def _rest_stages_unlogged(resources: Sequence[PolicyResource]) -> list[tuple[str, str]]:
    stages = of_type(resources, t.APIGATEWAY_STAGE)
    if not stages:
        return []
    logged: set[str] = set()
    for ms in of_type(resources, t.APIGATEWAY_METHOD_SETTINGS):
        level = get(ms.props, "settings", "loggingLevel")
        path = get(ms.props, "methodPath")
        if path not in ("*/*", UNKNOWN) or level not in ("ERROR", "INFO", UNKNOWN):
            continue
        for stage in stages:
            match = _stage_matches(ms, stage)
            if match is None:
                return []  # settings whose stage cannot be told yet: decide after the update
            if match:
                logged.add(stage.urn)
    return [
        (
            stage.urn,
            f"API Gateway stage '{stage.name}' logs no execution: add an "
            '`aws.apigateway.MethodSettings` with `stageName` set to it, `methodPath: "*/*"` and '
            '`settings.loggingLevel: "ERROR"` (or "INFO")',
        )
        for stage in stages
        if stage.urn not in logged
    ]


@rules.resource(
    name="apigateway-access-logging",
    description="API Gateway stages (REST, HTTP, WebSocket) write access logs.",
    types=[t.APIGATEWAY_STAGE, t.APIGATEWAYV2_STAGE],
    level=ADVISORY,
    fsbp=("APIGateway.9",),
)
def apigateway_access_logging(r: Resource, cfg: Config) -> list[str]:
    if get(r.props, "accessLogSettings", "destinationArn") in (None, ""):
        return [
            f"{where(r)} writes no access logs: set "
            "`accessLogSettings: {destinationArn: <log group ARN>, format: <JSON format>}`"
        ]
    return []


@rules.resource(
    name="appsync-field-logging",
    description="AppSync GraphQL APIs log at field level (ERROR or ALL).",
    types=[t.APPSYNC_API],
    level=ADVISORY,
    fsbp=("AppSync.2",),
)
def appsync_field_logging(r: Resource, cfg: Config) -> list[str]:
    level = get(r.props, "logConfig", "fieldLogLevel")
    if level is UNKNOWN or level not in (None, "", "NONE"):
        return []
    return [
        f"{where(r)} has no field-level logs: set "
        '`logConfig: {fieldLogLevel: "ERROR", cloudwatchLogsRoleArn: <role ARN>}` (or "ALL")'
    ]


@rules.resource(
    name="stepfunctions-logging",
    description="Step Functions state machines log executions.",
    types=[t.STATE_MACHINE],
    level=ADVISORY,
    fsbp=("StepFunctions.1",),
)
def stepfunctions_logging(r: Resource, cfg: Config) -> list[str]:
    level = get(r.props, "loggingConfiguration", "level")
    if level is UNKNOWN or level not in (None, "", "OFF"):
        return []
    return [
        f"{where(r)} logs nothing: set "
        '`loggingConfiguration: {level: "ERROR", logDestination: "<log group ARN>:*"}` '
        '(or "ALL")'
    ]


@rules.resource(
    name="eks-audit-logging",
    description="EKS clusters send control-plane audit logs to CloudWatch.",
    types=[t.EKS_CLUSTER],
    level=ADVISORY,
    fsbp=("EKS.8",),
)
def eks_audit_logging(r: Resource, cfg: Config) -> list[str]:
    types = as_list(get(r.props, "enabledClusterLogTypes"))
    if types is UNKNOWN or (types and ("audit" in types or UNKNOWN in types)):
        return []
    return [
        f'{where(r)} keeps no audit log of its Kubernetes API: add "audit" to '
        '`enabledClusterLogTypes` (e.g. ["api", "audit", "authenticator"])'
    ]


@rules.stack(
    name="redshift-audit-logging",
    description="Redshift clusters have audit logging (an aws.redshift.Logging).",
    level=ADVISORY,
    fsbp=("Redshift.4",),
)
def redshift_audit_logging(
    resources: Sequence[PolicyResource], cfg: Config
) -> list[tuple[str, str]]:
    clusters = of_type(resources, t.REDSHIFT_CLUSTER)
    if not clusters:
        return []
    targets = Targets(clusters, ["clusterIdentifier"])
    logged: set[str] = set()
    for logging in of_type(resources, t.REDSHIFT_LOGGING):
        found, ok = referenced(logging, "clusterIdentifier", targets)
        if not ok:
            return []
        logged.update(c.urn for c in found)
    return [
        (
            c.urn,
            f"Redshift cluster '{c.name}' keeps no audit log: add an `aws.redshift.Logging` with "
            '`clusterIdentifier` set to it and `logDestinationType: "cloudwatch"` (or "s3")',
        )
        for c in clusters
        if c.urn not in logged
    ]


policies = rules.policies
