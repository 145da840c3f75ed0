# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: least-privilege networks (the port arithmetic is in test_security_groups.py).

Each TWINS row is (policy, type, violating props, compliant twin, part of the fix).
"""

from guardrails import tokens as t

WEB = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}


TWINS = [
    ("sg-world-ingress-allowed-ports", t.SECURITY_GROUP, {"ingress": [{**WEB, "fromPort": 8080, "toPort": 8080}]}, {"ingress": [WEB]}, "`ingress[0].securityGroups`"),
    ("default-security-group-closed", t.DEFAULT_SECURITY_GROUP, {"ingress": [{"protocol": "-1", "self": True}]}, {"ingress": [], "egress": []}, "`ingress: []`"),
    ("nacl-no-world-admin-ports", t.NETWORK_ACL, {"ingress": [{"action": "allow", "protocol": "tcp", "fromPort": 0, "toPort": 1024, "cidrBlock": "0.0.0.0/0", "ruleNo": 100}]}, {"ingress": [{"action": "allow", "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlock": "0.0.0.0/0", "ruleNo": 100}]}, "`ingress[0].cidrBlock`"),
    ("nacl-no-world-admin-ports", t.DEFAULT_NETWORK_ACL, {"ingress": [{"action": "allow", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlock": "0.0.0.0/0", "ruleNo": 100}]}, {"ingress": [{"action": "allow", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlock": "10.0.0.0/16", "ruleNo": 100}]}, "port(s) 22, 3389"),
    ("nacl-no-world-admin-ports", t.NETWORK_ACL_RULE, {"egress": False, "ruleAction": "allow", "protocol": "6", "fromPort": 3389, "toPort": 3389, "ipv6CidrBlock": "::/0"}, {"egress": False, "ruleAction": "deny", "protocol": "6", "fromPort": 3389, "toPort": 3389, "ipv6CidrBlock": "::/0"}, "`ipv6CidrBlock`"),
    ("subnet-no-auto-public-ip", t.SUBNET, {"mapPublicIpOnLaunch": True}, {"mapPublicIpOnLaunch": False}, "`mapPublicIpOnLaunch: false`"),
]  # fmt: skip
