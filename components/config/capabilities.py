"""What AWS accepts of the DR data tier, as pure data: the config layer refuses the rest before
anything is built, and the components build only what these accept. No pulumi here."""

from __future__ import annotations

import re

__all__ = [
    "GLOBAL_DATASTORE_ENGINES",
    "GLOBAL_DATASTORE_FAMILIES",
    "global_datastore_problem",
    "write_forwarding_supported",
]


def write_forwarding_supported(engine: str, version: str) -> bool:
    """Whether an Aurora global database secondary of ``engine`` ``version`` can forward writes.

    Aurora PostgreSQL: every minor of 16 and later, 15.4+ and 14.9+; Aurora MySQL: 2.08.1 and
    later (Aurora User Guide, "Using write forwarding in an Aurora ... global database").
    """
    if engine == "aurora-postgresql":
        match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\..*)?", version)
        if not match:
            return False
        major, minor = int(match[1]), int(match[2] or 0)
        return major >= 16 or (major == 15 and minor >= 4) or (major == 14 and minor >= 9)
    if engine == "aurora-mysql":
        match = re.fullmatch(r"\d+\.\d+\.mysql_aurora\.(\d+)\.(\d+)\.(\d+)", version)
        if not match:
            # A bare "8.0" names Aurora MySQL 3, which has write forwarding in every release.
            return version.startswith("8.0")
        return tuple(int(part) for part in match.groups()) >= (2, 8, 1)
    return False


# Node families a global datastore accepts, size large and above (ElastiCache User Guide,
# "Prerequisites and limitations" of global datastores): no burstable t-nodes, no m4/r4.
GLOBAL_DATASTORE_FAMILIES = ("m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn")
# Engines and the oldest version a global datastore accepts.
GLOBAL_DATASTORE_ENGINES = {"redis": (5, 0, 6), "valkey": (7, 2, 0)}


def global_datastore_problem(engine: str, version: str, node_type: str) -> str | None:
    """Why a global datastore would refuse this cache, or None when it accepts it."""
    if engine not in GLOBAL_DATASTORE_ENGINES:
        return (
            f"engine {engine!r}: a global datastore needs one of {sorted(GLOBAL_DATASTORE_ENGINES)}"
        )
    oldest = GLOBAL_DATASTORE_ENGINES[engine]
    match = re.fullmatch(r"(\d+)(?:\.(\d+|x))?(?:\.(\d+))?", version)
    if not match:
        return f"version {version!r}: not an ElastiCache engine version"
    parts = (
        int(match[1]),
        int(match[2]) if match[2] and match[2] != "x" else 0,
        int(match[3] or 0),
    )
    if parts < oldest:
        needed = ".".join(map(str, oldest))
        return f"version {version!r}: a global datastore needs {engine} {needed} or later"
    node = re.fullmatch(r"cache\.([a-z0-9]+)\.([a-z0-9]+)", node_type)
    if not node:
        return f"node type {node_type!r}: not an ElastiCache node type"
    family, size = node[1], node[2]
    if family not in GLOBAL_DATASTORE_FAMILIES or not re.fullmatch(r"large|\d*xlarge", size):
        return (
            f"node type {node_type!r}: a global datastore needs size large or above of "
            f"{', '.join(GLOBAL_DATASTORE_FAMILIES)} (no burstable t-nodes)"
        )
    return None
