"""The monitor: Pulumi's MockMonitor, recording every registration, and the mock cloud behind it.

``MockCloud`` (a ``pulumi.runtime.Mocks``) answers resource creations and invokes per provider
region; ``RecordingMonitor`` keeps each RegisterResource request as a ``RecordedResource``: type,
name, URN, parent, provider, dependencies, options, inputs and the exact protobuf Struct the SDK
serialized (what the engine would hand a policy pack).

Private SDK internals used here (guarded by ``tools.mockcloud.sdk_guard``): the request handling
and URN format of ``pulumi.runtime.mocks.MockMonitor``, ``rpc._special_sig_key`` and
``rpc._special_secret_sig``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import pulumi
import pulumi.runtime
from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from tools.mockcloud.account import _digest
from tools.mockcloud.computed import _ID_PREFIXES, COMPUTED, _generic_arn
from tools.mockcloud.invokes import INVOKES
from tools.mockcloud.urns import AliasSpec, alias_specs_of

AWS_PROVIDER = "pulumi:providers:aws"


class Invoke(NamedTuple):
    """One provider function call the program made."""

    token: str
    args: dict[str, Any]
    region: str
    provider: str  # the provider's URN, "" for the default provider


class MockCloud(pulumi.runtime.Mocks):
    """Answers resource creations and invokes the way AWS would, per provider region."""

    def __init__(self, default_region: str, preview: bool) -> None:
        self.default_region = default_region
        self.preview = preview
        self.provider_regions: dict[str, str] = {}
        self.invokes: list[Invoke] = []
        self._lock = threading.Lock()

    def region_of(self, provider_reference: str | None) -> str:
        if not provider_reference:
            return self.default_region
        urn = provider_reference.rsplit("::", 1)[0]
        return self.provider_regions.get(urn, self.default_region)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        region = self.region_of(args.provider)
        handler = INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"MockCloud has no answer for invoke {args.token!r}; "
                "teach it one in tools/mockcloud/invokes.py INVOKES rather than returning junk"
            )
        with self._lock:
            self.invokes.append(
                Invoke(
                    args.token, dict(args.args), region, (args.provider or "").rsplit("::", 1)[0]
                )
            )
        return handler(args.args, region), []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", dict(args.inputs)
        if not args.custom:
            return "", {}
        if self.preview:
            # A first preview: the engine echoes inputs; ids and computed attributes are unknown.
            return "", dict(args.inputs)
        region = self.region_of(args.provider)
        id_ = _ID_PREFIXES.get(args.typ, "") + _digest(args.typ, args.name, region)
        computed = COMPUTED.get(args.typ)
        outputs = {"id": id_, "arn": _generic_arn(args.typ, region, id_)}
        if computed is not None:
            outputs.update(computed(args.name, args.inputs, region, id_))
        return id_, {**args.inputs, **outputs}


@dataclass(frozen=True)
class RecordedResource:
    """One RegisterResource call, as the engine (and a policy pack) would see it."""

    urn: str
    type: str
    name: str
    id: str  # "" while unknown (a first preview)
    parent: str
    custom: bool
    provider: str  # the provider's URN, "" for components and default providers
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    protect: bool
    ignore_changes: tuple[str, ...]
    replace_on_changes: tuple[str, ...]
    delete_before_replace: bool
    retain_on_delete: bool
    additional_secret_outputs: tuple[str, ...]
    # The URNs this resource was known by before (``aliases``): the engine moves their state to it.
    aliases: tuple[str, ...]
    # ``import_``: the id of an existing cloud resource the engine adopts ("" for none).
    import_id: str
    inputs: Mapping[str, Any]  # deserialized; unknowns are None, secrets unwrapped
    struct: struct_pb2.Struct  # exactly what the SDK serialized
    region: str
    outputs: Mapping[str, Any]  # what the mock cloud answered (ids, ARNs, endpoints)
    # The aliases as the SDK sent them (``urns.engine_aliases`` resolves them as the engine does).
    alias_specs: tuple[AliasSpec, ...]

    def get(self, *path: str | int) -> Any:
        """A nested input, or None when absent: ``r.get("metadataOptions", "httpTokens")``."""
        value: Any = self.inputs
        for key in path:
            if isinstance(key, int):
                if not isinstance(value, list) or len(value) <= key:
                    return None
                value = value[key]
            else:
                if not isinstance(value, Mapping):
                    return None
                value = value.get(key)
        return value

    def is_unknown(self, key: str) -> bool:
        """Whether a top-level input is still unknown (as during a first preview)."""
        return _struct_value_is_unknown(self.struct.fields.get(key))


def _struct_value_is_unknown(value: struct_pb2.Value | None) -> bool:
    if value is None:
        return False
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value == rpc.UNKNOWN
    if kind == "struct_value":
        fields = value.struct_value.fields
        if rpc._special_sig_key in fields and "value" in fields:
            return _struct_value_is_unknown(fields["value"])
    return False


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's MockMonitor, keeping every registration request it answers."""

    def __init__(self, cloud: MockCloud) -> None:
        super().__init__(cloud)
        self.cloud = cloud
        self.recorded: list[RecordedResource] = []
        self._record_lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        urn = response.urn
        if request.type == AWS_PROVIDER:
            region = rpc.deserialize_properties(request.object).get("region")
            self.cloud.provider_regions[urn] = region or self.cloud.default_region
        provider_urn = request.provider.rsplit("::", 1)[0] if request.provider else ""
        record = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            id=response.id,
            parent=request.parent,
            custom=bool(request.custom),
            provider=provider_urn,
            dependencies=tuple(request.dependencies),
            property_dependencies={
                key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            replace_on_changes=tuple(request.replaceOnChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            retain_on_delete=bool(request.retainOnDelete),
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            aliases=_alias_urns(request, urn),
            import_id=request.importId,
            inputs=_unwrap_secrets(rpc.deserialize_properties(request.object)),
            struct=_copy_struct(request.object),
            region=self.cloud.region_of(request.provider),
            outputs=_unwrap_secrets(rpc.deserialize_properties(response.object)),
            alias_specs=alias_specs_of(request),
        )
        with self._record_lock:
            self.recorded.append(record)
        return response


def _alias_urns(request: Any, urn: str) -> tuple[str, ...]:
    """The URNs of a resource's aliases, resolved as the engine resolves an alias spec: an unset
    name, type or parent is the resource's own. URNs are built the way the SDK's mock monitor
    builds the recorded ones (``pulumi.runtime.mocks``: the parent's own type only, not its whole
    chain), so an alias compares equal to the URN of the resource it names."""
    stack = urn.split("::")[0].split(":")[2]
    project = urn.split("::")[1]
    found = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            found.append(alias.urn)
            continue
        spec = alias.spec
        parent_choice = spec.WhichOneof("parent")
        if parent_choice == "parentUrn":
            parent = spec.parentUrn
        elif parent_choice == "noParent" and spec.noParent:
            parent = ""
        else:
            parent = request.parent
        parent_types = f"{parent.split('::')[2].split('$')[-1]}$" if parent else ""
        found.append(
            f"urn:pulumi:{spec.stack or stack}::{spec.project or project}::"
            f"{parent_types}{spec.type or request.type}::{spec.name or request.name}"
        )
    return tuple(found)


def _copy_struct(struct: struct_pb2.Struct) -> struct_pb2.Struct:
    copy = struct_pb2.Struct()
    copy.CopyFrom(struct)
    return copy


def _unwrap_secrets(value: Any) -> Any:
    """Plain values: secrets unwrapped, preview unknowns as None (never truthy, never equal)."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _unwrap_secrets(value.get("value"))
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value
