"""The configuration variants the program is checked under, beyond each shipped stack file.

One list, shared by the policy-compliance tests and the preview snapshot tool, so the snapshot
covers every feature the pack is proven against.
"""

from __future__ import annotations

from typing import Any

FEATURES: list[tuple[str, dict[str, Any]]] = [
    ("stack-file", {}),
    ("no-cdn", {"webstack:cdn": {"enabled": False}}),
    ("waf", {"webstack:cdn": {"waf": True}}),
    ("domain", {"webstack:domain": {"zoneName": "example.org", "recordName": "shop"}}),
    (
        "apex-domain-no-cdn",
        {
            "webstack:domain": {"zoneName": "example.org", "recordName": "@"},
            "webstack:cdn": {"enabled": False},
        },
    ),
    ("app-tier", {"webstack:appTier": {"enabled": True}}),
    ("aurora-mysql", {"webstack:database": {"engine": "aurora-mysql"}}),
    ("postgres", {"webstack:database": {"engine": "postgres"}}),
    ("mysql-proxy", {"webstack:database": {"engine": "mysql", "proxy": True}}),
    ("aurora-proxy", {"webstack:database": {"proxy": True, "readers": 2}}),
    ("redis", {"webstack:cache": {"engine": "redis", "replicas": 2}}),
    ("single-nat", {"webstack:network": {"natGateways": "single"}}),
    ("eu-west-1", {"aws:region": "eu-west-1"}),
    ("alarm-email", {"webstack:alarmEmail": "ops@example.org"}),
]
