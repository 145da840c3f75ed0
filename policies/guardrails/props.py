"""Reading wire properties without tripping over preview unknowns or secrets.

At runtime the SDK hands rules an unknown-checking proxy: touching an unknown value raises
`UnknownValueError`, which the SDK turns into a noisy "can't run policy during preview"
advisory for the whole policy. These helpers read one path at a time and return `UNKNOWN`
instead, so a rule skips only the check it cannot decide. Secrets arrive already unwrapped
(the SDK deserializes analyze requests with `proxy_secrets=False`); remediations see them
wrapped in `Secret`, which `unwrap` removes. Plain dicts (unit tests) work the same way, with
unknowns spelled as the engine's sentinel strings.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)
from pulumi_policy.secret import Secret

_SENTINELS: Final = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


class _Unknown(enum.Enum):
    """A value the engine will only know after the update (preview placeholder)."""

    UNKNOWN = "UNKNOWN"

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; test `is UNKNOWN` first")


UNKNOWN: Final = _Unknown.UNKNOWN

# Sentinels a test (or the protocol) uses for an unknown value of a given shape.
UNKNOWN_BOOL: Final = UNKNOWN_BOOLEAN_VALUE
UNKNOWN_NUMBER: Final = UNKNOWN_NUMBER_VALUE
UNKNOWN_STRING: Final = UNKNOWN_STRING_VALUE
UNKNOWN_LIST: Final = UNKNOWN_ARRAY_VALUE
UNKNOWN_OBJECT: Final = UNKNOWN_OBJECT_VALUE


def unwrap(value: Any) -> Any:
    """The plain value: sentinel strings become UNKNOWN, `Secret` wrappers are removed."""
    while isinstance(value, Secret):
        value = value.value
    if isinstance(value, str) and value in _SENTINELS:
        return UNKNOWN
    return value


def get(obj: Any, *path: str | int) -> Any:
    """Value at `path` (keys and list indexes), None if absent, UNKNOWN if not yet known."""
    cur = unwrap(obj)
    for key in path:
        if cur is None or cur is UNKNOWN:
            return cur
        try:
            if isinstance(key, int):
                if not isinstance(cur, Sequence) or isinstance(cur, str) or key >= len(cur):
                    return None
                cur = cur[key]
            else:
                if not isinstance(cur, Mapping):
                    return None
                cur = cur.get(key)
        except UnknownValueError:
            return UNKNOWN
        cur = unwrap(cur)
    return cur


def is_set(value: Any) -> bool:
    """Present and non-empty; an unknown value counts as set (something will be there)."""
    return value is UNKNOWN or value not in (None, "", [], {})


def as_bool(value: Any) -> bool | _Unknown | None:
    """Booleans, including launch templates' "true"/"false" strings. None when absent."""
    value = unwrap(value)
    if value is None or value is UNKNOWN or isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        return None
    if isinstance(value, int | float):
        return bool(value)
    return None


def as_int(value: Any) -> int | _Unknown | None:
    """Integers however a program spelled them: 443, 443.0 (Python numbers arrive as floats on
    the wire), "443", "443.0". None when absent or not a whole number."""
    value = unwrap(value)
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


# IANA protocol numbers and the names EC2 accepts for them (security groups, network ACLs).
_PROTOCOL_NAMES: Final = {-1: "all", 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}
_PROTOCOL_ALIASES: Final = {
    "all": "all", "icmp": "icmp", "tcp": "tcp", "udp": "udp",
    "icmpv6": "icmpv6", "icmp6": "icmpv6", "ipv6-icmp": "icmpv6",
}  # fmt: skip


def as_protocol(value: Any) -> str | _Unknown | None:
    """An IP protocol as one canonical name: 6, 6.0, "6", "tcp", "TCP" -> "tcp"; -1, -1.0,
    "-1", "all" -> "all"; 17 -> "udp", 1 -> "icmp", 58 -> "icmpv6". Other numbers come out as
    their decimal string ("132"), other names lower-cased; None when absent."""
    value = unwrap(value)
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _PROTOCOL_ALIASES:
            return _PROTOCOL_ALIASES[text]
    number = as_int(value)
    if isinstance(number, int):
        return _PROTOCOL_NAMES.get(number, str(number))
    return str(value).strip().lower()


def items(value: Any) -> Iterator[Any]:
    """Elements of a list; unknown elements come out as UNKNOWN. Nothing for absent values."""
    value = unwrap(value)
    if value is None or value is UNKNOWN or isinstance(value, str | Mapping):
        return
    if not isinstance(value, Sequence):
        return
    for i in range(len(value)):
        try:
            yield unwrap(value[i])
        except UnknownValueError:
            yield UNKNOWN


def as_list(value: Any) -> list[Any] | _Unknown | None:
    """The list itself (UNKNOWN if the whole list is unknown, None if absent)."""
    value = unwrap(value)
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, str):
        return [value]
    return list(items(value))


@functools.lru_cache(maxsize=512)
def _parse_json(text: str) -> Any:
    """Parsed once per distinct text: several policies read the same document (IAM statements,
    ECS container definitions). Callers read the result, never change it."""
    if any(s in text for s in _SENTINELS):
        return UNKNOWN
    try:
        return json.loads(text)
    except ValueError:
        return None


def json_document(value: Any) -> Any:
    """A policy document given as a JSON string (or an object). UNKNOWN/None/invalid pass on."""
    value = unwrap(value)
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, str):
        return _parse_json(value)
    if isinstance(value, Mapping):
        return plain(value)
    return None


def plain(value: Any) -> Any:
    """A deep plain copy (dicts/lists) of a proxied value; unknown parts become UNKNOWN."""
    value = unwrap(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k in value:
            try:
                out[k] = plain(value[k])
            except UnknownValueError:
                out[k] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in items(value)]
    return value


def raw(props: Any) -> dict[str, Any]:
    """A shallow copy of a property bag as the SDK holds it (proxies unwrapped, unknowns kept).

    Remediations return the whole bag; copying through the proxy would raise on the first
    unknown sibling, so read the proxy's target instead.
    """
    target = props
    while not isinstance(target, dict) and isinstance(target, Mapping):
        target = target["__target"]
    return dict(target)
