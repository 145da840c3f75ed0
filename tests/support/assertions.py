"""Queries and assertions that more than one component's tests make."""

from __future__ import annotations

from tests.support.tokens import KMS_KEY, RANDOM_ID
from tools.mockcloud import RecordedResource, Synthesis


def key_arn(stack: Synthesis, purpose: str) -> str:
    """The ARN of the stack's KMS key for ``purpose`` (data, logs, backups)."""
    (key,) = [k for k in stack.of_type(KMS_KEY) if k.name == f"webstack-{stack.stack}-{purpose}"]
    arn = key.outputs.get("arn")
    assert arn
    return str(arn)


def assert_final_snapshot_is_suffixed(
    stack: Synthesis, resource: RecordedResource, identifier: str
) -> None:
    """``resource``'s final snapshot is ``<identifier>-final-<8 hex>``: a fixed name would collide
    with the final snapshot of an earlier stack of the same name (AWS refuses a second snapshot of
    one name), so a random suffix beside it, kept for the stack's life, names it."""
    (suffix,) = [r for r in stack.of_type(RANDOM_ID) if r.parent == resource.parent]
    assert suffix.get("byteLength") == 4
    assert suffix.get("keepers") == {"identifier": identifier}
    hex_suffix = suffix.outputs.get("hex")
    assert isinstance(hex_suffix, str) and len(hex_suffix) == 8
    assert resource.get("finalSnapshotIdentifier") == f"{identifier}-final-{hex_suffix}"
    assert resource.property_dependencies.get("finalSnapshotIdentifier") == (suffix.urn,)
