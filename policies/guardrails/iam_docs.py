"""Reading IAM policy documents (JSON strings on the wire)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .props import UNKNOWN, json_document


def as_strings(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def statements(document: Any) -> Iterator[dict[str, Any]]:
    """Statements of a document given as JSON text or an object; none if unknown/invalid."""
    doc = json_document(document)
    if doc is None or doc is UNKNOWN or not isinstance(doc, dict):
        return
    stmts = doc.get("Statement")
    for s in stmts if isinstance(stmts, list) else [stmts]:
        if isinstance(s, dict):
            yield s


def allows(statement: dict[str, Any]) -> bool:
    return statement.get("Effect", "Allow") == "Allow"


def public_principal(statement: dict[str, Any]) -> bool:
    """Principal `*` or `{"AWS": "*"}` (in any list form)."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_strings(principal.get("AWS"))
    return False
