"""The fake AWS account every mock answer is made in; the digest that makes ids deterministic."""

from __future__ import annotations

import hashlib

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]
