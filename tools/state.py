"""The offline stack state: what ``pulumi up`` against the local backend would record.

``python -m tools.preview --stack S --deployed --save`` (``make up STACK=S``) writes the
deployed-mode synthesis of stack S (the mock cloud's ``pulumi up``: ids known) to
``.pulumi-offline/<stack>.json`` under the project (``--state-dir`` elsewhere; ignored by git),
one file per stack as ``pulumi login --local`` keeps one checkpoint per stack. The next preview
of that stack compares the program with it (``tools.diff``).

Per resource: URN, type, name, parent, provider, custom, id, protect, dependencies and inputs;
then the stack outputs. No secret value is written: a secret input or output (anywhere inside a
value) is stored as ``"[secret]"``, as ``pulumi stack export`` without ``--show-secrets`` would
show it, so a changed secret cannot be seen in the diff (the CLI compares ciphertexts there).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc

from tools.mockcloud import RecordedResource, Synthesis

STATE_DIR = ".pulumi-offline"
FORMAT_VERSION = 1
SECRET_MARKER = "[secret]"
UNKNOWN_MARKER: dict[str, bool] = {"$unknown": True}


class StateError(Exception):
    """A state file that cannot be used (malformed, another stack, another format)."""


def state_path(stack: str, project_dir: Path, state_dir: Path | None = None) -> Path:
    """Where the state of ``stack`` lives: ``<state_dir>/<stack>.json`` (relative state dirs are
    taken from the project directory, as ``--cwd`` is)."""
    directory = state_dir if state_dir is not None else Path(STATE_DIR)
    if not directory.is_absolute():
        directory = project_dir / directory
    return directory / f"{stack}.json"


def shown_path(path: Path, project_dir: Path) -> str:
    """``path`` as the user reads it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)


def plain(value: Any) -> Any:
    """JSON of its own type: whole doubles (protobuf's only numbers) become integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _masked(value: Any) -> Any:
    if isinstance(value, Unknown):
        return dict(UNKNOWN_MARKER)
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET_MARKER
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def masked_properties(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A serialized property map as plain JSON: secrets (at any depth) as ``"[secret]"``,
    unknowns as ``{"$unknown": true}``."""
    return plain(_masked(rpc.deserialize_properties(struct, keep_unknowns=True)))


def masked_inputs(resource: RecordedResource) -> dict[str, Any]:
    """The resource's inputs as the engine would compare them, no secret value in them."""
    return masked_properties(resource.struct)


def _resource(resource: RecordedResource) -> dict[str, Any]:
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "parent": resource.parent,
        "provider": resource.provider,
        "custom": resource.custom,
        "id": resource.id,
        "protect": resource.protect,
        "dependencies": list(resource.dependencies),
        "inputs": masked_inputs(resource),
    }


def record(synthesis: Synthesis) -> dict[str, Any]:
    """The state document of a (deployed-mode) synthesis."""
    if synthesis.error is not None:
        raise StateError(f"the program failed, nothing to record: {synthesis.error}")
    return {
        "version": FORMAT_VERSION,
        "stack": synthesis.stack,
        "mode": "preview" if synthesis.preview else "deployed",
        "resources": [_resource(r) for r in synthesis.resources],
        "outputs": {
            key: SECRET_MARKER if key in synthesis.secret_outputs else plain(value)
            for key, value in synthesis.outputs.items()
        },
    }


def save(synthesis: Synthesis, path: Path) -> dict[str, Any]:
    """Write the state of ``synthesis`` to ``path`` (atomically) and return it."""
    document = record(synthesis)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)
    return document


def load(path: Path, stack: str) -> dict[str, Any] | None:
    """The recorded state at ``path``, or None when there is none."""
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise StateError(f"{path}: not a state file ({exc}); delete it and record again") from exc
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise StateError(
            f"{path}: state format {document.get('version') if isinstance(document, dict) else '?'}"
            f", expected {FORMAT_VERSION}; delete it and record again"
        )
    if document.get("stack") != stack:
        raise StateError(
            f"{path}: holds the state of stack {document.get('stack')!r}, not {stack!r}"
        )
    return document
