# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: least-privilege networks (the port arithmetic is in test_security_groups.py).

Each TWINS row is (policy, type, violating props, compliant twin, part of the fix).
"""

from guardrails import tokens as t

WEB = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}

TWINS = [
    ("sg-world-ingress-allowed-ports", t.SECURITY_GROUP, {"ingress": [{**WEB, "fromPort": 8080, "toPort": 8080}]}, {"ingress": [WEB]}, "`ingress[0].securityGroups`"),
]  # fmt: skip
