# ruff: noqa: E501 - rule tables read best one case per line
"""Rule table: disaster recovery resource rules (issue 17's origin-group rule)."""

from guardrails import tokens as t
from guardrails.props import UNKNOWN_STRING

READ = ["GET", "HEAD", "OPTIONS"]
ALL = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def _failover(default_methods, ordered_methods=None, default_target="site", ordered_target="site"):
    props = {
        "origins": [
            {"originId": "primary", "domainName": "a.example.com"},
            {"originId": "dr", "domainName": "b.example.com"},
        ],
        "originGroups": [
            {
                "originId": "site",
                "failoverCriteria": {"statusCodes": [500, 502, 503, 504]},
                "members": [{"originId": "primary"}, {"originId": "dr"}],
            }
        ],
        "defaultCacheBehavior": {
            "targetOriginId": default_target,
            "allowedMethods": default_methods,
            "cachedMethods": ["GET", "HEAD"],
            "viewerProtocolPolicy": "https-only",
        },
    }
    if ordered_methods is not None:
        props["orderedCacheBehaviors"] = [
            {
                "pathPattern": "/api/*",
                "targetOriginId": ordered_target,
                "allowedMethods": ordered_methods,
                "cachedMethods": ["GET", "HEAD"],
                "viewerProtocolPolicy": "https-only",
            }
        ]
    return props


COMPLIANT = [
    (
        "cloudfront-origin-group-read-only",
        t.CLOUDFRONT_DISTRIBUTION,
        _failover(READ, ALL, ordered_target="primary"),
    ),
    (
        "cloudfront-origin-group-read-only",
        t.CLOUDFRONT_DISTRIBUTION,
        _failover(ALL, default_target="primary"),
    ),
    (
        "cloudfront-origin-group-read-only",
        t.CLOUDFRONT_DISTRIBUTION,
        _failover(ALL, default_target=UNKNOWN_STRING),
    ),
    (
        "cloudfront-origin-group-read-only",
        t.CLOUDFRONT_DISTRIBUTION,
        {"defaultCacheBehavior": {"targetOriginId": "web", "allowedMethods": ALL}},
    ),
]

VIOLATIONS: list[tuple[str, str, dict, str]] = []

TWINS: list[tuple[str, str, dict, dict, str]] = [
    ("cloudfront-origin-group-read-only", t.CLOUDFRONT_DISTRIBUTION, _failover(ALL), _failover(READ), '`defaultCacheBehavior.allowedMethods: ["GET", "HEAD", "OPTIONS"]`'),
    ("cloudfront-origin-group-read-only", t.CLOUDFRONT_DISTRIBUTION, _failover(READ, ALL), _failover(READ, READ), "`orderedCacheBehaviors[0].allowedMethods"),
    ("cloudfront-origin-group-read-only", t.CLOUDFRONT_DISTRIBUTION, _failover(READ, ["GET", "HEAD", "POST"]), _failover(READ, ["GET", "HEAD", "POST"], ordered_target="primary"), "sends POST to origin group 'site'"),
]  # fmt: skip
