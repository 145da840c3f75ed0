# ruff: noqa: E501 - rule tables read best one case per line
"""Logging rules (advisory by default), beyond the rule table (cases_logging.py)."""

import pytest
from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING
from support import stack_check, stack_resources, urn


def test_every_vpc_needs_a_flow_log_referencing_it():
    resources = stack_resources(
        [
            (t.VPC, "main", {"cidrBlock": "10.0.0.0/16"}),
            (t.VPC, "dr", {"cidrBlock": "10.1.0.0/16", "id": "vpc-2"}),
            (t.FLOW_LOG, "main-flow", {"vpcId": UNKNOWN_STRING, "trafficType": "ALL"}),
        ],
        {"main-flow": {"vpcId": ["main"]}},
    )
    [(at, message)] = stack_check("vpc-flow-logs", resources)
    assert at == urn(t.VPC, "dr") and "aws.ec2.FlowLog" in message
    resources.append(stack_resources([(t.FLOW_LOG, "dr-flow", {"vpcId": "vpc-2"})])[0])
    assert stack_check("vpc-flow-logs", resources) == []


def test_a_flow_log_of_another_stacks_vpc_does_not_switch_the_check_off():
    resources = stack_resources(
        [
            (t.VPC, "main", {"cidrBlock": "10.0.0.0/16"}),
            (t.FLOW_LOG, "shared-flow", {"vpcId": "vpc-0123456789abcdef0", "trafficType": "ALL"}),
        ]
    )
    [(at, _)] = stack_check("vpc-flow-logs", resources)
    assert at == urn(t.VPC, "main")


def test_a_flow_log_with_an_unknown_vpc_and_no_dependency_is_undecidable():
    resources = stack_resources(
        [
            (t.VPC, "main", {"cidrBlock": "10.0.0.0/16"}),
            (t.FLOW_LOG, "flow", {"vpcId": UNKNOWN_STRING, "trafficType": "ALL"}),
        ]
    )
    assert stack_check("vpc-flow-logs", resources) == []


def _stage(name, stage_name="prod", api="api-1"):
    return (t.APIGATEWAY_STAGE, name, {"stageName": stage_name, "restApi": api})


def _settings(name, level="ERROR", stage_name=UNKNOWN_STRING, api=UNKNOWN_STRING, path="*/*"):
    return (t.APIGATEWAY_METHOD_SETTINGS, name, {"stageName": stage_name, "restApi": api, "methodPath": path, "settings": {"loggingLevel": level}})  # fmt: skip


def test_every_rest_stage_needs_method_settings_that_log_every_method():
    resources = stack_resources(
        [_stage("prod"), _stage("beta", "beta"), _settings("prod-logs")],
        {"prod-logs": {"stageName": ["prod"]}},
    )
    [(at, message)] = stack_check("apigateway-execution-logging", resources)
    assert at == urn(t.APIGATEWAY_STAGE, "beta") and '`methodPath: "*/*"`' in message
    resources += stack_resources([_settings("beta-logs", "INFO", "beta", "api-1")])
    assert stack_check("apigateway-execution-logging", resources) == []


@pytest.mark.parametrize(
    "settings",
    [
        _settings("off", "OFF", "prod", "api-1"),
        _settings("one-method", "ERROR", "prod", "api-1", "items/GET"),
        _settings("other-api", "ERROR", "prod", "api-2"),
    ],
)
def test_method_settings_that_do_not_log_every_method_of_this_stage_do_not_count(settings):
    resources = stack_resources([_stage("prod"), settings])
    [(at, _)] = stack_check("apigateway-execution-logging", resources)
    assert at == urn(t.APIGATEWAY_STAGE, "prod")


def test_method_settings_of_an_unknown_stage_are_undecidable():
    resources = stack_resources([_stage("prod"), _settings("logs")])
    assert stack_check("apigateway-execution-logging", resources) == []


def test_every_redshift_cluster_needs_an_audit_logging_resource():
    resources = stack_resources(
        [
            (t.REDSHIFT_CLUSTER, "dw", {"clusterIdentifier": "dw"}),
            (t.REDSHIFT_CLUSTER, "lake", {"clusterIdentifier": "lake"}),
            (
                t.REDSHIFT_LOGGING,
                "dw-audit",
                {"clusterIdentifier": "dw", "logDestinationType": "cloudwatch"},
            ),
        ]
    )
    [(at, message)] = stack_check("redshift-audit-logging", resources)
    assert at == urn(t.REDSHIFT_CLUSTER, "lake") and "aws.redshift.Logging" in message


def test_websocket_stages_log_their_default_route_and_http_api_stages_are_not_judged():
    def stages(level):
        return stack_resources(
            [
                (t.APIGATEWAYV2_API, "chat", {"protocolType": "WEBSOCKET"}),
                (t.APIGATEWAYV2_API, "http", {"protocolType": "HTTP"}),
                (
                    t.APIGATEWAYV2_STAGE,
                    "chat-prod",
                    {"apiId": UNKNOWN_STRING, "defaultRouteSettings": {"loggingLevel": level}},
                ),
                (t.APIGATEWAYV2_STAGE, "http-prod", {"apiId": UNKNOWN_STRING}),
            ],
            {"chat-prod": {"apiId": ["chat"]}, "http-prod": {"apiId": ["http"]}},
        )

    [(at, message)] = stack_check("apigateway-execution-logging", stages("OFF"))
    assert (
        at == urn(t.APIGATEWAYV2_STAGE, "chat-prod")
        and "defaultRouteSettings.loggingLevel" in message
    )
    assert stack_check("apigateway-execution-logging", stages("ERROR")) == []
