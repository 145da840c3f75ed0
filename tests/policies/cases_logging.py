# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: Logging rules (advisory by default).

Each COMPLIANT row passes its policy; each VIOLATIONS row is reported with a message naming
the resource and containing the fix. `test_rules.py` runs every table.
"""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING

COMPLIANT = [
    ("lb-access-logs", t.LOAD_BALANCERS[0], {"accessLogs": {"bucket": "logs", "enabled": True}}),
    (
        "cloudfront-logging",
        t.CLOUDFRONT_DISTRIBUTION,
        {"loggingConfig": {"bucket": UNKNOWN_STRING}},
    ),
    ("db-log-exports", t.RDS_CLUSTER, {"enabledCloudwatchLogsExports": ["postgresql"]}),
    ("lb-access-logs", t.LOAD_BALANCERS[0], {"loadBalancerType": "gateway"}),
]

VIOLATIONS = [
    ("lb-access-logs", t.LOAD_BALANCERS[1], {"accessLogs": {"bucket": "logs", "enabled": False}}, "enabled: true"),
    ("lb-access-logs", t.LOAD_BALANCERS[0], {}, "accessLogs"),
    ("cloudfront-logging", t.CLOUDFRONT_DISTRIBUTION, {}, "`loggingConfig.bucket`"),
    ("db-log-exports", t.RDS_INSTANCE, {}, "`enabledCloudwatchLogsExports`"),
]  # fmt: skip


TWINS: list[tuple[str, str, dict, dict, str]] = []
