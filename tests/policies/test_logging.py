"""Logging rules (advisory by default), beyond the rule table (cases_logging.py)."""

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
